/* edit.c - read-modify-write changes on the writer's transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/ingest/edit.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/wire.h"

/* More interfaces than this on one domain are not recorded. */
#define MAX_IFACES 64

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

int virtname_edit_put_domain(struct virtname_writer *w, struct virtname_xml_domain *x)
{
        char nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];
        int rc = drop_renamed(w, &x->d);

        if (rc < 0)
                return rc;

        if (x->d.n_ifaces > MAX_IFACES)
                x->d.n_ifaces = MAX_IFACES;
        /* An interface of type bridge on a libvirt network's bridge is on
         * that network: its leases carry the network's name. */
        for (size_t i = 0; i < x->d.n_ifaces; i++)
                if (!x->ifaces[i].network && x->xifaces && x->xifaces[i].bridge &&
                    virtname_edit_network_of_bridge(w, x->xifaces[i].bridge, nets[i], suffix) == 0)
                        x->ifaces[i].network = nets[i];
        return virtname_writer_put_domain(w, &x->d);
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
        const struct virtname_view *v = virtname_writer_view(w);
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

int virtname_edit_prove(struct virtname_writer *w, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                        int family, const uint8_t addr[16], enum virtname_evidence evidence, const char *port,
                        int32_t id, int64_t when)
{
        struct virtname_domain_view owner;
        struct virtname_iface_view f;
        struct lease_copy c;
        size_t pos = 0;
        bool same_port = false;
        int rc = get_lease_copy(w, family, addr, network, &c);

        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return rc;
        if (!(c.l.flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(c.l.mac, mac, VIRTNAME_MAC_LEN) != 0 || !port || !*port)
                return 0;
        /* The answer holds for the run and the port it came from only. */
        rc = virtname_iface_owner(virtname_writer_view(w), virtname_str_of(network), mac, &owner);
        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return rc;
        while (!same_port && virtname_domain_iface_next(&owner, &pos, &f))
                same_port = memcmp(f.mac, mac, VIRTNAME_MAC_LEN) == 0 && virtname_str_eq(f.network, network) &&
                            virtname_str_eq(f.port, port);
        if (owner.state != VIRTNAME_STATE_RUNNING || owner.id != id || !same_port)
                return 0;
        if (evidence != VIRTNAME_EV_PORT && (c.l.flags & VIRTNAME_LEASE_RELEASED))
                return virtname_writer_del_lease(w, family, c.l.addr, network, true);
        if (evidence == VIRTNAME_EV_PORT)
                c.l.flags &= ~VIRTNAME_LEASE_RELEASED;
        c.l.evidence = evidence;
        c.l.proved = when > 0 ? when : 1;
        c.l.proved_id = id;
        c.l.port = port;
        return virtname_writer_put_lease(w, &c.l);
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
