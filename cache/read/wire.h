/* wire.h - the store's little-endian encodings (records, events, the
 * snapshot trailer, the delta, spooled events, the meta and queue
 * numbers): fixed-width integers, a bounded reader (a read past the end
 * gives nothing and marks the reader bad, so a decoder checks once, at
 * the end) and a bounded writer.  And big-endian integers, for keys that
 * must sort as numbers (LMDB compares keys bytewise: the ids index) and
 * for network byte order (the prober's packets). */
#ifndef VIRTNAME_WIRE_H
#define VIRTNAME_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The N-byte little-endian integer at P. */
static inline uint64_t virtname_le_get(const uint8_t *p, size_t n)
{
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

static inline void virtname_le_put(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/* The N-byte big-endian integer at P. */
static inline uint64_t virtname_be_get(const uint8_t *p, size_t n)
{
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

static inline void virtname_be_put(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = n; i > 0; i--, v >>= 8)
                p[i - 1] = (uint8_t)v;
}

struct virtname_wire {
        const uint8_t *p, *end;
        bool bad;
};

static inline const uint8_t *virtname_wire_take(struct virtname_wire *in, size_t n)
{
        const uint8_t *p = in->p;

        if (in->bad || (size_t)(in->end - in->p) < n) {
                in->bad = true;
                return NULL;
        }
        in->p += n;
        return p;
}

/* An unsigned integer of N bytes (0 when the reader is bad). */
static inline uint64_t virtname_wire_uint(struct virtname_wire *in, size_t n)
{
        const uint8_t *b = virtname_wire_take(in, n);

        return b ? virtname_le_get(b, n) : 0;
}

/* The matching bounded writer: it counts every byte, stores only what
 * fits, and remembers when a string was too long to encode (its size
 * then says how big a buffer to try again with). */
struct virtname_wout {
        uint8_t *buf;
        size_t cap, len;
        bool bad;
};

static inline void virtname_wout_put(struct virtname_wout *o, const void *p, size_t n)
{
        if (n > 0 && o->len < o->cap)
                memcpy(o->buf + o->len, p, o->len + n <= o->cap ? n : o->cap - o->len);
        o->len += n;
}

static inline void virtname_wout_uint(struct virtname_wout *o, uint64_t v, size_t n)
{
        uint8_t b[8];

        virtname_le_put(b, v, n);
        virtname_wout_put(o, b, n);
}

/* A u16 length, then the bytes. */
static inline void virtname_wout_str(struct virtname_wout *o, const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n > UINT16_MAX) {
                o->bad = true;
                n = 0;
        }
        virtname_wout_uint(o, n, 2);
        virtname_wout_put(o, s, n);
}

/* The size the output needs, or 0 when it cannot be encoded. */
static inline size_t virtname_wout_end(const struct virtname_wout *o)
{
        return o->bad ? 0 : o->len;
}

#endif
