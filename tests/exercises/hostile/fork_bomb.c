/* Hostile: a fork bomb, with a bound of its own so a grader bug cannot
 * take the machine down: 7 rounds of fork, at most 2^7 = 128 processes,
 * each then waiting forever. Where the grader caps processes (a uid of
 * the run's own, or an unprivileged user namespace) the kernel refuses
 * forks past the cap with EAGAIN. */
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 7; i++)
        fork();
    for (;;)
        pause();
}
