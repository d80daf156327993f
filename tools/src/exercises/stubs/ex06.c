/* Exercise 6 in C: a line-framed protocol whose lines are split at
 * random points.
 *
 * Listen on SOCKLAB_HOST:SOCKLAB_PORT. The grader plays one client: it
 * sends request lines, "ADD a b" a few times and then "QUIT", cut at
 * random points (a line in several pieces, two lines in one), then
 * half-closes. Answer each line with one line: "ADD a b" with the sum
 * ("ADD 3 4" -> "7"), "QUIT" with "BYE" (then stop), anything else with
 * "ERR". Then close the client's socket and the listening socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex06 c/ex06.c && socklab check 6 -- ./c/ex06
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
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) { perror("accept"); return 1; }
    char buf[1024];
    size_t have = 0; /* bytes in buf not yet part of an answered line */
    /* The first piece: maybe part of a line, maybe a line and more. */
    ssize_t n = read(cfd, buf, sizeof buf);
    if (n < 0) { perror("read"); return 1; }
    have = n;

    /* TODO: loop: while buf holds a '\n' (memchr(buf, '\n', have)),
     * answer the line before it ("ADD a b": the sum; "QUIT": "BYE", then
     * stop; else "ERR"; each answer a line, written whole), then memmove
     * what follows the newline to the front of buf: it is the start of
     * the next line. Then read again, appending at buf + have; a read of
     * 0 means the client closed. Then close(cfd), close(lfd), return 0. */
    (void)have;
    return 1;
}
