/* grow.h - room for more in the arrays the writer side and the programs
 * collect items in (changes, names, records, DNS ops): a pointer, a count
 * beside it, and its capacity, doubled as it fills.
 *
 *      struct item *v = NULL;
 *      size_t n = 0, cap = 0;
 *
 *      if (!VIRTNAME_GROW(v, cap, n + 1))
 *              return -ENOMEM;
 *      v[n++] = item;
 *
 * Not for the read layer (cache/read): what the NSS module runs on a
 * lookup allocates nothing.
 */
#ifndef VIRTNAME_GROW_H
#define VIRTNAME_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* The capacity for NEED items, from CAP: doubled, 16 at least. */
static inline size_t virtname_grow_cap(size_t cap, size_t need)
{
        size_t c = cap ? cap : 16;

        while (c < need && c <= SIZE_MAX / 2)
                c *= 2;
        return c < need ? need : c;
}

/* Make ARRAY (a pointer with room for CAP items; both lvalues) hold at
 * least NEED items: true, or false when out of memory, ARRAY and CAP as
 * they were.  New room is not cleared. */
#define VIRTNAME_GROW(array, cap, need)                                                    \
        __extension__({                                                                    \
                size_t need_ = (need);                                                     \
                bool ok_ = need_ <= (cap);                                                 \
                if (!ok_) {                                                                \
                        size_t cap_ = virtname_grow_cap((cap), need_);                     \
                        __typeof__(array) more_ = reallocarray((array), cap_, sizeof(*(array))); \
                        if ((ok_ = more_ != NULL)) {                                       \
                                (array) = more_;                                           \
                                (cap) = cap_;                                              \
                        }                                                                  \
                }                                                                          \
                ok_;                                                                       \
        })

#endif
