/* Exercise 7, a wrong solution: it half-closes with SHUT_RDWR instead of
 * SHUT_WR. The server sees EOF and answers, but this side has shut its
 * receiving too: the read returns at once, without the answer. */
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
    inet_pton(AF_INET, host, &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    if (write(fd, QUESTION, strlen(QUESTION)) < 0) { perror("write"); return 1; }
    if (shutdown(fd, SHUT_RDWR) < 0) { perror("shutdown"); return 1; }
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, n, stdout);
    if (n < 0) perror("read");
    close(fd);
    return n < 0;
}
