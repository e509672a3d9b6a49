/* store-prove - a fixture step: the store as port-probe leaves it when
 * every domain's guest answers for its leases.  Tests of the name rules
 * that build a store from lease files (which know no ports) use it; the
 * evidence itself is proven with real ports in the end-to-end tests.
 *
 *   store-prove DIR
 *
 * Every domain not shut off becomes running (ID 1000 + its place, unless
 * it has one) with a port "vp" + its place + "i" + the interface's for
 * each interface that has none, and every current lease of its
 * interfaces is recorded as answered for by that port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/ingest/asks.h"
#include "cache/ingest/update.h"

#define MAX_DOMAINS 4096
#define MAX_IFACES 16

struct copy {
        struct virtname_domain d;
        struct virtname_iface ifaces[MAX_IFACES];
        char name[VIRTNAME_NAME_MAX + 1], nets[MAX_IFACES][VIRTNAME_NAME_MAX + 1];
        char filters[MAX_IFACES][VIRTNAME_NAME_MAX + 1], ports[MAX_IFACES][IF_NAMESIZE];
};

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
        int rc;

        if (argc != 2) {
                fprintf(stderr, "usage: store-prove DIR\n");
                return 2;
        }
        if (!(c = calloc(MAX_DOMAINS, sizeof(*c))))
                return 1;
        if (virtname_update_open(argv[1], 5000, 0, &u, err, sizeof(err)) < 0) {
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
                n++;
        }
        virtname_iter_end(&it);
        for (size_t i = 0; i < n && (rc == 0 || rc == -ENOENT); i++)
                rc = virtname_writer_put_domain(w, &c[i].d);
        if (rc == 0 || rc == -ENOENT)
                rc = virtname_asks_all(virtname_writer_view(w), (int64_t)time(NULL), &asks);
        for (size_t i = 0; rc == 0 && i < asks.n; i++)
                for (size_t j = 0; j < asks.a[i].port.n; j++)
                        asks.a[i].port.addrs[j].answered = true;
        if (rc == 0)
                rc = virtname_asks_record(w, &asks, false, (int64_t)time(NULL));
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
