/* Exercise 3, a wrong solution: the listening fd is closed inside the
 * loop, with the client's fd. The first client is served; the second
 * accept is made on an fd that is no longer open (EBADF), and the
 * program gives up. */
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
    for (int i = 0; i < 3; i++) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) { perror("accept"); return 1; }
        char buf[64];
        ssize_t n;
        while ((n = read(cfd, buf, sizeof buf)) > 0)
            if (write(cfd, buf, n) != n) { perror("write"); return 1; }
        close(cfd);
        close(lfd);
    }
    return 0;
}
