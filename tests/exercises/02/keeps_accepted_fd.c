/* Exercise 2, a wrong solution: answers the client through a dup of the
 * accepted fd, and closes only the dup: the accepted fd itself stays open.
 * (The client still gets EOF: the kernel closes every fd at exit.)
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
    inet_pton(AF_INET, host, &addr.sin_addr);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) { perror("accept"); return 1; }
    char line[256];
    size_t len = 0;
    while (len < sizeof line && !memchr(line, '\n', len)) {
        ssize_t n = read(cfd, line + len, sizeof line - len);
        if (n <= 0) break;
        len += n;
    }
    int out = dup(cfd);
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = write(out, line + sent, len - sent);
        if (n < 0) { perror("write"); return 1; }
        sent += n;
    }
    close(out);
    close(lfd);
    return 0;
}
