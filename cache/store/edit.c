/* edit.c - read-modify-write changes on the writer's transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/edit.h"
#include "store/lookup.h"
#include "store/names.h"

/* More interfaces than this on one domain are not recorded. */
#define MAX_IFACES 64

int virtname_edit_put_network(struct virtname_writer *w, const struct virtname_xml_network *net)
{
        int rc = virtname_writer_put_network(w, &net->n);

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
        return rc;
}

int virtname_edit_iface(struct virtname_writer *w, const char *name, const uint8_t *uuid,
                   const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool attach)
{
        struct virtname_iface ifaces[MAX_IFACES];
        char nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1], key[VIRTNAME_NAME_MAX + 1];
        struct virtname_domain d = { .name = name, .id = -1, .updated = (int64_t)time(NULL) };
        struct virtname_domain_view old;
        const uint8_t *m;
        struct virtname_str net;
        size_t pos = 0, n = 0;
        int len = virtname_name_normalise(name, key), rc;

        if (len < 0)
                return -EINVAL;
        rc = virtname_get_domain(virtname_writer_view(w), &(MDB_val){ (size_t)len, key }, &old);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        if (rc == 0) {
                /* Keep everything but this MAC's old entry. */
                while (n < MAX_IFACES && virtname_domain_iface_next(&old, &pos, &m, &net)) {
                        if (memcmp(m, mac, VIRTNAME_MAC_LEN) == 0)
                                continue;
                        memcpy(ifaces[n].mac, m, VIRTNAME_MAC_LEN);
                        snprintf(nets[n], sizeof(nets[n]), "%.*s", (int)net.len, net.p);
                        ifaces[n].network = net.len ? nets[n] : NULL;
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
        MDB_cursor *cur;
        MDB_val k, d;
        int rc;

        if (mdb_cursor_open(v->txn, v->dbi[VIRTNAME_DB_NETWORKS], &cur) != 0)
                return -EIO;
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
                if (virtname_network_decode(d.mv_data, d.mv_size, &n) < 0 || !virtname_str_eq(n.bridge, bridge))
                        continue;
                snprintf(name, VIRTNAME_NAME_MAX + 1, "%.*s", (int)n.name.len, n.name.p);
                snprintf(suffix, VIRTNAME_NAME_MAX + 1, "%.*s", (int)n.suffix.len, n.suffix.p);
                mdb_cursor_close(cur);
                return 0;
        }
        mdb_cursor_close(cur);
        return -ENOENT;
}
