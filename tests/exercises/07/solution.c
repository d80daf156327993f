/* Exercise 7, reference solution in C: connect to SOCKLAB_HOST:SOCKLAB_PORT
 * (or argv[1] argv[2]), write the request whole, shutdown(fd, SHUT_WR) so
 * the server's read returns 0, read the answer until read returns 0,
 * print it, close. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char QUESTION[] = "What does shutdown(SHUT_WR) do?\n";

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
    /* write may take fewer bytes than it is given: write the rest. */
    size_t len = strlen(QUESTION), sent = 0;
    while (sent < len) {
        ssize_t m = write(fd, QUESTION + sent, len - sent);
        if (m < 0) { perror("write"); return 1; }
        sent += m;
    }
    /* The end of the request: a FIN; this side can still read. */
    if (shutdown(fd, SHUT_WR) < 0) { perror("shutdown"); return 1; }
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, n, stdout);
    if (n < 0) { perror("read"); return 1; }
    close(fd);
    return 0;
}
