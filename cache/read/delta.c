/* delta.c - encoding and checked decoding of the snapshot delta (delta.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/read/delta.h"
#include "cache/read/wire.h"
#include "cache/read/xxh3.h"

static const char magic[8] = { 'V', 'N', 'A', 'M', 'E', 'D', 'L', 'T' };
#define VERSION 1u
#define REC_HEADER 8u
/* LMDB's longest key. */
#define KEY_MAX 511u

int virtname_delta_cmp(enum virtname_db a_db, const MDB_val *a, enum virtname_db b_db, const MDB_val *b)
{
        size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
        int c;

        if (a_db != b_db)
                return a_db < b_db ? -1 : 1;
        c = n ? memcmp(a->mv_data, b->mv_data, n) : 0;
        if (c)
                return c;
        return a->mv_size < b->mv_size ? -1 : a->mv_size > b->mv_size;
}

/* The checksum of a delta: its header (the checksum field as zeros)
 * hashed, and the body hashed with that as the seed. */
static uint64_t checksum(const uint8_t *header, const uint8_t *body, size_t body_len)
{
        uint8_t h[VIRTNAME_DELTA_HEADER];

        memcpy(h, header, sizeof(h));
        memset(h + 40, 0, 8);
        return XXH3_64bits_withSeed(body, body_len, XXH3_64bits(h, sizeof(h)));
}

uint64_t virtname_delta_checksum(const void *buf, size_t len)
{
        const uint8_t *h = buf;

        return len < VIRTNAME_DELTA_HEADER ? 0 : checksum(h, h + VIRTNAME_DELTA_HEADER, len - VIRTNAME_DELTA_HEADER);
}

void virtname_delta_rec(const struct virtname_delta *d, uint32_t i, struct virtname_delta_rec *r)
{
        const uint8_t *p = d->body + virtname_le_get(d->body + 4 * (size_t)i, 4);
        size_t klen = virtname_le_get(p + 2, 2), vlen = virtname_le_get(p + 4, 4);

        r->db = (enum virtname_db)p[0];
        r->tombstone = p[1] & VIRTNAME_DELTA_TOMBSTONE;
        r->key = (MDB_val){ klen, (void *)(p + REC_HEADER) };
        r->value = (MDB_val){ vlen, (void *)(p + REC_HEADER + klen) };
}

int virtname_delta_parse(const void *buf, size_t len, struct virtname_delta *d)
{
        const uint8_t *h = buf;
        struct virtname_delta_rec prev = { 0 }, cur;

        if (len < VIRTNAME_DELTA_HEADER || len > VIRTNAME_DELTA_MAX ||
            memcmp(h, magic, sizeof(magic)) != 0 || virtname_le_get(h + 8, 4) != VERSION)
                return -EBADMSG;
        d->count = (uint32_t)virtname_le_get(h + 12, 4);
        d->base_generation = virtname_le_get(h + 16, 8);
        d->generation = virtname_le_get(h + 24, 8);
        d->body_len = (size_t)virtname_le_get(h + 32, 8);
        d->body = h + VIRTNAME_DELTA_HEADER;
        if (d->body_len != len - VIRTNAME_DELTA_HEADER || (size_t)d->count > d->body_len / 4 ||
            checksum(h, d->body, d->body_len) != virtname_le_get(h + 40, 8))
                return -EBADMSG;
        for (size_t i = 48; i < VIRTNAME_DELTA_HEADER; i++)
                if (h[i])
                        return -EBADMSG;
        /* Every record inside the body, well formed, in strict order: a
         * damaged file must not send a reader out of bounds. */
        for (uint32_t i = 0; i < d->count; i++) {
                uint64_t off = virtname_le_get(d->body + 4 * (size_t)i, 4);
                const uint8_t *p = d->body + off;
                size_t klen, vlen;

                if (off < 4 * (uint64_t)d->count || off + REC_HEADER > d->body_len)
                        return -EBADMSG;
                klen = virtname_le_get(p + 2, 2);
                vlen = virtname_le_get(p + 4, 4);
                if (p[0] >= VIRTNAME_DB_COUNT || (p[1] & ~VIRTNAME_DELTA_TOMBSTONE) ||
                    klen == 0 || klen > KEY_MAX || vlen > d->body_len ||
                    klen + vlen > d->body_len - off - REC_HEADER ||
                    ((p[1] & VIRTNAME_DELTA_TOMBSTONE) && vlen != 0))
                        return -EBADMSG;
                virtname_delta_rec(d, i, &cur);
                if (i > 0 && virtname_delta_cmp(prev.db, &prev.key, cur.db, &cur.key) >= 0)
                        return -EBADMSG;
                prev = cur;
        }
        return 0;
}

uint32_t virtname_delta_seek(const struct virtname_delta *d, enum virtname_db db, const MDB_val *key)
{
        uint32_t lo = 0, hi = d->count;

        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                struct virtname_delta_rec r;

                virtname_delta_rec(d, mid, &r);
                if (virtname_delta_cmp(r.db, &r.key, db, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

int virtname_delta_encode(const struct virtname_delta_rec *recs, size_t n, uint64_t base_generation,
                          uint64_t generation, uint8_t **out, size_t *len)
{
        size_t body = 4 * n, at;
        uint8_t *buf, *b;

        if (n > UINT32_MAX / 4)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (recs[i].key.mv_size == 0 || recs[i].key.mv_size > KEY_MAX ||
                    recs[i].value.mv_size > UINT32_MAX ||
                    (i > 0 && virtname_delta_cmp(recs[i - 1].db, &recs[i - 1].key, recs[i].db,
                                                 &recs[i].key) >= 0))
                        return -EINVAL;
                body += REC_HEADER + recs[i].key.mv_size + (recs[i].tombstone ? 0 : recs[i].value.mv_size);
        }
        if (body > VIRTNAME_DELTA_MAX - VIRTNAME_DELTA_HEADER)
                return -EFBIG;
        buf = calloc(1, VIRTNAME_DELTA_HEADER + body);
        if (!buf)
                return -ENOMEM;
        b = buf + VIRTNAME_DELTA_HEADER;
        at = 4 * n;
        for (size_t i = 0; i < n; i++) {
                size_t klen = recs[i].key.mv_size, vlen = recs[i].tombstone ? 0 : recs[i].value.mv_size;

                virtname_le_put(b + 4 * i, at, 4);
                b[at] = (uint8_t)recs[i].db;
                b[at + 1] = recs[i].tombstone ? VIRTNAME_DELTA_TOMBSTONE : 0;
                virtname_le_put(b + at + 2, klen, 2);
                virtname_le_put(b + at + 4, vlen, 4);
                memcpy(b + at + REC_HEADER, recs[i].key.mv_data, klen);
                if (vlen)
                        memcpy(b + at + REC_HEADER + klen, recs[i].value.mv_data, vlen);
                at += REC_HEADER + klen + vlen;
        }
        memcpy(buf, magic, sizeof(magic));
        virtname_le_put(buf + 8, VERSION, 4);
        virtname_le_put(buf + 12, n, 4);
        virtname_le_put(buf + 16, base_generation, 8);
        virtname_le_put(buf + 24, generation, 8);
        virtname_le_put(buf + 32, body, 8);
        virtname_le_put(buf + 40, checksum(buf, b, body), 8);
        *out = buf;
        *len = VIRTNAME_DELTA_HEADER + body;
        return 0;
}
