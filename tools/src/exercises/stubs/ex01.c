/* Exercise 1 in C: a client that reads a greeting until EOF and prints it.
 *
 * The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It sends a
 * greeting in several pieces, with pauses between them, and then closes
 * its side. Print the whole greeting on stdout, byte for byte, and close
 * the socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex01 c/ex01.c && socklab check 1 -- ./c/ex01
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
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    /* connect: the 3-way handshake happens inside this call. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }

    /* TODO: read(fd, buf, sizeof buf) in a loop and fwrite each piece to
     * stdout. One read returns what has arrived so far, not the whole
     * greeting: TCP keeps no message boundaries. Stop when read returns 0
     * (the server has closed its side); -1 is an error (perror, return 1).
     * Then close(fd) and return 0. */
    return 1;
}
