/* runstat - run a command and say what it cost: wall time, peak memory
 * and bytes it dirtied for storage (the kernel's write_bytes, which
 * getrusage reports as ru_oublock in 512-byte units; writes to tmpfs are
 * not counted: they never reach a disk).
 *
 *   runstat COMMAND [ARG...]   prints "ms MAXRSS-KiB WRITE-BYTES EXIT WCHAR"
 *
 * WCHAR is what the command passed to write calls (/proc/PID/io, read
 * while it is a zombie), tmpfs included.  WRITE-BYTES counts each page
 * cache folio the command dirtied whole: where the file system caches a
 * file in large folios (ext4 since Linux 6.16) one 4 KiB write can count
 * as many times that.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        struct timespec t0, t1;
        struct rusage ru;
        siginfo_t info;
        char path[64];
        long long wchar = -1;
        FILE *io;
        int status;
        pid_t pid;

        if (argc < 2) {
                fprintf(stderr, "usage: runstat COMMAND [ARG...]\n");
                return 2;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid = fork();
        if (pid == 0) {
                execvp(argv[1], argv + 1);
                _exit(127);
        }
        if (pid < 0 || waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0) {
                perror("runstat");
                return 2;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
        if ((io = fopen(path, "r"))) {
                char line[128];

                while (fgets(line, sizeof(line), io))
                        sscanf(line, "wchar: %lld", &wchar);
                fclose(io);
        }
        if (wait4(pid, &status, 0, &ru) < 0) {
                perror("runstat");
                return 2;
        }
        printf("%.3f %ld %lld %d %lld\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
               ru.ru_maxrss, (long long)ru.ru_oublock * 512,
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), wchar);
        return 0;
}
