/* Exercise 7, a wrong solution: it ends the request with close(fd), not
 * shutdown(fd, SHUT_WR). The server does see EOF, but close ends both
 * directions and gives the fd number back: the read after it fails with
 * EBADF, and the server's answer has nowhere to go. */
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
    close(fd); /* "I am done sending": but this ends receiving too */
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, n, stdout);
    if (n < 0) { perror("read"); return 1; }
    return 0;
}
