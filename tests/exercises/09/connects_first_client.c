/* Exercise 9, a wrong solution in C: after the first datagram the server
 * connects its UDP socket to that client and goes on with read and
 * write, as over a TCP connection. A connected UDP socket takes
 * datagrams from its peer only: client 2's datagrams never reach the
 * program, it waits in read until the grader stops it, and client 2 gets
 * no echo (echoes_arrive_whole, exits_cleanly). Its read and write are
 * read by the rules as datagrams from and to the connected peer, so
 * replies_to_sender passes. */
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
    char buf[2048];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) { perror("recvfrom"); return 1; }
    /* Wrong: "the client" is whoever wrote first. */
    if (connect(fd, (struct sockaddr *)&from, len) < 0) { perror("connect"); return 1; }
    for (;;) {
        if (write(fd, buf, n) < 0) { perror("write"); return 1; }
        if (n == 4 && memcmp(buf, "QUIT", 4) == 0) break;
        n = read(fd, buf, sizeof buf);
        if (n < 0) { perror("read"); return 1; }
    }
    close(fd);
    return 0;
}
