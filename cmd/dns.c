/* dns.c - `virt-name-cache export` (the store's names as a hosts file or
 * zone records, for any DNS server) and `virt-name-cache dns-sync` (the
 * fleet DNS: send the queue, or reconcile the zone whole; dns/). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd/cmd.h"
#include "dns/config.h"
#include "dns/send.h"
#include "dns/update.h"
#include "cache/derive/export.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"

static void export_usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache export [--format hosts|zone] [--network NETWORK] [--ttl SECONDS]\n"
                "                              [--zone ZONE [--ns NAME]]\n"
                "\n"
                "Print the names the store answers, under the same rules as the NSS module,\n"
                "for a DNS server of your own (unbound, CoreDNS, dnsmasq, a zone file).\n"
                "\n"
                "  --format hosts    one line per address: ADDRESS NAME.DOMAIN NAME ...,\n"
                "                    the name it answers to in reverse first (default)\n"
                "  --format zone     A and AAAA records; with the fleet DNS configured\n"
                "                    (" VIRTNAME_CONF_DIR "/" VIRTNAME_DNS_CONF_NAME "), exactly what\n"
                "                    dns-sync publishes: its names and PTR records\n"
                "  --network NET     hosts format: only that network's addresses\n"
                "  --ttl SECONDS     zone format: the records' TTL (default: dns.conf's, or 60)\n"
                "  --zone ZONE       zone format: one whole zone file (SOA, NS, records): dns.conf's\n"
                "                    zone or one of its reverse zones (without dns.conf: ZONE\n"
                "                    holds GUEST.ZONE)\n"
                "  --ns NAME         with --zone: the zone's name server (default localhost.)\n"
                "  -h, --help        this text\n");
}

struct zone_out {
        const struct virtname_dns_config *c;   /* NULL: names relative (or under flat), no PTR */
        struct virtname_dns_config flat;       /* --zone without dns.conf: GUEST.ZONE */
        unsigned ttl;
        size_t bad;
        const char *only;                      /* --zone: print only its records */
        bool reverse;                          /* ... a reverse zone: PTRs */
};

static int print_line(const struct virtname_line *l, void *ctx)
{
        const struct virtname_view *v = ctx;
        char addr[INET6_ADDRSTRLEN], suffix[VIRTNAME_NAME_MAX + 1] = "";
        MDB_val k = { strlen(l->network), (void *)l->network }, d;
        struct virtname_network_view n;

        if (!inet_ntop(l->family, l->addr, addr, sizeof(addr)))
                return 0;
        if (virtname_view_get(v, VIRTNAME_DB_NETWORKS, &k, &d) == 0 &&
            virtname_network_decode(d.mv_data, d.mv_size, &n) == 0 && n.suffix.len < sizeof(suffix)) {
                memcpy(suffix, n.suffix.p, n.suffix.len);
                suffix[n.suffix.len] = '\0';
        }
        fputs(addr, stdout);
        for (unsigned i = 0; i < l->n; i++) {
                if (suffix[0] && !strchr(l->names[i], '.'))
                        printf(" %s.%s", l->names[i], suffix);
                printf(" %s", l->names[i]);
        }
        putchar('\n');
        return 0;
}

static int print_records(const struct virtname_named *nm, void *ctx)
{
        struct zone_out *z = ctx;
        char owner[260], addr[INET6_ADDRSTRLEN], rev[128], why[256];

        if (z->c && virtname_dns_fqdn(z->c, nm->name, owner, sizeof(owner), why, sizeof(why)) != VIRTNAME_DNS_OK) {
                cmd_warn("%s", why);
                z->bad++;
                return 0;
        }
        if (!z->c)
                snprintf(owner, sizeof(owner), "%s", nm->name);
        for (size_t i = 0; i < nm->answer.n; i++) {
                const struct virtname_addr *a = &nm->answer.addr[i];
                const char *rz;

                if (!inet_ntop(a->family, a->addr, addr, sizeof(addr)))
                        continue;
                if (!z->only || !z->reverse)
                        printf("%s\t%u\tIN\t%s\t%s\n", owner, z->ttl, a->family == AF_INET6 ? "AAAA" : "A", addr);
                rz = z->c && nm->reverse[i] ? virtname_dns_reverse(z->c, a->family, a->addr, rev, sizeof(rev)) : NULL;
                if (rz && (!z->only || (z->reverse && strcmp(rz, z->only) == 0)))
                        printf("%s\t%u\tIN\tPTR\t%s\n", rev, z->ttl, owner);
        }
        return 0;
}

/* --zone NAME: which records, and names under it without dns.conf. */
static int zone_select(struct zone_out *z, const char *zone, char *name, size_t namelen)
{
        size_t n = strlen(zone);

        if (n == 0 || n + 2 > namelen) {
                cmd_error("--zone: '%s' is not a zone name", zone);
                return EXIT_USAGE;
        }
        snprintf(name, namelen, "%s%s", zone, zone[n - 1] == '.' ? "" : ".");
        for (char *p = name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        z->only = name;
        if (z->c) {
                if (strcmp(name, z->c->zone) == 0)
                        return EXIT_OK;
                for (size_t i = 0; i < z->c->nreverse; i++)
                        if (strcmp(name, z->c->reverse[i]) == 0) {
                                z->only = z->c->reverse[i];     /* what virtname_dns_reverse returns */
                                z->reverse = true;
                                return EXIT_OK;
                        }
                cmd_error("--zone %s: neither the zone nor a reverse zone of %s", zone, z->c->path);
                return EXIT_USAGE;
        }
        if (strstr(name, ".arpa.") || strcmp(name + strlen(name) - 5, "arpa.") == 0) {
                cmd_error("--zone %s: a reverse zone needs the fleet DNS configuration (its forward names; "
                          "see FLEET DNS)", zone);
                return EXIT_USAGE;
        }
        /* GUEST.ZONE, as names = flat would publish them */
        memset(&z->flat, 0, sizeof(z->flat));
        if (strlen(name) >= sizeof(z->flat.zone)) {
                cmd_error("--zone: '%s' is too long", zone);
                return EXIT_USAGE;
        }
        memcpy(z->flat.zone, name, strlen(name) + 1);
        z->flat.names = VIRTNAME_DNS_NAMES_FLAT;
        z->c = &z->flat;
        return EXIT_OK;
}

/* A zone file's own records: loadable as it is (named-checkzone, knot). */
static void zone_header(const struct zone_out *z, const char *ns)
{
        size_t n = strlen(ns);

        printf("; %s from virt-name-cache export: this host's names only\n", z->only);
        printf("$ORIGIN %s\n$TTL %u\n", z->only, z->ttl);
        printf("@\t%u\tIN\tSOA\t%s%s hostmaster.%s %lld 3600 600 86400 %u\n", z->ttl, ns,
               n && ns[n - 1] == '.' ? "" : ".", z->only, (long long)time(NULL), z->ttl);
        printf("@\t%u\tIN\tNS\t%s%s\n", z->ttl, ns, n && ns[n - 1] == '.' ? "" : ".");
}

int cmd_export(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "network", required_argument, NULL, 'n' },
                { "ttl", required_argument, NULL, 't' },
                { "zone", required_argument, NULL, 'z' },
                { "ns", required_argument, NULL, 'N' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *format = "hosts", *network = NULL, *dir = virtname_store_dir(ctx->db_dir), *zone = NULL;
        const char *ns = "localhost.";
        struct virtname_dns_config conf;
        struct zone_out z = { .ttl = 60 };
        char zname[258];
        struct virtname_snapshot *snap;
        struct virtname_view v;
        char err[512];
        long ttl = -1;
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'n':
                        network = optarg;
                        break;
                case 't':
                        ttl = strtol(optarg, NULL, 10);
                        if (ttl < 0 || ttl > 86400 * 7) {
                                cmd_error("--ttl: give seconds, at most a week");
                                return EXIT_USAGE;
                        }
                        break;
                case 'z':
                        zone = optarg;
                        break;
                case 'N':
                        ns = optarg;
                        break;
                case 'h':
                        export_usage(stdout);
                        return EXIT_OK;
                default:
                        export_usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (cmd_extra_args(argc, argv))
                return EXIT_USAGE;
        if (strcmp(format, "hosts") != 0 && strcmp(format, "zone") != 0) {
                cmd_error("--format: hosts or zone, not '%s'", format);
                return EXIT_USAGE;
        }
        if (zone && strcmp(format, "zone") != 0) {
                cmd_error("--zone goes with --format zone");
                return EXIT_USAGE;
        }
        if (strcmp(format, "zone") == 0) {
                rc = virtname_dns_config_load(NULL, &conf, err, sizeof(err));
                if (rc != VIRTNAME_DNS_OK && rc != VIRTNAME_DNS_EABSENT) {
                        cmd_error("%s", err);
                        return EXIT_INPUT;
                }
                if (rc == VIRTNAME_DNS_OK) {
                        z.c = &conf;
                        z.ttl = conf.ttl;
                }
                if (ttl >= 0)
                        z.ttl = (unsigned)ttl;
        }
        if (zone && (rc = zone_select(&z, zone, zname, sizeof(zname))) != EXIT_OK)
                return rc;
        rc = virtname_snapshot_load(dir, NULL, &snap);
        if (rc == 0 && (rc = virtname_snapshot_view(snap, &v)) < 0)
                virtname_snapshot_unref(snap);
        if (rc < 0) {
                cmd_error("cannot read the snapshot in %s: %s", dir, strerror(-rc));
                return EXIT_STORE;
        }
        if (strcmp(format, "hosts") == 0)
                rc = virtname_export_lines(&v, network, (int64_t)time(NULL), print_line, &v);
        else {
                if (zone)
                        zone_header(&z, ns);
                rc = virtname_export_names(&v, (int64_t)time(NULL), print_records, &z);
        }
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        if (rc < 0) {
                cmd_error("cannot read the snapshot in %s: %s", dir, strerror(-rc));
                return EXIT_STORE;
        }
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_SYSTEM;
}

static void sync_usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache dns-sync [--queue]\n"
                "\n"
                "Bring the fleet's DNS zone (" VIRTNAME_CONF_DIR "/" VIRTNAME_DNS_CONF_NAME ") up to\n"
                "the store: every name this host answers is published (A, AAAA, and PTR in\n"
                "the reverse zones named there) as TSIG-signed RFC 2136 updates, and this\n"
                "host's names the store no longer has are deleted.  Names another host or\n"
                "an administrator holds are left alone and reported.  The queue of changes\n"
                "the hooks could not send is cleared.\n"
                "\n"
                "  --queue     send only the queued changes (what hooks do after each change)\n"
                "  -h, --help  this text\n"
                "\n"
                "Exit status: 0 in sync; 1 some names are held by others; 3 store; 4 bad\n"
                "dns.conf or key; 5 the server refused; 6 the server did not answer.\n");
}

static void note(void *arg, const char *name, int result, const char *why)
{
        (void)arg;
        (void)name;
        (void)result;
        printf("  %s\n", why);
}

static int exit_of(int rc)
{
        switch (rc) {
        case VIRTNAME_DNS_OK:
                return EXIT_OK;
        case VIRTNAME_DNS_ECONFLICT:
                return EXIT_NOTFOUND;
        case VIRTNAME_DNS_EINPUT:
                return EXIT_INPUT;
        case VIRTNAME_DNS_EREFUSED:
                return EXIT_LIBVIRT;
        case VIRTNAME_DNS_ESTORE:
                return EXIT_STORE;
        default:
                return EXIT_SYSTEM;
        }
}

int cmd_dns_sync(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "queue", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct virtname_dns_config conf;
        struct virtname_dns_sync_stats st;
        struct virtname_dns_send_stats qs;
        bool queue_only = false;
        char err[512];
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'q':
                        queue_only = true;
                        break;
                case 'h':
                        sync_usage(stdout);
                        return EXIT_OK;
                default:
                        sync_usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (cmd_extra_args(argc, argv))
                return EXIT_USAGE;
        rc = virtname_dns_config_load(NULL, &conf, err, sizeof(err));
        if (rc == VIRTNAME_DNS_EABSENT) {
                cmd_error("the fleet DNS is not configured: no %s/%s (see virt-name-cache(1), FLEET DNS)",
                          virtname_conf_dir(NULL), VIRTNAME_DNS_CONF_NAME);
                return EXIT_INPUT;
        }
        if (rc != VIRTNAME_DNS_OK) {
                cmd_error("%s", err);
                return EXIT_INPUT;
        }
        if (queue_only) {
                size_t sent = 0, conflicts = 0;

                do {
                        rc = virtname_dns_send_queue(ctx->db_dir, &conf, 256, 0, false, &qs, err, sizeof(err));
                        sent += qs.sent;
                        conflicts += qs.conflicts;
                } while (rc == VIRTNAME_DNS_OK && qs.sent + qs.failed + qs.conflicts > 0);
                printf("sent %zu queued names to %s, %zu held by others; %zu wait%s\n", sent, conf.server,
                       conflicts, qs.left, qs.full ? "; a whole dns-sync is due" : "");
                if (rc != VIRTNAME_DNS_OK)
                        cmd_error("%s", err);
                return exit_of(rc);
        }
        rc = virtname_dns_sync_store(ctx->db_dir, &conf, &st, note, NULL, err, sizeof(err));
        if (rc == VIRTNAME_DNS_ESTORE) {
                cmd_error("%s", err);
                return EXIT_STORE;
        }
        if (!st.planned) {
                /* the transfers failed: nothing was compared, nothing sent */
                cmd_error("%s; the zone was not changed", err);
                return exit_of(rc);
        }
        if (st.stopped)
                printf("stopped: %zu changes not sent (see below)\n", st.withheld);
        else if (st.withheld)
                printf("the server refused part of the changes: %zu releases not sent\n", st.withheld);
        printf("zone %s at %s: %zu names (%zu added, %zu changed, %zu removed, %zu unchanged, %zu held by "
               "others); PTR: %zu added, %zu changed, %zu removed\n", conf.zone, conf.server, st.names, st.claimed,
               st.changed, st.released, st.unchanged, st.conflicts, st.ptr_claimed, st.ptr_changed,
               st.ptr_released);
        if (rc != VIRTNAME_DNS_OK)
                cmd_error("%s", err);
        return exit_of(rc);
}
