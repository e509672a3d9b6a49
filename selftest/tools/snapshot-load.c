/* snapshot-load - load the published snapshot from scratch, again and
 * again, for a bounded time: the part of a lookup that races a writer
 * replacing the base (the NSS module loads only when the delta changed,
 * so glibc lookups hit this path far less often).
 *
 *   snapshot-load DIR SECONDS
 *
 * Prints "loads N failures N" and each distinct error; exits 1 when any
 * load failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/read/reader.h"

int main(int argc, char **argv)
{
        unsigned long loads = 0, failures = 0;
        int last_error = 0;
        time_t end;

        if (argc != 3) {
                fprintf(stderr, "usage: snapshot-load DIR SECONDS\n");
                return 2;
        }
        end = time(NULL) + atoi(argv[2]);
        do {
                struct virtname_snapshot *s;
                int rc = virtname_snapshot_load(argv[1], NULL, &s);

                loads++;
                if (rc == 0) {
                        virtname_snapshot_unref(s);
                        continue;
                }
                failures++;
                if (rc != last_error)
                        fprintf(stderr, "load %lu: %s\n", loads, virtname_snapshot_strerror(rc));
                last_error = rc;
        } while (time(NULL) < end);
        printf("loads %lu failures %lu\n", loads, failures);
        return failures ? 1 : 0;
}
