/* edit.c - read-modify-write changes on the writer's transaction. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/ingest/edit.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/wire.h"

/* More interfaces than this on one domain are not recorded. */
#define MAX_IFACES 64
/* Leases of one (network, MAC) changed at once. */
#define MAX_PICKED 64

/* The static hosts NET defines now: the prune filter keeps dynamic
 * leases and the static ones still defined. */
static int keep_lease(const struct virtname_lease_view *l, void *ctx)
{
        const struct virtname_xml_network *net = ctx;

        if (!(l->flags & VIRTNAME_LEASE_STATIC))
                return 1;
        for (size_t i = 0; i < net->n_hosts; i++)
                if (net->hosts[i].family == l->family && memcmp(net->hosts[i].addr, l->addr, 16) == 0)
                        return 1;
        return 0;
}

int virtname_edit_put_network(struct virtname_writer *w, const struct virtname_xml_network *net)
{
        int rc = virtname_writer_put_network(w, &net->n);

        /* A network that does not run keeps its leases, unanswered, as
         * when the hook sees it stop (virtname_edit_stop_network); only
         * static hosts it no longer defines go. */
        if (rc < 0 || !net->n.active)
                return rc < 0 ? rc : virtname_writer_prune_leases(w, net->name, keep_lease, (void *)net);
        for (size_t i = 0; rc == 0 && i < net->n_hosts; i++) {
                const struct virtname_xml_host *h = &net->hosts[i];
                struct virtname_lease l = {
                        .family = h->family,
                        .flags = VIRTNAME_LEASE_STATIC | (h->has_mac ? VIRTNAME_LEASE_HAS_MAC : 0),
                        .hostname = h->hostname,
                        .network = net->name,
                        .suffix = net->suffix,
                };

                memcpy(l.addr, h->addr, 16);
                memcpy(l.mac, h->mac, VIRTNAME_MAC_LEN);
                rc = virtname_writer_put_lease(w, &l);
        }
        return rc < 0 ? rc : virtname_writer_prune_leases(w, net->name, keep_lease, (void *)net);
}

int virtname_edit_stop_network(struct virtname_writer *w, const char *name)
{
        const struct virtname_view *v = virtname_writer_view(w);
        struct virtname_network_view old;
        char bridge[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];
        MDB_val k = { strlen(name), (void *)name }, d;
        int rc = virtname_view_get(v, VIRTNAME_DB_NETWORKS, &k, &d);

        if (rc == 0 && virtname_network_decode(d.mv_data, d.mv_size, &old) == 0) {
                struct virtname_network n = { .name = name, .active = false,
                                              .updated = (int64_t)time(NULL) };

                snprintf(bridge, sizeof(bridge), "%.*s", (int)old.bridge.len, old.bridge.p);
                snprintf(suffix, sizeof(suffix), "%.*s", (int)old.suffix.len, old.suffix.p);
                n.bridge = bridge[0] ? bridge : NULL;
                n.suffix = suffix[0] ? suffix : NULL;
                rc = virtname_writer_put_network(w, &n);
        } else if (rc == -ENOENT) {
                rc = 0;
        }
        /* Its leases stay, unanswered (lookup.h): dnsmasq reports them
         * again at the next start without the names guests sent, and
         * they keep the ones they have. */
        return rc;
}

/* A lease of one MAC, by a guest (a static host is the administrator's). */
static int other_mac(const struct virtname_lease_view *l, void *ctx)
{
        return !(l->flags & VIRTNAME_LEASE_HAS_MAC) || (l->flags & VIRTNAME_LEASE_STATIC) ||
               memcmp(l->mac, ctx, VIRTNAME_MAC_LEN) != 0;
}

int virtname_edit_domain_gone(struct virtname_writer *w, const char *name)
{
        const struct virtname_view *v = virtname_writer_view(w);
        struct {
                char network[VIRTNAME_NAME_MAX + 1];
                uint8_t mac[VIRTNAME_MAC_LEN];
        } gone[MAX_IFACES];
        struct virtname_domain_view old, other;
        struct virtname_iface_view f;
        char key[VIRTNAME_NAME_MAX + 1];
        size_t pos = 0, n = 0;
        int len = virtname_name_normalise(name, key), rc;

        if (len < 0)
                return -EINVAL;
        rc = virtname_get_domain(v, &(MDB_val){ (size_t)len, key }, &old);
        while (rc == 0 && n < MAX_IFACES && virtname_domain_iface_next(&old, &pos, &f)) {
                if (!f.network.len || f.network.len > VIRTNAME_NAME_MAX)
                        continue;
                memcpy(gone[n].network, f.network.p, f.network.len);
                gone[n].network[f.network.len] = '\0';
                memcpy(gone[n].mac, f.mac, VIRTNAME_MAC_LEN);
                n++;
        }
        rc = virtname_writer_del_domain(w, name);
        /* Its leases go with it: dnsmasq keeps a destroyed guest's lease
         * until it ends, and without its domain the lease would answer
         * the name the guest sent (forwards, in reverse, in DNS) until
         * then.  Unless another domain defines the MAC there. */
        for (size_t i = 0; rc == 0 && i < n; i++) {
                int r = virtname_iface_owner(v, virtname_str_of(gone[i].network), gone[i].mac, &other);

                if (r == -ENOENT)
                        rc = virtname_writer_prune_leases(w, gone[i].network, other_mac, gone[i].mac);
                else if (r < 0)
                        rc = r;
        }
        return rc;
}

/* A domain recorded under NAME with UUID was called something else
 * before (virsh domrename): that record goes, or the old name would
 * answer again (its MACs are the same) once the domain is shut off. */
static int drop_renamed(struct virtname_writer *w, const struct virtname_domain *d)
{
        const struct virtname_view *v = virtname_writer_view(w);
        char key[VIRTNAME_NAME_MAX + 1], old[VIRTNAME_NAME_MAX + 1];
        struct virtname_domain_view was;
        MDB_val k = { VIRTNAME_UUID_LEN, (void *)d->uuid }, val;
        int len = virtname_name_normalise(d->name, key);

        if (!d->has_uuid || len < 0 || virtname_view_get(v, VIRTNAME_DB_UUIDS, &k, &val) < 0 ||
            val.mv_size == 0 || val.mv_size > VIRTNAME_NAME_MAX ||
            (val.mv_size == (size_t)len && memcmp(val.mv_data, key, (size_t)len) == 0))
                return 0;
        memcpy(old, val.mv_data, val.mv_size);
        old[val.mv_size] = '\0';
        if (virtname_get_domain(v, &(MDB_val){ val.mv_size, old }, &was) < 0 || !was.has_uuid ||
            memcmp(was.uuid, d->uuid, VIRTNAME_UUID_LEN) != 0)
                return 0;
        return virtname_writer_del_domain(w, old);
}

/* The network key (schema.h) of interface I of X into BUF: its libvirt
 * network, the libvirt network whose bridge it uses, "bridge/BR" or
 * "direct/DEV"; NULL when it has none. */
static const char *iface_network(struct virtname_writer *w, const struct virtname_xml_domain *x, size_t i,
                                  char buf[VIRTNAME_NAME_MAX + 1])
{
        const struct virtname_xml_iface *xi = x->xifaces ? &x->xifaces[i] : NULL;
        char suffix[VIRTNAME_NAME_MAX + 1];
        const char *kind = NULL, *dev = NULL;
        int n;

        if (x->ifaces[i].network || !xi)
                return x->ifaces[i].network;
        if (xi->bridge && virtname_edit_network_of_bridge(w, xi->bridge, buf, suffix) == 0)
                return buf;
        if (xi->bridge)
                kind = VIRTNAME_NET_BRIDGE, dev = xi->bridge;
        else if (xi->direct)
                kind = VIRTNAME_NET_DIRECT, dev = xi->direct;
        if (!kind)
                return NULL;
        n = snprintf(buf, VIRTNAME_NAME_MAX + 1, "%s%s", kind, dev);
        return n > 0 && n <= VIRTNAME_NETWORK_MAX ? buf : NULL;
}

/* The DNS domain of libvirt network NETWORK into SUFFIX: "" when none. */
static const char *network_suffix(struct virtname_writer *w, const char *network, char suffix[VIRTNAME_NAME_MAX + 1])
{
        struct virtname_network_view n;
        MDB_val k = { strlen(network), (void *)network }, d;

        suffix[0] = '\0';
        if (virtname_view_get(virtname_writer_view(w), VIRTNAME_DB_NETWORKS, &k, &d) == 0 &&
            virtname_network_decode(d.mv_data, d.mv_size, &n) == 0)
                snprintf(suffix, VIRTNAME_NAME_MAX + 1, "%.*s", (int)n.suffix.len, n.suffix.p);
        return suffix[0] ? suffix : NULL;
}

/* The (network, MAC) pairs of a domain's interfaces. */
struct pairs {
        size_t n;
        char network[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        uint8_t mac[MAX_IFACES][VIRTNAME_MAC_LEN];
};

static void pairs_of(const struct virtname_domain_view *d, struct pairs *p)
{
        struct virtname_iface_view f;
        size_t pos = 0;

        p->n = 0;
        while (p->n < MAX_IFACES && virtname_domain_iface_next(d, &pos, &f)) {
                if (!f.network.len || f.network.len > VIRTNAME_NAME_MAX)
                        continue;
                memcpy(p->network[p->n], f.network.p, f.network.len);
                p->network[p->n][f.network.len] = '\0';
                memcpy(p->mac[p->n++], f.mac, VIRTNAME_MAC_LEN);
        }
}

/* The leases of (NETWORK, MAC) a filter picks, collected to be changed
 * after the walk (changes move the index under it). */
struct picked {
        bool (*pick)(const struct virtname_lease_view *l, const void *ctx);
        const void *ctx;
        size_t n;
        int family[MAX_PICKED];
        uint8_t addr[MAX_PICKED][16];
};

static int pick_lease(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        struct picked *p = ctx;

        if (p->n < MAX_PICKED && p->pick(l, p->ctx)) {
                p->family[p->n] = l->family;
                memcpy(p->addr[p->n++], l->addr, 16);
        }
        return 0;
}

/* Delete the leases of (NETWORK, MAC) that PICK picks. */
static int delete_picked(struct virtname_writer *w, const char *network, const uint8_t *mac,
                         bool (*pick)(const struct virtname_lease_view *l, const void *ctx), const void *ctx)
{
        struct picked p = { .pick = pick, .ctx = ctx };
        int rc = virtname_iface_leases(virtname_writer_view(w), virtname_str_of(network), mac, 0, pick_lease, &p);

        for (size_t i = 0; rc == 0 && i < p.n; i++)
                rc = virtname_writer_del_lease(w, p.family[i], p.addr[i], network, true);
        return rc;
}

/* Where admin address A of X goes: the index of its interface in X, or
 * -1 (no such interface, or one on no network). */
static int admin_iface(const struct virtname_xml_domain *x, const struct virtname_xml_admin *a)
{
        for (size_t i = 0; i < x->d.n_ifaces; i++)
                if (!a->has_mac || memcmp(x->ifaces[i].mac, a->mac, VIRTNAME_MAC_LEN) == 0)
                        return x->ifaces[i].network ? (int)i : -1;
        return -1;
}

struct admin_pick {
        const struct virtname_xml_domain *x;
        const char *network;
};

/* An administrator's lease that X's <metadata> no longer gives. */
static bool unwanted_admin(const struct virtname_lease_view *l, const void *ctx)
{
        const struct admin_pick *p = ctx;

        if (!(l->flags & VIRTNAME_LEASE_ADMIN))
                return false;
        for (size_t i = 0; p->x && i < p->x->n_admin; i++) {
                int f = admin_iface(p->x, &p->x->admin[i]);

                if (f >= 0 && p->x->admin[i].family == l->family && memcmp(p->x->admin[i].addr, l->addr, 16) == 0 &&
                    memcmp(p->x->ifaces[f].mac, l->mac, VIRTNAME_MAC_LEN) == 0 &&
                    strcmp(p->x->ifaces[f].network, p->network) == 0)
                        return false;
        }
        return true;
}

/* The addresses X's <metadata> gives its interfaces, as administrator's
 * leases; the ones it gave before on OLD's or X's interfaces and no
 * longer does go. */
static int sync_admin(struct virtname_writer *w, const struct virtname_xml_domain *x, const struct pairs *old)
{
        char suffix[VIRTNAME_NAME_MAX + 1];
        int rc = 0;

        for (size_t i = 0; rc == 0 && i < old->n; i++) {
                struct admin_pick p = { x, old->network[i] };

                rc = delete_picked(w, old->network[i], old->mac[i], unwanted_admin, &p);
        }
        for (size_t i = 0; rc == 0 && i < x->d.n_ifaces; i++) {
                struct admin_pick p = { x, x->ifaces[i].network };

                if (x->ifaces[i].network)
                        rc = delete_picked(w, x->ifaces[i].network, x->ifaces[i].mac, unwanted_admin, &p);
        }
        for (size_t i = 0; rc == 0 && i < x->n_admin; i++) {
                const struct virtname_xml_admin *a = &x->admin[i];
                int f = admin_iface(x, a);
                struct virtname_lease l = { .family = a->family, .flags = VIRTNAME_LEASE_ADMIN | VIRTNAME_LEASE_HAS_MAC };

                if (f < 0)
                        continue;       /* no interface of the domain's to put it on */
                memcpy(l.addr, a->addr, 16);
                memcpy(l.mac, x->ifaces[f].mac, VIRTNAME_MAC_LEN);
                l.network = x->ifaces[f].network;
                l.suffix = network_suffix(w, l.network, suffix);
                rc = virtname_writer_put_lease(w, &l);
        }
        return rc;
}

int virtname_edit_put_domain(struct virtname_writer *w, struct virtname_xml_domain *x)
{
        char nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        struct virtname_domain_view was;
        struct pairs *old = calloc(1, sizeof(*old));
        int rc = old ? drop_renamed(w, &x->d) : -ENOMEM;

        if (rc == 0 && virtname_get_domain(virtname_writer_view(w), &(MDB_val){ strlen(x->d.name), (void *)x->d.name },
                                           &was) == 0)
                pairs_of(&was, old);
        if (x->d.n_ifaces > MAX_IFACES)
                x->d.n_ifaces = MAX_IFACES;
        /* An interface of type bridge on a libvirt network's bridge is on
         * that network: its leases carry the network's name; others get
         * a network key of their own (schema.h). */
        for (size_t i = 0; i < x->d.n_ifaces; i++)
                x->ifaces[i].network = iface_network(w, x, i, nets[i]);
        if (rc == 0)
                rc = virtname_writer_put_domain(w, &x->d);
        if (rc == 0)
                rc = sync_admin(w, x, old);
        free(old);
        return rc;
}

int virtname_edit_iface(struct virtname_writer *w, const char *name, const uint8_t *uuid,
                        const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool attach)
{
        struct virtname_iface ifaces[MAX_IFACES];
        char nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1], filters[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        char ports[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        char kept[VIRTNAME_NAME_MAX + 1] = "", kept_port[VIRTNAME_NAME_MAX + 1] = "";
        struct virtname_domain d = { .name = name, .id = -1, .updated = (int64_t)time(NULL) };
        struct virtname_domain_view old;
        struct virtname_iface_view f;
        size_t pos = 0, n = 0;
        int rc;

        if (!*name || strlen(name) > VIRTNAME_NAME_MAX)
                return -EINVAL;
        rc = virtname_get_domain(virtname_writer_view(w), &(MDB_val){ strlen(name), (void *)name }, &old);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        if (rc == 0) {
                /* Keep everything but this MAC's old entry (its filter and
                 * port too). */
                while (n < MAX_IFACES && virtname_domain_iface_next(&old, &pos, &f)) {
                        if (memcmp(f.mac, mac, VIRTNAME_MAC_LEN) == 0) {
                                snprintf(kept, sizeof(kept), "%.*s", (int)f.filter.len, f.filter.p);
                                snprintf(kept_port, sizeof(kept_port), "%.*s", (int)f.port.len, f.port.p);
                                continue;
                        }
                        snprintf(filters[n], sizeof(filters[n]), "%.*s", (int)f.filter.len, f.filter.p);
                        snprintf(ports[n], sizeof(ports[n]), "%.*s", (int)f.port.len, f.port.p);
                        memcpy(ifaces[n].mac, f.mac, VIRTNAME_MAC_LEN);
                        snprintf(nets[n], sizeof(nets[n]), "%.*s", (int)f.network.len, f.network.p);
                        ifaces[n].network = f.network.len ? nets[n] : NULL;
                        ifaces[n].filter = f.filter.len ? filters[n] : NULL;
                        ifaces[n].port = f.port.len ? ports[n] : NULL;
                        n++;
                }
                d.has_uuid = old.has_uuid;
                if (old.has_uuid)
                        memcpy(d.uuid, old.uuid, VIRTNAME_UUID_LEN);
                d.id = old.id;
                d.state = old.state;
                d.cid = old.cid;
        } else if (!attach) {
                return 0;               /* nothing to detach from */
        }
        if (uuid) {
                d.has_uuid = true;
                memcpy(d.uuid, uuid, VIRTNAME_UUID_LEN);
        }
        if (attach && n < MAX_IFACES) {
                memcpy(ifaces[n].mac, mac, VIRTNAME_MAC_LEN);
                ifaces[n].network = network;
                ifaces[n].filter = kept[0] ? kept : NULL;
                ifaces[n].port = kept_port[0] ? kept_port : NULL;
                n++;
        }
        d.n_ifaces = n;
        d.ifaces = ifaces;
        return virtname_writer_put_domain(w, &d);
}

int virtname_edit_network_of_bridge(struct virtname_writer *w, const char *bridge,
                                    char name[VIRTNAME_NAME_MAX + 1], char suffix[VIRTNAME_NAME_MAX + 1])
{
        return virtname_network_of_bridge(virtname_writer_view(w), bridge, name, suffix);
}

/* A lease record read from the store, with copies of its strings: the
 * writer's puts may reuse the page the view points into. */
struct lease_copy {
        struct virtname_lease l;
        char hostname[VIRTNAME_NAME_MAX + 1], network[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];
        char port[VIRTNAME_NAME_MAX + 1], clientid[1024];
};

static const char *copy_str(char *dst, size_t cap, struct virtname_str s)
{
        snprintf(dst, cap, "%.*s", (int)s.len, s.p);
        return s.len ? dst : NULL;
}

/* The lease of ADDR on NETWORK into C: 0, -ENOENT, or an error. */
static int get_lease_copy(struct virtname_writer *w, int family, const uint8_t addr[16], const char *network,
                          struct lease_copy *c)
{
        struct virtname_lease_view v;
        int rc = virtname_get_lease(virtname_writer_view(w), family, addr, virtname_str_of(network), &v);

        if (rc < 0)
                return rc;
        if (v.clientid.len >= sizeof(c->clientid))
                return -ENOENT;         /* not one of ours to keep */
        c->l = (struct virtname_lease){ .family = v.family, .flags = v.flags, .expiry = v.expiry, .seen = v.seen,
                                        .iaid = v.iaid, .evidence = v.evidence, .proved = v.proved,
                                        .proved_id = v.proved_id };
        memcpy(c->l.addr, v.addr, 16);
        memcpy(c->l.mac, v.mac, VIRTNAME_MAC_LEN);
        c->l.hostname = copy_str(c->hostname, sizeof(c->hostname), v.hostname);
        c->l.network = copy_str(c->network, sizeof(c->network), v.network);
        c->l.suffix = copy_str(c->suffix, sizeof(c->suffix), v.suffix);
        c->l.clientid = copy_str(c->clientid, sizeof(c->clientid), v.clientid);
        c->l.port = copy_str(c->port, sizeof(c->port), v.port);
        return 0;
}

int virtname_edit_release(struct virtname_writer *w, int family, const uint8_t addr[16], const char *network)
{
        struct virtname_lease_view l;
        struct lease_copy c;
        int rc = virtname_get_lease(virtname_writer_view(w), family, addr, virtname_str_of(network), &l);

        if (rc == 0)
                rc = virtname_lease_proven(virtname_writer_view(w), &l);
        if (rc <= 0)
                return rc < 0 && rc != -ENOENT ? rc : virtname_writer_del_lease(w, family, addr, network, true);
        if ((rc = get_lease_copy(w, family, addr, network, &c)) < 0)
                return rc;
        c.l.flags |= VIRTNAME_LEASE_RELEASED;
        rc = virtname_writer_put_lease(w, &c.l);
        return rc < 0 ? rc : 1;
}

/* Is the domain that owns (NETWORK, MAC) in run ID, with PORT its port
 * for that interface?  1, 0, or a negative errno. */
static int owner_in_run(struct virtname_writer *w, const char *network, const uint8_t *mac, const char *port,
                        int32_t id)
{
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        size_t pos = 0;
        bool same_port = false;
        int rc = virtname_iface_owner(virtname_writer_view(w), virtname_str_of(network), mac, &owner);

        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return rc;
        while (!same_port && virtname_domain_iface_next(&owner, &pos, &f))
                same_port = memcmp(f.mac, mac, VIRTNAME_MAC_LEN) == 0 && virtname_str_eq(f.network, network) &&
                            virtname_str_eq(f.port, port);
        return owner.state == VIRTNAME_STATE_RUNNING && owner.id == id && same_port;
}

/* Lease C, backed now by EVIDENCE from PORT in run ID at WHEN; an
 * observed address then holds TTL seconds more (0: as it was). */
static int back(struct virtname_writer *w, struct lease_copy *c, enum virtname_evidence evidence, const char *port,
                int32_t id, int64_t when, int64_t ttl)
{
        if ((c->l.flags & VIRTNAME_LEASE_OBSERVED) && ttl > 0) {
                c->l.expiry = (when > 0 ? when : 1) + ttl;
                c->l.seen = when;
        }
        c->l.evidence = evidence;
        c->l.proved = when > 0 ? when : 1;
        c->l.proved_id = id;
        c->l.port = port;
        return virtname_writer_put_lease(w, &c->l);
}

int virtname_edit_prove(struct virtname_writer *w, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                        int family, const uint8_t addr[16], enum virtname_evidence evidence, const char *port,
                        int32_t id, int64_t when)
{
        struct lease_copy c;
        int64_t ttl;
        int rc = get_lease_copy(w, family, addr, network, &c);

        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return rc;
        if (!(c.l.flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(c.l.mac, mac, VIRTNAME_MAC_LEN) != 0 || !port || !*port)
                return 0;
        /* The answer holds for the run and the port it came from only. */
        if ((rc = owner_in_run(w, network, mac, port, id)) <= 0)
                return rc;
        /* What only the port kept (a released lease, an observed
         * address) goes with its silence. */
        if (evidence != VIRTNAME_EV_PORT && (c.l.flags & (VIRTNAME_LEASE_RELEASED | VIRTNAME_LEASE_OBSERVED)))
                return virtname_writer_del_lease(w, family, c.l.addr, network, true);
        if (evidence == VIRTNAME_EV_PORT)
                c.l.flags &= ~VIRTNAME_LEASE_RELEASED;
        /* An observed address holds for as long again after each
         * answer. */
        ttl = c.l.expiry - c.l.seen;
        return back(w, &c, evidence, port, id, when,
                    evidence != VIRTNAME_EV_PORT ? 0 : ttl > 0 && ttl <= VIRTNAME_OBSERVED_TTL ? ttl
                                                                                 : VIRTNAME_OBSERVED_TTL);
}

/* Is DHCP lease L waiting for its domain's port: the running owner of
 * its (network, MAC) has a port for it that has not said anything about
 * it in this run?  1, 0, or a negative errno. */
static int pending(const struct virtname_view *v, const struct virtname_lease_view *l)
{
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        size_t pos = 0;
        int rc;

        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len)
                return 0;
        rc = virtname_iface_owner(v, l->network, l->mac, &owner);
        if (rc < 0)
                return rc == -ENOENT ? 0 : rc;
        if (owner.state != VIRTNAME_STATE_RUNNING || owner.id < 0 ||
            (l->evidence == VIRTNAME_EV_SILENT && l->proved_id == owner.id))
                return 0;
        while (virtname_domain_iface_next(&owner, &pos, &f))
                if (memcmp(f.mac, l->mac, VIRTNAME_MAC_LEN) == 0 && f.network.len == l->network.len &&
                    memcmp(f.network.p, l->network.p, f.network.len) == 0)
                        return f.port.len > 0;
        return 0;
}

/* May an address seen with RANK for another MAC take lease OLD (of the
 * same address on the same network) at NOW?  Only from a weaker holder
 * (virt-name-cache(1), NAME RULES): an expired lease, an observed address whose
 * evidence no longer holds, an agent's report (not to another agent), a
 * DHCP lease (not to an agent: it is a DHCP server's word, and not while
 * its own domain's port has yet to be asked about it).  1, 0, or a
 * negative errno. */
static int may_take(const struct virtname_view *v, const struct virtname_lease_view *old, enum virtname_rank rank,
                    int64_t now)
{
        int r;

        if (!virtname_lease_current(old, now))
                return 1;
        if ((r = virtname_lease_rank(v, old)) < 0)
                return r;
        if (r >= (int)rank)
                return 0;
        if (r > VIRTNAME_RANK_NONE || (old->flags & VIRTNAME_LEASE_OBSERVED))
                return 1;
        if (rank < VIRTNAME_RANK_PORT)
                return 0;
        r = pending(v, old);
        return r < 0 ? r : !r;
}

/* The lease of ADDR on NETWORK held by another MAC than MAC: may one of
 * RANK take it?  1 (none there, or it may), 0, or a negative errno; *SAME
 * true when the lease there has MAC. */
static int free_for(struct virtname_writer *w, const char *network, const uint8_t *mac, int family,
                    const uint8_t addr[16], enum virtname_rank rank, int64_t now, bool *same)
{
        struct virtname_lease_view old;
        int rc = virtname_get_lease(virtname_writer_view(w), family, addr, virtname_str_of(network), &old);

        *same = rc == 0 && (old.flags & VIRTNAME_LEASE_HAS_MAC) && memcmp(old.mac, mac, VIRTNAME_MAC_LEN) == 0;
        if (rc == -ENOENT || *same)
                return 1;
        return rc < 0 ? rc : may_take(virtname_writer_view(w), &old, rank, now);
}

static int count_observed(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        *(size_t *)ctx += (l->flags & VIRTNAME_LEASE_OBSERVED) != 0;
        return 0;
}

/* A new observed address (VIRTNAME_LEASE_OBSERVED) of (NETWORK, MAC),
 * backed by EVIDENCE (the port's answer, the agent's report) from PORT in
 * run ID at WHEN; none past VIRTNAME_OBSERVED_MAX current ones (a guest
 * without a filter answers for every address it invents). */
static int put_observed(struct virtname_writer *w, const char *network, const uint8_t *mac, int family,
                        const uint8_t addr[16], enum virtname_evidence evidence, const char *port, int32_t id,
                        int64_t when, unsigned ttl)
{
        char suffix[VIRTNAME_NAME_MAX + 1];
        struct virtname_lease l = { .family = family, .flags = VIRTNAME_LEASE_OBSERVED | VIRTNAME_LEASE_HAS_MAC,
                                    .expiry = (when > 0 ? when : 1) + ttl, .seen = when,
                                    .network = network, .evidence = evidence, .proved = when > 0 ? when : 1,
                                    .proved_id = id, .port = port };
        size_t held = 0;
        int rc = virtname_iface_leases(virtname_writer_view(w), virtname_str_of(network), mac, when, count_observed,
                                       &held);

        if (rc < 0 || held >= VIRTNAME_OBSERVED_MAX)
                return rc;
        memcpy(l.addr, addr, 16);
        memcpy(l.mac, mac, VIRTNAME_MAC_LEN);
        l.suffix = network_suffix(w, network, suffix);
        return virtname_writer_put_lease(w, &l);
}

int virtname_edit_observe(struct virtname_writer *w, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          int family, const uint8_t addr[16], const char *port, int32_t id, int64_t when,
                          unsigned ttl)
{
        bool same;
        int rc;

        if (!port || !*port || !virtname_addr_unicast(family, addr) || ttl == 0 || ttl > VIRTNAME_OBSERVED_TTL)
                return 0;
        if ((rc = owner_in_run(w, network, mac, port, id)) <= 0)
                return rc;
        if ((rc = free_for(w, network, mac, family, addr, VIRTNAME_RANK_PORT, when, &same)) <= 0)
                return rc;
        /* A lease of this MAC already there: the answer backs it. */
        if (same)
                return virtname_edit_prove(w, network, mac, family, addr, VIRTNAME_EV_PORT, port, id, when);
        return put_observed(w, network, mac, family, addr, VIRTNAME_EV_PORT, port, id, when, ttl);
}

/* Is lease L a report of domain's agent that ADDRS (N) no longer holds? */
struct agent_pick {
        const struct virtname_agent_addr *addrs;
        size_t n;
};

static bool unreported(const struct virtname_lease_view *l, const void *ctx)
{
        const struct agent_pick *p = ctx;

        if (l->evidence != VIRTNAME_EV_AGENT)
                return false;
        for (size_t i = 0; i < p->n; i++)
                if (p->addrs[i].family == l->family && memcmp(p->addrs[i].addr, l->addr, 16) == 0 &&
                    memcmp(p->addrs[i].mac, l->mac, VIRTNAME_MAC_LEN) == 0)
                        return false;
        return true;
}

/* The agent no longer reports the lease of ADDR on NETWORK: an observed
 * address goes, a DHCP lease is only a claim again. */
static int unreport(struct virtname_writer *w, const char *network, int family, const uint8_t addr[16], int64_t when)
{
        struct lease_copy c;
        int rc = get_lease_copy(w, family, addr, network, &c);

        if (rc < 0)
                return rc == -ENOENT ? 0 : rc;
        if (c.l.flags & VIRTNAME_LEASE_OBSERVED)
                return virtname_writer_del_lease(w, family, addr, network, true);
        c.l.evidence = VIRTNAME_EV_CLAIM;
        c.l.proved = when > 0 ? when : 1;
        return virtname_writer_put_lease(w, &c.l);
}

/* Record what the agent reports for the interface (NETWORK, MAC) of the
 * domain in run ID with port PORT: ADDR. */
static int agent_report(struct virtname_writer *w, const char *network, const uint8_t *mac, const char *port,
                        int32_t id, int family, const uint8_t addr[16], int64_t when, unsigned ttl)
{
        struct lease_copy c;
        bool same;
        int rc = free_for(w, network, mac, family, addr, VIRTNAME_RANK_AGENT, when, &same);

        if (rc <= 0)
                return rc;      /* held by a stronger source: the agent does not take it */
        if (!same)
                return put_observed(w, network, mac, family, addr, VIRTNAME_EV_AGENT, port, id, when, ttl);
        if ((rc = get_lease_copy(w, family, addr, network, &c)) < 0)
                return rc;
        /* What is stronger stays: an administrator's, a port's answer or
         * silence in this run. */
        if ((c.l.flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)) ||
            ((c.l.evidence == VIRTNAME_EV_PORT || c.l.evidence == VIRTNAME_EV_SILENT) && c.l.proved_id == id))
                return 0;
        return back(w, &c, VIRTNAME_EV_AGENT, port, id, when, ttl);
}

int virtname_edit_agent(struct virtname_writer *w, const char *name, int32_t id, int64_t when, unsigned ttl,
                        const struct virtname_agent_addr *addrs, size_t n)
{
        struct agent_pick p = { addrs, n };
        struct virtname_domain_view d;
        struct virtname_iface_view f;
        struct pairs *pairs;
        char ports[MAX_IFACES][IF_NAMESIZE + 1];
        size_t pos = 0;
        int rc = virtname_get_domain(virtname_writer_view(w), &(MDB_val){ strlen(name), (void *)name }, &d);

        if (rc < 0)
                return rc == -ENOENT || rc == -EBADMSG ? 0 : rc;
        /* A report from another run of the domain is stale. */
        if (d.state != VIRTNAME_STATE_RUNNING || d.id != id || ttl == 0 || ttl > VIRTNAME_OBSERVED_TTL)
                return 0;
        if (!(pairs = calloc(1, sizeof(*pairs))))
                return -ENOMEM;
        while (pairs->n < MAX_IFACES && virtname_domain_iface_next(&d, &pos, &f)) {
                if (!f.network.len || f.network.len > VIRTNAME_NAME_MAX || f.port.len > IF_NAMESIZE)
                        continue;
                snprintf(pairs->network[pairs->n], sizeof(pairs->network[0]), "%.*s", (int)f.network.len, f.network.p);
                snprintf(ports[pairs->n], sizeof(ports[0]), "%.*s", (int)f.port.len, f.port.p);
                memcpy(pairs->mac[pairs->n++], f.mac, VIRTNAME_MAC_LEN);
        }
        for (size_t i = 0; rc == 0 && i < pairs->n; i++) {
                struct picked old = { .pick = unreported, .ctx = &p };

                rc = virtname_iface_leases(virtname_writer_view(w), virtname_str_of(pairs->network[i]), pairs->mac[i],
                                           0, pick_lease, &old);
                for (size_t j = 0; rc == 0 && j < old.n; j++)
                        rc = unreport(w, pairs->network[i], old.family[j], old.addr[j], when);
        }
        /* Each address on the domain's own interface with that MAC; a MAC
         * that is not the domain's is none of its business. */
        for (size_t i = 0; rc == 0 && i < n; i++)
                for (size_t j = 0; j < pairs->n; j++)
                        if (memcmp(addrs[i].mac, pairs->mac[j], VIRTNAME_MAC_LEN) == 0) {
                                if (virtname_addr_unicast(addrs[i].family, addrs[i].addr))
                                        rc = agent_report(w, pairs->network[j], pairs->mac[j], ports[j], id,
                                                          addrs[i].family, addrs[i].addr, when, ttl);
                                break;
                        }
        free(pairs);
        return rc;
}

int virtname_edit_count_dropped(struct virtname_writer *w, const char *why)
{
        MDB_val k = { 7, (void *)"dropped" }, d;
        uint8_t n[8] = { 0 };
        uint64_t count = 0;
        int rc = virtname_view_get(virtname_writer_view(w), VIRTNAME_DB_META, &k, &d);

        if (rc == 0 && d.mv_size == 8)
                count = virtname_le_get(d.mv_data, 8);
        else if (rc < 0 && rc != -ENOENT)
                return rc;
        virtname_le_put(n, count + 1, 8);
        rc = virtname_writer_put_meta(w, "dropped", n, sizeof(n));
        return rc < 0 ? rc : virtname_writer_put_meta(w, "dropped:last", why, strnlen(why, 200));
}
