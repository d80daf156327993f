/* Exercise 4 in C: reading a 100 KB stream that arrives in odd pieces.
 *
 * The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT. It sends 100 KB
 * in pieces of odd sizes, with pauses between them (the first is a single
 * byte), and then closes its side. Copy every byte to stdout, nothing
 * more, and close the socket.
 *
 * Build and check it:
 *   cc -Wall -o c/ex04 c/ex04.c && socklab check 4 -- ./c/ex04
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
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    char buf[4096];
    /* One read returns what has arrived by then: one byte or a full
     * buffer. Write out exactly the n bytes it returned, not the buffer. */
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) { perror("read"); return 1; }
    fwrite(buf, 1, n, stdout);

    /* TODO: read and fwrite again and again. A read that returns less than
     * the buffer is not the end, and the size is not known in advance:
     * stop only when read returns 0 (the server has closed); -1 is an
     * error (perror, return 1). Then close(fd), fflush(stdout), return 0. */
    fflush(stdout);
    return 1;
}
