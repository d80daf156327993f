/* Exercise 5, a wrong solution: its loop keeps the count right, but it
 * takes every failed write(2) as the end, EINTR too. The plain run
 * passes; under fault injection the first write fails with EINTR and
 * the program gives up with nothing sent. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LEN (1 << 20)

static unsigned char data[LEN];

int main(void) {
    const char *host = getenv("SOCKLAB_HOST");
    const char *port = getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    for (size_t i = 0; i < LEN; i++) data[i] = i % 251;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    inet_pton(AF_INET, host, &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    size_t sent = 0;
    while (sent < LEN) {
        ssize_t n = write(fd, data + sent, LEN - sent);
        if (n < 0) { perror("write"); close(fd); return 1; }
        sent += n;
    }
    close(fd);
    return 0;
}
