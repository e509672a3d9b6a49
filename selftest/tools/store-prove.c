/* store-prove - a fixture step: the store as port-probe leaves it when
 * every domain's guest answers for its leases.  Tests of the name rules
 * that build a store from lease files (which know no ports) use it; the
 * evidence itself is proven with real ports in the end-to-end tests.
 *
 *   store-prove [--every] DIR
 *
 * Every domain not shut off becomes running (ID 1000 + its place, unless
 * it has one) with a port "vp" + its place + "i" + the interface's for
 * each interface that has none, and every current lease of its
 * interfaces is recorded as answered for by that port.
 *
 * --every: each running domain also gets the other kinds of address
 * (issue 22), so that what reads a store meets every kind of record: an
 * interface on the host bridge "bridge/vnfz0" (port "vpb" + its place)
 * with an observed address 198.18.210.PLACE its port answered for, and a
 * macvtap interface on "direct/vnfz1" with the address its guest agent
 * reported, 2001:db8:210::PLACE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include "cache/ingest/asks.h"
#include "cache/ingest/edit.h"
#include "cache/ingest/update.h"

#define MAX_DOMAINS 4096
#define MAX_IFACES 16

struct copy {
        struct virtname_domain d;
        struct virtname_iface ifaces[MAX_IFACES];
        char name[VIRTNAME_NAME_MAX + 1], nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        char filters[MAX_IFACES][VIRTNAME_NAME_MAX + 1], ports[MAX_IFACES][IF_NAMESIZE];
};

#define EVERY_MAX 250   /* one address byte per domain */

/* --every: the bridged and macvtap interfaces of domain X (place I). */
static void add_every_ifaces(struct copy *x, size_t i)
{
        static const char *nets[2] = { "bridge/vnfz0", "direct/vnfz1" };

        for (size_t k = 0; k < 2 && x->d.n_ifaces < MAX_IFACES; k++) {
                size_t j = x->d.n_ifaces++;
                struct virtname_iface *f = &x->ifaces[j];

                memcpy(f->mac, (uint8_t[VIRTNAME_MAC_LEN]){ 0x52, 0x54, 0x00, 0xfa, (uint8_t)k, (uint8_t)i }, VIRTNAME_MAC_LEN);
                f->network = strcpy(x->nets[j], nets[k]);
                f->filter = NULL;
                f->port = NULL;
                if (k == 0)
                        snprintf(x->ports[j], sizeof(x->ports[j]), "vpb%zu", i), f->port = x->ports[j];
        }
}

/* --every: what the bridged port answered for and the agent reported. */
static int record_every(struct virtname_writer *w, const struct copy *x, size_t i, int64_t now)
{
        uint8_t v4[16] = { 198, 18, 210, (uint8_t)i };
        struct virtname_agent_addr a = { .family = AF_INET6,
                                         .addr = { 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x10, [15] = (uint8_t)i } };
        int rc;

        memcpy(a.mac, x->ifaces[x->d.n_ifaces - 1].mac, VIRTNAME_MAC_LEN);
        rc = virtname_edit_observe(w, "bridge/vnfz0", x->ifaces[x->d.n_ifaces - 2].mac, AF_INET, v4,
                                   x->ports[x->d.n_ifaces - 2], x->d.id, now, VIRTNAME_OBSERVED_TTL);
        return rc < 0 ? rc : virtname_edit_agent(w, x->name, x->d.id, now, VIRTNAME_OBSERVED_TTL, &a, 1);
}

static const char *str(char *dst, size_t cap, struct virtname_str s)
{
        snprintf(dst, cap, "%.*s", (int)s.len, s.p);
        return s.len ? dst : NULL;
}

int main(int argc, char **argv)
{
        struct virtname_update *u;
        struct virtname_writer *w;
        struct virtname_asks asks = { 0 };
        struct virtname_iter it;
        struct copy *c;
        size_t n = 0;
        MDB_val k, d;
        char err[512];
        int64_t now = (int64_t)time(NULL);
        bool every = argc == 3 && strcmp(argv[1], "--every") == 0;
        int rc;

        if (argc != 2 && !every) {
                fprintf(stderr, "usage: store-prove [--every] DIR\n");
                return 2;
        }
        if (!(c = calloc(MAX_DOMAINS, sizeof(*c))))
                return 1;
        if (virtname_update_open(argv[argc - 1], 5000, 0, &u, err, sizeof(err)) < 0) {
                fprintf(stderr, "store-prove: %s\n", err);
                return 1;
        }
        w = virtname_update_writer(u);
        /* Copies first: putting a domain changes the database walked. */
        rc = virtname_iter_start(&it, virtname_writer_view(w), VIRTNAME_DB_DOMAINS, NULL, 0);
        while (rc == 0 && n < MAX_DOMAINS && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_domain_view v;
                struct virtname_iface_view f;
                struct copy *x = &c[n];
                size_t pos = 0;

                if (virtname_domain_decode(d.mv_data, d.mv_size, &v) < 0 || v.state == VIRTNAME_STATE_SHUTOFF)
                        continue;
                x->d = (struct virtname_domain){ .name = str(x->name, sizeof(x->name), v.name), .has_uuid = v.has_uuid,
                                                 .id = v.id >= 0 ? v.id : (int32_t)(1000 + n),
                                                 .state = VIRTNAME_STATE_RUNNING, .cid = v.cid,
                                                 .updated = v.updated, .ifaces = x->ifaces };
                if (v.has_uuid)
                        memcpy(x->d.uuid, v.uuid, VIRTNAME_UUID_LEN);
                while (x->d.n_ifaces < MAX_IFACES && virtname_domain_iface_next(&v, &pos, &f)) {
                        struct virtname_iface *i = &x->ifaces[x->d.n_ifaces];
                        size_t j = x->d.n_ifaces++;

                        memcpy(i->mac, f.mac, VIRTNAME_MAC_LEN);
                        i->network = str(x->nets[j], sizeof(x->nets[j]), f.network);
                        i->filter = str(x->filters[j], sizeof(x->filters[j]), f.filter);
                        if (f.port.len)
                                i->port = str(x->ports[j], sizeof(x->ports[j]), f.port);
                        else
                                snprintf(x->ports[j], sizeof(x->ports[j]), "vp%zui%zu", n, j), i->port = x->ports[j];
                }
                if (every && n < EVERY_MAX)
                        add_every_ifaces(x, n);
                n++;
        }
        virtname_iter_end(&it);
        for (size_t i = 0; i < n && (rc == 0 || rc == -ENOENT); i++)
                rc = virtname_writer_put_domain(w, &c[i].d);
        if (rc == 0 || rc == -ENOENT)
                rc = virtname_asks_all(virtname_writer_view(w), now, &asks);
        for (size_t i = 0; rc == 0 && i < asks.n; i++)
                for (size_t j = 0; j < asks.a[i].port.n; j++)
                        asks.a[i].port.addrs[j].answered = true;
        if (rc == 0)
                rc = virtname_asks_record(w, &asks, false, now);
        for (size_t i = 0; rc == 0 && every && i < n && i < EVERY_MAX; i++)
                rc = record_every(w, &c[i], i, now);
        if (rc == 0)
                rc = virtname_update_commit(u, 0, NULL, err, sizeof(err));
        else
                snprintf(err, sizeof(err), "%s", rc == -ENOMEM ? "out of memory" : virtname_writer_error(w));
        virtname_update_close(u);
        if (rc == 0)
                printf("%zu domains running, %zu ports answered\n", n, asks.n);
        else
                fprintf(stderr, "store-prove: %s\n", err);
        virtname_asks_free(&asks);
        free(c);
        return rc < 0;
}
