/* Exercise 8 in C: a client that retries ECONNREFUSED with a new socket
 * each time.
 *
 * The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT that starts late:
 * for its first few hundred milliseconds nothing listens on the port, and
 * connect fails with ECONNREFUSED. Then it listens, sends a greeting in
 * pieces and closes. Try again after each refusal with a new socket, 100 ms
 * later, up to 20 tries; print the greeting on stdout, byte for byte;
 * close the socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex08 c/ex08.c && socklab check 8 -- ./c/ex08
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
    /* The first try. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("try 1: connect");
        /* TODO: when errno is ECONNREFUSED, nothing listens on the port
         * yet. close(fd), wait 100 ms (nanosleep, with a struct timespec
         * of {0, 100000000}), make a new socket and connect again; up to
         * 20 tries, in a loop around the socket and connect above. Do not
         * call connect on the refused fd again: after a failed connect
         * POSIX leaves its state unspecified. Any other error: return 1. */
        return 1;
    }
    /* Exercise 1's loop: the greeting comes in pieces; 0 is the end. */
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, n, stdout);
    if (n < 0) { perror("read"); return 1; }
    close(fd);
    return 0;
}
