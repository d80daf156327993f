/* Exercise 2 in C: a one-shot server.
 *
 * Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays one client: it
 * connects, sends a request line (ending in a newline) in two pieces, and
 * reads until EOF. Send the line back, whole, then close the client's
 * socket and the listening socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex02 c/ex02.c && socklab check 2 -- ./c/ex02
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
    /* accept waits for the client's connect and returns a NEW fd for this
     * one client; lfd only ever takes connections. */
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) { perror("accept"); return 1; }

    /* TODO: read(cfd, ...) until the bytes you have hold a '\n' (the line
     * comes in pieces; read returning 0 means the client closed first).
     * Then write(cfd, ...) the whole line back: write may take fewer bytes
     * than you give it, so call it until every byte is sent. Then
     * close(cfd), close(lfd) and return 0. */
    return 1;
}
