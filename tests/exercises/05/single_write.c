/* Exercise 5, a wrong solution: one write(2) of the whole 1 MiB, no
 * loop. On a blocking socket the kernel waits until all of it is taken,
 * so the plain run passes; under fault injection that one write fails
 * with EINTR, the program reports it and ends, and nothing was sent. */
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
    if (write(fd, data, LEN) < 0) perror("write");
    close(fd);
    return 0;
}
