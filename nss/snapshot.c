/* snapshot.c - keep the current snapshot open between lookups.
 *
 * A published snapshot never changes (reader.h): while its delta file is
 * the same, a lookup costs one stat() and one fstat() instead of reading
 * the delta and mapping and checking the base again; a new delta over the
 * same base costs one small read.
 *
 * The open snapshot is one of the module's two pieces of global state
 * (the other: cache/read/reserved.c's host name and /etc/hosts).  Its
 * pointer is guarded by a mutex held only to copy or swap it (never
 * during I/O), and only ever try-locked: a thread that finds it busy
 * (another thread swapping, or a fork() that copied it locked) works
 * with a snapshot of its own, so a lookup never waits and never
 * deadlocks.  The snapshot itself is reference counted, so a thread can
 * swap in a newer one while another still resolves through the old.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "nss/snapshot.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct virtname_snapshot *cached;        /* guarded by cache_lock */
static char cached_dir[PATH_MAX];               /* guarded by cache_lock */

/* A reference to the cached snapshot of DIR, or NULL. */
static struct virtname_snapshot *cache_get(const char *dir)
{
        struct virtname_snapshot *s = NULL;

        if (pthread_mutex_trylock(&cache_lock) != 0)
                return NULL;
        if (cached && strcmp(cached_dir, dir) == 0) {
                s = cached;
                virtname_snapshot_ref(s);
        }
        pthread_mutex_unlock(&cache_lock);
        return s;
}

/* Make S (or nothing) the cached snapshot of DIR. */
static void cache_put(const char *dir, struct virtname_snapshot *s)
{
        struct virtname_snapshot *old;

        if (strlen(dir) >= sizeof(cached_dir) || pthread_mutex_trylock(&cache_lock) != 0)
                return;
        old = cached;
        cached = s;
        if (s) {
                virtname_snapshot_ref(s);
                snprintf(cached_dir, sizeof(cached_dir), "%s", dir);
        }
        pthread_mutex_unlock(&cache_lock);
        virtname_snapshot_unref(old);
}

int nss_with_snapshot(nss_view_fn fn, void *ctx)
{
        const char *dir = virtname_store_dir(NULL);
        struct virtname_snapshot *s = cache_get(dir), *fresh;
        struct virtname_view v;
        int rc = 0;

        if (!s || !virtname_snapshot_current(s, dir)) {
                rc = virtname_snapshot_load(dir, s, &fresh);
                virtname_snapshot_unref(s);
                s = rc == 0 ? fresh : NULL;
                /* A snapshot that is gone or refused is not kept either. */
                cache_put(dir, s);
        }
        if (rc < 0)
                return rc;
        rc = virtname_snapshot_view(s, &v);
        if (rc == 0) {
                rc = fn(&v, ctx);
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(s);
        return rc;
}
