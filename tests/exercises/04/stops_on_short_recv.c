/* Exercise 4, a wrong solution: it reads while read(2) fills the whole
 * buffer and stops at the first short read, taking "less than I asked
 * for" to mean "the end". The stream's first piece is a single byte. */
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
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    char buf[4096];
    ssize_t n;
    do {
        n = read(fd, buf, sizeof buf);
        if (n > 0) fwrite(buf, 1, n, stdout);
    } while (n == sizeof buf);
    close(fd);
    return 0;
}
