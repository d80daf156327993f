/* Exercise 8, reference solution in C: the server at SOCKLAB_HOST:SOCKLAB_PORT
 * (or argv[1] argv[2]) starts late. On ECONNREFUSED close that socket,
 * wait 100 ms and try again with a new one, up to 20 tries; then read the
 * greeting until read returns 0, print it, close. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
    const struct timespec pause = {0, 100 * 1000 * 1000};
    int fd = -1;
    for (int try = 1; try <= 20; try++) {
        /* A new socket per try: after a failed connect POSIX leaves the
         * old one's state unspecified. */
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) { perror("socket"); return 1; }
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) break;
        int err = errno;
        close(fd);
        fd = -1;
        if (err != ECONNREFUSED) { errno = err; perror("connect"); return 1; }
        nanosleep(&pause, NULL);
    }
    if (fd < 0) { fprintf(stderr, "connect: refused 20 times\n"); return 1; }
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, n, stdout);
    if (n < 0) { perror("read"); return 1; }
    close(fd);
    return 0;
}
