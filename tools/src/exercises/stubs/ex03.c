/* Exercise 3 in C: an iterative echo server for three clients in turn.
 *
 * Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays three clients,
 * one after another. Each sends its lines in odd-sized pieces, then
 * half-closes (shutdown SHUT_WR) and reads until EOF. Send every byte
 * back to the client that sent it; serve each client to the end, close
 * its fd, then take the next; after the third, close the listening fd
 * and return 0.
 *
 * Build and check it:
 *   cc -Wall -o c/ex03 c/ex03.c && socklab check 3 -- ./c/ex03
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Send back everything cfd receives, until the client half-closes. */
static int echo_until_eof(int cfd) {
    char buf[64];
    /* The first piece: a few bytes of the client's first line, not all it
     * will send. TCP keeps no message boundaries. */
    ssize_t n = read(cfd, buf, sizeof buf);
    if (n < 0) { perror("read"); return -1; }
    /* write may take fewer bytes than it is given: write the rest. */
    ssize_t sent = 0;
    while (sent < n) {
        ssize_t m = write(cfd, buf + sent, n - sent);
        if (m < 0) { perror("write"); return -1; }
        sent += m;
    }
    /* TODO: do that again and again: read a piece, write it back whole,
     * and stop only when read returns 0 (the client has half-closed: it
     * will send nothing more). Then return 0: main closes cfd and accepts
     * the next client. */
    return -1;
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
    /* One listening fd, made before the loop: it takes every client. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    for (int i = 0; i < 3; i++) {
        /* A new fd per client; the next client waits in lfd's queue. */
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) { perror("accept"); return 1; }
        if (echo_until_eof(cfd) < 0) return 1;
        /* TODO: close(cfd) here: shutdown would end the conversation but
         * keep the fd. */
    }
    /* TODO: close(lfd), once, after the last client. */
    return 0;
}
