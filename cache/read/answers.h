/* answers.h - the answers database (schema.h): what the forward name
 * rules (lookup.h) give each name, derived by the writer at every commit
 * for the names the commit may have changed (answers-update.h), so that a
 * forward lookup costs one get (two for NAME.DOMAIN) instead of the
 * rules' walk through domains, owners, interfaces, leases and networks
 * (about ten B-tree lookups).
 *
 * The rules depend on the clock only through the expiry of the leases
 * they read: between two such expiries their answer stays the same.  So a
 * record holds a name's answers as a timeline: the rules' answer at the
 * commit and again at each expiry after it, until the answer no longer
 * changes (or up to a bound: after UNTIL the lookup asks the rules).
 * What depends on the host and not on the store (reserved names:
 * /etc/hosts, the host's name, as of the last clock tick: reserved.h) is
 * asked at every lookup, in the same steps as virtname_resolve() takes
 * (virtname_resolve_with()).
 *
 * Key: a normalised name: the name itself, and the first label of
 * NAME.DOMAIN.  A name without a record answers nothing, at any time (one
 * that answered before the commit's time gets a record that says since
 * when it answers nothing: no timelines).  Value, integers little-endian:
 *
 *   u8 version (VIRTNAME_RECORD_VERSION), u8 flags: VIRTNAME_ANSWERS_RULES
 *     (ask the rules; nothing follows), VIRTNAME_ANSWERS_FROM (i64 from
 *     follows, else it is 0), VIRTNAME_ANSWERS_UNTIL (i64 until follows,
 *     else there is no end): the record holds for times in [from, until)
 *   u8 count of timelines, each:
 *     u8 kind (enum virtname_answers_kind), for the SUFFIX kinds u16
 *       length and the suffix
 *     except for VIRTNAME_ANSWERS_AS_NAME: u8 count of segments (1 or
 *       more), each: i64 start (not for the first, which starts at from;
 *       rising), u8 source, u8 known, u8 count of addresses (at most
 *       VIRTNAME_ANSWER_MAX), each: u8 family (4 or 6), the address (4 or
 *       16 bytes), i64 expiry, u8 rank (enum virtname_rank)
 *
 * A timeline that is left out answers nothing; a suffix without one of
 * its own is answered as any other suffix (VIRTNAME_ANSWERS_OTHER).  The
 * answers carry both families in the rules' order: a lookup of one family
 * keeps that family's (the rules dedupe and count per family the same
 * way; a name with more addresses than an answer holds is left to the
 * rules).
 */
#ifndef VIRTNAME_ANSWERS_H
#define VIRTNAME_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "cache/read/lookup.h"

#define VIRTNAME_ANSWERS_RULES 0x01u
#define VIRTNAME_ANSWERS_FROM 0x02u
#define VIRTNAME_ANSWERS_UNTIL 0x04u

enum virtname_answers_kind {
        VIRTNAME_ANSWERS_NAME = 0,     /* the name itself (no suffix) */
        VIRTNAME_ANSWERS_OTHER = 1,    /* NAME.SUFFIX for a suffix the record does not list */
        VIRTNAME_ANSWERS_SUFFIX = 2,   /* NAME.SUFFIX for this suffix */
        VIRTNAME_ANSWERS_AS_NAME = 3,  /* NAME.SUFFIX for this suffix: as the name itself */
};

/* Writing a record (the writer, answers-update.c). */
struct virtname_answers_segment {
        int64_t start;
        struct virtname_answer answer; /* of both families; dropped must be 0 */
};

struct virtname_answers_timeline {
        enum virtname_answers_kind kind;
        const char *suffix;            /* the SUFFIX kinds */
        size_t n;                      /* segments (none for AS_NAME) */
        const struct virtname_answers_segment *seg;
};

struct virtname_answers_record {
        unsigned flags;                /* VIRTNAME_ANSWERS_RULES, or 0 */
        int64_t from, until;
        size_t n;
        const struct virtname_answers_timeline *t;
};

/* Encode R into BUF (at most CAP bytes); returns the size it needs (call
 * again with more room when that is more than CAP), or 0 when R cannot be
 * encoded (too many timelines, segments or addresses, a suffix too long). */
size_t virtname_answers_encode(const struct virtname_answers_record *r, uint8_t *buf, size_t cap);

/* The answer of record DATA (LEN bytes) for SUFFIX (NULL: the name
 * itself), FAMILY and NOW, as virtname_resolve_rules() gives it.  The
 * whole record is checked first.  0, -EAGAIN (the record does not hold
 * it: ask the rules), or -EBADMSG (damaged). */
int virtname_answers_eval(const void *data, size_t len, const char *suffix, int family, int64_t now,
                          struct virtname_answer *out);

/* virtname_resolve_rules() from the answers database: KEY's record when
 * it holds the answer, else the rules (no record: no answer). */
int virtname_answers_rules(const struct virtname_view *v, const char *typed, const char *key, const char *suffix,
                           int family, int64_t now, struct virtname_answer *answer);

/* virtname_resolve(), answered from the answers database: the same
 * answer, in one get where a record holds it. */
int virtname_answers_resolve(const struct virtname_view *v, const char *name, int family, int64_t now,
                             struct virtname_answer *answer);

#endif
