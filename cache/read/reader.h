/* reader.h - opening the published snapshot for reading.
 *
 * The snapshot is two immutable files in the store directory (paths.h):
 * names.delta, replaced by rename at every change, and the base it names,
 * names.<generation>.mdb, replaced only when the writer compacts.  A
 * reader holds both in a struct virtname_snapshot; a new delta over the
 * same base costs one small read, and the base is mapped and checked
 * once per generation (base.h).  Readers need no write access anywhere:
 * LMDB opens the base MDB_RDONLY | MDB_NOLOCK, without a lock file.
 *
 * Before anything is read, a file must be a regular file owned by root or
 * by the store directory's owner and writable by nobody else, and the
 * directory writable by nobody but its owner (as ssh treats its
 * configuration): otherwise -EPERM.
 *
 * A base is checked whole (its XXH3 checksum) unless it is sealed: root's,
 * in root's directory, immutable (chattr +i) and on tmpfs.  The writer
 * seals a base after checking it whole itself, and from then on nobody
 * can open it for writing, truncate, rename or replace it; removing the
 * flag takes root (CAP_LINUX_IMMUTABLE).  So a sealed base is what the
 * writer checked, and a new process's first lookup, or a running
 * process's first after a new base, costs a few small reads instead of
 * reading the whole file.  For a sealed base the freshness check of each
 * lookup is the delta's stat() alone.
 *
 * Snapshots and bases are reference counted, so that a process can keep
 * one open, share it between threads and swap in a newer one while a
 * lookup still runs on the old.
 */
#ifndef VIRTNAME_READER_H
#define VIRTNAME_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cache/read/delta.h"
#include "cache/read/view.h"

/* Which file, exactly, as it was when we read it. */
struct virtname_file_id {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
};

struct virtname_base_handle {
        MDB_env *env;
        MDB_dbi dbi[VIRTNAME_DB_COUNT];
        uint64_t generation;
        struct virtname_file_id id;
        bool sealed;                   /* checked by the writer, unchangeable since */
        int refs;
};

struct virtname_snapshot {
        struct virtname_base_handle *base;
        uint8_t *delta_buf;
        struct virtname_delta delta;
        struct virtname_file_id delta_id;
        int refs;
};

/* Load the snapshot of store directory DIR (NULL: the default).  REUSE,
 * if not NULL, is a snapshot the caller holds: its base is shared when
 * the new delta names the same one.  Returns 0 with *OUT holding one
 * reference, -ENOENT (no snapshot: nothing published yet), -EPERM (not
 * trusted), -EBADMSG (damaged, or changed while it was read), or another
 * negative errno. */
int virtname_snapshot_load(const char *dir, const struct virtname_snapshot *reuse,
                           struct virtname_snapshot **out);

/* Is S still what DIR publishes, and are its files unchanged? */
bool virtname_snapshot_current(const struct virtname_snapshot *s, const char *dir);

void virtname_snapshot_ref(struct virtname_snapshot *s);
void virtname_snapshot_unref(struct virtname_snapshot *s);

/* Begin a view of S (a read transaction over its base, and its delta).
 * Returns 0 or -EIO.  End it with virtname_view_end(). */
int virtname_snapshot_view(const struct virtname_snapshot *s, struct virtname_view *v);
void virtname_view_end(struct virtname_view *v);

/* A one-line description of a load error RC, for messages. */
const char *virtname_snapshot_strerror(int rc);

#endif
