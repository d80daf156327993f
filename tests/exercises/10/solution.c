/* Exercise 10, reference solution in C: one thread serves every client at
 * once with poll. The set holds the listening fd (POLLIN there means a
 * connection waits, so accept will not block) and one entry per client
 * (POLLIN means bytes wait, or the client half-closed and read returns
 * 0). Each ready client gets one read, and what it returned is written
 * back at once; no call waits on one client while another has bytes
 * waiting. A client whose read returns 0 is closed and leaves the set.
 * So is a client that reset its connection (it closed with SO_LINGER
 * {on, 0}, so an RST came): poll marks it POLLIN|POLLERR|POLLHUP and its
 * read fails with ECONNRESET, which ends that client, not the server.
 * After the third accept the listening fd is closed; once every client
 * is gone the server returns 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Client 1 (silent a while), client 2 (talks), and one that resets. */
#define CLIENTS 3

/* Write all n bytes: write may take fewer than it is given. */
static int write_all(int fd, const char *buf, ssize_t n) {
    ssize_t sent = 0;
    while (sent < n) {
        ssize_t m = write(fd, buf + sent, n - sent);
        if (m < 0) { perror("write"); return -1; }
        sent += m;
    }
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
    /* fds[0] is the listening fd; fds[1..] the clients. An entry whose
     * fd is -1 is skipped by poll: that is how a closed client leaves. */
    struct pollfd fds[1 + CLIENTS];
    fds[0].fd = lfd;
    fds[0].events = POLLIN;
    for (int i = 1; i <= CLIENTS; i++) { fds[i].fd = -1; fds[i].events = POLLIN; }
    int accepted = 0, open = 0;
    while (accepted < CLIENTS || open > 0) {
        if (poll(fds, 1 + CLIENTS, -1) < 0) { perror("poll"); return 1; }
        for (int i = 1; i <= CLIENTS; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[256];
            /* One read: poll said it will not block. */
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno != ECONNRESET) { perror("read"); return 1; }
            if (n <= 0) {
                /* The client half-closed (its echo is all sent) or reset
                 * its connection: either way it is gone. */
                close(fds[i].fd);
                fds[i].fd = -1;
                open--;
            } else if (write_all(fds[i].fd, buf, n) < 0) {
                return 1;
            }
        }
        if (fds[0].fd >= 0 && (fds[0].revents & POLLIN)) {
            int cfd = accept(lfd, NULL, NULL);
            if (cfd < 0) { perror("accept"); return 1; }
            for (int i = 1; i <= CLIENTS; i++)
                if (fds[i].fd < 0) { fds[i].fd = cfd; break; }
            accepted++;
            open++;
            if (accepted == CLIENTS) {
                /* No more clients to take: the listening fd leaves too. */
                close(lfd);
                fds[0].fd = -1;
            }
        }
    }
    return 0;
}
