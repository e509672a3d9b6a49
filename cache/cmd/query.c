/* query.c - `virt-name-cache query`: what the NSS module answers for
 * a name or address, and the domain behind a name, UUID or ID. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd/show.h"
#include "store/lookup.h"
#include "store/names.h"

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache query [--json] NAME|ADDRESS|UUID|ID\n"
                "\n"
                "Show what name resolution answers for NAME (a libvirt domain name, a host\n"
                "name a guest sent in DHCP, or either followed by the network's DNS domain)\n"
                "or for an IPv4/IPv6 ADDRESS, and the libvirt domain found by name, UUID or\n"
                "numeric ID.  Exit status 1 when nothing is found.\n"
                "\n"
                "  --json     print one JSON object\n"
                "  -h, --help this text\n");
}

static void print_domain(const struct virtname_domain_view *d)
{
        char buf[VIRTNAME_NAME_MAX + 1], mac[18];
        const uint8_t *m;
        struct virtname_str net;
        size_t pos = 0;

        printf("domain:    %s\n", show_str(d->name, buf, sizeof(buf)));
        printf("state:     %s\n", show_state(d->state));
        if (d->id >= 0)
                printf("id:        %d\n", (int)d->id);
        if (d->has_uuid)
                printf("uuid:      %s\n", show_uuid(d->uuid, buf, sizeof(buf)));
        if (d->cid)
                printf("vsock cid: %u\n", (unsigned)d->cid);
        while (virtname_domain_iface_next(d, &pos, &m, &net)) {
                virtname_mac_format(m, mac);
                printf("interface: %s%s%s\n", mac, net.len ? " on " : "",
                       net.len ? show_str(net, buf, sizeof(buf)) : "");
        }
}

static int query_address(const struct virtname_view *v, const char *what, int family,
                         const uint8_t *addr, bool json)
{
        struct virtname_reverse rev;
        char when[32];
        int rc = virtname_reverse(v, family, addr, (int64_t)time(NULL), &rev);

        if (rc == -ENOENT) {
                if (json)
                        return show_json_print(json_object_new_object()) == EXIT_OK ? EXIT_NOTFOUND
                                                                               : EXIT_SYSTEM;
                cmd_error("%s: no current lease for this address", what);
                return EXIT_NOTFOUND;
        }
        if (rc < 0) {
                cmd_error("the snapshot is damaged; run 'virt-name-cache rebuild' as root");
                return EXIT_STORE;
        }
        if (json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "address", json_object_new_string(what));
                json_object_object_add(o, "name", json_object_new_string(rev.name));
                json_object_object_add(o, "fqdn", rev.fqdn[0] ? json_object_new_string(rev.fqdn) : NULL);
                json_object_object_add(o, "expiry", json_object_new_int64(rev.expiry));
                return show_json_print(o);
        }
        printf("address:   %s\nname:      %s\n", what, rev.name);
        if (rev.fqdn[0])
                printf("fqdn:      %s\n", rev.fqdn);
        printf("expires:   %s\n", show_time(rev.expiry, when, sizeof(when)));
        return EXIT_OK;
}

static int query_name(const struct virtname_view *v, const char *what, bool json)
{
        static struct virtname_answer ans;           /* 2 KiB: keep it off the stack */
        struct virtname_domain_view dom;
        bool have_dom = false;
        char addr[INET6_ADDRSTRLEN], when[32];
        int rc = virtname_resolve(v, what, AF_UNSPEC, (int64_t)time(NULL), &ans);

        if (rc == 0) {
                rc = virtname_find_domain(v, what, &dom);
                have_dom = rc == 0;
                if (rc == -ENOENT)
                        rc = 0;
        }
        if (rc < 0) {
                cmd_error("the snapshot is damaged; run 'virt-name-cache rebuild' as root");
                return EXIT_STORE;
        }
        if (json) {
                json_object *o = json_object_new_object(), *addrs = json_object_new_array();

                json_object_object_add(o, "name", json_object_new_string(what));
                json_object_object_add(o, "known", json_object_new_boolean(ans.known));
                json_object_object_add(o, "is_domain_name", json_object_new_boolean(ans.is_domain));
                for (size_t i = 0; i < ans.n; i++) {
                        json_object *a = json_object_new_object();

                        json_object_object_add(a, "address", json_object_new_string(
                                show_addr(ans.addr[i].family, ans.addr[i].addr, addr, sizeof(addr))));
                        json_object_object_add(a, "family",
                                               json_object_new_int(ans.addr[i].family == AF_INET6 ? 6 : 4));
                        json_object_object_add(a, "expiry", json_object_new_int64(ans.addr[i].expiry));
                        json_object_array_add(addrs, a);
                }
                json_object_object_add(o, "addresses", addrs);
                json_object_object_add(o, "domain", have_dom ? show_domain_json(&dom) : NULL);
                rc = show_json_print(o);
                return rc != EXIT_OK ? rc : ans.known || have_dom ? EXIT_OK : EXIT_NOTFOUND;
        }
        if (!ans.known && !have_dom) {
                cmd_error("%s: not found", what);
                return EXIT_NOTFOUND;
        }
        printf("name:      %s (%s)\n", what,
               ans.is_domain ? "libvirt domain name" : ans.known ? "guest host name"
                                                               : "domain UUID or ID");
        if (ans.known && ans.n == 0)
                printf("addresses: none current\n");
        for (size_t i = 0; i < ans.n; i++)
                printf("address:   %s (expires %s)\n",
                       show_addr(ans.addr[i].family, ans.addr[i].addr, addr, sizeof(addr)),
                       show_time(ans.addr[i].expiry, when, sizeof(when)));
        if (ans.dropped)
                printf("           (%zu more not shown)\n", ans.dropped);
        if (have_dom)
                print_domain(&dom);
        return EXIT_OK;
}

int cmd_query(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct virtname_reader r;
        bool json = false;
        uint8_t addr[16];
        int c, rc, family;
        const char *what;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                cmd_error("query: give exactly one NAME, ADDRESS, UUID or ID");
                usage(stderr);
                return EXIT_USAGE;
        }
        what = argv[optind];
        if (strnlen(what, VIRTNAME_NAME_MAX + 1) > VIRTNAME_NAME_MAX) {
                cmd_error("query: name longer than %d bytes", VIRTNAME_NAME_MAX);
                return EXIT_USAGE;
        }
        rc = show_open(ctx, &r);
        if (rc != EXIT_OK)
                return rc;
        if (virtname_addr_parse(what, &family, addr))
                rc = query_address(&r.view, what, family, addr, json);
        else
                rc = query_name(&r.view, what, json);
        virtname_reader_close(&r);
        return rc;
}
