/* publish.c - writing the delta and, when needed, a new base (publish.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/read/base.h"
#include "cache/read/delta.h"
#include "cache/write/fileio.h"
#include "cache/read/paths.h"
#include "cache/write/publish.h"
#include "cache/write/errmsg.h"

#define TMP_PREFIX ".names."

/* The published delta of DIR, read whole: 0 with *BUF (free it) parsed
 * into D, or a negative errno. */
static int load_delta(const char *dir, uint8_t **buf, struct virtname_delta *d)
{
        char path[PATH_MAX];
        struct stat st;
        ssize_t n;
        int fd, rc = virtname_path(path, sizeof(path), dir, VIRTNAME_DELTA_NAME);

        *buf = NULL;
        if (rc < 0)
                return rc;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > VIRTNAME_DELTA_MAX) {
                close(fd);
                return -EBADMSG;
        }
        *buf = malloc((size_t)st.st_size + 1);
        if (!*buf) {
                close(fd);
                return -ENOMEM;
        }
        do
                n = pread(fd, *buf, (size_t)st.st_size, 0);
        while (n < 0 && errno == EINTR);
        close(fd);
        rc = n == st.st_size ? virtname_delta_parse(*buf, (size_t)n, d) : -EBADMSG;
        if (rc < 0) {
                free(*buf);
                *buf = NULL;
        }
        return rc;
}

uint64_t virtname_published_generation(const char *store_dir, uint64_t *base_generation)
{
        struct virtname_delta d;
        uint8_t *buf;

        *base_generation = 0;
        if (load_delta(store_dir, &buf, &d) < 0)
                return 0;
        free(buf);
        *base_generation = d.base_generation;
        return d.generation;
}

/* The generation in a base file's name, or 0 when NAME is not one. */
static uint64_t base_generation_of(const char *name)
{
        size_t plen = strlen(VIRTNAME_BASE_PREFIX), len = strlen(name);
        unsigned long long g;
        char *end;

        if (len != plen + 16 + strlen(VIRTNAME_BASE_SUFFIX) ||
            strncmp(name, VIRTNAME_BASE_PREFIX, plen) != 0 ||
            strcmp(name + plen + 16, VIRTNAME_BASE_SUFFIX) != 0)
                return 0;
        g = strtoull(name + plen, &end, 16);
        return end == name + plen + 16 ? g : 0;
}

uint64_t virtname_published_generation_max(const char *store_dir)
{
        uint64_t base, max = virtname_published_generation(store_dir, &base);
        struct dirent *de;
        DIR *d = opendir(store_dir);

        if (base > max)
                max = base;
        while (d && (de = readdir(d))) {
                uint64_t g = base_generation_of(de->d_name);

                if (g > max)
                        max = g;
        }
        if (d)
                closedir(d);
        return max;
}

/* Create a temporary file in DIR for FINAL; *FD and TMP (PATH_MAX). */
static int make_tmp(const char *dir, const char *what, char *tmp, int *fd)
{
        int n = snprintf(tmp, PATH_MAX, "%s/" TMP_PREFIX "%s.XXXXXX", dir, what);

        if (n < 0 || n >= PATH_MAX)
                return -ENAMETOOLONG;
        *fd = mkostemp(tmp, O_CLOEXEC);
        return *fd < 0 ? -errno : 0;
}

/* The system store's published files are immutable (chattr +i): every
 * process on the host maps them, and rewriting one in place ("cp backup
 * names.X.mdb") would fault in those processes before they notice the
 * change.  A base sealed so (on tmpfs) is what readers take without
 * checking its sum (reader.h).  Best effort: it needs CAP_LINUX_IMMUTABLE
 * and tmpfs of Linux 6.0 or later.  Scratch stores (VIRT_NAME_CACHE_DIR
 * elsewhere) stay ordinary files, unless VIRT_NAME_CACHE_IMMUTABLE=1
 * (tests, benchmarks: `publish --remove` or chattr -i before removing
 * them). */
static bool protected_dir(const char *dir)
{
        const char *e = secure_getenv("VIRT_NAME_CACHE_IMMUTABLE");

        return strcmp(dir, VIRTNAME_STORE_DIR) == 0 || (e && strcmp(e, "1") == 0);
}

static bool set_immutable(int fd, bool on)
{
        int flags;

        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return false;
        flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
        return ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
}

/* Let DIR/NAME be replaced or removed (whoever made it immutable). */
static void unprotect(const char *dir, const char *name)
{
        char path[PATH_MAX];
        int fd;

        if (virtname_path(path, sizeof(path), dir, name) < 0)
                return;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd >= 0) {
                set_immutable(fd, false);
                close(fd);
        }
}

/* Make TMP (open as FD) world-readable and rename it to DIR/NAME; a
 * BASE (SIZE bytes) sealed immutable is checked whole once more, now
 * that nobody can change it: readers take it without its sum.  (They
 * find a base only through the delta written after this.) */
static int install(int fd, const char *tmp, const char *dir, const char *name, bool base, uint64_t size)
{
        struct virtname_base_info info;
        char final[PATH_MAX];
        int rc = virtname_path(final, sizeof(final), dir, name);

        if (rc == 0 && fchmod(fd, 0644) < 0)
                rc = -errno;
        if (rc == 0) {
                if (protected_dir(dir))
                        unprotect(dir, name);
                if (rename(tmp, final) < 0)
                        rc = -errno;
        }
        if (rc == 0 && protected_dir(dir) && set_immutable(fd, true) && base &&
            virtname_base_check(fd, size, &info) < 0) {
                set_immutable(fd, false);
                rc = -EBADMSG;
        }
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        if (rc < 0)
                unlink(tmp);
        return rc;
}

static int write_delta(const char *dir, const struct virtname_delta_rec *recs, size_t n,
                       uint64_t base_generation, uint64_t generation, size_t limit)
{
        char tmp[PATH_MAX];
        uint8_t *buf;
        size_t len;
        int fd, rc = virtname_delta_encode(recs, n, base_generation, generation, &buf, &len);

        if (rc < 0)
                return rc;
        if (len > limit) {
                free(buf);
                return -EFBIG;
        }
        rc = make_tmp(dir, "delta", tmp, &fd);
        if (rc == 0) {
                rc = virtname_write_at_start(fd, buf, len);
                if (rc < 0) {
                        close(fd);
                        unlink(tmp);
                } else {
                        rc = install(fd, tmp, dir, VIRTNAME_DELTA_NAME, false, 0);
                }
        }
        free(buf);
        return rc;
}

static int cmp_change(const void *a, const void *b)
{
        const struct virtname_change *x = *(struct virtname_change *const *)a;
        const struct virtname_change *y = *(struct virtname_change *const *)b;

        return virtname_delta_cmp(x->db, &(MDB_val){ x->klen, (void *)x->key }, y->db,
                                  &(MDB_val){ y->klen, (void *)y->key });
}

/* The old delta's records and the changed keys' values now, merged (the
 * change wins), written as the new delta.  -EFBIG when it is too large. */
static int publish_delta(struct virtname_publish *p, size_t n_changes,
                         const struct virtname_delta *old, size_t limit)
{
        struct virtname_delta_rec *out;
        size_t n = 0, j = 0;
        uint32_t i = 0;
        MDB_txn *txn;
        int rc;

        if (mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn) != 0)
                return -EIO;
        out = calloc((size_t)old->count + n_changes + 1, sizeof(*out));
        if (!out) {
                mdb_txn_abort(txn);
                return -ENOMEM;
        }
        while (i < old->count || j < n_changes) {
                struct virtname_delta_rec r;
                const struct virtname_change *c = j < n_changes ? p->changes[j] : NULL;
                MDB_val ck = c ? (MDB_val){ c->klen, (void *)c->key } : (MDB_val){ 0, NULL };
                int order = 1;

                if (i < old->count) {
                        virtname_delta_rec(old, i, &r);
                        order = c ? virtname_delta_cmp(r.db, &r.key, c->db, &ck) : -1;
                }
                if (order < 0) {
                        out[n++] = r;
                        i++;
                        continue;
                }
                if (order == 0)
                        i++;
                /* The key's value now, or a tombstone. */
                out[n] = (struct virtname_delta_rec){ .db = c->db, .key = ck };
                rc = mdb_get(txn, p->dbi[c->db], &ck, &out[n].value);
                if (rc == MDB_NOTFOUND) {
                        out[n].tombstone = true;
                        out[n].value = (MDB_val){ 0, NULL };
                } else if (rc != 0) {
                        free(out);
                        mdb_txn_abort(txn);
                        return -EIO;
                }
                out[n].key = ck;
                n++;
                j++;
        }
        rc = write_delta(p->store_dir, out, n, old->base_generation, p->generation, limit);
        free(out);
        mdb_txn_abort(txn);
        return rc;
}

/* Remove temporary files writers left behind (killed mid-publish) and
 * bases older than KEEP. */
static void clean(const char *dir, uint64_t keep)
{
        struct dirent *de;
        DIR *d = opendir(dir);

        while (d && (de = readdir(d))) {
                uint64_t g = base_generation_of(de->d_name);

                if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 || (g && g < keep)) {
                        unprotect(dir, de->d_name);
                        unlinkat(dirfd(d), de->d_name, 0);
                }
        }
        if (d)
                closedir(d);
}

static int publish_base(struct virtname_publish *p, uint64_t previous_base, char *err, size_t errlen)
{
        char tmp[PATH_MAX], name[64];
        MDB_envinfo info;
        MDB_stat st;
        uint64_t size;
        int src, fd, rc;

        if (mdb_env_info(p->env, &info) != 0 || mdb_env_stat(p->env, &st) != 0)
                return virtname_errf(err, errlen, -EIO, "cannot read the private store's size");
        size = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
        src = open(p->private_path, O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return virtname_errf(err, errlen, -errno, "cannot read %s: %s", p->private_path, strerror(errno));
        rc = make_tmp(p->store_dir, "base", tmp, &fd);
        if (rc < 0) {
                close(src);
                return virtname_errf(err, errlen, rc, "cannot create a file in %s: %s", p->store_dir,
                            strerror(-rc));
        }
        rc = virtname_base_write(src, size, st.ms_psize, p->generation, fd);
        close(src);
        virtname_base_name(name, sizeof(name), (unsigned long long)p->generation);
        if (rc < 0) {
                close(fd);
                unlink(tmp);
        } else {
                rc = install(fd, tmp, p->store_dir, name, true, size + VIRTNAME_BASE_TRAILER);
        }
        if (rc == 0)
                rc = write_delta(p->store_dir, NULL, 0, p->generation, p->generation, SIZE_MAX);
        if (rc < 0)
                return virtname_errf(err, errlen, rc, "cannot write the snapshot in %s: %s", p->store_dir,
                            strerror(-rc));
        clean(p->store_dir, previous_base && previous_base < p->generation ? previous_base
                                                                           : p->generation);
        return 0;
}

static size_t delta_limit(void)
{
        const char *s = secure_getenv("VIRT_NAME_CACHE_DELTA_LIMIT");
        char *end;
        unsigned long long v;

        if (!s || !*s)
                return VIRTNAME_DELTA_LIMIT;
        v = strtoull(s, &end, 10);
        return *end == '\0' && v >= VIRTNAME_DELTA_HEADER ? (size_t)v : VIRTNAME_DELTA_LIMIT;
}

int virtname_publish(struct virtname_publish *p, char *err, size_t errlen)
{
        struct virtname_delta old;
        struct stat st;
        uint8_t *buf = NULL;
        uint64_t previous_base = 0;
        size_t unique;
        int rc = virtname_make_path(p->store_dir, 0755);

        if (rc < 0)
                return virtname_errf(err, errlen, rc, "cannot create %s: %s", p->store_dir, strerror(-rc));
        if (stat(p->store_dir, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
                return virtname_errf(err, errlen, -EPERM, "%s is writable by others: readers would refuse "
                            "its snapshot (chmod go-w it)", p->store_dir);
        /* Sorted, each key once (it is written with its value now); the
         * repeats move to the end of the array, which the caller frees. */
        if (p->full) {
                unique = 0;     /* a new base: the changes are not needed */
        } else if (p->n_changes > 1) {
                size_t n = 1;

                qsort(p->changes, p->n_changes, sizeof(*p->changes), cmp_change);
                for (size_t i = 1; i < p->n_changes; i++) {
                        if (cmp_change(&p->changes[n - 1], &p->changes[i]) != 0) {
                                struct virtname_change *t = p->changes[n];

                                p->changes[n++] = p->changes[i];
                                p->changes[i] = t;
                        }
                }
                unique = n;
        } else {
                unique = p->n_changes;
        }
        rc = load_delta(p->store_dir, &buf, &old);
        if (rc == 0) {
                char name[64], path[PATH_MAX];

                previous_base = old.base_generation;
                virtname_base_name(name, sizeof(name), (unsigned long long)old.base_generation);
                /* A delta extends its base only when it holds every change
                 * up to the generation before ours, and the base is there. */
                if (!p->full && old.generation + (unique ? 1 : 0) == p->generation &&
                    virtname_path(path, sizeof(path), p->store_dir, name) == 0 &&
                    access(path, F_OK) == 0) {
                        rc = unique ? publish_delta(p, unique, &old, delta_limit()) : 0;
                        free(buf);
                        if (rc != -EFBIG)
                                return rc < 0 ? virtname_errf(err, errlen, rc, "cannot write the snapshot "
                                                     "delta in %s: %s", p->store_dir, strerror(-rc))
                                              : 0;
                        return publish_base(p, previous_base, err, errlen);
                }
                free(buf);
        }
        return publish_base(p, previous_base, err, errlen);
}

int virtname_unpublish(const char *store_dir)
{
        struct dirent *de;
        DIR *d = opendir(store_dir);
        int rc = 0;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, VIRTNAME_DELTA_NAME) != 0 && !base_generation_of(de->d_name) &&
                    strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
                        continue;
                unprotect(store_dir, de->d_name);
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && rc == 0)
                        rc = -errno;
        }
        closedir(d);
        return rc;
}

/* --- the store before a transaction's changes --------------------------- */

static int by_key_then_seq(const void *a, const void *b)
{
        const struct virtname_change *x = *(struct virtname_change *const *)a;
        const struct virtname_change *y = *(struct virtname_change *const *)b;
        int c = virtname_delta_cmp(x->db, &(MDB_val){ x->klen, (void *)x->key }, y->db,
                                   &(MDB_val){ y->klen, (void *)y->key });

        return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

int virtname_changes_before(const struct virtname_view *after, struct virtname_change *const *changes, size_t n,
                            uint8_t **buf, struct virtname_delta *delta, struct virtname_view *before)
{
        struct virtname_change **sorted = malloc((n ? n : 1) * sizeof(*sorted));
        struct virtname_delta_rec *recs = calloc(n ? n : 1, sizeof(*recs));
        size_t m = 0, len;
        int rc;

        if (!sorted || !recs) {
                free(sorted);
                free(recs);
                return -ENOMEM;
        }
        if (n > 0) {
                memcpy(sorted, changes, n * sizeof(*sorted));
                qsort(sorted, n, sizeof(*sorted), by_key_then_seq);
        }
        for (size_t i = 0; i < n; i++) {
                const struct virtname_change *c = sorted[i];

                if (m > 0 && recs[m - 1].db == c->db && recs[m - 1].key.mv_size == c->klen &&
                    memcmp(recs[m - 1].key.mv_data, c->key, c->klen) == 0)
                        continue;       /* a later change of the same key */
                recs[m++] = (struct virtname_delta_rec){ .db = c->db, .tombstone = !c->had_old,
                                                         .key = { c->klen, (void *)c->key },
                                                         .value = { c->old_len, (void *)(c->key + c->klen) } };
        }
        rc = virtname_delta_encode(recs, m, 0, 0, buf, &len);
        if (rc == 0)
                rc = virtname_delta_parse(*buf, len, delta);
        free(sorted);
        free(recs);
        if (rc < 0)
                return rc;
        *before = *after;
        before->delta = delta;
        return 0;
}
