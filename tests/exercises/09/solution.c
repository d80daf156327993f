/* Exercise 9, reference solution in C: a UDP echo server. One socket
 * bound to SOCKLAB_HOST:SOCKLAB_PORT, no listen and no accept: each
 * recvfrom returns one whole datagram and who sent it, and one sendto
 * sends the same bytes back to that address. An empty datagram (recvfrom
 * returns 0) is echoed empty. After echoing the datagram "QUIT" it
 * closes its socket and ends. */
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
    /* Larger than any datagram the clients send (1400 bytes at most). */
    char buf[2048];
    int status = 0;
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from; /* set again before each call */
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) { perror("recvfrom"); status = 1; break; }
        /* n may be 0: an empty datagram, echoed as one. */
        if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) < 0) {
            perror("sendto");
            status = 1;
            break;
        }
        if (n == 4 && memcmp(buf, "QUIT", 4) == 0) break;
    }
    close(fd);
    return status;
}
