/* missed.c - the log of events the store missed (missed.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/missed.h"
#include "cache/read/paths.h"
#include "cache/write/fileio.h"

/* Lines of at most 1 KiB, one per missed event until a rebuild. */
#define MISSED_LOG_MAX ((size_t)256 << 20)

static int missed_path(char *buf, size_t cap, const char *state)
{
        return virtname_path(buf, cap, state, VIRTNAME_MISSED_NAME);
}

int virtname_missed_note(const char *state, const char *source, const char *what)
{
        char path[PATH_MAX], line[1024];
        int fd, n, rc = 0;

        if (missed_path(path, sizeof(path), state) < 0)
                return -ENAMETOOLONG;
        n = snprintf(line, sizeof(line), "%lld %s: %s", (long long)time(NULL), source, what);
        if (n < 0)
                return -EINVAL;
        if ((size_t)n >= sizeof(line) - 1)
                n = sizeof(line) - 2;
        /* One line per event, whatever the message holds. */
        for (int i = 0; i < n; i++)
                if (line[i] == '\n' || line[i] == '\r')
                        line[i] = ' ';
        line[n++] = '\n';
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        /* O_APPEND makes one write() of one line atomic between writers. */
        if (write(fd, line, n) != n)
                rc = errno ? -errno : -EIO;
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        return rc;
}

long virtname_missed_count(const char *state, char *last, size_t lastcap)
{
        char path[PATH_MAX], line[1024];
        long count = 0;
        FILE *f;

        if (lastcap)
                last[0] = '\0';
        if (missed_path(path, sizeof(path), state) < 0)
                return -ENAMETOOLONG;
        f = virtname_open_file(path, MISSED_LOG_MAX, VIRTNAME_READ_NOFOLLOW);
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        while (fgets(line, sizeof(line), f)) {
                size_t len = strlen(line);

                if (len == 0 || line[len - 1] != '\n')
                        continue;       /* a fragment of an over-long line */
                line[len - 1] = '\0';
                count++;
                if (lastcap)
                        snprintf(last, lastcap, "%s", line);
        }
        fclose(f);
        return count;
}

int virtname_missed_clear(const char *state)
{
        char path[PATH_MAX];

        if (missed_path(path, sizeof(path), state) < 0)
                return -ENAMETOOLONG;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}
