/* Exercise 4, reference solution in C: connect to the server given as
 * argv[1] argv[2] (or SOCKLAB_HOST and SOCKLAB_PORT) and copy what it
 * sends to stdout, read(2) after read(2), until read returns 0 (the
 * server closed); then close. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *host = argc > 2 ? argv[1] : getenv("SOCKLAB_HOST");
    const char *port = argc > 2 ? argv[2] : getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    char buf[4096];
    ssize_t n;
    /* A short read is one piece, not the end: only 0 is the end. */
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, n, stdout) != (size_t)n) { perror("fwrite"); return 1; }
    if (n < 0) { perror("read"); return 1; }
    close(fd);
    if (fflush(stdout) != 0) { perror("fflush"); return 1; }
    return 0;
}
