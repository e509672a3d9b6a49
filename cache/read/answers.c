/* answers.c - the answers database: records, checked decoding, and
 * forward lookups answered from it (answers.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/read/answers.h"
#include "cache/read/wire.h"

/* Timelines and segments a record may hold (the count is one byte). */
#define MAX_COUNT 255

static bool encode_answer(struct virtname_wout *o, const struct virtname_answer *a)
{
        static const uint8_t zero[12];

        if (a->dropped || a->n > VIRTNAME_ANSWER_MAX || (unsigned)a->source > VIRTNAME_SRC_GUEST)
                return false;
        virtname_wout_uint(o, (uint64_t)a->source, 1);
        virtname_wout_uint(o, a->known, 1);
        virtname_wout_uint(o, a->n, 1);
        for (size_t i = 0; i < a->n; i++) {
                const struct virtname_addr *x = &a->addr[i];
                bool v6 = x->family == AF_INET6;

                /* An IPv4 address is its first 4 bytes, the rest zero. */
                if ((!v6 && x->family != AF_INET) || (!v6 && memcmp(x->addr + 4, zero, 12) != 0))
                        return false;
                virtname_wout_uint(o, v6 ? 6 : 4, 1);
                virtname_wout_put(o, x->addr, v6 ? 16 : 4);
                virtname_wout_uint(o, (uint64_t)x->expiry, 8);
                if ((unsigned)x->rank > VIRTNAME_RANK_ADMIN)
                        return false;
                virtname_wout_uint(o, (uint64_t)x->rank, 1);
        }
        return true;
}

size_t virtname_answers_encode(const struct virtname_answers_record *r, uint8_t *buf, size_t cap)
{
        struct virtname_wout o = { buf, cap, 0, false };

        virtname_wout_uint(&o, VIRTNAME_RECORD_VERSION, 1);
        if (r->flags & VIRTNAME_ANSWERS_RULES) {
                virtname_wout_uint(&o, VIRTNAME_ANSWERS_RULES, 1);
                return virtname_wout_end(&o);
        }
        if ((r->flags & ~VIRTNAME_ANSWERS_RULES) || (r->until && r->until <= r->from))
                return 0;
        virtname_wout_uint(&o, (r->from ? VIRTNAME_ANSWERS_FROM : 0) | (r->until ? VIRTNAME_ANSWERS_UNTIL : 0), 1);
        if (r->from)
                virtname_wout_uint(&o, (uint64_t)r->from, 8);
        if (r->until)
                virtname_wout_uint(&o, (uint64_t)r->until, 8);
        if (r->n > MAX_COUNT)
                return 0;
        virtname_wout_uint(&o, r->n, 1);
        for (size_t i = 0; i < r->n && !o.bad; i++) {
                const struct virtname_answers_timeline *t = &r->t[i];
                bool suffix = t->kind == VIRTNAME_ANSWERS_SUFFIX || t->kind == VIRTNAME_ANSWERS_AS_NAME;

                virtname_wout_uint(&o, (uint64_t)t->kind, 1);
                if (suffix)
                        virtname_wout_str(&o, t->suffix);
                if (t->kind == VIRTNAME_ANSWERS_AS_NAME)
                        continue;
                if (t->n == 0 || t->n > MAX_COUNT || t->seg[0].start != r->from)
                        return 0;
                virtname_wout_uint(&o, t->n, 1);
                for (size_t j = 0; j < t->n; j++) {
                        if (j > 0 && t->seg[j].start <= t->seg[j - 1].start)
                                return 0;
                        if (j > 0)
                                virtname_wout_uint(&o, (uint64_t)t->seg[j].start, 8);
                        if (!encode_answer(&o, &t->seg[j].answer))
                                return 0;
                }
        }
        return virtname_wout_end(&o);
}

/* --- reading ------------------------------------------------------------- */

/* A segment of a checked record: where it is, and whether it is its
 * timeline's first (which has no start time of its own). */
struct seg_at {
        struct virtname_wire in;
        bool first;
};

/* Check the segments of a timeline at IN (record FROM), leaving IN after
 * them; *AT is then the last segment that starts by NOW (unset when none
 * does). */
static bool check_segments(struct virtname_wire *in, int64_t from, int64_t now, struct seg_at *at)
{
        unsigned n = (unsigned)virtname_wire_uint(in, 1);
        int64_t last = 0;

        if (n == 0)
                return false;
        for (unsigned i = 0; i < n && !in->bad; i++) {
                struct virtname_wire here = *in;
                int64_t start = i == 0 ? from : (int64_t)virtname_wire_uint(in, 8);
                unsigned source = (unsigned)virtname_wire_uint(in, 1), known = (unsigned)virtname_wire_uint(in, 1);
                unsigned count = (unsigned)virtname_wire_uint(in, 1);

                if ((i > 0 && start <= last) || source > VIRTNAME_SRC_GUEST || known > 1 ||
                    count > VIRTNAME_ANSWER_MAX)
                        return false;
                for (unsigned j = 0; j < count && !in->bad; j++) {
                        unsigned family = (unsigned)virtname_wire_uint(in, 1);

                        if (family != 4 && family != 6)
                                return false;
                        virtname_wire_take(in, family == 6 ? 16 : 4);
                        virtname_wire_take(in, 8);
                        if (virtname_wire_uint(in, 1) > VIRTNAME_RANK_ADMIN)
                                return false;
                }
                if (start <= now)
                        *at = (struct seg_at){ here, i == 0 };
                last = start;
        }
        return !in->bad;
}

/* The answer of the checked segment S, FAMILY's addresses only. */
static void fill(struct seg_at s, int family, struct virtname_answer *out)
{
        struct virtname_wire at = s.in;
        unsigned count;

        if (!s.first)
                virtname_wire_take(&at, 8);
        out->source = (enum virtname_source)virtname_wire_uint(&at, 1);
        out->known = virtname_wire_uint(&at, 1) != 0;
        count = (unsigned)virtname_wire_uint(&at, 1);
        for (unsigned j = 0; j < count; j++) {
                int f = virtname_wire_uint(&at, 1) == 6 ? AF_INET6 : AF_INET;
                const uint8_t *addr = virtname_wire_take(&at, f == AF_INET6 ? 16 : 4);
                int64_t expiry = (int64_t)virtname_wire_uint(&at, 8);
                enum virtname_rank rank = (enum virtname_rank)virtname_wire_uint(&at, 1);
                struct virtname_addr *slot;

                if (family != AF_UNSPEC && f != family)
                        continue;
                slot = &out->addr[out->n++];
                slot->family = f;
                memset(slot->addr, 0, sizeof(slot->addr));
                memcpy(slot->addr, addr, f == AF_INET6 ? 16 : 4);
                slot->expiry = expiry;
                slot->rank = rank;
        }
}

int virtname_answers_eval(const void *data, size_t len, const char *suffix, int family, int64_t now,
                          struct virtname_answer *out)
{
        struct virtname_wire in = { data, (const uint8_t *)data + len, false };
        struct seg_at name = { 0 }, other = { 0 }, mine = { 0 }, *pick = NULL;
        bool have_name = false, have_other = false, have_mine = false, mine_as_name = false;
        size_t slen = suffix ? strlen(suffix) : 0;
        unsigned flags, n;
        int64_t from, until;

        if (virtname_wire_uint(&in, 1) != VIRTNAME_RECORD_VERSION)
                return -EBADMSG;
        flags = (unsigned)virtname_wire_uint(&in, 1);
        if (flags == VIRTNAME_ANSWERS_RULES)
                return in.p == in.end ? -EAGAIN : -EBADMSG;
        from = flags & VIRTNAME_ANSWERS_FROM ? (int64_t)virtname_wire_uint(&in, 8) : 0;
        until = flags & VIRTNAME_ANSWERS_UNTIL ? (int64_t)virtname_wire_uint(&in, 8) : 0;
        if (in.bad || (flags & ~(VIRTNAME_ANSWERS_FROM | VIRTNAME_ANSWERS_UNTIL)) ||
            ((flags & VIRTNAME_ANSWERS_FROM) && from == 0) || ((flags & VIRTNAME_ANSWERS_UNTIL) && until <= from))
                return -EBADMSG;
        n = (unsigned)virtname_wire_uint(&in, 1);
        for (unsigned i = 0; i < n && !in.bad; i++) {
                unsigned kind = (unsigned)virtname_wire_uint(&in, 1);
                struct seg_at at = { 0 };
                bool match = false;

                if (kind == VIRTNAME_ANSWERS_SUFFIX || kind == VIRTNAME_ANSWERS_AS_NAME) {
                        size_t l = (size_t)virtname_wire_uint(&in, 2);
                        const uint8_t *s = virtname_wire_take(&in, l);

                        match = s && suffix && !have_mine && l == slen && memcmp(s, suffix, l) == 0;
                } else if (kind > VIRTNAME_ANSWERS_AS_NAME ||
                           (kind == VIRTNAME_ANSWERS_NAME ? have_name : have_other)) {
                        return -EBADMSG;
                }
                if (kind == VIRTNAME_ANSWERS_AS_NAME) {
                        have_mine |= match;
                        mine_as_name |= match;
                        continue;
                }
                if (!check_segments(&in, from, now, &at))
                        return -EBADMSG;
                if (kind == VIRTNAME_ANSWERS_NAME) {
                        name = at;
                        have_name = true;
                } else if (kind == VIRTNAME_ANSWERS_OTHER) {
                        other = at;
                        have_other = true;
                } else if (match) {
                        mine = at;
                        have_mine = true;
                }
        }
        if (in.bad || in.p != in.end)
                return -EBADMSG;
        if (now < from || (until != 0 && now >= until))
                return -EAGAIN;
        memset(out, 0, offsetof(struct virtname_answer, addr));
        if (!suffix || mine_as_name)
                pick = have_name ? &name : NULL;
        else
                pick = have_mine ? &mine : have_other ? &other : NULL;
        if (pick)
                fill(*pick, family, out);
        return 0;
}

int virtname_answers_rules(const struct virtname_view *v, const char *typed, const char *key, const char *suffix,
                           int family, int64_t now, struct virtname_answer *answer)
{
        MDB_val k = { strlen(key), (void *)key }, d;
        int rc = virtname_view_get(v, VIRTNAME_DB_ANSWERS, &k, &d);

        if (rc == -ENOENT) {
                memset(answer, 0, offsetof(struct virtname_answer, addr));
                return 0;
        }
        if (rc == 0 && (rc = virtname_answers_eval(d.mv_data, d.mv_size, suffix, family, now, answer)) == 0)
                return 0;
        /* Past the record's time, or a record we cannot read: the rules
         * give the same answer, more slowly. */
        if (rc == -EAGAIN || rc == -EBADMSG)
                return virtname_resolve_rules(v, typed, key, suffix, family, now, answer);
        return rc;
}

int virtname_answers_resolve(const struct virtname_view *v, const char *name, int family, int64_t now,
                             struct virtname_answer *answer)
{
        return virtname_resolve_with(v, name, family, now, virtname_answers_rules, answer);
}
