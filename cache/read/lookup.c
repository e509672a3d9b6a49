/* lookup.c - name, address and domain lookups, and the rules of who owns
 * a name (lookup.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/reserved.h"

bool virtname_lease_current(const struct virtname_lease_view *l, int64_t now)
{
        return l->expiry == 0 || l->expiry > now;
}

static int get_lease(const struct virtname_view *v, const uint8_t *lease_key, size_t len,
                     struct virtname_lease_view *out)
{
        MDB_val k = { len, (void *)lease_key }, d;
        int rc = virtname_view_get(v, VIRTNAME_DB_LEASES, &k, &d);

        return rc < 0 ? rc : virtname_lease_decode(d.mv_data, d.mv_size, out);
}

int virtname_get_domain(const struct virtname_view *v, const MDB_val *key,
                        struct virtname_domain_view *out)
{
        MDB_val d;
        int rc = virtname_view_get(v, VIRTNAME_DB_DOMAINS, key, &d);

        return rc < 0 ? rc : virtname_domain_decode(d.mv_data, d.mv_size, out);
}

/* Is NETWORK running?  Its leases answer only then: a stopped network's
 * leases are kept for when it starts again (dnsmasq then reports them
 * anew), but nobody is there.  A network the store has no record of
 * (leases seen on a bridge libvirt did not name) counts as running. */
static int network_running(const struct virtname_view *v, struct virtname_str network)
{
        MDB_val k = { network.len, (void *)network.p }, d;
        struct virtname_network_view n;
        int rc;

        if (network.len == 0)
                return 1;
        rc = virtname_view_get(v, VIRTNAME_DB_NETWORKS, &k, &d);
        if (rc == -ENOENT)
                return 1;
        if (rc == 0)
                rc = virtname_network_decode(d.mv_data, d.mv_size, &n);
        return rc == -EBADMSG ? 1 : rc < 0 ? rc : n.active;
}

/* --- one (network, MAC): its leases and its owner ---------------------- */

/* Which of two current leases of one (network, MAC, family) answers: a
 * static host's, then the one its client asked for last (a guest that
 * takes a shorter lease, or leases never expire, must not lose its name
 * to a spoofer of its MAC), then the latest expiry, then the higher
 * address. */
static bool newer(const struct virtname_lease_view *a, const struct virtname_lease_view *b)
{
        bool as = a->flags & VIRTNAME_LEASE_STATIC, bs = b->flags & VIRTNAME_LEASE_STATIC;

        if (as != bs)
                return as;
        if (a->seen != b->seen)
                return a->seen > b->seen;
        if (a->expiry != b->expiry)
                return a->expiry == 0 || (b->expiry != 0 && a->expiry > b->expiry);
        return memcmp(a->addr, b->addr, 16) > 0;
}

static int family_slot(int family)
{
        return family == AF_INET6 ? 1 : 0;
}

typedef int (*lease_fn)(const struct virtname_lease_view *l, void *ctx);

/* Call FN for each current lease indexed under (NETWORK, MAC) whose record
 * agrees with the index. */
static int walk_iface(const struct virtname_view *v, struct virtname_str network,
                      const uint8_t *mac, int64_t now, lease_fn fn, void *ctx)
{
        uint8_t prefix[VIRTNAME_KEY_MAX];
        size_t plen = virtname_iface_prefix(network, mac, prefix);
        struct virtname_iter it;
        struct virtname_lease_view l;
        MDB_val k, d;
        int rc;

        if (plen == 0)
                return 0;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_IFACEIDX, prefix, plen);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                uint8_t lkey[VIRTNAME_LEASE_KEY_MAX];
                int r;

                /* The entry ends with the address key; the lease key is
                 * that and the network's name. */
                if (k.mv_size != plen + VIRTNAME_ADDR_KEY_LEN)
                        continue;
                memcpy(lkey, (const uint8_t *)k.mv_data + plen, VIRTNAME_ADDR_KEY_LEN);
                memcpy(lkey + VIRTNAME_ADDR_KEY_LEN, network.p, network.len);
                r = get_lease(v, lkey, VIRTNAME_ADDR_KEY_LEN + network.len, &l);
                if (r == -ENOENT || r == -EBADMSG)
                        continue;       /* an index entry without its lease: nothing to answer */
                if (r < 0) {
                        rc = r;
                        break;
                }
                if (!(l.flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(l.mac, mac, VIRTNAME_MAC_LEN) != 0 ||
                    l.network.len != network.len || memcmp(l.network.p, network.p, network.len) != 0 ||
                    !virtname_lease_current(&l, now))
                        continue;
                if ((rc = fn(&l, ctx)) != 0)
                        break;
        }
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : rc;
}

struct top {
        bool have[2];
        struct virtname_lease_view best[2];
};

static int keep_top(const struct virtname_lease_view *l, void *ctx)
{
        struct top *t = ctx;
        int s = family_slot(l->family);

        if (!t->have[s] || newer(l, &t->best[s])) {
                t->best[s] = *l;
                t->have[s] = true;
        }
        return 0;
}

static int iface_top(const struct virtname_view *v, struct virtname_str network, const uint8_t *mac,
                     int64_t now, struct top *t)
{
        memset(t, 0, sizeof(*t));
        return walk_iface(v, network, mac, now, keep_top, t);
}

static bool same_lease(const struct virtname_lease_view *a, const struct virtname_lease_view *b)
{
        return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

struct each_iface {
        struct top top;
        virtname_iface_lease_cb cb;
        void *ctx;
};

static int call_each(const struct virtname_lease_view *l, void *ctx)
{
        struct each_iface *e = ctx;
        int s = family_slot(l->family);

        return e->cb(l, e->top.have[s] && same_lease(l, &e->top.best[s]), e->ctx);
}

int virtname_iface_leases(const struct virtname_view *v, struct virtname_str network,
                          const uint8_t mac[VIRTNAME_MAC_LEN], int64_t now,
                          virtname_iface_lease_cb cb, void *ctx)
{
        struct each_iface e = { .cb = cb, .ctx = ctx };
        int rc = iface_top(v, network, mac, now, &e.top);

        return rc < 0 ? rc : walk_iface(v, network, mac, now, call_each, &e);
}

int virtname_lease_answering(const struct virtname_view *v, const struct virtname_lease_view *l,
                             int64_t now)
{
        struct virtname_domain_view owner;
        struct top t;
        int rc, s = family_slot(l->family);

        if (!virtname_lease_current(l, now))
                return 0;
        if ((rc = network_running(v, l->network)) <= 0)
                return rc;
        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || l->network.len == 0)
                return 1;       /* no (network, MAC) to share with another lease */
        rc = iface_top(v, l->network, l->mac, now, &t);
        if (rc < 0 || !t.have[s] || !same_lease(l, &t.best[s]))
                return rc < 0 ? rc : 0;
        /* The lease of a domain that is shut off is left over from when it
         * ran: nobody is there to answer. */
        rc = virtname_iface_owner(v, l->network, l->mac, &owner);
        if (rc == -ENOENT)
                return 1;
        return rc < 0 ? rc : owner.state != VIRTNAME_STATE_SHUTOFF;
}

/* Does domain D list the interface (NETWORK, MAC)? */
static bool has_iface(const struct virtname_domain_view *d, struct virtname_str network,
                      const uint8_t *mac)
{
        struct virtname_iface_view f;
        size_t pos = 0;

        while (virtname_domain_iface_next(d, &pos, &f))
                if (memcmp(f.mac, mac, VIRTNAME_MAC_LEN) == 0 && f.network.len == network.len &&
                    memcmp(f.network.p, network.p, network.len) == 0)
                        return true;
        return false;
}

int virtname_iface_owner(const struct virtname_view *v, struct virtname_str network,
                         const uint8_t mac[VIRTNAME_MAC_LEN], struct virtname_domain_view *out)
{
        uint8_t prefix[VIRTNAME_KEY_MAX];
        size_t plen = virtname_iface_prefix(network, mac, prefix);
        struct virtname_domain_view d, running;
        struct virtname_iter it;
        int rc, n = 0, n_running = 0;
        MDB_val k, data;

        if (plen == 0)
                return -ENOENT;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_OWNERS, prefix, plen);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &data)) == 0) {
                MDB_val dk = { k.mv_size - plen, (uint8_t *)k.mv_data + plen };
                int r;

                if (k.mv_size <= plen)
                        continue;
                r = virtname_get_domain(v, &dk, &d);
                if (r == -ENOENT || r == -EBADMSG || (r == 0 && !has_iface(&d, network, mac)))
                        continue;       /* a stale index entry owns nothing */
                if (r < 0) {
                        rc = r;
                        break;
                }
                if (n++ == 0)
                        *out = d;
                if (d.state == VIRTNAME_STATE_RUNNING && n_running++ == 0)
                        running = d;
        }
        virtname_iter_end(&it);
        if (rc != -ENOENT)
                return rc;
        if (n == 1)
                return 0;
        if (n_running == 1) {
                *out = running;
                return 0;
        }
        return -ENOENT;         /* nobody, or nobody for certain */
}

/* --- forward ------------------------------------------------------------ */

struct collect {
        struct virtname_answer *answer;
        int family;
        const char *suffix;            /* keep only leases on networks with this domain */
};

static void add(struct collect *c, const struct virtname_lease_view *l)
{
        struct virtname_answer *a = c->answer;
        struct virtname_addr *slot;

        if (c->suffix && !virtname_str_eq(l->suffix, c->suffix))
                return;
        a->known = true;
        if (c->family != AF_UNSPEC && l->family != c->family)
                return;
        for (size_t i = 0; i < a->n; i++)
                if (a->addr[i].family == l->family && memcmp(a->addr[i].addr, l->addr, 16) == 0)
                        return;
        if (a->n == VIRTNAME_ANSWER_MAX) {
                a->dropped++;
                return;
        }
        slot = &a->addr[a->n++];
        slot->family = l->family;
        memcpy(slot->addr, l->addr, 16);
        slot->expiry = l->expiry;
}

/* Is the domain view D the one stored under KEY? */
static bool is_domain_key(const struct virtname_domain_view *d, const char *key, size_t len)
{
        char dk[VIRTNAME_NAME_MAX + 1], name[VIRTNAME_NAME_MAX + 1];

        if (d->name.len > VIRTNAME_NAME_MAX)
                return false;
        memcpy(name, d->name.p, d->name.len);
        name[d->name.len] = '\0';
        return virtname_name_normalise(name, dk) == (int)len && memcmp(dk, key, len) == 0;
}

/* Rule 1: the domain KEY names, through the interfaces it owns. */
static int resolve_domain(const struct virtname_view *v, const struct virtname_domain_view *dom,
                          const char *key, size_t len, struct collect *c, int64_t now)
{
        struct virtname_iface_view f;
        size_t pos = 0;

        c->answer->source = VIRTNAME_SRC_DOMAIN;
        if (!c->suffix)
                c->answer->known = true;
        /* A domain that is shut off keeps its name, without addresses. */
        while (dom->state != VIRTNAME_STATE_SHUTOFF && virtname_domain_iface_next(dom, &pos, &f)) {
                struct virtname_domain_view owner;
                struct top t;
                int rc = virtname_iface_owner(v, f.network, f.mac, &owner);

                if (rc == -ENOENT || (rc == 0 && !is_domain_key(&owner, key, len)))
                        continue;
                if (rc == 0 && (rc = network_running(v, f.network)) == 0)
                        continue;
                if (rc > 0)
                        rc = iface_top(v, f.network, f.mac, now, &t);
                if (rc < 0)
                        return rc;
                for (int s = 0; s < 2; s++)
                        if (t.have[s])
                                add(c, &t.best[s]);
        }
        return 0;
}

/* Rules 2 and 3: the leases carrying host key KEY, static ones (names an
 * administrator set) or else the ones guests sent. */
static int resolve_hosts(const struct virtname_view *v, const char *key, size_t len,
                         struct collect *c, int64_t now, bool statics)
{
        uint8_t prefix[VIRTNAME_KEY_MAX];
        size_t plen = virtname_hostidx_prefix((struct virtname_str){ key, len }, prefix);
        struct virtname_lease_view l;
        struct virtname_iter it;
        MDB_val k, d;
        int rc;

        if (plen == 0)
                return 0;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_HOSTIDX, prefix, plen);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                int r;

                if (k.mv_size < plen + VIRTNAME_ADDR_KEY_LEN || k.mv_size > plen + VIRTNAME_LEASE_KEY_MAX)
                        continue;
                r = get_lease(v, (const uint8_t *)k.mv_data + plen, k.mv_size - plen, &l);
                if (r == -ENOENT || r == -EBADMSG)
                        continue;
                if (r == 0 && !(l.flags & VIRTNAME_LEASE_STATIC) == statics)
                        continue;
                if (r == 0)
                        r = virtname_lease_answering(v, &l, now);
                if (r < 0) {
                        rc = r;
                        break;
                }
                if (r == 1)
                        add(c, &l);
        }
        virtname_iter_end(&it);
        if (rc != -ENOENT)
                return rc;
        if (c->answer->known)
                c->answer->source = statics ? VIRTNAME_SRC_STATIC : VIRTNAME_SRC_GUEST;
        return 0;
}

static int resolve_key(const struct virtname_view *v, const char *key, size_t len,
                       struct collect *c, int64_t now)
{
        MDB_val k = { len, (void *)key };
        struct virtname_domain_view dom;
        int rc = virtname_get_domain(v, &k, &dom);

        if (rc == 0)
                return resolve_domain(v, &dom, key, len, c, now);
        if (rc != -ENOENT)
                return rc;
        rc = resolve_hosts(v, key, len, c, now, true);
        if (rc < 0 || c->answer->known)
                return rc;
        return resolve_hosts(v, key, len, c, now, false);
}

int virtname_resolve(const struct virtname_view *v, const char *name, int family, int64_t now,
                     struct virtname_answer *answer)
{
        char key[VIRTNAME_NAME_MAX + 1], base[VIRTNAME_NAME_MAX + 1];
        struct collect c = { answer, family, NULL };
        const char *suffix;
        size_t base_len;
        int len = virtname_name_normalise(name, key);
        int rc;

        memset(answer, 0, offsetof(struct virtname_answer, addr));
        /* The host's names and /etc/hosts cost a system call each: they
         * are asked only about a name the store would answer. */
        if (len < 0 || virtname_name_reserved_fixed(key))
                return 0;
        rc = resolve_key(v, key, (size_t)len, &c, now);
        if (rc < 0)
                return rc;
        if ((answer->known || answer->n || answer->source == VIRTNAME_SRC_DOMAIN) && virtname_name_reserved(key))
                goto refuse;
        if (answer->known || answer->source == VIRTNAME_SRC_DOMAIN)
                return 0;
        if (!virtname_name_split(key, &base_len, &suffix))
                return 0;
        memcpy(base, key, base_len);
        base[base_len] = '\0';
        if (virtname_name_reserved_fixed(base))
                return 0;
        memset(answer, 0, offsetof(struct virtname_answer, addr));
        c.suffix = suffix;
        rc = resolve_key(v, base, base_len, &c, now);
        if (rc == 0 && (answer->known || answer->n) &&
            (virtname_name_reserved(key) || virtname_name_reserved(base)))
                goto refuse;
        return rc;
refuse:
        memset(answer, 0, offsetof(struct virtname_answer, addr));
        return 0;
}

/* --- reverse ------------------------------------------------------------ */

static void copy_str(char *dst, size_t cap, struct virtname_str s)
{
        size_t n = s.len < cap - 1 ? s.len : cap - 1;

        memcpy(dst, s.p, n);
        dst[n] = '\0';
}

/* May a guest be called HOSTNAME in reverse?  Not when the name, or its
 * first label, is reserved or is a name an administrator set. */
static int guest_name_free(const struct virtname_view *v, const char *hostname, int64_t now)
{
        char key[VIRTNAME_NAME_MAX + 1], label[VIRTNAME_NAME_MAX + 1];
        struct virtname_domain_view dom;
        struct collect c;
        struct virtname_answer probe;
        int len = virtname_name_normalise(hostname, key), rc;
        size_t first;

        if (len < 0 || virtname_name_reserved(key))
                return 0;
        first = strcspn(key, ".");
        memcpy(label, key, first);
        label[first] = '\0';
        if (virtname_name_reserved(label))
                return 0;
        for (int i = 0; i < 2; i++) {
                const char *k = i ? label : key;

                rc = virtname_get_domain(v, &(MDB_val){ strlen(k), (void *)k }, &dom);
                if (rc == 0)
                        return 0;
                if (rc != -ENOENT)
                        return rc;
        }
        memset(&probe, 0, offsetof(struct virtname_answer, addr));
        c = (struct collect){ &probe, AF_UNSPEC, NULL };
        rc = resolve_hosts(v, label, first, &c, now, true);
        return rc < 0 ? rc : !probe.known;
}

int virtname_lease_name(const struct virtname_view *v, const struct virtname_lease_view *lease, int64_t now,
                       struct virtname_reverse *out)
{
        struct virtname_domain_view dom;
        char nkey[VIRTNAME_NAME_MAX + 1];
        size_t nlen;
        int rc;

        out->source = VIRTNAME_SRC_NONE;
        if ((lease->flags & VIRTNAME_LEASE_HAS_MAC) && lease->network.len) {
                rc = virtname_iface_owner(v, lease->network, lease->mac, &dom);
                if (rc < 0 && rc != -ENOENT)
                        return rc;
                if (rc == 0) {
                        copy_str(out->name, sizeof(out->name), dom.name);
                        out->source = VIRTNAME_SRC_DOMAIN;
                }
        }
        if (out->source == VIRTNAME_SRC_NONE && lease->hostname.len) {
                copy_str(out->name, sizeof(out->name), lease->hostname);
                if (lease->flags & VIRTNAME_LEASE_STATIC) {
                        out->source = VIRTNAME_SRC_STATIC;
                } else {
                        rc = guest_name_free(v, out->name, now);
                        if (rc < 0)
                                return rc;
                        if (rc == 1)
                                out->source = VIRTNAME_SRC_GUEST;
                }
        }
        if (out->source == VIRTNAME_SRC_NONE ||
            virtname_name_normalise(out->name, nkey) < 0 || virtname_name_reserved(nkey))
                return -ENOENT;
        out->fqdn[0] = '\0';
        nlen = strlen(out->name);
        if (lease->suffix.len > 0 && nlen + 1 + lease->suffix.len <= VIRTNAME_NAME_MAX) {
                memcpy(out->fqdn, out->name, nlen);
                out->fqdn[nlen] = '.';
                memcpy(out->fqdn + nlen + 1, lease->suffix.p, lease->suffix.len);
                out->fqdn[nlen + 1 + lease->suffix.len] = '\0';
                if (virtname_name_normalise(out->fqdn, nkey) < 0 || virtname_name_reserved(nkey))
                        out->fqdn[0] = '\0';
        }
        out->expiry = lease->expiry;
        return 0;
}

int virtname_reverse(const struct virtname_view *v, int family, const void *addr, int64_t now,
                     struct virtname_reverse *out)
{
        uint8_t key[VIRTNAME_ADDR_KEY_LEN], full[16] = { 0 };
        struct virtname_lease_view lease;
        struct virtname_reverse cand;
        struct virtname_iter it;
        MDB_val k, d;
        int rc;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        virtname_addr_key(family, full, key);
        out->source = VIRTNAME_SRC_NONE;
        /* One address may be leased on several networks (their ranges can
         * overlap): an administrator's name wins, then the first network. */
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, key, sizeof(key));
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                int r;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &lease) < 0)
                        continue;
                r = virtname_lease_answering(v, &lease, now);
                if (r == 1) {
                        /* Sources are numbered best first. */
                        r = virtname_lease_name(v, &lease, now, &cand);
                        if (r == 0 && (out->source == VIRTNAME_SRC_NONE || cand.source < out->source))
                                *out = cand;
                        if (r == -ENOENT)
                                r = 0;
                }
                if (r < 0) {
                        rc = r;
                        break;
                }
        }
        virtname_iter_end(&it);
        if (rc != -ENOENT)
                return rc;
        return out->source == VIRTNAME_SRC_NONE ? -ENOENT : 0;
}

/* --- domains by name, UUID, ID; meta data -------------------------------- */

static bool parse_id(const char *s, uint32_t *id)
{
        uint64_t v = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > INT32_MAX)
                        return false;
        }
        *id = (uint32_t)v;
        return true;
}

int virtname_find_domain(const struct virtname_view *v, const char *what,
                         struct virtname_domain_view *out)
{
        char key[VIRTNAME_NAME_MAX + 1];
        uint8_t uuid[VIRTNAME_UUID_LEN], idkey[4];
        enum virtname_db index;
        uint32_t id;
        MDB_val k, name;
        int len = virtname_name_normalise(what, key), rc;

        if (len > 0) {
                k = (MDB_val){ (size_t)len, key };
                rc = virtname_get_domain(v, &k, out);
                if (rc != -ENOENT)
                        return rc;
        }
        if (virtname_uuid_parse(what, uuid)) {
                index = VIRTNAME_DB_UUIDS;
                k = (MDB_val){ sizeof(uuid), uuid };
        } else if (parse_id(what, &id)) {
                index = VIRTNAME_DB_IDS;
                virtname_id_key(id, idkey);
                k = (MDB_val){ sizeof(idkey), idkey };
        } else {
                return -ENOENT;
        }
        rc = virtname_view_get(v, index, &k, &name);
        return rc < 0 ? rc : virtname_get_domain(v, &name, out);
}

/* A meta number; REQUIRED ones must be there, others are 0 until set. */
static uint64_t meta_uint(const struct virtname_view *v, const char *name, size_t n, bool required,
                          int *rc)
{
        MDB_val k = { strlen(name), (void *)name }, d;
        uint64_t val = 0;
        int r = virtname_view_get(v, VIRTNAME_DB_META, &k, &d);

        if (r == -ENOENT && !required)
                return 0;
        if (r == 0 && d.mv_size != n)
                r = -EBADMSG;
        for (size_t i = 0; r == 0 && i < n; i++)
                val |= (uint64_t)((const uint8_t *)d.mv_data)[i] << (8 * i);
        if (r < 0 && *rc == 0)
                *rc = r;
        return val;
}

int virtname_get_meta(const struct virtname_view *v, struct virtname_meta *out)
{
        int rc = 0;

        out->schema = (uint32_t)meta_uint(v, "schema", 4, true, &rc);
        out->generation = meta_uint(v, "generation", 8, false, &rc);
        out->updated = (int64_t)meta_uint(v, "updated", 8, false, &rc);
        return rc;
}
