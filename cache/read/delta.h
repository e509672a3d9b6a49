/* delta.h - the snapshot delta: what changed since the base snapshot.
 *
 * A reader maps the large base snapshot once (an LMDB file, base.h) and,
 * after every change, reads only this small immutable file: the records
 * the store added or changed since the base, and tombstones for the ones
 * it deleted, sorted by (database, key).  A lookup asks the delta first
 * and the base second.  The writer rewrites the delta at every commit and
 * writes a new base when the delta grows past a few dozen KiB.
 *
 * Readers load it with one pread() into memory: on these machines mapping
 * and unmapping a file costs tens of microseconds, more than a lookup.
 *
 * Layout (integers little-endian):
 *   header, 64 bytes: magic "VNAMEDLT", u32 version, u32 count,
 *     u64 base generation, u64 generation, u64 body length,
 *     u64 XXH3-64 of the header (this field as zeros) and the body,
 *     16 zero bytes
 *   body: count u32 offsets (from the body start) of the records, in
 *     (database, key) order; then the records: u8 database, u8 flags
 *     (1: tombstone), u16 key length, u32 value length, key, value.
 */
#ifndef VIRTNAME_DELTA_H
#define VIRTNAME_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/schema.h"

#define VIRTNAME_DELTA_HEADER 64
/* Largest delta a reader accepts (the writer stays far below). */
#define VIRTNAME_DELTA_MAX ((size_t)16 << 20)
#define VIRTNAME_DELTA_TOMBSTONE 0x01u

struct virtname_delta {
        uint64_t base_generation;
        uint64_t generation;
        uint32_t count;
        const uint8_t *body;
        size_t body_len;
};

struct virtname_delta_rec {
        enum virtname_db db;
        bool tombstone;
        MDB_val key, value;
};

/* Check BUF (LEN bytes, the whole file) and describe it in D, which
 * points into BUF.  Returns 0 or -EBADMSG: wrong magic or version, bad
 * checksum, a record out of bounds or out of order. */
int virtname_delta_parse(const void *buf, size_t len, struct virtname_delta *d);

/* Record I (< d->count) of a parsed delta. */
void virtname_delta_rec(const struct virtname_delta *d, uint32_t i, struct virtname_delta_rec *r);

/* The checksum field a whole delta of LEN bytes must carry (for tools
 * that build or repair one; 0 when LEN is short of a header). */
uint64_t virtname_delta_checksum(const void *buf, size_t len);

/* Index of the first record at or after (DB, KEY); d->count if none. */
uint32_t virtname_delta_seek(const struct virtname_delta *d, enum virtname_db db, const MDB_val *key);

/* Order of (DB, KEY) pairs: LMDB's default key order within a database. */
int virtname_delta_cmp(enum virtname_db a_db, const MDB_val *a, enum virtname_db b_db, const MDB_val *b);

/* Encode N records, sorted and unique by (database, key), into a new
 * buffer *OUT of *LEN bytes (free it).  Returns 0, -EINVAL (a key too
 * long or records out of order) or -ENOMEM. */
int virtname_delta_encode(const struct virtname_delta_rec *recs, size_t n, uint64_t base_generation,
                          uint64_t generation, uint8_t **out, size_t *len);

#endif
