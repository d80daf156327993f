/* Exercise 7 in C: half-close: send a request, shutdown(SHUT_WR), read the
 * whole answer.
 *
 * The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It reads your
 * request until EOF, and only then answers: in several pieces, with pauses
 * between them, and then it closes. Send the question below, whole; end it
 * with a half-close; read the answer until read returns 0; print it on
 * stdout, byte for byte; close the socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex07 c/ex07.c && socklab check 7 -- ./c/ex07
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char QUESTION[] = "What does shutdown(SHUT_WR) do?\n";

int main(void) {
    const char *host = getenv("SOCKLAB_HOST");
    const char *port = getenv("SOCKLAB_PORT");
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

    /* TODO: the server answers only once its read has returned 0 (EOF), and
     * nothing in the bytes says "the question ends here". End your sending
     * side, and only it: shutdown(fd, SHUT_WR). Not close(fd), which ends
     * both directions and gives the fd back, nor SHUT_RDWR, which ends your
     * receiving too. Then read(fd, buf, sizeof buf) in a loop, fwrite each
     * piece to stdout, and stop when read returns 0 (the server has
     * closed); -1 is an error (perror, return 1). Then close(fd) and
     * return 0. */
    return 1;
}
