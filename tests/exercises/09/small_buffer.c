/* Exercise 9, a wrong solution in C: a correct loop with a receive
 * buffer of 512 bytes. The 1400-byte datagram is cut to its first 512
 * bytes by the kernel, recvfrom returns 512, and the rest is lost:
 * echoes_arrive_whole names that recvfrom. */
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
    char buf[512]; /* wrong: shorter than the largest datagram */
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) { perror("recvfrom"); return 1; }
        if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) < 0) { perror("sendto"); return 1; }
        if (n == 4 && memcmp(buf, "QUIT", 4) == 0) break;
    }
    close(fd);
    return 0;
}
