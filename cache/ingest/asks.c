/* asks.c - what to ask which port, and recording the answers (asks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/ingest/asks.h"
#include "cache/ingest/edit.h"
#include "cache/read/names.h"
#include "cache/write/grow.h"

/* The running owner of L's (network, MAC) and its port for it: 1, 0
 * (none, not running, no port known), or a negative errno. */
static int owner_port(const struct virtname_view *v, const struct virtname_lease_view *l,
                      struct virtname_domain_view *owner, struct virtname_iface_view *f)
{
        size_t pos = 0;
        int rc;

        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len)
                return 0;
        rc = virtname_iface_owner(v, l->network, l->mac, owner);
        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return rc;
        /* A macvtap guest's frames never reach the host: its port cannot
         * be asked. */
        if (owner->state != VIRTNAME_STATE_RUNNING || owner->id < 0 ||
            (l->network.len >= strlen(VIRTNAME_NET_DIRECT) &&
             memcmp(l->network.p, VIRTNAME_NET_DIRECT, strlen(VIRTNAME_NET_DIRECT)) == 0))
                return 0;
        while (virtname_domain_iface_next(owner, &pos, f))
                if (memcmp(f->mac, l->mac, VIRTNAME_MAC_LEN) == 0 && f->network.len == l->network.len &&
                    memcmp(f->network.p, l->network.p, l->network.len) == 0)
                        return f->port.len > 0 && f->port.len < IF_NAMESIZE;
        return 0;
}

int virtname_lease_needs_asking(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now)
{
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        int rc;

        if ((l->flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)) || !virtname_lease_current(l, now))
                return 0;
        if ((rc = owner_port(v, l, &owner, &f)) <= 0)
                return rc;
        if (l->flags & VIRTNAME_LEASE_RELEASED)
                return 1;
        rc = virtname_lease_proven(v, l);
        return rc < 0 ? rc : !rc;
}

/* Ask PORT (of the domain in run ID, interface MAC on NETWORK) about
 * ADDR: into ASKS, one entry per port. */
static int add(struct virtname_asks *asks, struct virtname_str port, const uint8_t *mac, struct virtname_str network,
               int32_t id, bool observe, int family, const uint8_t *addr)
{
        struct virtname_ask *a = NULL;
        struct virtname_probe_addr *more;

        for (size_t i = 0; i < asks->n && !a; i++)
                if (virtname_str_eq(port, asks->a[i].port.port) && asks->a[i].id == id &&
                    asks->a[i].observe == observe && virtname_str_eq(network, asks->a[i].network) &&
                    memcmp(asks->a[i].port.mac, mac, VIRTNAME_MAC_LEN) == 0)
                        a = &asks->a[i];
        if (!a) {
                if (asks->n == VIRTNAME_PROBE_PORTS_MAX || network.len > VIRTNAME_NETWORK_MAX)
                        return 0;       /* more in one go than probe.h asks */
                if (!VIRTNAME_GROW(asks->a, asks->cap, asks->n + 1))
                        return -ENOMEM;
                a = memset(&asks->a[asks->n++], 0, sizeof(*a));
                memcpy(a->port.port, port.p, port.len);
                memcpy(a->port.mac, mac, VIRTNAME_MAC_LEN);
                memcpy(a->network, network.p, network.len);
                a->id = id;
                a->observe = observe;
        }
        for (size_t i = 0; i < a->port.n; i++)
                if (a->port.addrs[i].family == family && memcmp(a->port.addrs[i].addr, addr, 16) == 0)
                        return 0;
        if (!(more = reallocarray(a->port.addrs, a->port.n + 1, sizeof(*more))))
                return -ENOMEM;
        a->port.addrs = more;
        more[a->port.n] = (struct virtname_probe_addr){ .family = family };
        memcpy(more[a->port.n++].addr, addr, 16);
        return 0;
}

struct collect {
        const struct virtname_view *v;
        int64_t now;
        struct virtname_asks *asks;
};

static int add_if_needed(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        struct collect *c = ctx;
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        int rc = virtname_lease_needs_asking(c->v, l, c->now);

        if (rc > 0 && (rc = owner_port(c->v, l, &owner, &f)) > 0)
                rc = add(c->asks, f.port, l->mac, l->network, owner.id, false, l->family, l->addr);
        return rc < 0 ? rc : 0;
}

int virtname_asks_lease(const struct virtname_view *v, const char *network, int family, const uint8_t addr[16],
                        int64_t now, struct virtname_asks *asks)
{
        struct collect c = { v, now, asks };
        struct virtname_lease_view l;
        int rc = virtname_get_lease(v, family, addr, virtname_str_of(network), &l);

        if (rc == -ENOENT)
                return 0;
        return rc < 0 ? rc : add_if_needed(&l, true, &c);
}

/* Every current lease of running domain D. */
static int asks_of(const struct virtname_view *v, const struct virtname_domain_view *d, int64_t now,
                   struct virtname_asks *asks)
{
        struct collect c = { v, now, asks };
        struct virtname_iface_view f;
        size_t pos = 0;
        int rc = 0;

        if (d->state != VIRTNAME_STATE_RUNNING)
                return 0;
        while (rc == 0 && virtname_domain_iface_next(d, &pos, &f))
                if (f.port.len && f.network.len)
                        rc = virtname_iface_leases(v, f.network, f.mac, now, add_if_needed, &c);
        return rc;
}

int virtname_asks_domain(const struct virtname_view *v, const char *name, int64_t now,
                         struct virtname_asks *asks)
{
        struct virtname_domain_view d;
        int rc = virtname_get_domain(v, &(MDB_val){ strlen(name), (void *)name }, &d);

        if (rc == -ENOENT || rc == -EBADMSG)
                return 0;
        return rc < 0 ? rc : asks_of(v, &d, now, asks);
}

int virtname_asks_all(const struct virtname_view *v, int64_t now, struct virtname_asks *asks)
{
        struct virtname_domain_view d;
        struct virtname_iter it;
        MDB_val k, data;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_DOMAINS, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &data)) == 0)
                if (virtname_domain_decode(data.mv_data, data.mv_size, &d) == 0)
                        rc = asks_of(v, &d, now, asks);
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : rc;
}

int virtname_asks_seen(const struct virtname_view *v, const char *bridge, const uint8_t mac[VIRTNAME_MAC_LEN],
                       int family, const uint8_t addr[16], int64_t now, int64_t renew, struct virtname_asks *asks)
{
        char network[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];
        struct virtname_lease_view old, probe = { .family = family, .addr = addr, .flags = VIRTNAME_LEASE_HAS_MAC,
                                                  .mac = mac };
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        int rc;

        if (!virtname_addr_unicast(family, addr))
                return 0;
        if (virtname_network_of_bridge(v, bridge, network, suffix) < 0 &&
            snprintf(network, sizeof(network), VIRTNAME_NET_BRIDGE "%s", bridge) > VIRTNAME_NETWORK_MAX)
                return 0;
        probe.network = virtname_str_of(network);
        if ((rc = owner_port(v, &probe, &owner, &f)) <= 0)
                return rc;
        rc = virtname_get_lease(v, family, addr, probe.network, &old);
        if (rc == 0 && virtname_lease_current(&old, now)) {
                bool same = (old.flags & VIRTNAME_LEASE_HAS_MAC) && memcmp(old.mac, mac, VIRTNAME_MAC_LEN) == 0;
                int rank = virtname_lease_rank(v, &old);

                if (rank < 0)
                        return rank;
                /* Already answered for in this run (and not about to
                 * end), or held by another that an answer would not
                 * take from (edit.h). */
                if (rank == VIRTNAME_RANK_ADMIN || (!same && rank == VIRTNAME_RANK_PORT) ||
                    (same && rank == VIRTNAME_RANK_PORT &&
                     (!(old.flags & VIRTNAME_LEASE_OBSERVED) || old.expiry - now > renew)))
                        return 0;
        } else if (rc < 0 && rc != -ENOENT) {
                return rc;
        }
        return add(asks, f.port, mac, probe.network, owner.id, true, family, addr);
}

/* The observed addresses whose answer ends soon, into an expiring walk. */
struct expiring {
        const struct virtname_view *v;
        int64_t now, within, next;
        struct virtname_asks *asks;
};

static int add_expiring(struct expiring *e, const struct virtname_lease_view *l)
{
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        int rc;

        if (!(l->flags & VIRTNAME_LEASE_OBSERVED) || l->evidence != VIRTNAME_EV_PORT ||
            !virtname_lease_current(l, e->now) || (rc = virtname_lease_proven(e->v, l)) == 0)
                return 0;
        if (rc < 0)
                return rc;
        if (l->expiry - e->now > e->within) {
                if (e->next == 0 || l->expiry < e->next)
                        e->next = l->expiry;
                return 0;
        }
        if ((rc = owner_port(e->v, l, &owner, &f)) <= 0)
                return rc;
        return add(e->asks, f.port, l->mac, l->network, owner.id, false, l->family, l->addr);
}

int virtname_asks_expiring(const struct virtname_view *v, int64_t now, int64_t within, struct virtname_asks *asks,
                           int64_t *next)
{
        struct expiring e = { v, now, within, 0, asks };
        struct virtname_lease_view l;
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) == 0)
                        rc = add_expiring(&e, &l);
        virtname_iter_end(&it);
        if (next)
                *next = e.next;
        return rc == -ENOENT ? 0 : rc;
}

int virtname_asks_probe(struct virtname_asks *asks, unsigned deadline_ms)
{
        return virtname_asks_probe_then(asks, deadline_ms, NULL, NULL);
}

int virtname_asks_probe_then(struct virtname_asks *asks, unsigned deadline_ms, void (*then)(void *ctx), void *ctx)
{
        struct virtname_probe_port **ports = calloc(asks->n ? asks->n : 1, sizeof(*ports));
        int rc;

        if (!ports)
                return -ENOMEM;
        for (size_t i = 0; i < asks->n; i++)
                ports[i] = &asks->a[i].port;
        rc = virtname_probe_then(ports, asks->n, deadline_ms, then, ctx);
        free(ports);
        return rc;
}

int virtname_asks_record(struct virtname_writer *w, const struct virtname_asks *asks, bool silence, int64_t when)
{
        int rc = 0;

        for (size_t i = 0; rc == 0 && i < asks->n; i++) {
                const struct virtname_ask *a = &asks->a[i];

                for (size_t j = 0; rc == 0 && a->port.err == 0 && j < a->port.n; j++)
                        if (a->observe && a->port.addrs[j].answered)
                                rc = virtname_edit_observe(w, a->network, a->port.mac, a->port.addrs[j].family,
                                                           a->port.addrs[j].addr, a->port.port, a->id, when,
                                                           VIRTNAME_OBSERVED_TTL);
                        else if (!a->observe && (a->port.addrs[j].answered || silence))
                                rc = virtname_edit_prove(w, a->network, a->port.mac, a->port.addrs[j].family,
                                                         a->port.addrs[j].addr,
                                                         a->port.addrs[j].answered ? VIRTNAME_EV_PORT
                                                                                   : VIRTNAME_EV_SILENT,
                                                         a->port.port, a->id, when);
        }
        return rc;
}

void virtname_asks_free(struct virtname_asks *asks)
{
        for (size_t i = 0; i < asks->n; i++)
                free(asks->a[i].port.addrs);
        free(asks->a);
        memset(asks, 0, sizeof(*asks));
}
