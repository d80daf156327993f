/* Exercise 6, reference solution in C: a line server. Listen on
 * SOCKLAB_HOST:SOCKLAB_PORT, accept one client, and answer each line it
 * sends with one line: "ADD a b" with the sum, "QUIT" with "BYE" (and
 * then the end), anything else with "ERR". The lines arrive cut
 * anywhere: bytes wait in a buffer until a newline makes a whole line,
 * and what follows the last newline stays for the next read(2). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) { perror("write"); return -1; }
        p += n;
        len -= n;
    }
    return 0;
}

/* Answer one line (its newline replaced by '\0'); 1 after QUIT. */
static int answer(int fd, char *line) {
    char out[64];
    unsigned long a, b;
    char end;
    if (strcmp(line, "QUIT") == 0) {
        return write_all(fd, "BYE\n", 4) < 0 ? -1 : 1;
    }
    if (sscanf(line, "ADD %lu %lu%c", &a, &b, &end) == 2)
        snprintf(out, sizeof out, "%lu\n", a + b);
    else
        snprintf(out, sizeof out, "ERR\n");
    return write_all(fd, out, strlen(out));
}

int main(void) {
    const char *host = getenv("SOCKLAB_HOST");
    const char *port = getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) { perror("accept"); return 1; }
    char buf[1024];
    size_t have = 0; /* bytes in buf not yet part of an answered line */
    int done = 0, status = 0;
    while (!done) {
        if (have == sizeof buf) { fprintf(stderr, "line too long\n"); status = 1; break; }
        ssize_t n = read(cfd, buf + have, sizeof buf - have);
        if (n < 0) { perror("read"); status = 1; break; }
        if (n == 0) break; /* the client closed before QUIT */
        have += n;
        char *nl;
        /* Every whole line in the buffer, then the rest to the front. */
        while (!done && (nl = memchr(buf, '\n', have)) != NULL) {
            *nl = '\0';
            int r = answer(cfd, buf);
            if (r < 0) { status = 1; done = 1; }
            if (r == 1) done = 1;
            size_t used = nl + 1 - buf;
            memmove(buf, nl + 1, have - used);
            have -= used;
        }
    }
    close(cfd);
    close(lfd);
    return status;
}
