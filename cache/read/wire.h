/* wire.h - the store's little-endian encodings (records, events, the
 * snapshot trailer, the delta, spooled events, the meta and queue
 * numbers): fixed-width integers, and a bounded reader: a read past the
 * end gives nothing and marks the reader bad, so a decoder checks once,
 * at the end.  And big-endian integers, for keys that must sort as
 * numbers (LMDB compares keys bytewise: the ids index) and for network
 * byte order (the prober's packets). */
#ifndef VIRTNAME_WIRE_H
#define VIRTNAME_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
