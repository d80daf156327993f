/* Exercise 10 in C: a poll server that serves its clients at once.
 *
 * Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients.
 * Client 1 connects, sends half a line and, once that half is echoed,
 * stays connected and silent; meanwhile client 2 connects, sends its
 * lines, half-closes and must get its whole echo and its EOF. Only then
 * does client 1 send the rest and half-close. Send every byte back to
 * the client that sent it, from one thread: poll says which fd is
 * ready. A client whose read returns 0 is done: close its fd and take it
 * out of the set. While client 1 is still silent a third client
 * connects and resets its connection (it closes with SO_LINGER {on, 0}:
 * an RST): poll marks its fd POLLIN|POLLERR|POLLHUP and its read fails
 * with ECONNRESET. That ends that client, not the server: close its fd,
 * take it out of the set, and go on. After the third client has come and
 * gone, close the listening fd and return 0.
 *
 * Build and check it:
 *   cc -Wall -o c/ex10 c/ex10.c && socklab check 10 -- ./c/ex10
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
    /* fds[0]: the listening fd (POLLIN there: a client waits, and accept
     * will not block); fds[1] to fds[3]: the clients. poll skips an
     * entry whose fd is -1: a free or closed client's. */
    struct pollfd fds[4];
    fds[0].fd = lfd;
    fds[0].events = POLLIN;
    for (int i = 1; i < 4; i++) { fds[i].fd = -1; fds[i].events = POLLIN; }
    if (poll(fds, 4, -1) < 0) { perror("poll"); return 1; }
    if (fds[0].revents & POLLIN) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) { perror("accept"); return 1; }
        fds[1].fd = cfd;
    }
    /* TODO: do that in a loop, until 3 clients have come and gone. After
     * poll returns, for each client entry with POLLIN in revents, make
     * one read (it will not block) and write back what it returned; a
     * read of 0 means that client half-closed: close its fd and set the
     * entry's fd to -1. Do the same when read fails with ECONNRESET
     * (errno.h): that client reset its connection. Accept into a free
     * entry while fewer than 3 have come. Then close(lfd) and return 0. */
    return 1;
}
