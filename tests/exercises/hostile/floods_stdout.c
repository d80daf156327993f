/* Hostile: 1 GiB on stdout, 64 KiB at a time. RLIMIT_FSIZE stops it at
 * 64 MiB with SIGXFSZ. */
#include <string.h>
#include <unistd.h>

int main(void) {
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (long sent = 0; sent < (1L << 30); sent += sizeof block)
        if (write(1, block, sizeof block) < 0)
            return 1;
    return 0;
}
