/* spool.c - the durable queue of events that waited too long for the
 * writer lock (spool.h).
 *
 * A spool file: magic "VNAMESPL", u32 version, u32 length, u64 XXH3-64 of
 * the event, the event (event.h).  Its name, "<unix ns, 16 hex>-<pid>-
 * <counter>", orders the files by the time they were written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/event.h"
#include "cache/ingest/missed.h"
#include "cache/read/paths.h"
#include "cache/ingest/spool.h"
#include "cache/read/view.h"
#include "cache/read/wire.h"
#include "cache/read/xxh3.h"
#include "cache/write/grow.h"

static const char magic[8] = { 'V', 'N', 'A', 'M', 'E', 'S', 'P', 'L' };
#define VERSION 1u
#define HEADER 24
#define MAX_EVENT ((size_t)4 << 20)
#define MARK "spool:"

static int spool_dir(const char *state, char *buf, size_t cap)
{
        return virtname_path(buf, cap, state, VIRTNAME_SPOOL_NAME);
}

/* A spool file's name, not a temporary one. */
static int is_event(const char *name)
{
        return name[0] != '.' && strlen(name) < 64;
}

int virtname_spool_put(const char *state, const void *buf, size_t len, char *err, size_t errlen)
{
        static unsigned counter;
        char dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX], name[64];
        uint8_t header[HEADER];
        struct timespec ts;
        int fd, dfd, rc = 0;
        ssize_t n;

        if (spool_dir(state, dir, sizeof(dir)) < 0 ||
            snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= (int)sizeof(tmp)) {
                snprintf(err, errlen, "state path too long: %s", state);
                return -ENAMETOOLONG;
        }
        if (len > MAX_EVENT) {
                snprintf(err, errlen, "event too large to spool (%zu bytes)", len);
                return -EFBIG;
        }
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                rc = -errno;
                snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
                return rc;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(name, sizeof(name), "%016llx-%d-%u",
                 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec,
                 (int)getpid(), counter++);
        virtname_path(final, sizeof(final), dir, name);
        memcpy(header, magic, sizeof(magic));
        virtname_le_put(header + 8, VERSION, 4);
        virtname_le_put(header + 12, len, 4);
        virtname_le_put(header + 16, XXH3_64bits(buf, len), 8);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                rc = -errno;
                snprintf(err, errlen, "cannot create a file in %s: %s", dir, strerror(errno));
                return rc;
        }
        /* Header and event in one write, then durable before it counts. */
        {
                uint8_t *all = malloc(HEADER + len);

                if (!all) {
                        rc = -ENOMEM;
                } else {
                        memcpy(all, header, HEADER);
                        memcpy(all + HEADER, buf, len);
                        do
                                n = write(fd, all, HEADER + len);
                        while (n < 0 && errno == EINTR);
                        if (n != (ssize_t)(HEADER + len))
                                rc = n < 0 ? -errno : -ENOSPC;
                        free(all);
                }
        }
        if (rc == 0 && fsync(fd) < 0)
                rc = -errno;
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        if (rc == 0 && rename(tmp, final) < 0)
                rc = -errno;
        if (rc < 0) {
                unlink(tmp);
                snprintf(err, errlen, "cannot spool the event in %s: %s", dir, strerror(-rc));
                return rc;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
        }
        return 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* The spool's file names, sorted: 0 with *NAMES (free it) and *N. */
static int list(const char *dir, char (**names)[64], size_t *n)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t cap = 0;

        *names = NULL;
        *n = 0;
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                if (!is_event(de->d_name))
                        continue;
                if (!VIRTNAME_GROW(*names, cap, *n + 1)) {
                        closedir(d);
                        free(*names);
                        *names = NULL;
                        return -ENOMEM;
                }
                memcpy((*names)[(*n)++], de->d_name, strlen(de->d_name) + 1);  /* < 64: is_event() */
        }
        closedir(d);
        if (*n)
                qsort(*names, *n, sizeof(**names), by_name);
        return 0;
}

/* Read and check spool file PATH: 0 with the event in *BUF (free it). */
static int load(const char *path, uint8_t **buf, size_t *len)
{
        uint8_t header[HEADER];
        struct stat st;
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc = 0;

        *buf = NULL;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < HEADER ||
            (size_t)st.st_size > HEADER + MAX_EVENT || pread(fd, header, HEADER, 0) != HEADER ||
            memcmp(header, magic, sizeof(magic)) != 0 || virtname_le_get(header + 8, 4) != VERSION ||
            virtname_le_get(header + 12, 4) != (uint64_t)st.st_size - HEADER) {
                close(fd);
                return -EBADMSG;
        }
        *len = (size_t)st.st_size - HEADER;
        *buf = malloc(*len ? *len : 1);
        if (!*buf)
                rc = -ENOMEM;
        else if ((n = pread(fd, *buf, *len, HEADER)) != (ssize_t)*len ||
                 XXH3_64bits(*buf, *len) != virtname_le_get(header + 16, 8))
                rc = -EBADMSG;
        close(fd);
        if (rc < 0) {
                free(*buf);
                *buf = NULL;
        }
        return rc;
}

static int batch_add(struct virtname_spool_batch *b, const char *name)
{
        if (!VIRTNAME_GROW(b->names, b->cap, b->n + 1))
                return -ENOMEM;
        memcpy(b->names[b->n++], name, strnlen(name, 63));
        b->names[b->n - 1][strnlen(name, 63)] = '\0';
        return 0;
}

/* Forget the marks of events whose files are gone (removed after an
 * earlier commit). */
static int forget_marks(struct virtname_writer *w, const char *dir)
{
        const struct virtname_view *v = virtname_writer_view(w);
        char (*gone)[64 + sizeof(MARK)] = NULL, path[PATH_MAX];
        struct virtname_iter it;
        size_t n = 0, cap = 0;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_META, MARK, strlen(MARK));

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                size_t nl = k.mv_size - strlen(MARK);

                if (nl == 0 || nl >= 64)
                        continue;
                if (snprintf(path, sizeof(path), "%s/%.*s", dir, (int)nl,
                             (const char *)k.mv_data + strlen(MARK)) >= (int)sizeof(path) ||
                    access(path, F_OK) == 0)
                        continue;
                if (!VIRTNAME_GROW(gone, cap, n + 1)) {
                        rc = -ENOMEM;
                        break;
                }
                snprintf(gone[n++], sizeof(gone[0]), "%.*s", (int)k.mv_size, (const char *)k.mv_data);
        }
        virtname_iter_end(&it);
        for (size_t i = 0; rc == -ENOENT && i < n; i++)
                if (virtname_writer_del_meta(w, gone[i]) < 0)
                        rc = -EIO;
        free(gone);
        return rc == -ENOENT ? 0 : rc;
}

long virtname_spool_apply(struct virtname_writer *w, struct virtname_spool_batch *b)
{
        char dir[PATH_MAX], path[PATH_MAX], mark[64 + sizeof(MARK)], what[320];
        const struct virtname_view *v = virtname_writer_view(w);
        char (*names)[64] = NULL;
        size_t n = 0;
        long applied = 0;
        int rc = spool_dir(virtname_writer_state_dir(w), dir, sizeof(dir));

        snprintf(what, sizeof(what), "?");

        if (rc == 0)
                rc = list(dir, &names, &n);
        if (rc < 0)
                return rc;
        for (size_t i = 0; i < n && rc == 0; i++) {
                MDB_val k, d;
                uint8_t *buf = NULL;
                size_t len = 0;

                snprintf(mark, sizeof(mark), MARK "%s", names[i]);
                k = (MDB_val){ strlen(mark), mark };
                /* Applied before, and its file outlived the commit. */
                if (virtname_view_get(v, VIRTNAME_DB_META, &k, &d) == 0) {
                        rc = batch_add(b, names[i]);
                        continue;
                }
                virtname_path(path, sizeof(path), dir, names[i]);
                rc = load(path, &buf, &len);
                if (rc == -ENOENT) {
                        rc = 0;         /* another writer took it meanwhile */
                        continue;
                }
                if (rc == 0)
                        rc = virtname_event_apply(w, buf, len, what, sizeof(what));
                free(buf);
                if (rc == -EBADMSG || rc == -EINVAL) {
                        /* An event no writer can apply: say so, drop it. */
                        char why[400];

                        snprintf(why, sizeof(why), "spooled event %s (%s) dropped: %s", names[i], what,
                                 rc == -EBADMSG ? "damaged" : virtname_writer_error(w));
                        virtname_missed_note(virtname_writer_state_dir(w), "spool", why);
                        rc = batch_add(b, names[i]);
                        continue;
                }
                if (rc == 0)
                        rc = virtname_writer_put_meta(w, mark, "", 0);
                if (rc == 0)
                        rc = batch_add(b, names[i]);
                if (rc == 0)
                        applied++;
        }
        free(names);
        if (rc == 0)
                rc = forget_marks(w, dir);
        return rc < 0 ? rc : applied;
}

void virtname_spool_done(const char *state, struct virtname_spool_batch *b, int committed)
{
        char dir[PATH_MAX], path[PATH_MAX];

        if (committed && spool_dir(state, dir, sizeof(dir)) == 0) {
                for (size_t i = 0; i < b->n; i++)
                        if (virtname_path(path, sizeof(path), dir, b->names[i]) == 0)
                                unlink(path);
        }
        free(b->names);
        memset(b, 0, sizeof(*b));
}

long virtname_spool_count(const char *state, int64_t *oldest)
{
        char dir[PATH_MAX], (*names)[64] = NULL;
        size_t n = 0;
        int rc = spool_dir(state, dir, sizeof(dir));

        *oldest = 0;
        if (rc == 0)
                rc = list(dir, &names, &n);
        if (rc < 0)
                return rc;
        if (n)
                *oldest = (int64_t)(strtoull(names[0], NULL, 16) / 1000000000ull);
        free(names);
        return (long)n;
}
