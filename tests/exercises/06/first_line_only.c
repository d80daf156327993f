/* Exercise 6, a wrong solution: it reads until the buffer holds a
 * newline (so a line cut in pieces is put together), answers that first
 * line, and then empties the buffer. Whatever came after the first
 * newline (the next line, or its start) is dropped. */
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
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 16) < 0) {
        perror("listen");
        return 1;
    }
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) { perror("accept"); return 1; }
    char buf[1024];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(cfd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) break;
        have += n;
        char *nl = memchr(buf, '\n', have);
        if (!nl) continue;
        *nl = '\0';
        char out[64];
        unsigned long a, b;
        int quit = strcmp(buf, "QUIT") == 0;
        if (quit)
            snprintf(out, sizeof out, "BYE\n");
        else if (sscanf(buf, "ADD %lu %lu", &a, &b) == 2)
            snprintf(out, sizeof out, "%lu\n", a + b);
        else
            snprintf(out, sizeof out, "ERR\n");
        if (write(cfd, out, strlen(out)) < 0) { perror("write"); break; }
        have = 0; /* the mistake: the bytes after the newline are dropped */
        if (quit) break;
    }
    close(cfd);
    close(lfd);
    return 0;
}
