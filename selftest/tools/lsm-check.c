/* lsm-check.c - run doctor's AppArmor/SELinux check (cmd/lsm.c)
 * on its own and print its lines as doctor does ("LEVEL    text").
 *
 *   lsm-check SNAPSHOT_DIR
 *
 * t-lsm points VIRT_NAME_CACHE_LSM_ROOT at a fake tree to simulate an
 * active LSM.  Exit status: 1 if a problem was reported, else 0. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/lsm.h"

static void report(void *ctx, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void report(void *ctx, const char *level, const char *fmt, ...)
{
        int *problems = ctx;
        va_list ap;

        if (strcmp(level, "problem") == 0)
                (*problems)++;
        printf("%-8s ", level);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
}

int main(int argc, char **argv)
{
        int problems = 0;

        if (argc != 2) {
                fprintf(stderr, "usage: lsm-check SNAPSHOT_DIR\n");
                return 2;
        }
        lsm_check(report, &problems, argv[1]);
        return problems ? 1 : 0;
}
