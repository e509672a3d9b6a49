/* unit.h - the smallest harness for the C unit tests: CHECK counts and
 * reports a failed condition with its line, unit_done() says how many
 * checks ran and sets the exit status. */
#ifndef VIRTNAME_UNIT_H
#define VIRTNAME_UNIT_H

#include <stdio.h>

static int unit_checks, unit_failed;

#define CHECK(cond)                                                                  \
        do {                                                                         \
                unit_checks++;                                                       \
                if (!(cond)) {                                                       \
                        unit_failed++;                                               \
                        fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
                }                                                                    \
        } while (0)

static inline int unit_done(const char *what)
{
        printf("%s: %d checks, %d failed\n", what, unit_checks, unit_failed);
        return unit_failed ? 1 : 0;
}

#endif
