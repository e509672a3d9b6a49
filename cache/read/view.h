/* view.h - one consistent view of the store: an LMDB read or write
 * transaction, and for a published snapshot the delta over it (delta.h).
 * Every lookup goes through these two functions, so the name rules in
 * lookup.c read the private store and a snapshot alike. */
#ifndef VIRTNAME_VIEW_H
#define VIRTNAME_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/read/delta.h"
#include "cache/read/schema.h"

struct virtname_view {
        MDB_txn *txn;
        MDB_dbi dbi[VIRTNAME_DB_COUNT];
        const struct virtname_delta *delta;    /* NULL: the transaction alone */
        /* Told of every record read through the view (NULL: nobody): the
         * writer learns what the name rules read (answers-update.c). */
        void (*seen)(void *ctx, enum virtname_db db, const MDB_val *value);
        void *seen_ctx;
};

/* KEY's value in DB: the delta's record, else the transaction's.  DATA
 * stays valid while the view is open.  Returns 0, -ENOENT or -EIO. */
int virtname_view_get(const struct virtname_view *v, enum virtname_db db, const MDB_val *key,
                      MDB_val *data);

/* Walking the keys of DB that start with a prefix, in key order, with
 * the delta's records and tombstones laid over the transaction's. */
struct virtname_iter {
        const struct virtname_view *v;
        enum virtname_db db;
        uint8_t prefix[VIRTNAME_KEY_MAX];
        size_t plen;
        MDB_cursor *cur;
        int cur_rc;                    /* 0: (ck, cv) is the next base record */
        MDB_val ck, cv;
        uint32_t di;                   /* the next delta record */
};

/* Start at the first key of DB beginning with PREFIX (PLEN bytes, at
 * most VIRTNAME_KEY_MAX; 0 walks all of DB).  Returns 0 or -EIO; end it
 * with virtname_iter_end() in either case. */
int virtname_iter_start(struct virtname_iter *it, const struct virtname_view *v,
                        enum virtname_db db, const void *prefix, size_t plen);

/* The next key and value: 0, -ENOENT at the end, or -EIO. */
int virtname_iter_next(struct virtname_iter *it, MDB_val *key, MDB_val *data);

void virtname_iter_end(struct virtname_iter *it);

#endif
