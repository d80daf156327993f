/* Exercise 5 in C: sending 1 MB with a loop that survives EINTR.
 *
 * The grader plays a server at SOCKLAB_HOST:SOCKLAB_PORT that reads
 * slowly. Send it exactly 1 MiB (1,048,576 bytes) where byte i is
 * i % 251, then close the socket. The grader runs the program twice: the
 * second time, strace makes the 1st, 3rd, 5th... write fail with EINTR.
 *
 * Build and check it:
 *   cc -Wall -o c/ex05 c/ex05.c && socklab check 5 -- ./c/ex05
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LEN (1 << 20)

static unsigned char data[LEN];

int main(void) {
    const char *host = getenv("SOCKLAB_HOST");
    const char *port = getenv("SOCKLAB_PORT");
    if (!host || !port) return 2;
    for (size_t i = 0; i < LEN; i++) data[i] = i % 251;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    /* One write: n is how many bytes the kernel took, or -1 and errno. */
    ssize_t n = write(fd, data, LEN);
    if (n < 0) { perror("write"); return 1; }

    /* TODO: make this a loop: write data + sent, LEN - sent bytes until
     * sent reaches LEN, adding each n. A write that fails with
     * errno == EINTR sent nothing: make it again. Any other error:
     * perror, return 1. Then close(fd) and return 0. */
    return 1;
}
