/* Exercise 9, a second reference solution in C, with recvmsg and
 * sendmsg: the sender's address comes in the message header's msg_name,
 * and the reply goes back with the same header, its one iovec cut to
 * the n bytes received. The grader reads the address from strace's
 * msg_name={...} as it reads recvfrom's and sendto's. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
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
    int status = 0;
    for (;;) {
        struct sockaddr_in from;
        struct iovec iov = { buf, sizeof buf };
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        ssize_t n = recvmsg(fd, &msg, 0);
        if (n < 0) { perror("recvmsg"); status = 1; break; }
        iov.iov_len = n; /* the same header: to msg_name, the n bytes */
        if (sendmsg(fd, &msg, 0) < 0) { perror("sendmsg"); status = 1; break; }
        if (n == 4 && memcmp(buf, "QUIT", 4) == 0) break;
    }
    close(fd);
    return status;
}
