/* query.c - `virt-name-cache query`: what name resolution answers for a
 * name or an address, why, and the domain behind a name, UUID or ID. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "cmd/show.h"
#include "cache/libvirt/virconn.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/reserved.h"


static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache query [--json] NAME|ADDRESS|UUID|ID\n"
                "\n"
                "Show what name resolution answers for NAME (a libvirt domain name, a\n"
                "network's static host, a host name a guest sent in DHCP, or any of them\n"
                "followed by the network's DNS domain) or for an IPv4/IPv6 ADDRESS, why,\n"
                "and the libvirt domain found by name, UUID or numeric ID with the leases\n"
                "of its interfaces.  Exit status 1 when nothing is found.\n"
                "\n"
                "  --json     print one JSON object\n"
                "  -h, --help this text\n");
}

struct ifctx {
        const struct virtname_view *v;
        bool json;
        json_object *array;
        int64_t now;
};

static int print_iface_lease(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        struct ifctx *c = ctx;
        char addr[INET6_ADDRSTRLEN], when[32];

        char why[512];

        if (c->json) {
                json_object_array_add(c->array, show_lease_json(c->v, l, answering, c->now));
                return 0;
        }
        printf("  lease:   %s (expires %s)%s%s\n", show_addr(l->family, l->addr, addr, sizeof(addr)),
               show_time(l->expiry, when, sizeof(when)), answering ? "" : " not answered: ",
               answering ? "" : show_unanswered(c->v, l, c->now));
        printf("    evidence: %s\n", show_evidence(c->v, l, c->now, why, sizeof(why)));
        return 0;
}

static json_object *print_domain(const struct virtname_view *v, const struct virtname_domain_view *d,
                                 bool json, int64_t now)
{
        char buf[VIRTNAME_NAME_MAX + 1], fbuf[VIRTNAME_NAME_MAX + 1], mac[18];
        struct virtname_iface_view f;
        json_object *o = json ? show_domain_json(d) : NULL, *ifaces = NULL;
        size_t pos = 0, i = 0;

        if (json)
                json_object_object_get_ex(o, "interfaces", &ifaces);
        else {
                printf("domain:    %s\n", show_str(d->name, buf, sizeof(buf)));
                printf("state:     %s\n", show_state(d->state));
                if (d->id >= 0)
                        printf("id:        %d\n", (int)d->id);
                if (d->has_uuid)
                        printf("uuid:      %s\n", show_uuid(d->uuid, buf, sizeof(buf)));
                if (d->cid)
                        printf("vsock cid: %u\n", (unsigned)d->cid);
        }
        while (virtname_domain_iface_next(d, &pos, &f)) {
                struct ifctx c = { v, json, json_object_new_array(), now };
                struct virtname_domain_view owner;
                bool owns = f.network.len && virtname_iface_owner(v, f.network, f.mac, &owner) == 0 &&
                            owner.name.len == d->name.len &&
                            memcmp(owner.name.p, d->name.p, d->name.len) == 0;

                if (!json) {
                        virtname_mac_format(f.mac, mac);
                        printf("interface: %s%s%s%s%s", mac, f.network.len ? " on " : "",
                               f.network.len ? show_str(f.network, buf, sizeof(buf)) : "",
                               f.filter.len ? ", nwfilter " : "",
                               f.filter.len ? show_str(f.filter, fbuf, sizeof(fbuf)) : "");
                        printf("%s%s\n", f.port.len ? ", port " : "",
                               f.port.len ? show_str(f.port, fbuf, sizeof(fbuf)) : "");
                        if (!f.network.len)
                                printf("  (not on a libvirt network: its leases are not this domain's)\n");
                        else if (!owns)
                                printf("  (another domain defines this MAC on this network too: its "
                                       "leases answer for neither)\n");
                }
                if (owns)
                        virtname_iface_leases(v, f.network, f.mac, now, print_iface_lease, &c);
                if (json)
                        json_object_object_add(json_object_array_get_idx(ifaces, i), "leases", c.array);
                else
                        json_object_put(c.array);
                i++;
        }
        return o;
}

/* Does libvirt (read-only, system) define a domain WHAT that the store
 * does not know?  The store learns of a domain when it starts (or at a
 * rebuild), the ssh proxy asks libvirt: say what both know. */
static void libvirt_knows(const char *what)
{
        virConnectPtr conn = virtname_virt_open("qemu:///system", true);
        virDomainPtr dom;

        if (!conn)
                return;
        dom = virDomainLookupByName(conn, what);
        if (dom) {
                printf("libvirt:   defines a domain %s that %s; the store learns of a domain when it "
                       "starts, or at 'virt-name-cache rebuild'\n", what,
                       virDomainIsActive(dom) == 1 ? "is running" : "is not running");
                virDomainFree(dom);
        }
        virConnectClose(conn);
}

struct addr_leases {
        const struct virtname_view *v;
        int64_t now;
        bool json;
        json_object *array;
        size_t n, current, answering;
};

/* Show one lease of the address. */
static void show_address_lease(struct addr_leases *a, const struct virtname_lease_view *lease, bool answering)
{
        char when[32], buf[VIRTNAME_NAME_MAX + 1], mac[18];

        char why[512];

        if (a->json) {
                json_object_array_add(a->array, show_lease_json(a->v, lease, answering, a->now));
                return;
        }
        printf("lease:     ");
        if (lease->flags & VIRTNAME_LEASE_HAS_MAC) {
                virtname_mac_format(lease->mac, mac);
                printf("MAC %s", mac);
        } else {
                printf("no MAC");
        }
        printf(" on network %s", lease->network.len ? show_str(lease->network, buf, sizeof(buf)) : "-");
        if (lease->hostname.len)
                printf(", host name %s", show_str(lease->hostname, buf, sizeof(buf)));
        printf(", expires %s%s%s%s\n", show_time(lease->expiry, when, sizeof(when)),
               answering ? "" : " (not answered: ", answering ? "" : show_unanswered(a->v, lease, a->now),
               answering ? "" : ")");
        printf("evidence:  %s\n", show_evidence(a->v, lease, a->now, why, sizeof(why)));
}

static int query_address(const struct virtname_view *v, const char *what, int family,
                         const uint8_t *addr, bool json)
{
        uint8_t key[VIRTNAME_ADDR_KEY_LEN], full[16] = { 0 };
        struct addr_leases a = { .v = v, .now = (int64_t)time(NULL), .json = json,
                                 .array = json ? json_object_new_array() : NULL };
        struct virtname_lease_view lease;
        struct virtname_reverse rev;
        struct virtname_iter it;
        const char *why = NULL;
        MDB_val k, d;
        int rc;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        virtname_addr_key(family, full, key);
        if (!json)
                printf("address:   %s\n", what);
        /* Every network's lease of the address (ranges may overlap). */
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, key, sizeof(key));
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                int answering;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &lease) < 0)
                        continue;
                answering = virtname_lease_answering(v, &lease, a.now);
                if (answering < 0) {
                        rc = answering;
                        break;
                }
                a.n++;
                a.current += virtname_lease_current(&lease, a.now);
                a.answering += answering;
                show_address_lease(&a, &lease, answering);
        }
        virtname_iter_end(&it);
        if (rc == -ENOENT)
                rc = virtname_reverse(v, family, addr, a.now, &rev);
        if (rc < 0 && rc != -ENOENT) {
                json_object_put(a.array);
                cmd_error("the snapshot is damaged; run 'virt-name-cache rebuild' as root");
                return EXIT_STORE;
        }
        if (a.n == 0)
                why = "no lease for this address";
        else if (a.current == 0)
                why = "its lease has expired";
        else if (a.answering == 0)
                why = "its lease does not answer (above)";
        else if (rc == -ENOENT)
                why = "no domain's port answered for it, and the guest sent no host name that may be used "
                      "(none, reserved, or one an administrator gave another)";
        if (json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "address", json_object_new_string(what));
                json_object_object_add(o, "leases", a.array);
                json_object_object_add(o, "name", why ? NULL : json_object_new_string(rev.name));
                json_object_object_add(o, "fqdn", !why && rev.fqdn[0] ? json_object_new_string(rev.fqdn)
                                                                      : NULL);
                json_object_object_add(o, "source", json_object_new_string(why ? "none"
                                                                                : show_source(rev.source)));
                json_object_object_add(o, "why_no_name", why ? json_object_new_string(why) : NULL);
                return show_json_print(o) == EXIT_OK ? (why ? EXIT_NOTFOUND : EXIT_OK) : EXIT_SYSTEM;
        }
        if (why) {
                printf("name:      none: %s\n", why);
                return EXIT_NOTFOUND;
        }
        printf("name:      %s (%s)\n", rev.name, show_source(rev.source));
        if (rev.fqdn[0])
                printf("fqdn:      %s\n", rev.fqdn);
        return EXIT_OK;
}

static int query_name(const struct virtname_view *v, const char *what, bool json)
{
        static struct virtname_answer ans;      /* 2 KiB: keep it off the stack */
        struct virtname_domain_view dom;
        char addr[INET6_ADDRSTRLEN], when[32], key[VIRTNAME_NAME_MAX + 1];
        int64_t now = (int64_t)time(NULL);
        bool have_dom = false, reserved, ambiguous = false;
        int rc = virtname_resolve(v, what, AF_UNSPEC, now, &ans);

        reserved = virtname_name_normalise(what, key) >= 0 && virtname_name_reserved(key);
        if (rc == 0) {
                rc = virtname_find_domain(v, what, &dom);
                have_dom = rc == 0;
                ambiguous = rc == -ENOTUNIQ;
                if (rc == -ENOENT || rc == -ENOTUNIQ)
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
                json_object_object_add(o, "reserved", json_object_new_boolean(reserved));
                json_object_object_add(o, "source", json_object_new_string(show_source(ans.source)));
                for (size_t i = 0; i < ans.n; i++) {
                        json_object *a = json_object_new_object();

                        json_object_object_add(a, "address", json_object_new_string(
                                show_addr(ans.addr[i].family, ans.addr[i].addr, addr, sizeof(addr))));
                        json_object_object_add(a, "family",
                                               json_object_new_int(ans.addr[i].family == AF_INET6 ? 6 : 4));
                        json_object_object_add(a, "expiry", json_object_new_int64(ans.addr[i].expiry));
                        json_object_object_add(a, "evidence", json_object_new_string(show_rank(ans.addr[i].rank)));
                        json_object_array_add(addrs, a);
                }
                json_object_object_add(o, "addresses", addrs);
                json_object_object_add(o, "domain", have_dom ? print_domain(v, &dom, true, now) : NULL);
                rc = show_json_print(o);
                return rc != EXIT_OK ? rc : ans.known || have_dom ? EXIT_OK : EXIT_NOTFOUND;
        }
        if (reserved) {
                printf("name:      %s: reserved, never answered (localhost, names beginning with '_', "
                       "wpad, ip6-*, this host's names and the names in /etc/hosts are never a "
                       "guest's)\n", what);
                if (!have_dom)
                        return EXIT_NOTFOUND;
        } else if (!ans.known && !have_dom) {
                cmd_error("%s: not found", what);
                libvirt_knows(what);
                return EXIT_NOTFOUND;
        }
        if (!reserved)
                printf("name:      %s (%s)\n", what,
                       ans.known ? show_source(ans.source) : "domain UUID or ID");
        if (ambiguous)
                printf("domains:   several domains have this name in other cases (libvirt's names are case "
                       "sensitive, DNS's are not): ask for one by its exact name, UUID or ID\n");
        if (ans.known && ans.n == 0)
                printf("addresses: none current%s\n", ans.source == VIRTNAME_SRC_DOMAIN && !ambiguous
                                                        ? " (a domain's name follows only addresses its own "
                                                          "ports answered for, an administrator gave it or its "
                                                          "guest agent reported: see its leases below)"
                                                        : "");
        for (size_t i = 0; i < ans.n; i++)
                printf("address:   %s (expires %s; %s)\n",
                       show_addr(ans.addr[i].family, ans.addr[i].addr, addr, sizeof(addr)),
                       show_time(ans.addr[i].expiry, when, sizeof(when)), show_rank(ans.addr[i].rank));
        if (ans.dropped)
                printf("           (%zu more not shown)\n", ans.dropped);
        if (have_dom)
                print_domain(v, &dom, false, now);
        return EXIT_OK;
}

int cmd_query(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct show r;
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
        show_close(&r);
        return rc;
}
