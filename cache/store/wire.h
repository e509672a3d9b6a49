/* wire.h - the bounded reader of the store's little-endian encodings
 * (records, events): a read past the end gives nothing and marks the
 * reader bad, so a decoder checks once, at the end. */
#ifndef VIRTNAME_WIRE_H
#define VIRTNAME_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
        uint64_t v = 0;

        for (size_t i = 0; b && i < n; i++)
                v |= (uint64_t)b[i] << (8 * i);
        return v;
}

#endif
