/* reader.c - loading, checking and sharing the published snapshot
 * (reader.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cache/read/base.h"
#include "cache/read/lookup.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"

/* Attempts when the base a delta names is replaced while we load.  A new
 * base comes once per 32 KiB of changes; losing the race more than a few
 * times in a row takes a writer compacting at every commit (t-crash does,
 * under SIGKILL, on a busy machine: 3 was once too few in 300,000). */
#define LOAD_TRIES 10

static void file_id(const struct stat *st, struct virtname_file_id *id)
{
        id->dev = st->st_dev;
        id->ino = st->st_ino;
        id->size = st->st_size;
        id->mtime = st->st_mtim;
}

static bool same_file(const struct virtname_file_id *a, const struct stat *st)
{
        return a->dev == st->st_dev && a->ino == st->st_ino && a->size == st->st_size &&
               a->mtime.tv_sec == st->st_mtim.tv_sec && a->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The store directory may be written by its owner only; files in it must
 * belong to root or to that owner.  Returns 0 with the owner, or an
 * errno. */
static int dir_owner(const char *dir, uid_t *owner)
{
        struct stat st;

        if (stat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return -EPERM;
        *owner = st.st_uid;
        return 0;
}

/* Open DIR/NAME read-only, and only if it is a regular file we trust. */
static int open_trusted(const char *dir, const char *name, uid_t owner, int *fd, struct stat *st)
{
        char path[PATH_MAX];
        int rc = virtname_path(path, sizeof(path), dir, name);

        if (rc < 0)
                return rc;
        /* O_NONBLOCK: a FIFO in its place must not block the caller. */
        *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (*fd < 0)
                return errno == ELOOP ? -EPERM : -errno;
        if (fstat(*fd, st) < 0)
                rc = -errno;
        else if (!S_ISREG(st->st_mode))
                rc = -EBADMSG;
        else if ((st->st_uid != 0 && st->st_uid != owner) || (st->st_mode & (S_IWGRP | S_IWOTH)))
                rc = -EPERM;
        if (rc < 0) {
                close(*fd);
                *fd = -1;
        }
        return rc;
}

/* Can nobody but root have changed the file FD (ST) since it was sealed:
 * root's, in a directory of root's (OWNER), immutable (only root can set
 * or clear the flag, and while it is set nobody can open the file for
 * writing, truncate, rename or replace it), on tmpfs (no disk under it,
 * no other system that mounts it)?  The writer seals a base only after
 * checking it whole (publish.c). */
static bool sealed(int fd, const struct stat *st, uid_t owner)
{
        struct statfs fs;
        int flags = 0;

        return owner == 0 && st->st_uid == 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
               (flags & FS_IMMUTABLE_FL) && fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

static int read_delta(const char *dir, uid_t owner, struct virtname_snapshot *s)
{
        struct stat st;
        size_t done = 0;
        int fd, rc = open_trusted(dir, VIRTNAME_DELTA_NAME, owner, &fd, &st);

        if (rc < 0)
                return rc;
        if ((uint64_t)st.st_size > VIRTNAME_DELTA_MAX || st.st_size < VIRTNAME_DELTA_HEADER) {
                close(fd);
                return -EBADMSG;
        }
        s->delta_buf = malloc((size_t)st.st_size);
        if (!s->delta_buf) {
                close(fd);
                return -ENOMEM;
        }
        while (done < (size_t)st.st_size) {
                ssize_t n = pread(fd, s->delta_buf + done, (size_t)st.st_size - done, (off_t)done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        rc = n < 0 ? -errno : -EBADMSG;
                        break;
                }
                done += (size_t)n;
        }
        close(fd);
        if (rc == 0)
                rc = virtname_delta_parse(s->delta_buf, done, &s->delta);
        file_id(&st, &s->delta_id);
        return rc;
}

static void base_free(struct virtname_base_handle *b)
{
        if (b->env)
                mdb_env_close(b->env);
        free(b);
}

/* An LMDB result while opening a snapshot: anything missing in it (a
 * database the schema has) means it is not a valid snapshot. */
static int lmdb_errno(int rc)
{
        rc = virtname_mdb_errno(rc);
        return rc == -ENOENT ? -EBADMSG : rc;
}

/* Open and check base GENERATION of DIR. */
static int base_open(const char *dir, uid_t owner, uint64_t generation,
                     struct virtname_base_handle **out)
{
        char name[64], path[PATH_MAX];
        struct virtname_base_info info;
        struct virtname_base_handle *b;
        struct virtname_meta meta;
        struct virtname_view v = { 0 };
        struct stat st, lst;
        int fd, lfd, rc;
        bool seal;

        virtname_base_name(name, sizeof(name), (unsigned long long)generation);
        rc = virtname_path(path, sizeof(path), dir, name);
        if (rc == 0)
                rc = open_trusted(dir, name, owner, &fd, &st);
        if (rc < 0)
                return rc;
        /* A sealed base was checked whole by the writer; any other is
         * checked whole here, once per process. */
        seal = sealed(fd, &st, owner);
        rc = seal ? virtname_base_check_shape(fd, (uint64_t)st.st_size, &info)
                  : virtname_base_check(fd, (uint64_t)st.st_size, &info);
        if (rc == 0 && info.generation != generation)
                rc = -EBADMSG;
        b = rc == 0 ? calloc(1, sizeof(*b)) : NULL;
        if (rc == 0 && !b)
                rc = -ENOMEM;
        if (rc == 0)
                rc = lmdb_errno(mdb_env_create(&b->env));
        if (rc == 0)
                rc = lmdb_errno(mdb_env_set_maxdbs(b->env, VIRTNAME_DB_COUNT));
        /* Map what the data holds and no more (LMDB raises a map size of 1
         * to the last page in use): nothing past the checked part. */
        if (rc == 0)
                rc = lmdb_errno(mdb_env_set_mapsize(b->env, 1));
        /* LMDB opens the file again by name: a writer may have removed it
         * since we checked it (ENOENT, so the caller reads the new delta). */
        if (rc == 0)
                rc = virtname_mdb_errno(mdb_env_open(b->env, path,
                                                     MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR | MDB_NORDAHEAD, 0));
        /* LMDB 0.9 opens its data file without O_CLOEXEC: set it at once,
         * and make sure LMDB opened the very file we checked. */
        if (rc == 0 && (mdb_env_get_fd(b->env, &lfd) != 0 ||
                        fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0 || fstat(lfd, &lst) < 0))
                rc = -EIO;
        if (rc == 0 && (lst.st_dev != st.st_dev || lst.st_ino != st.st_ino ||
                        lst.st_size != st.st_size))
                rc = -EBADMSG;
        if (rc == 0)
                rc = lmdb_errno(mdb_txn_begin(b->env, NULL, MDB_RDONLY, &v.txn));
        for (int db = 0; rc == 0 && db < VIRTNAME_DB_COUNT; db++)
                rc = lmdb_errno(mdb_dbi_open(v.txn, virtname_db_name(db), 0, &b->dbi[db]));
        if (rc == 0) {
                memcpy(v.dbi, b->dbi, sizeof(v.dbi));
                if (virtname_get_meta(&v, &meta) < 0 || meta.schema != VIRTNAME_SCHEMA_VERSION ||
                    meta.generation != generation)
                        rc = -EBADMSG;
        }
        /* Committing the read transaction keeps the database handles. */
        if (v.txn) {
                int c = rc == 0 ? mdb_txn_commit(v.txn) : (mdb_txn_abort(v.txn), 0);

                if (rc == 0 && c != 0)
                        rc = lmdb_errno(c);
        }
        close(fd);
        if (rc < 0) {
                if (b)
                        base_free(b);
                return rc;
        }
        b->generation = generation;
        b->sealed = seal;
        file_id(&st, &b->id);
        b->refs = 1;
        *out = b;
        return 0;
}

static void base_unref(struct virtname_base_handle *b)
{
        if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
                base_free(b);
}

/* Is base B's file as it was checked?  One changed in place would fault
 * a reader past its new end; a sealed one cannot change. */
static bool base_unchanged(const struct virtname_base_handle *b)
{
        struct stat st;
        int fd;

        return b->sealed || (mdb_env_get_fd(b->env, &fd) == 0 && fstat(fd, &st) == 0 && same_file(&b->id, &st));
}

/* Can the new delta use REUSE's base?  A generation names one base only
 * (a new private store starts above every published one), and the file
 * must be as it was checked. */
static bool base_reusable(const struct virtname_snapshot *reuse, uint64_t generation)
{
        return reuse && reuse->base->generation == generation && base_unchanged(reuse->base);
}

int virtname_snapshot_load(const char *dir, const struct virtname_snapshot *reuse,
                           struct virtname_snapshot **out)
{
        struct virtname_snapshot *s;
        uid_t owner = 0;
        int rc, tries = 0;

        dir = virtname_store_dir(dir);
        rc = dir_owner(dir, &owner);
        if (rc < 0)
                return rc;
        for (;;) {
                bool base_missing = false;

                s = calloc(1, sizeof(*s));
                if (!s)
                        return -ENOMEM;
                rc = read_delta(dir, owner, s);
                if (rc == 0 && base_reusable(reuse, s->delta.base_generation)) {
                        s->base = reuse->base;
                        __atomic_add_fetch(&s->base->refs, 1, __ATOMIC_RELAXED);
                } else if (rc == 0) {
                        rc = base_open(dir, owner, s->delta.base_generation, &s->base);
                        base_missing = rc == -ENOENT;
                }
                if (rc == 0)
                        break;
                free(s->delta_buf);
                free(s);
                /* The writer compacted between our reading the delta and
                 * opening its base: read the new delta. */
                if (!base_missing || ++tries == LOAD_TRIES)
                        return base_missing ? -EBADMSG : rc;
        }
        s->refs = 1;
        *out = s;
        return 0;
}

bool virtname_snapshot_current(const struct virtname_snapshot *s, const char *dir)
{
        char path[PATH_MAX];
        struct stat st;

        if (virtname_path(path, sizeof(path), virtname_store_dir(dir), VIRTNAME_DELTA_NAME) < 0 ||
            stat(path, &st) < 0 || !same_file(&s->delta_id, &st))
                return false;
        /* A base rewritten in place (not by rename) must not be read
         * through the old mapping: it would fault past its new end. */
        return base_unchanged(s->base);
}

void virtname_snapshot_ref(struct virtname_snapshot *s)
{
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void virtname_snapshot_unref(struct virtname_snapshot *s)
{
        if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
                return;
        base_unref(s->base);
        free(s->delta_buf);
        free(s);
}

int virtname_snapshot_view(const struct virtname_snapshot *s, struct virtname_view *v)
{
        memset(v, 0, sizeof(*v));
        if (mdb_txn_begin(s->base->env, NULL, MDB_RDONLY, &v->txn) != 0) {
                v->txn = NULL;
                return -EIO;
        }
        memcpy(v->dbi, s->base->dbi, sizeof(v->dbi));
        v->delta = &s->delta;
        return 0;
}

void virtname_view_end(struct virtname_view *v)
{
        if (v->txn)
                mdb_txn_abort(v->txn);
        v->txn = NULL;
}

const char *virtname_snapshot_strerror(int rc)
{
        switch (rc) {
        case -ENOENT:
                return "no snapshot has been published";
        case -EPERM:
                return "not trusted: the snapshot must belong to root (or the store directory's "
                       "owner) and be writable by nobody else";
        case -EBADMSG:
                return "not a valid snapshot (damaged, truncated, or another version)";
        default:
                return strerror(-rc);
        }
}
