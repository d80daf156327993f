/* Exercise 11 in C: a fork-per-client server.
 *
 * Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients.
 * Client 1 connects, sends half a line and, once that half is echoed,
 * stays connected and silent; meanwhile clients 2 and 3 connect, send
 * their lines, half-close and must get their whole echo and their EOF.
 * Only then does client 1 send the rest and half-close. Fork a child for
 * each client: the child closes the listening fd, echoes until read
 * returns 0, closes the client's fd and exits 0; the parent closes its
 * copy of the client's fd and accepts the next. Reap every child
 * (waitpid). After the third client, close the listening fd, wait for
 * the children still running, and return 0.
 *
 * Build and check it:
 *   cc -Wall -o c/ex11 c/ex11.c && socklab check 11 -- ./c/ex11
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Send back everything cfd receives, until the client half-closes. */
static int echo_until_eof(int cfd) {
    char buf[256];
    ssize_t n;
    while ((n = read(cfd, buf, sizeof buf)) > 0) {
        ssize_t sent = 0;
        while (sent < n) {
            ssize_t m = write(cfd, buf + sent, n - sent);
            if (m < 0) { perror("write"); return -1; }
            sent += m;
        }
    }
    return n < 0 ? -1 : 0;
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
        /* Two processes from here on, each with a copy of every fd. */
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            /* TODO: the child never accepts: close(lfd) first. */
            int status = echo_until_eof(cfd) < 0 ? 1 : 0;
            close(cfd);
            _exit(status);
        }
        /* TODO: close(cfd) in the parent: the connection ends only when
         * its last fd is closed. Reap the children that have ended:
         * while (waitpid(-1, NULL, WNOHANG) > 0) ... */
    }
    /* TODO: close(lfd), then waitpid(-1, NULL, 0) for each child still
     * running. */
    return 0;
}
