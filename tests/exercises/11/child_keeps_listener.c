/* Exercise 11, a wrong solution in C: the child forgets to close its
 * copy of the listening fd. Every client is served and echoed, but each
 * child holds the listening socket while it serves, so the socket
 * outlives the parent's close of it until the last child exits. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 3

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
    int running = 0;
    for (int i = 0; i < CLIENTS; i++) {
        /* The children that have ended since: each reaped, none a zombie. */
        while (waitpid(-1, NULL, WNOHANG) > 0) running--;
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) { perror("accept"); return 1; }
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            /* The mistake: no close(lfd) here; the child keeps its copy of
             * the listening fd until it exits. */
            int status = echo_until_eof(cfd) < 0 ? 1 : 0;
            close(cfd);
            _exit(status);
        }
        /* The parent's copy of the client's fd: the child's close will be
         * the last one, and send the FIN. */
        close(cfd);
        running++;
    }
    close(lfd);
    while (running > 0 && waitpid(-1, NULL, 0) > 0) running--;
    return 0;
}
