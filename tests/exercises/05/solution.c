/* Exercise 5, reference solution in C: connect to the server given as
 * argv[1] argv[2] (or SOCKLAB_HOST and SOCKLAB_PORT), write(2) 1 MiB
 * where byte i is i % 251, and close. The loop writes from where the
 * bytes written so far end, and makes a write that failed with EINTR
 * again: it was cut short before it sent a byte. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LEN (1 << 20)

static unsigned char data[LEN];

int main(int argc, char **argv) {
    const char *host = argc > 2 ? argv[1] : getenv("SOCKLAB_HOST");
    const char *port = argc > 2 ? argv[2] : getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    for (size_t i = 0; i < LEN; i++) data[i] = i % 251;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    /* A connect that fails is not simply made again (UNP 5.9): no retry. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    size_t sent = 0;
    while (sent < LEN) {
        ssize_t n = write(fd, data + sent, LEN - sent);
        if (n < 0) {
            if (errno == EINTR) continue; /* nothing went out: again */
            perror("write");
            return 1;
        }
        sent += n;
    }
    close(fd);
    return 0;
}
