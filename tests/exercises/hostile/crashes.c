/* Hostile, or just wrong: connects, then writes through a null pointer
 * (SIGSEGV). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(getenv("SOCKLAB_PORT")));
    inet_pton(AF_INET, getenv("SOCKLAB_HOST"), &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, (struct sockaddr *)&a, sizeof a);
    volatile int *nowhere = NULL;
    *nowhere = 1;
    return 0;
}
