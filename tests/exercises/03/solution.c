/* Exercise 3, reference solution in C: an iterative echo server. One
 * listening socket on SOCKLAB_HOST:SOCKLAB_PORT; three clients in turn:
 * accept, write(2) back each piece read(2) returns until it returns 0
 * (the client half-closed), close the client's fd; then close the
 * listening fd. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int echo_until_eof(int cfd) {
    char buf[64];
    ssize_t n;
    while ((n = read(cfd, buf, sizeof buf)) > 0) {
        ssize_t sent = 0;
        while (sent < n) {
            ssize_t m = write(cfd, buf + sent, n - sent);
            if (m < 0) { perror("write"); return -1; }
            sent += m;
        }
    }
    if (n < 0) { perror("read"); return -1; }
    return 0;
}

int main(void) {
    const char *host = getenv("SOCKLAB_HOST");
    const char *port = getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    for (int i = 0; i < 3; i++) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) { perror("accept"); return 1; }
        int r = echo_until_eof(cfd);
        close(cfd);
        if (r < 0) return 1;
    }
    close(lfd);
    return 0;
}
