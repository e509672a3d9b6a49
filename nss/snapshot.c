/* snapshot.c - keep the last snapshot open between lookups.
 *
 * A published snapshot never changes: the writer replaces the file by
 * rename.  So one read transaction on it stays valid until the path names
 * a new inode, and a lookup costs one stat() instead of opening, mapping
 * and unmapping the file each time.
 *
 * The open snapshot is the module's only global state, and it is guarded
 * by a mutex that is only ever try-locked: a thread that finds it busy
 * (another lookup in progress, or a fork() that copied it locked) opens
 * the snapshot for itself, so a lookup never waits and never deadlocks.
 *
 * LMDB 0.9 opens its data file without O_CLOEXEC; the reader sets
 * FD_CLOEXEC right after, and that happens once per new snapshot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "store/reader.h"
#include "snapshot.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
        bool open;
        struct virtname_reader reader;
        char path[PATH_MAX];
        dev_t dev;
        ino_t ino;
} cache;        /* guarded by cache_lock */

/* The identity of the file READER has open. */
static int reader_file(const struct virtname_reader *reader, struct stat *st)
{
        int fd;

        if (mdb_env_get_fd(reader->env, &fd) != 0 || fstat(fd, st) < 0)
                return -EIO;
        return 0;
}

/* Close the cached snapshot -- unless the program closed our descriptor
 * behind our back and the number now names another file: closing that
 * would break the program, so the old mapping is left behind instead. */
static void cache_drop(void)
{
        struct stat st;

        if (!cache.open)
                return;
        if (reader_file(&cache.reader, &st) == 0 && st.st_dev == cache.dev &&
            st.st_ino == cache.ino)
                virtname_reader_close(&cache.reader);
        cache.open = false;
}

static int cache_open(const char *path)
{
        struct stat st;
        int rc = virtname_reader_open(&cache.reader, path);

        if (rc < 0)
                return rc;
        if (reader_file(&cache.reader, &st) < 0) {
                virtname_reader_close(&cache.reader);
                return -EIO;
        }
        snprintf(cache.path, sizeof(cache.path), "%s", path);
        cache.dev = st.st_dev;
        cache.ino = st.st_ino;
        cache.open = true;
        return 0;
}

static int uncached(const char *path, nss_view_fn fn, void *ctx)
{
        struct virtname_reader reader;
        int rc = virtname_reader_open(&reader, path);

        if (rc < 0)
                return rc;
        rc = fn(&reader.view, ctx);
        virtname_reader_close(&reader);
        return rc;
}

int nss_with_snapshot(nss_view_fn fn, void *ctx)
{
        char path[PATH_MAX];
        struct stat st;
        int rc = virtname_store_path(path, sizeof(path), virtname_store_dir(NULL), VIRTNAME_SNAPSHOT_NAME);

        if (rc < 0)
                return rc;
        if (stat(path, &st) < 0)
                return -errno;
        if (pthread_mutex_trylock(&cache_lock) != 0)
                return uncached(path, fn, ctx);
        if (!cache.open || st.st_dev != cache.dev || st.st_ino != cache.ino ||
            strcmp(path, cache.path) != 0) {
                cache_drop();
                rc = cache_open(path);
        }
        if (rc == 0)
                rc = fn(&cache.reader.view, ctx);
        pthread_mutex_unlock(&cache_lock);
        return rc;
}
