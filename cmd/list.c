/* list.c - `virt-name-cache list`: everything the store holds. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/show.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache list [--json] [--all]\n"
                "\n"
                "List the networks, domains and current leases in the store, as the NSS\n"
                "module and the ssh proxy see them (the published snapshot).\n"
                "\n"
                "  --json     print one JSON object instead of tables\n"
                "  --all      include expired leases\n"
                "  -h, --help this text\n");
}

/* Call FN for every record of DB (the delta over the base); stops at the
 * first failure. */
typedef int (*record_fn)(const MDB_val *key, const MDB_val *data, void *ctx);

static int each_record(const struct virtname_view *v, enum virtname_db db, record_fn fn, void *ctx)
{
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, db, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                if (fn(&k, &d, ctx) < 0)
                        rc = -EBADMSG;
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : -1;
}

struct list {
        bool json, all;
        int64_t now;
        json_object *array;            /* --json: where records go */
        const struct virtname_view *view;
};

static int print_network(const MDB_val *k, const MDB_val *d, void *ctx)
{
        struct list *l = ctx;
        struct virtname_network_view n;
        char name[VIRTNAME_NAME_MAX + 1], bridge[64], suffix[VIRTNAME_NAME_MAX + 1];

        if (virtname_network_decode(d->mv_data, d->mv_size, &n) < 0)
                return -1;
        if (l->json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "name", json_object_new_string_len(n.name.p, (int)n.name.len));
                json_object_object_add(o, "bridge", n.bridge.len ?
                                       json_object_new_string_len(n.bridge.p, (int)n.bridge.len) : NULL);
                json_object_object_add(o, "suffix", n.suffix.len ?
                                       json_object_new_string_len(n.suffix.p, (int)n.suffix.len) : NULL);
                json_object_object_add(o, "active", json_object_new_boolean(n.active));
                json_object_array_add(l->array, o);
                return 0;
        }
        printf("%-20s %-16s %-24s %s\n", show_str(n.name, name, sizeof(name)),
               n.bridge.len ? show_str(n.bridge, bridge, sizeof(bridge)) : "-",
               n.suffix.len ? show_str(n.suffix, suffix, sizeof(suffix)) : "-",
               n.active ? "active" : "inactive");
        return 0;
}

static int print_domain(const MDB_val *k, const MDB_val *d, void *ctx)
{
        struct list *l = ctx;
        struct virtname_domain_view dom;
        char name[VIRTNAME_NAME_MAX + 1], uuid[40], id[16], cid[16], mac[18], net[64];
        struct virtname_iface_view f;
        size_t pos = 0;

        if (virtname_domain_decode(d->mv_data, d->mv_size, &dom) < 0)
                return -1;
        if (l->json) {
                json_object_array_add(l->array, show_domain_json(&dom));
                return 0;
        }
        snprintf(id, sizeof(id), "%d", (int)dom.id);
        snprintf(cid, sizeof(cid), "%u", (unsigned)dom.cid);
        printf("%-20s %-9s %-5s %-6s %-36s", show_str(dom.name, name, sizeof(name)),
               show_state(dom.state), dom.id >= 0 ? id : "-", dom.cid ? cid : "-",
               dom.has_uuid ? show_uuid(dom.uuid, uuid, sizeof(uuid)) : "-");
        while (virtname_domain_iface_next(&dom, &pos, &f)) {
                virtname_mac_format(f.mac, mac);
                printf(" %s%s%s", mac, f.network.len ? "@" : "",
                       f.network.len ? show_str(f.network, net, sizeof(net)) : "");
        }
        printf("\n");
        return 0;
}

static int print_lease(const MDB_val *k, const MDB_val *d, void *ctx)
{
        struct list *l = ctx;
        struct virtname_lease_view lease;
        struct virtname_domain_view dom;
        char addr[INET6_ADDRSTRLEN], host[VIRTNAME_NAME_MAX + 1], mac[18], net[64], when[32];
        char domain[VIRTNAME_NAME_MAX + 1] = "-";
        int answering;

        if (virtname_lease_decode(d->mv_data, d->mv_size, &lease) < 0)
                return -1;
        if (!l->all && !virtname_lease_current(&lease, l->now))
                return 0;
        answering = virtname_lease_answering(l->view, &lease, l->now);
        if (answering < 0)
                return -1;
        if (l->json) {
                json_object_array_add(l->array, show_lease_json(l->view, &lease, answering, l->now));
                return 0;
        }
        strcpy(mac, "-");
        if (lease.flags & VIRTNAME_LEASE_HAS_MAC) {
                virtname_mac_format(lease.mac, mac);
                if (virtname_iface_owner(l->view, lease.network, lease.mac, &dom) == 0)
                        show_str(dom.name, domain, sizeof(domain));
        }
        bool current = virtname_lease_current(&lease, l->now);

        printf("%-39s %-20s %-20s %-17s %-12s %-8s %s%s%s%s%s\n",
               show_addr(lease.family, lease.addr, addr, sizeof(addr)),
               lease.hostname.len ? show_str(lease.hostname, host, sizeof(host)) : "-", domain, mac,
               lease.network.len ? show_str(lease.network, net, sizeof(net)) : "-",
               show_evidence_word(l->view, &lease), show_time(lease.expiry, when, sizeof(when)),
               current ? "" : " (expired)", answering || !current ? "" : " (not answered: ",
               answering || !current ? "" : show_unanswered(l->view, &lease, l->now),
               answering || !current ? "" : ")");
        return 0;
}

static const struct {
        enum virtname_db db;
        const char *json_key;
        const char *heading;
        record_fn fn;
} sections[] = {
        { VIRTNAME_DB_NETWORKS, "networks",
          "NETWORK              BRIDGE           DNS DOMAIN               STATE", print_network },
        { VIRTNAME_DB_DOMAINS, "domains",
          "DOMAIN               STATE     ID    CID    UUID                                 MAC@NETWORK",
          print_domain },
        { VIRTNAME_DB_LEASES, "leases",
          "ADDRESS                                 HOST NAME            DOMAIN               "
          "MAC               NETWORK      EVIDENCE EXPIRES", print_lease },
};

int cmd_list(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct list l = { .now = (int64_t)time(NULL) };
        struct show r;
        struct virtname_meta meta;
        json_object *doc = NULL;
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'j':
                        l.json = true;
                        break;
                case 'a':
                        l.all = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (cmd_extra_args(argc, argv))
                return EXIT_USAGE;
        rc = show_open(ctx, &r);
        if (rc != EXIT_OK)
                return rc;
        l.view = &r.view;
        if (virtname_get_meta(&r.view, &meta) < 0)
                goto corrupt;
        if (l.json) {
                doc = json_object_new_object();
                json_object_object_add(doc, "generation", json_object_new_int64((int64_t)meta.generation));
                json_object_object_add(doc, "updated", json_object_new_int64(meta.updated));
        }
        for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
                if (l.json) {
                        l.array = json_object_new_array();
                        json_object_object_add(doc, sections[i].json_key, l.array);
                } else {
                        printf("%s%s\n", i ? "\n" : "", sections[i].heading);
                }
                if (each_record(&r.view, sections[i].db, sections[i].fn, &l) < 0)
                        goto corrupt;
        }
        show_close(&r);
        return l.json ? show_json_print(doc) : EXIT_OK;

corrupt:
        json_object_put(doc);
        show_close(&r);
        cmd_error("the snapshot is damaged; run 'virt-name-cache rebuild' as root");
        return EXIT_STORE;
}
