/* answers-update.c - the records of the answers database, derived from
 * the rules, for the names a transaction touched (answers-update.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/read/answers.h"
#include "cache/read/names.h"
#include "cache/write/answers-update.h"

/* Times the rules are asked per timeline: past the last, the lookup asks
 * the rules (the record's UNTIL). */
#define MAX_ASKS 16
/* DNS domains a name's leases carry, and leases one answer reads: more,
 * and the name is left to the rules. */
#define MAX_SUFFIXES 8
#define MAX_LEASES 256
/* A suffix no lookup can ask (names.h: a lookup key holds no '/'): what
 * the rules give it, they give every suffix no lease carries. */
#define NO_SUFFIX "/"

/* --- deriving one name's record ------------------------------------------ */

/* What the rules read while they answer (the view's SEEN). */
struct probe {
        int64_t now;                   /* the time they were asked */
        int64_t prev, next;            /* the latest lease expiry by NOW, the first after it */
        size_t leases;
        size_t n_suffixes;
        char suffix[MAX_SUFFIXES][VIRTNAME_NAME_MAX + 1];
        bool too_much;                 /* leave the name to the rules */
};

/* Could S be the suffix of a lookup key (names.h: lower case, no control
 * bytes, no '/')?  Others never match one. */
static bool askable(struct virtname_str s)
{
        if (s.len == 0 || s.len >= VIRTNAME_NAME_MAX)
                return false;
        for (size_t i = 0; i < s.len; i++) {
                unsigned char c = (unsigned char)s.p[i];

                if (c < 0x20 || c == 0x7f || c == '/' || (c >= 'A' && c <= 'Z'))
                        return false;
        }
        return true;
}

static void seen(void *ctx, enum virtname_db db, const MDB_val *value)
{
        struct probe *p = ctx;
        struct virtname_lease_view l;

        if (db != VIRTNAME_DB_LEASES || virtname_lease_decode(value->mv_data, value->mv_size, &l) < 0)
                return;
        p->leases++;
        if (l.expiry != 0 && l.expiry <= p->now && l.expiry > p->prev)
                p->prev = l.expiry;
        if (l.expiry > p->now && l.expiry < p->next)
                p->next = l.expiry;
        if (virtname_str_eq(l.suffix, NO_SUFFIX))
                p->too_much = true;
        if (!askable(l.suffix))
                return;
        for (size_t i = 0; i < p->n_suffixes; i++)
                if (virtname_str_eq(l.suffix, p->suffix[i]))
                        return;
        if (p->n_suffixes == MAX_SUFFIXES) {
                p->too_much = true;
                return;
        }
        memcpy(p->suffix[p->n_suffixes], l.suffix.p, l.suffix.len);
        p->suffix[p->n_suffixes++][l.suffix.len] = '\0';
}

/* The answers of one suffix (NULL: the name itself) over time. */
struct line {
        const char *suffix;
        size_t n;
        int64_t until;                 /* 0: the last segment holds for ever */
        struct virtname_answers_segment seg[MAX_ASKS];
};

struct deriver {
        struct probe probe;
        struct virtname_view view;     /* the caller's, with the probe */
        struct virtname_answer answer;
        struct line line[2 + MAX_SUFFIXES];
        struct virtname_answers_timeline out[2 + MAX_SUFFIXES];
        uint8_t *buf;
        size_t cap;
};

static bool same_answer(const struct virtname_answer *a, const struct virtname_answer *b)
{
        if (a->known != b->known || a->source != b->source || a->n != b->n || a->dropped != b->dropped)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (a->addr[i].family != b->addr[i].family || a->addr[i].expiry != b->addr[i].expiry ||
                    a->addr[i].rank != b->addr[i].rank ||
                    memcmp(a->addr[i].addr, b->addr[i].addr, 16) != 0)
                        return false;
        return true;
}

static bool same_line(const struct line *a, const struct line *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (a->seg[i].start != b->seg[i].start || !same_answer(&a->seg[i].answer, &b->seg[i].answer))
                        return false;
        return true;
}

/* A line that answers nothing, ever. */
static bool empty_line(const struct line *l)
{
        return l->n == 1 && !l->seg[0].answer.known && !l->seg[0].answer.n &&
               l->seg[0].answer.source == VIRTNAME_SRC_NONE;
}

/* Ask the rules for KEY's line L from NOW on: at NOW, then at each
 * expiry after it of a lease they read.  *PREV: the latest expiry by NOW
 * of one (the answer at NOW holds since).  0, 1 (leave KEY to the
 * rules), or a negative errno. */
static int ask_line(struct deriver *d, const char *key, struct line *l, int64_t now, int64_t *prev)
{
        struct probe *p = &d->probe;
        int64_t t = now;

        l->n = 0;
        l->until = 0;
        for (int i = 0;; i++) {
                int rc;

                p->now = t;
                p->prev = 0;
                p->next = INT64_MAX;
                p->leases = 0;
                memset(&d->answer, 0, sizeof(d->answer));
                if ((rc = virtname_resolve_rules(&d->view, key, key, l->suffix, AF_UNSPEC, t, &d->answer)) < 0)
                        return rc;
                if (d->answer.dropped || p->leases > MAX_LEASES || p->too_much)
                        return 1;
                if (i == 0)
                        *prev = p->prev;
                if (l->n == 0 || !same_answer(&l->seg[l->n - 1].answer, &d->answer)) {
                        l->seg[l->n].start = t;
                        l->seg[l->n++].answer = d->answer;
                }
                if (p->next == INT64_MAX)
                        return 0;
                if (i + 1 == MAX_ASKS) {
                        l->until = p->next;
                        return 0;
                }
                t = p->next;
        }
}

/* More host-index entries under KEY than one answer may read? */
static int crowded(const struct virtname_view *v, const char *key)
{
        uint8_t prefix[VIRTNAME_KEY_MAX];
        size_t plen = virtname_hostidx_prefix(virtname_str_of(key), prefix), n = 0;
        struct virtname_iter it;
        MDB_val k, data;
        int rc;

        if (plen == 0)
                return 0;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_HOSTIDX, prefix, plen);
        while (rc == 0 && n <= MAX_LEASES && (rc = virtname_iter_next(&it, &k, &data)) == 0)
                n++;
        virtname_iter_end(&it);
        return rc == 0 || rc == -ENOENT ? n > MAX_LEASES : rc;
}

static int encode(struct deriver *d, const struct virtname_answers_record *r, size_t *len)
{
        size_t n = virtname_answers_encode(r, d->buf, d->cap);

        if (n > d->cap) {
                uint8_t *more = realloc(d->buf, n);

                if (!more)
                        return -ENOMEM;
                d->buf = more;
                d->cap = n;
                n = virtname_answers_encode(r, d->buf, d->cap);
        }
        *len = n;
        return n ? 0 : -EINVAL;
}

/* KEY's record into D->buf, *LEN bytes (0: none). */
static int derive(struct deriver *d, const struct virtname_view *v, const char *key, int64_t now, size_t *len)
{
        struct virtname_answers_record rec = { .flags = VIRTNAME_ANSWERS_RULES };
        size_t lines = 2;
        int64_t from = 0, until = 0;
        int rc;

        *len = 0;
        /* Several domains' name in different cases: which one answers
         * depends on how the name is written. */
        if (virtname_name_ambiguous(v, key) || (rc = crowded(v, key)) == 1)
                return encode(d, &rec, len);
        if (rc < 0)
                return rc;
        memset(&d->probe, 0, sizeof(d->probe));
        d->view = *v;
        d->view.seen = seen;
        d->view.seen_ctx = &d->probe;
        d->line[0].suffix = NULL;
        d->line[1].suffix = NO_SUFFIX;
        /* The suffixes the rules meet, each asked in turn. */
        for (size_t i = 0; i < lines; i++) {
                int64_t prev;

                if (i >= 2)
                        d->line[i].suffix = d->probe.suffix[i - 2];
                if ((rc = ask_line(d, key, &d->line[i], now, &prev)) != 0)
                        return rc < 0 ? rc : encode(d, &rec, len);
                from = prev > from ? prev : from;
                if (d->line[i].until && (!until || d->line[i].until < until))
                        until = d->line[i].until;
                lines = 2 + d->probe.n_suffixes;
        }
        /* Every line's answer at NOW holds since FROM; past UNTIL the
         * rules are asked. */
        for (size_t i = 0; i < lines; i++) {
                struct line *l = &d->line[i];

                l->seg[0].start = from;
                while (until && l->n > 1 && l->seg[l->n - 1].start >= until)
                        l->n--;
        }
        rec = (struct virtname_answers_record){ 0, from, until, 0, d->out };
        for (size_t i = 0; i < lines; i++) {
                const struct line *l = &d->line[i];
                struct virtname_answers_timeline *t = &d->out[rec.n];

                if (i < 2 ? empty_line(l) : same_line(l, &d->line[1]) || (empty_line(l) && empty_line(&d->line[1])))
                        continue;
                *t = (struct virtname_answers_timeline){ i == 0 ? VIRTNAME_ANSWERS_NAME
                                                         : i == 1 ? VIRTNAME_ANSWERS_OTHER
                                                                  : VIRTNAME_ANSWERS_SUFFIX,
                                                         l->suffix, l->n, l->seg };
                if (i >= 2 && same_line(l, &d->line[0]))
                        *t = (struct virtname_answers_timeline){ VIRTNAME_ANSWERS_AS_NAME, l->suffix, 0, NULL };
                rec.n++;
        }
        /* A name that answers nothing from FROM on still gets a record
         * when it answered before FROM (a lease read expired by NOW): a
         * lookup at an earlier time (a clock set back) asks the rules. */
        return rec.n || from ? encode(d, &rec, len) : 0;
}

int virtname_answers_derive(const struct virtname_view *v, const char *key, int64_t now, uint8_t **buf,
                            size_t *len)
{
        struct deriver *d = calloc(1, sizeof(*d));
        int rc;

        if (!d)
                return -ENOMEM;
        d->buf = *buf;
        d->cap = *buf ? *len : 0;
        rc = derive(d, v, key, now, len);
        *buf = d->buf;
        free(d);
        return rc;
}

/* --- the names a transaction touched -------------------------------------- */

/* A set of lookup keys: their text in one pool, sorted at the end. */
struct names {
        char *pool;
        size_t len, cap;
        size_t *at;
        size_t n, cap_at;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
        size_t c = *cap ? *cap : 64;
        void *more;

        if (need <= *cap)
                return 0;
        while (c < need)
                c *= 2;
        if (!(more = reallocarray(*p, c, size)))
                return -ENOMEM;
        *p = more;
        *cap = c;
        return 0;
}

/* Add the lookup key of the name at S (LEN bytes), if it has one. */
static int add_name(struct names *s, const char *p, size_t len)
{
        char raw[VIRTNAME_NAME_MAX + 1], key[VIRTNAME_NAME_MAX + 1];
        int n;

        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return 0;
        memcpy(raw, p, len);
        raw[len] = '\0';
        if ((n = virtname_name_normalise(raw, key)) < 0)
                return 0;
        if (grow((void **)&s->pool, &s->cap, s->len + (size_t)n + 1, 1) < 0 ||
            grow((void **)&s->at, &s->cap_at, s->n + 1, sizeof(*s->at)) < 0)
                return -ENOMEM;
        memcpy(s->pool + s->len, key, (size_t)n + 1);
        s->at[s->n++] = s->len;
        s->len += (size_t)n + 1;
        return 0;
}

static int cmp_at(const void *a, const void *b, void *pool)
{
        return strcmp((const char *)pool + *(const size_t *)a, (const char *)pool + *(const size_t *)b);
}

static void names_unique(struct names *s)
{
        size_t n = 0;

        if (s->n == 0)
                return;
        qsort_r(s->at, s->n, sizeof(*s->at), cmp_at, s->pool);
        for (size_t i = 1; i < s->n; i++)
                if (strcmp(s->pool + s->at[n], s->pool + s->at[i]) != 0)
                        s->at[++n] = s->at[i];
        s->n = n + 1;
}

struct iface {
        uint8_t mac[VIRTNAME_MAC_LEN];
        char network[VIRTNAME_NETWORK_MAX + 1];
};

struct addr {
        int family;
        uint8_t addr[16];
};

struct touched {
        const struct virtname_view *view[2];   /* before, after */
        struct names *names;
        struct iface *ifaces;
        size_t n_ifaces, cap_ifaces;
        struct addr *addrs;
        size_t n_addrs, cap_addrs;
};

static int add_iface(struct touched *t, struct virtname_str network, const uint8_t *mac)
{
        struct iface *f;

        if (network.len == 0 || network.len > VIRTNAME_NETWORK_MAX || memchr(network.p, '\0', network.len))
                return 0;
        if (grow((void **)&t->ifaces, &t->cap_ifaces, t->n_ifaces + 1, sizeof(*t->ifaces)) < 0)
                return -ENOMEM;
        f = &t->ifaces[t->n_ifaces++];
        memset(f, 0, sizeof(*f));
        memcpy(f->mac, mac, VIRTNAME_MAC_LEN);
        memcpy(f->network, network.p, network.len);
        return 0;
}

static int add_addr(struct touched *t, int family, const uint8_t *addr)
{
        if (grow((void **)&t->addrs, &t->cap_addrs, t->n_addrs + 1, sizeof(*t->addrs)) < 0)
                return -ENOMEM;
        t->addrs[t->n_addrs].family = family;
        memcpy(t->addrs[t->n_addrs++].addr, addr, 16);
        return 0;
}

static int cmp_iface(const void *a, const void *b)
{
        const struct iface *x = a, *y = b;
        int c = strcmp(x->network, y->network);

        return c ? c : memcmp(x->mac, y->mac, VIRTNAME_MAC_LEN);
}

static int cmp_addr(const void *a, const void *b)
{
        const struct addr *x = a, *y = b;

        return x->family != y->family ? x->family - y->family : memcmp(x->addr, y->addr, 16);
}

/* Sort N items of SIZE at P and drop repeats; returns the count left. */
static size_t unique(void *p, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
        size_t k = 0;

        if (n == 0)
                return 0;
        qsort(p, n, size, cmp);
        for (size_t i = 1; i < n; i++)
                if (cmp((char *)p + k * size, (char *)p + i * size) != 0)
                        memmove((char *)p + ++k * size, (char *)p + i * size, size);
        return k + 1;
}

/* What records name (record.h), into T's sets. */
static int name_cb(void *ctx, const char *p, size_t len)
{
        return add_name(((struct touched *)ctx)->names, p, len);
}

static int addr_cb(void *ctx, int family, const uint8_t addr[16])
{
        return add_addr(ctx, family, addr);
}

static int iface_cb(void *ctx, struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN])
{
        return add_iface(ctx, network, mac);
}

static const struct virtname_names_fn to_touched = { name_cb, addr_cb, iface_cb };

static int network_active(const void *data, size_t len)
{
        struct virtname_network_view n;

        return !data || virtname_network_decode(data, len, &n) < 0 ? -1 : n.active;
}

/* A network started or stopped: every lease and interface on it. */
static int seed_network(struct touched *t, const struct virtname_change *c, const MDB_val *now)
{
        uint8_t prefix[VIRTNAME_NETWORK_MAX + 1];
        MDB_val k, d;
        struct virtname_iter it;
        int rc;

        if (c->klen > VIRTNAME_NETWORK_MAX ||
            network_active(c->had_old ? c->key + c->klen : NULL, c->old_len) ==
                    network_active(now ? now->mv_data : NULL, now ? now->mv_size : 0))
                return 0;
        rc = virtname_iter_start(&it, t->view[1], VIRTNAME_DB_LEASES, NULL, 0);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_lease_view l;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) == 0 && l.network.len == c->klen &&
                    memcmp(l.network.p, c->key, c->klen) == 0)
                        rc = virtname_record_names(VIRTNAME_DB_LEASES, d.mv_data, d.mv_size, &to_touched, t);
        }
        virtname_iter_end(&it);
        memcpy(prefix, c->key, c->klen);
        prefix[c->klen] = '\0';
        for (int v = 0; v < 2 && (rc == 0 || rc == -ENOENT); v++) {
                rc = virtname_iter_start(&it, t->view[v], VIRTNAME_DB_OWNERS, prefix, c->klen + 1);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                        if (k.mv_size >= c->klen + 1 + VIRTNAME_MAC_LEN)
                                rc = add_iface(t, (struct virtname_str){ (const char *)c->key, c->klen },
                                               (const uint8_t *)k.mv_data + c->klen + 1);
                virtname_iter_end(&it);
        }
        return rc == -ENOENT ? 0 : rc;
}

/* What changed record C names, with its value now (NOW; NULL: gone) and
 * before; a network's start or stop, every lease and interface on it.
 * (meta, uuids, ids: no rule reads them; answers: ours.) */
static int seed(struct touched *t, const struct virtname_change *c, const MDB_val *now)
{
        int rc;

        if (c->db == VIRTNAME_DB_NETWORKS)
                return seed_network(t, c, now);
        rc = virtname_key_names(c->db, c->key, c->klen, &to_touched, t);
        if (rc == 0 && now)
                rc = virtname_record_names(c->db, now->mv_data, now->mv_size, &to_touched, t);
        if (rc == 0 && c->had_old)
                rc = virtname_record_names(c->db, c->key + c->klen, c->old_len, &to_touched, t);
        return rc;
}

/* The interfaces of every lease of address A, on any network, in either
 * view. */
static int hop_addr(struct touched *t, const struct addr *a)
{
        uint8_t key[VIRTNAME_ADDR_KEY_LEN];
        struct virtname_iter it;
        MDB_val k, d;
        int rc = 0;

        virtname_addr_key(a->family, a->addr, key);
        for (int v = 0; v < 2 && (rc == 0 || rc == -ENOENT); v++) {
                rc = virtname_iter_start(&it, t->view[v], VIRTNAME_DB_LEASES, key, sizeof(key));
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                        struct virtname_lease_view l;

                        if (virtname_lease_decode(d.mv_data, d.mv_size, &l) == 0 &&
                            (l.flags & VIRTNAME_LEASE_HAS_MAC))
                                rc = add_iface(t, l.network, l.mac);
                }
                virtname_iter_end(&it);
        }
        return rc == -ENOENT ? 0 : rc;
}

/* The names that read interface F, in either view: its owners', and the
 * host keys of its leases (whose addresses ADDRS, when true, collects). */
static int follow_iface(struct touched *t, const struct iface *f, bool addrs)
{
        uint8_t prefix[VIRTNAME_KEY_MAX];
        struct virtname_str network = virtname_str_of(f->network);
        size_t plen = virtname_iface_prefix(network, f->mac, prefix);
        struct virtname_iter it;
        MDB_val k, d;
        int rc = 0;

        for (int v = 0; v < 2 && rc == 0 && plen; v++) {
                rc = virtname_iter_start(&it, t->view[v], VIRTNAME_DB_OWNERS, prefix, plen);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                        rc = add_name(t->names, (const char *)k.mv_data + plen, k.mv_size - plen);
                virtname_iter_end(&it);
                if (rc != -ENOENT)
                        break;
                rc = virtname_iter_start(&it, t->view[v], VIRTNAME_DB_IFACEIDX, prefix, plen);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                        const uint8_t *akey = (const uint8_t *)k.mv_data + plen;
                        struct virtname_lease_view l;
                        int r;

                        if (k.mv_size != plen + VIRTNAME_ADDR_KEY_LEN)
                                continue;
                        if (addrs && (rc = add_addr(t, akey[0] == 6 ? AF_INET6 : AF_INET, akey + 1)) < 0)
                                break;
                        r = virtname_get_lease(t->view[v], akey[0] == 6 ? AF_INET6 : AF_INET, akey + 1, network, &l);
                        rc = r == 0 ? add_name(t->names, l.hostname.p, virtname_host_key_len(l.hostname))
                                    : r == -ENOENT ? 0 : r;
                }
                virtname_iter_end(&it);
                if (rc != -ENOENT)
                        break;
                rc = 0;
        }
        return rc;
}

/* The names CHANGES (N) may have changed, over AFTER, into NAMES. */
static int touched_names(const struct virtname_view *after, struct virtname_change *const *changes, size_t n,
                         struct names *names)
{
        struct touched t = { .view = { NULL, after }, .names = names };
        struct virtname_view before;
        struct virtname_delta delta;
        uint8_t *buf = NULL;
        size_t direct;
        int rc = virtname_changes_before(after, changes, n, &buf, &delta, &before);

        t.view[0] = &before;
        /* 1. What the changed records name, before and after. */
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const struct virtname_change *c = changes[i];
                MDB_val value;
                int r = virtname_view_get(after, c->db, &(MDB_val){ c->klen, (void *)c->key }, &value);

                rc = r < 0 && r != -ENOENT ? r : seed(&t, c, r == 0 ? &value : NULL);
        }
        /* 2. The names that read the interfaces involved, and the
         *    addresses of their leases. */
        t.n_ifaces = unique(t.ifaces, t.n_ifaces, sizeof(*t.ifaces), cmp_iface);
        for (size_t i = 0; rc == 0 && i < t.n_ifaces; i++)
                rc = follow_iface(&t, &t.ifaces[i], true);
        /* 3. Those addresses leased on other interfaces (another network's
         *    lease of an address can decide what one answers): the names
         *    that read those interfaces. */
        direct = t.n_ifaces;
        t.n_addrs = unique(t.addrs, t.n_addrs, sizeof(*t.addrs), cmp_addr);
        for (size_t i = 0; rc == 0 && i < t.n_addrs; i++)
                rc = hop_addr(&t, &t.addrs[i]);
        if (t.n_ifaces > direct)
                t.n_ifaces = direct + unique(t.ifaces + direct, t.n_ifaces - direct, sizeof(*t.ifaces), cmp_iface);
        for (size_t i = direct; rc == 0 && i < t.n_ifaces; i++)
                if (!bsearch(&t.ifaces[i], t.ifaces, direct, sizeof(*t.ifaces), cmp_iface))
                        rc = follow_iface(&t, &t.ifaces[i], false);
        free(buf);
        free(t.ifaces);
        free(t.addrs);
        return rc;
}

/* Every name the store may answer: domains', host keys, and the names
 * the answers database has. */
static int all_names(const struct virtname_view *v, struct names *names)
{
        static const enum virtname_db dbs[] = { VIRTNAME_DB_DNAMES, VIRTNAME_DB_HOSTIDX, VIRTNAME_DB_ANSWERS };
        int rc = 0;

        for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && rc == 0; i++) {
                struct virtname_iter it;
                MDB_val k, d;

                rc = virtname_iter_start(&it, v, dbs[i], NULL, 0);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                        const char *nul = memchr(k.mv_data, '\0', k.mv_size);

                        rc = add_name(names, k.mv_data, nul ? (size_t)(nul - (const char *)k.mv_data) : k.mv_size);
                }
                virtname_iter_end(&it);
                rc = rc == -ENOENT ? 0 : rc;
        }
        return rc;
}

int virtname_answers_update(const struct virtname_view *v, struct virtname_change *const *changes, size_t n,
                            bool whole, int64_t now, virtname_answers_put_fn put, void *ctx)
{
        struct names names = { 0 };
        struct deriver *d = NULL;
        int rc = whole ? all_names(v, &names) : touched_names(v, changes, n, &names);

        names_unique(&names);
        if (rc == 0 && names.n && !(d = calloc(1, sizeof(*d))))
                rc = -ENOMEM;
        for (size_t i = 0; rc == 0 && i < names.n; i++) {
                const char *key = names.pool + names.at[i];
                size_t len;

                rc = derive(d, v, key, now, &len);
                if (rc == 0)
                        rc = put(ctx, key, len ? d->buf : NULL, len);
        }
        if (d)
                free(d->buf);
        free(d);
        free(names.pool);
        free(names.at);
        return rc;
}
