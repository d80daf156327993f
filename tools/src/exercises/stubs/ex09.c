/* Exercise 9 in C: a UDP echo server, message boundaries kept.
 *
 * Bind one UDP socket to SOCKLAB_HOST:SOCKLAB_PORT: no listen and no
 * accept, UDP has no connections. The grader plays two clients, each
 * from a port of its own. They send datagrams of many sizes: two back
 * to back, an empty one (0 bytes), one of 1400 bytes. Answer each
 * datagram with one datagram of the same bytes, sent to the address
 * recvfrom gave for it. After echoing the datagram "QUIT", close the
 * socket and end.
 *
 * Build and check it:
 *   cc -Wall -o c/ex09 c/ex09.c && socklab check 9 -- ./c/ex09
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
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    char buf[2048]; /* larger than any datagram (1400 bytes at most) */
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    /* One whole datagram, and who sent it. */
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) { perror("recvfrom"); return 1; }

    /* TODO: send the n bytes back with sendto(fd, buf, n, 0,
     * (struct sockaddr *)&from, len): one datagram for one datagram, to
     * the address this recvfrom gave (the next may come from another
     * client). Then loop: set len = sizeof from, recvfrom again, and
     * echo each datagram the same way, an empty one (n == 0) too: on UDP
     * 0 is a datagram, not the end. After echoing "QUIT" (n == 4),
     * leave the loop, close(fd) and return 0. */
    return 1;
}
