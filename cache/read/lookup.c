/* lookup.c - name, address and domain lookups, and the rules of who owns
 * a name (lookup.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/reserved.h"
#include "cache/read/wire.h"

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

int virtname_get_lease(const struct virtname_view *v, int family, const uint8_t *addr, struct virtname_str network,
                       struct virtname_lease_view *out)
{
        uint8_t key[VIRTNAME_LEASE_KEY_MAX], full[16] = { 0 };
        size_t len;
        int rc;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        if (!(len = virtname_lease_key(family, full, network, key)))
                return -ENOENT;
        rc = get_lease(v, key, len, out);
        return rc == -EBADMSG ? -ENOENT : rc;
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

int virtname_network_of_bridge(const struct virtname_view *v, const char *bridge, char name[VIRTNAME_NAME_MAX + 1],
                               char suffix[VIRTNAME_NAME_MAX + 1])
{
        struct virtname_network_view n;
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_NETWORKS, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                if (virtname_network_decode(d.mv_data, d.mv_size, &n) < 0 ||
                    !virtname_str_eq(n.bridge, bridge))
                        continue;
                snprintf(name, VIRTNAME_NAME_MAX + 1, "%.*s", (int)n.name.len, n.name.p);
                snprintf(suffix, VIRTNAME_NAME_MAX + 1, "%.*s", (int)n.suffix.len, n.suffix.p);
                virtname_iter_end(&it);
                return 0;
        }
        virtname_iter_end(&it);
        return -ENOENT;
}

/* --- one (network, MAC): its leases and its owner ---------------------- */

/* Which of two current leases of one (network, MAC, family) answers: the
 * stronger (an administrator's, then one the domain's port answers for:
 * a guest that puts this MAC in its DHCP payload gets a lease with it,
 * but not an answer from this port; then one the domain's agent
 * reported), then the one its client asked for (or was seen) last (a
 * guest that takes a shorter lease, or leases never expire, must not
 * lose its name to a spoofer of its MAC), then the latest expiry (0 =
 * never), then the higher address. */
static bool newer(const struct virtname_lease_view *a, enum virtname_rank a_rank,
                  const struct virtname_lease_view *b, enum virtname_rank b_rank)
{
        if (a_rank != b_rank)
                return a_rank > b_rank;
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

/* The port of domain D's interface (NETWORK, MAC): true when D lists it. */
static bool iface_of(const struct virtname_domain_view *d, struct virtname_str network, const uint8_t *mac,
                     struct virtname_iface_view *out)
{
        size_t pos = 0;

        while (virtname_domain_iface_next(d, &pos, out))
                if (memcmp(out->mac, mac, VIRTNAME_MAC_LEN) == 0 && out->network.len == network.len &&
                    memcmp(out->network.p, network.p, network.len) == 0)
                        return true;
        return false;
}

/* Does the port evidence of lease L hold for OWNER (NULL: no owner)?  Only
 * in the run of the domain it was seen in, on the port it was seen on. */
static bool proven_for(const struct virtname_lease_view *l, const struct virtname_domain_view *owner)
{
        struct virtname_iface_view f;

        return owner && l->evidence == VIRTNAME_EV_PORT && owner->state == VIRTNAME_STATE_RUNNING &&
               owner->id >= 0 && owner->id == l->proved_id && iface_of(owner, l->network, l->mac, &f) &&
               f.port.len > 0 && f.port.len == l->port.len && memcmp(f.port.p, l->port.p, f.port.len) == 0;
}

/* Does OWNER's guest agent's report of lease L hold?  In the run of the
 * domain it was made in, for one of the domain's own interfaces. */
static bool agent_for(const struct virtname_lease_view *l, const struct virtname_domain_view *owner)
{
        struct virtname_iface_view f;

        return owner && l->evidence == VIRTNAME_EV_AGENT && owner->state == VIRTNAME_STATE_RUNNING &&
               owner->id >= 0 && owner->id == l->proved_id && iface_of(owner, l->network, l->mac, &f);
}

/* How strongly lease L is the address of OWNER's interface (NULL: no
 * owner). */
static enum virtname_rank rank_for(const struct virtname_lease_view *l, const struct virtname_domain_view *owner)
{
        if (l->flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN))
                return VIRTNAME_RANK_ADMIN;
        if (proven_for(l, owner))
                return VIRTNAME_RANK_PORT;
        return agent_for(l, owner) ? VIRTNAME_RANK_AGENT : VIRTNAME_RANK_NONE;
}

int virtname_lease_proven(const struct virtname_view *v, const struct virtname_lease_view *l)
{
        struct virtname_domain_view owner;
        int rc;

        if (l->evidence != VIRTNAME_EV_PORT || !(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len)
                return 0;
        rc = virtname_iface_owner(v, l->network, l->mac, &owner);
        if (rc == -ENOENT)
                return 0;
        return rc < 0 ? rc : proven_for(l, &owner);
}

int virtname_lease_rank(const struct virtname_view *v, const struct virtname_lease_view *l)
{
        struct virtname_domain_view owner;
        int rc;

        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len)
                return rank_for(l, NULL);
        rc = virtname_iface_owner(v, l->network, l->mac, &owner);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        return (int)rank_for(l, rc == 0 ? &owner : NULL);
}

struct top {
        bool have[2];
        enum virtname_rank rank[2];
        struct virtname_lease_view best[2];
        const struct virtname_domain_view *owner;      /* of the (network, MAC), or NULL */
        size_t observed;                               /* observed addresses among them */
};

/* Does lease L answer besides the one its (network, MAC) answers with
 * per family: an observed address (seen, or reported by the guest
 * agent) backed in this run?  A guest may use several at once, and its
 * port answered for each (or its agent reported it); stale ones go at
 * the port's silence or their expiry. */
static bool also_answers(const struct virtname_lease_view *l, enum virtname_rank rank)
{
        return (l->flags & VIRTNAME_LEASE_OBSERVED) && (rank == VIRTNAME_RANK_PORT || rank == VIRTNAME_RANK_AGENT);
}

static int keep_top(const struct virtname_lease_view *l, void *ctx)
{
        struct top *t = ctx;
        int s = family_slot(l->family);
        enum virtname_rank rank = rank_for(l, t->owner);

        t->observed += (l->flags & VIRTNAME_LEASE_OBSERVED) != 0;
        if (!t->have[s] || newer(l, rank, &t->best[s], t->rank[s])) {
                t->best[s] = *l;
                t->rank[s] = rank;
                t->have[s] = true;
        }
        return 0;
}

/* The answering lease of each family of (NETWORK, MAC), whose owner is
 * OWNER (NULL: none; it decides which leases are proven). */
static int iface_top(const struct virtname_view *v, struct virtname_str network, const uint8_t *mac,
                     int64_t now, const struct virtname_domain_view *owner, struct top *t)
{
        memset(t, 0, sizeof(*t));
        t->owner = owner;
        return walk_iface(v, network, mac, now, keep_top, t);
}

/* The owner of (NETWORK, MAC) into *D and OWNER pointing at it, or OWNER
 * NULL when nobody (for certain) owns it. */
static int owner_of(const struct virtname_view *v, struct virtname_str network, const uint8_t *mac,
                    struct virtname_domain_view *d, const struct virtname_domain_view **owner)
{
        int rc = virtname_iface_owner(v, network, mac, d);

        *owner = rc == 0 ? d : NULL;
        return rc == -ENOENT ? 0 : rc;
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

        return e->cb(l, (e->top.have[s] && same_lease(l, &e->top.best[s])) || also_answers(l, rank_for(l, e->top.owner)),
                     e->ctx);
}

int virtname_iface_leases(const struct virtname_view *v, struct virtname_str network,
                          const uint8_t mac[VIRTNAME_MAC_LEN], int64_t now,
                          virtname_iface_lease_cb cb, void *ctx)
{
        struct each_iface e = { .cb = cb, .ctx = ctx };
        const struct virtname_domain_view *owner;
        struct virtname_domain_view d;
        int rc = owner_of(v, network, mac, &d, &owner);

        if (rc == 0)
                rc = iface_top(v, network, mac, now, owner, &e.top);
        return rc < 0 ? rc : walk_iface(v, network, mac, now, call_each, &e);
}

int virtname_lease_answering(const struct virtname_view *v, const struct virtname_lease_view *l,
                             int64_t now)
{
        const struct virtname_domain_view *owner;
        struct virtname_domain_view d;
        struct top t;
        int rc, s = family_slot(l->family);

        if (!virtname_lease_current(l, now))
                return 0;
        if ((rc = network_running(v, l->network)) <= 0)
                return rc;
        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || l->network.len == 0)
                return 1;       /* no (network, MAC) to share with another lease */
        if ((rc = owner_of(v, l->network, l->mac, &d, &owner)) < 0)
                return rc;
        rc = iface_top(v, l->network, l->mac, now, owner, &t);
        if (rc < 0)
                return rc;
        if ((!t.have[s] || !same_lease(l, &t.best[s])) && !also_answers(l, rank_for(l, owner)))
                return 0;
        /* The lease of a domain that is shut off is left over from when it
         * ran: nobody is there to answer. */
        return !owner || owner->state != VIRTNAME_STATE_SHUTOFF;
}

/* Does domain D list the interface (NETWORK, MAC)? */
static bool has_iface(const struct virtname_domain_view *d, struct virtname_str network,
                      const uint8_t *mac)
{
        struct virtname_iface_view f;

        return iface_of(d, network, mac, &f);
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

static void add(struct collect *c, const struct virtname_lease_view *l, enum virtname_rank rank)
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
        slot->rank = rank;
}

/* Are A and B the same domain (the same key: its exact name)? */
static bool same_domain(const struct virtname_domain_view *a, const struct virtname_domain_view *b)
{
        return a->name.len == b->name.len && memcmp(a->name.p, b->name.p, a->name.len) == 0;
}

/* Does a lease of L's address on another network hold it as an
 * administrator's or a port's answer?  A guest agent's report of that
 * address is then not its domain's (it never displaces a stronger
 * source).  1, 0, or a negative errno. */
static int held_elsewhere(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now)
{
        uint8_t key[VIRTNAME_ADDR_KEY_LEN];
        struct virtname_lease_view other;
        struct virtname_iter it;
        MDB_val k, d;
        int rc, held = 0;

        virtname_addr_key(l->family, l->addr, key);
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, key, sizeof(key));
        while (rc == 0 && !held && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                int r;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &other) < 0 ||
                    (other.network.len == l->network.len && memcmp(other.network.p, l->network.p, l->network.len) == 0))
                        continue;
                if ((r = virtname_lease_rank(v, &other)) >= VIRTNAME_RANK_PORT)
                        r = virtname_lease_answering(v, &other, now);
                else if (r > 0)
                        r = 0;
                if (r < 0) {
                        rc = r;
                        break;
                }
                held = r;
        }
        virtname_iter_end(&it);
        return rc == 0 || rc == -ENOENT ? held : rc;
}

/* Add lease L of rank RANK to C, unless it is only an agent's report of
 * an address held more strongly elsewhere.  0 or a negative errno. */
static int add_backed(const struct virtname_view *v, struct collect *c, const struct virtname_lease_view *l,
                      enum virtname_rank rank, int64_t now)
{
        int rc = rank == VIRTNAME_RANK_AGENT ? held_elsewhere(v, l, now) : 0;

        if (rc == 0)
                add(c, l, rank);
        return rc < 0 ? rc : 0;
}

/* The observed addresses beside the top ones (also_answers()). */
struct more {
        const struct virtname_view *v;
        struct collect *c;
        const struct virtname_domain_view *owner;
        int64_t now;
};

static int add_more(const struct virtname_lease_view *l, void *ctx)
{
        struct more *m = ctx;
        enum virtname_rank rank = rank_for(l, m->owner);

        return also_answers(l, rank) ? add_backed(m->v, m->c, l, rank, m->now) : 0;
}

/* Rule 1: domain DOM, through the interfaces it owns, with the addresses
 * its own ports answer for, an administrator gave it, or its own guest
 * agent reported (unless held more strongly elsewhere). */
static int resolve_domain(const struct virtname_view *v, const struct virtname_domain_view *dom,
                          struct collect *c, int64_t now)
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

                if (rc == -ENOENT || (rc == 0 && !same_domain(&owner, dom)))
                        continue;
                if (rc == 0 && (rc = network_running(v, f.network)) == 0)
                        continue;
                if (rc > 0)
                        rc = iface_top(v, f.network, f.mac, now, &owner, &t);
                if (rc < 0)
                        return rc;
                for (int s = 0; s < 2 && rc >= 0; s++)
                        if (t.have[s] && t.rank[s] >= VIRTNAME_RANK_AGENT)
                                rc = add_backed(v, c, &t.best[s], t.rank[s], now);
                if (rc >= 0 && t.observed) {
                        struct more m = { v, c, &owner, now };

                        rc = walk_iface(v, f.network, f.mac, now, add_more, &m);
                }
                if (rc < 0)
                        return rc;
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
                /* An administrator's name stays theirs while its network
                 * is stopped, as a shut-off domain's does: known, no
                 * address; and under every network's domain, as a domain
                 * name is: no guest gets it there either. */
                if (r == 0 && statics) {
                        c->answer->source = VIRTNAME_SRC_STATIC;
                        if (!c->suffix || virtname_str_eq(l.suffix, c->suffix))
                                c->answer->known = true;
                }
                if (r == 0)
                        r = virtname_lease_answering(v, &l, now);
                if (r < 0) {
                        rc = r;
                        break;
                }
                if (r == 1)
                        add(c, &l, statics ? VIRTNAME_RANK_ADMIN : VIRTNAME_RANK_NONE);
        }
        virtname_iter_end(&it);
        if (rc != -ENOENT)
                return rc;
        if (c->answer->known)
                c->answer->source = statics ? VIRTNAME_SRC_STATIC : VIRTNAME_SRC_GUEST;
        return 0;
}

/* Walk the domains named KEY (normalised, LEN bytes) in any case: the
 * key of the one spelt EXACT into *FOUND if there is one, else of the
 * first; *COUNT how many (0, 1, 2 for more).  Every lookup of a name
 * starts here: one seek, whether a domain has the name or not. */
static int domains_named(const struct virtname_view *v, const char *key, size_t len, const char *exact,
                         MDB_val *found, int *count)
{
        uint8_t prefix[VIRTNAME_NAME_MAX + 2];
        size_t elen = exact ? strlen(exact) : 0;
        struct virtname_iter it;
        bool exact_found = false;
        MDB_val k, d;
        int rc;

        *count = 0;
        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return 0;
        memcpy(prefix, key, len);
        prefix[len] = '\0';
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_DNAMES, prefix, len + 1);
        while (rc == 0 && !exact_found && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                MDB_val name = { k.mv_size - len - 1, (uint8_t *)k.mv_data + len + 1 };

                if (k.mv_size <= len + 1)
                        continue;
                exact_found = name.mv_size == elen && memcmp(name.mv_data, exact, elen) == 0;
                if ((*count)++ == 0 || exact_found)
                        *found = name;  /* points into the store, valid until the view ends */
                if (*count > 2)
                        *count = 2;
        }
        virtname_iter_end(&it);
        if (exact_found)
                *count = 1;
        return rc == 0 || rc == -ENOENT ? 0 : rc;
}

bool virtname_name_ambiguous(const struct virtname_view *v, const char *key)
{
        MDB_val found;
        int count;

        return domains_named(v, key, strlen(key), NULL, &found, &count) == 0 && count > 1;
}

int virtname_domain_by_name(const struct virtname_view *v, const char *name, struct virtname_domain_view *out)
{
        char exact[VIRTNAME_NAME_MAX + 1], key[VIRTNAME_NAME_MAX + 1];
        size_t n = strlen(name);
        MDB_val found;
        int len, rc, count;

        if (n > 1 && name[n - 1] == '.')
                n--;
        if (n == 0 || n > VIRTNAME_NAME_MAX)
                return -ENOENT;
        memcpy(exact, name, n);
        exact[n] = '\0';
        /* A name no lookup key can be made of is found by its exact
         * spelling only. */
        if ((len = virtname_name_normalise(exact, key)) < 0)
                return virtname_get_domain(v, &(MDB_val){ n, exact }, out);
        /* Exactly as spelt, or in another case when only one domain has
         * the name in any case (libvirt's names are case sensitive, DNS's
         * are not). */
        if ((rc = domains_named(v, key, (size_t)len, exact, &found, &count)) < 0)
                return rc;
        return count > 1 ? -ENOTUNIQ : count == 1 ? virtname_get_domain(v, &found, out) : -ENOENT;
}

/* The answer for KEY (normalised) that the user wrote as NAME. */
static int resolve_key(const struct virtname_view *v, const char *name, const char *key, size_t len,
                       struct collect *c, int64_t now)
{
        struct virtname_domain_view dom;
        int rc = virtname_domain_by_name(v, name, &dom);

        if (rc == 0)
                return resolve_domain(v, &dom, c, now);
        if (rc == -ENOTUNIQ) {
                /* Domains' name, in no case that says which: theirs, no
                 * address. */
                c->answer->source = VIRTNAME_SRC_DOMAIN;
                c->answer->known = !c->suffix;
                return 0;
        }
        if (rc != -ENOENT)
                return rc;
        rc = resolve_hosts(v, key, len, c, now, true);
        if (rc < 0 || c->answer->known || c->answer->source == VIRTNAME_SRC_STATIC)
                return rc;
        return resolve_hosts(v, key, len, c, now, false);
}

int virtname_resolve_rules(const struct virtname_view *v, const char *typed, const char *key, const char *suffix,
                           int family, int64_t now, struct virtname_answer *answer)
{
        struct collect c = { answer, family, suffix };

        memset(answer, 0, offsetof(struct virtname_answer, addr));
        return resolve_key(v, typed, key, strlen(key), &c, now);
}

int virtname_resolve_with(const struct virtname_view *v, const char *name, int family, int64_t now,
                          virtname_rules_fn rules, struct virtname_answer *answer)
{
        char key[VIRTNAME_NAME_MAX + 1], base[VIRTNAME_NAME_MAX + 1], typed[VIRTNAME_NAME_MAX + 1];
        const char *suffix;
        size_t base_len;
        int len = virtname_name_normalise(name, key);
        int rc;

        memset(answer, 0, offsetof(struct virtname_answer, addr));
        /* The host's names and /etc/hosts may cost system calls (once per
         * clock tick): they are asked only about a name the store would
         * answer. */
        if (len < 0 || virtname_name_reserved_fixed(key))
                return 0;
        rc = rules(v, name, key, NULL, family, now, answer);
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
        memcpy(typed, name, base_len);  /* the first label as written */
        typed[base_len] = '\0';
        if (virtname_name_reserved_fixed(base))
                return 0;
        rc = rules(v, typed, base, suffix, family, now, answer);
        if (rc == 0 && (answer->known || answer->n) &&
            (virtname_name_reserved(key) || virtname_name_reserved(base)))
                goto refuse;
        return rc;
refuse:
        memset(answer, 0, offsetof(struct virtname_answer, addr));
        return 0;
}

int virtname_resolve(const struct virtname_view *v, const char *name, int family, int64_t now,
                     struct virtname_answer *answer)
{
        return virtname_resolve_with(v, name, family, now, virtname_resolve_rules, answer);
}

bool virtname_answers_with(const struct virtname_view *v, const char *name, int family, const uint8_t *addr,
                           int64_t now)
{
        struct virtname_answer a;

        if (virtname_resolve(v, name, family, now, &a) < 0)
                return false;
        for (size_t i = 0; i < a.n; i++)
                if (a.addr[i].family == family && memcmp(a.addr[i].addr, addr, family == AF_INET ? 4 : 16) == 0)
                        return true;
        return false;
}

/* --- reverse ------------------------------------------------------------ */

static void copy_str(char *dst, size_t cap, struct virtname_str s)
{
        size_t n = s.len < cap - 1 ? s.len : cap - 1;

        memcpy(dst, s.p, n);
        dst[n] = '\0';
}

/* Does NAME resolve (forwards, in LEASE's family) to LEASE's address?  A
 * reverse answer is only ever a name the forward rules give that
 * address: no reserved name, no name another owner holds, no name a
 * guest merely sent. */
static int confirmed(const struct virtname_view *v, const char *name, const struct virtname_lease_view *lease,
                     int64_t now)
{
        struct virtname_answer a;
        int rc = virtname_resolve(v, name, lease->family, now, &a);

        for (size_t i = 0; rc == 0 && i < a.n; i++)
                if (memcmp(a.addr[i].addr, lease->addr, 16) == 0)
                        return 1;
        return rc < 0 ? rc : 0;
}

/* The name lease L would answer to in reverse from SOURCE, into OUT: the
 * domain that owns its (network, MAC), a static host's name, or the first
 * label of the name the guest sent.  0, or -ENOENT. */
static int candidate(const struct virtname_view *v, const struct virtname_lease_view *l,
                     enum virtname_source source, char out[VIRTNAME_NAME_MAX + 1])
{
        struct virtname_domain_view dom;
        int rc;

        switch (source) {
        case VIRTNAME_SRC_DOMAIN:
                if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len)
                        return -ENOENT;
                if ((rc = virtname_iface_owner(v, l->network, l->mac, &dom)) < 0)
                        return rc;
                copy_str(out, VIRTNAME_NAME_MAX + 1, dom.name);
                return 0;
        case VIRTNAME_SRC_STATIC:
        case VIRTNAME_SRC_GUEST:
                if (!l->hostname.len || !(l->flags & VIRTNAME_LEASE_STATIC) != (source == VIRTNAME_SRC_GUEST))
                        return -ENOENT;
                copy_str(out, VIRTNAME_NAME_MAX + 1, l->hostname);
                if (source == VIRTNAME_SRC_GUEST)
                        out[strcspn(out, ".")] = '\0';
                return 0;
        default:
                return -ENOENT;
        }
}

int virtname_lease_name(const struct virtname_view *v, const struct virtname_lease_view *lease, int64_t now,
                        struct virtname_reverse *out)
{
        static const enum virtname_source order[] = { VIRTNAME_SRC_DOMAIN, VIRTNAME_SRC_STATIC,
                                                      VIRTNAME_SRC_GUEST };
        int rc = -ENOENT;

        out->source = VIRTNAME_SRC_NONE;
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && out->source == VIRTNAME_SRC_NONE; i++) {
                if ((rc = candidate(v, lease, order[i], out->name)) == -ENOENT)
                        continue;
                if (rc == 0)
                        rc = confirmed(v, out->name, lease, now);
                if (rc < 0)
                        return rc;
                if (rc == 1)
                        out->source = order[i];
        }
        if (out->source == VIRTNAME_SRC_NONE)
                return -ENOENT;
        out->fqdn[0] = '\0';
        if (lease->suffix.len > 0 && strlen(out->name) + 1 + lease->suffix.len <= VIRTNAME_NAME_MAX) {
                size_t n = strlen(out->name);

                memcpy(out->fqdn, out->name, n);
                out->fqdn[n] = '.';
                memcpy(out->fqdn + n + 1, lease->suffix.p, lease->suffix.len);
                out->fqdn[n + 1 + lease->suffix.len] = '\0';
                if ((rc = confirmed(v, out->fqdn, lease, now)) < 0)
                        return rc;
                if (rc == 0)
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
        uint8_t uuid[VIRTNAME_UUID_LEN], idkey[4];
        enum virtname_db index;
        uint32_t id;
        MDB_val k, name;
        int rc = virtname_domain_by_name(v, what, out);

        if (rc != -ENOENT)
                return rc;
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
        if (r == 0)
                val = virtname_le_get(d.mv_data, n);
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
