/* publish.h - writing the snapshot that readers see (reader.h) from the
 * private store, after a commit, under the writer lock.
 *
 * Normally only the delta is written again: the records of the keys
 * changed since the base, with their values now (or a tombstone), in a
 * new file renamed over names.delta.  Its cost follows the change, not
 * the store.  When the delta would pass VIRTNAME_DELTA_LIMIT, or nothing
 * current is published, a new base is written: the private LMDB file as
 * committed, with a checked trailer (base.h), then an empty delta naming
 * it.  The previous base stays one round for readers still loading it.
 *
 * Published files are not fsynced: they live on tmpfs and are written
 * again from the durable private store whenever they are missing or
 * stale.  The system store's files are made immutable (chattr +i), so
 * that nobody rewrites one in place under the programs that map it.
 */
#ifndef VIRTNAME_PUBLISH_H
#define VIRTNAME_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/delta.h"
#include "cache/read/schema.h"
#include "cache/read/view.h"

/* Largest delta before a new base is written (VIRT_NAME_CACHE_DELTA_LIMIT
 * overrides it, for tests). */
#define VIRTNAME_DELTA_LIMIT ((size_t)32 << 10)

/* One key a transaction changed, and (for affected.h) what it held
 * before: the first change of a key in a transaction has the lowest SEQ,
 * and its old value follows the key. */
struct virtname_change {
        enum virtname_db db;
        size_t klen;
        size_t seq;
        bool had_old;                  /* the key held a value before */
        size_t old_len;
        uint8_t key[];                 /* KLEN bytes, then OLD_LEN bytes */
};

/* The view of the store before CHANGES (N, as the writer noted them): their
 * old values, or tombstones, laid as a delta over AFTER, the transaction
 * that made them.  *BEFORE uses *DELTA and *BUF (free it): the caller
 * keeps them while it reads.  0, or a negative errno. */
int virtname_changes_before(const struct virtname_view *after, struct virtname_change *const *changes, size_t n,
                            uint8_t **buf, struct virtname_delta *delta, struct virtname_view *before);

struct virtname_publish {
        const char *store_dir;
        const char *private_path;      /* the private LMDB file, copied into a base */
        MDB_env *env;                  /* the private store, committed */
        const MDB_dbi *dbi;
        uint64_t generation;           /* what the private store holds now */
        struct virtname_change **changes;      /* since the previous generation; sorted here */
        size_t n_changes;
        bool full;                     /* write a new base whatever the delta */
};

/* Publish P.  Returns 0 or a negative errno with ERR saying why. */
int virtname_publish(struct virtname_publish *p, char *err, size_t errlen);

/* The generation of STORE_DIR's published delta (0 when there is none or
 * it cannot be read), and of its base. */
uint64_t virtname_published_generation(const char *store_dir, uint64_t *base_generation);

/* Remove the published snapshot of STORE_DIR (readers then find none and
 * answer "not found").  Returns 0 or a negative errno. */
int virtname_unpublish(const char *store_dir);

/* The highest generation anything published in STORE_DIR carries: a new
 * private store starts above it, so that a generation never names two
 * different bases. */
uint64_t virtname_published_generation_max(const char *store_dir);

#endif
