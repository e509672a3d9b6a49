/* rebuild.c - `virt-name-cache rebuild`: recreate the whole store
 * from libvirt (or its lease files) in one transaction. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cache/ingest/missed.h"
#include "cache/read/paths.h"
#include "cache/ingest/sources.h"
#include "cache/ingest/asks.h"
#include "cache/ingest/neigh.h"
#include "cache/ingest/update.h"

/* How long a rebuild waits for a hook or lease helper to finish. */
#define REBUILD_LOCK_TIMEOUT_MS 30000

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache rebuild [--connect URI | --leases-dir DIR] [--partial]\n"
                "\n"
                "Recreate the whole store, atomically: readers see the old store until the\n"
                "new one is complete.\n"
                "\n"
                "  --connect URI     read networks, DHCP leases and domains from libvirt at URI;\n"
                "                    when it cannot be reached, fail and change nothing\n"
                "  --leases-dir DIR  read only libvirt's dnsmasq lease files in DIR\n"
                "Without either: libvirt at qemu:///system, and when it cannot be reached the\n"
                "lease files in " VIRTNAME_LEASES_DIR " (said on stderr).\n"
                "\n"
                "  --partial         commit even when some lease files cannot be read (their\n"
                "                    leases are dropped); without it such a rebuild changes nothing\n"
                "  -h, --help        this text\n");
}

static void print_warning(const char *msg)
{
        cmd_warn("%s", msg);
}

/* How long a rebuild asks the running domains' ports: their guests are
 * up, and answer in a millisecond or so; one that boots still asks for
 * its lease later, and is asked then (hooks). */
#define REBUILD_ASK_MS 2000

struct asked {
        size_t asked, answered;
};

/* A neighbour the host knows: a candidate address of the domain with its
 * MAC on that bridge (asks.h). */
struct seen_ctx {
        const struct virtname_view *v;
        int64_t now;
        struct virtname_asks *asks;
};

static int seen(const struct virtname_neigh *n, void *ctx)
{
        struct seen_ctx *c = ctx;

        return virtname_asks_seen(c->v, n->dev, n->mac, n->family, n->addr, c->now, 0, c->asks);
}

/* Ask the ports in ASKS and record what they said. */
static struct asked ask_ports(const struct cmd_ctx *ctx, struct virtname_asks *asks)
{
        struct asked n = { 0, 0 };
        struct virtname_update *u;
        char err[512];
        int rc;

        if (asks->n == 0)
                return n;
        if ((rc = virtname_asks_probe(asks, REBUILD_ASK_MS)) < 0) {
                cmd_warn("cannot ask the domains' ports whether their guests use their leases' addresses: %s%s",
                         strerror(-rc), rc == -EPERM ? " (run as root)" : "");
                return n;
        }
        for (size_t i = 0; i < asks->n; i++)
                for (size_t j = 0; asks->a[i].port.err == 0 && j < asks->a[i].port.n; j++) {
                        n.asked++;
                        n.answered += asks->a[i].port.addrs[j].answered;
                }
        rc = virtname_update_open(ctx->db_dir, REBUILD_LOCK_TIMEOUT_MS, 0, &u, err, sizeof(err));
        if (rc == 0 && (rc = virtname_asks_record(virtname_update_writer(u), asks, true, (int64_t)time(NULL))) == 0)
                rc = virtname_update_commit(u, 0, NULL, err, sizeof(err));
        else if (rc < 0 && u)
                snprintf(err, sizeof(err), "%s", virtname_writer_error(virtname_update_writer(u)));
        virtname_update_close(u);
        if (rc < 0 && rc != -EAGAIN)
                cmd_warn("cannot record what the ports said: %s", err);
        return n;
}

int cmd_rebuild_run(const struct cmd_ctx *ctx, const char *uri, const char *leases_dir, bool partial)
{
        struct virtname_import_stats st = { 0 };
        struct virtname_update *u;
        struct virtname_writer *w;
        struct virtname_asks asks = { 0 };
        struct asked asked;
        const char *source;
        char err[512], state[PATH_MAX];
        bool use_files;
        int rc;

        /* A new store file, filled and then renamed over the old one: the
         * store never grows by the pages a rewrite in place frees, and a
         * rebuild that fails leaves the old one as it was. */
        rc = virtname_update_open(ctx->db_dir, REBUILD_LOCK_TIMEOUT_MS, VIRTNAME_WRITER_FRESH, &u,
                                  err, sizeof(err));
        if (rc < 0)
                return cmd_store_failed(ctx, "rebuild", rc, err);
        w = virtname_update_writer(u);

        /* libvirt first, unless only lease files were asked for; the
         * files stand in only when no source was named. */
        use_files = leases_dir != NULL;
        source = uri ? uri : "qemu:///system";
        if (!use_files) {
                rc = virtname_import_libvirt(w, uri, print_warning, &st, err, sizeof(err));
                if (rc == -ECONNREFUSED && uri) {
                        cmd_error("%s; the store is unchanged (--leases-dir DIR rebuilds from "
                                  "lease files alone)", err);
                        virtname_update_close(u);
                        return EXIT_LIBVIRT;
                }
                if (rc == -ECONNREFUSED) {
                        cmd_warn("%s; rebuilding from the lease files in %s instead", err,
                                 VIRTNAME_LEASES_DIR);
                        use_files = true;
                        memset(&st, 0, sizeof(st));
                } else if (rc < 0) {
                        cmd_error("rebuild from libvirt failed, the store is unchanged: %s", err);
                        virtname_update_close(u);
                        return EXIT_LIBVIRT;
                }
        }
        if (use_files) {
                const char *dir = leases_dir ? leases_dir : VIRTNAME_LEASES_DIR;

                source = dir;
                rc = virtname_import_lease_dir(w, dir, print_warning, &st, err, sizeof(err));
                if (rc == -ENOENT && !leases_dir) {
                        /* No libvirt networks on this host yet: an empty store is right. */
                        cmd_warn("%s does not exist; the store will be empty", dir);
                } else if (rc < 0) {
                        cmd_error("rebuild failed, the store is unchanged: %s", err);
                        virtname_update_close(u);
                        return rc == -ENOMEM ? EXIT_SYSTEM : rc == -ENOENT || rc == -EACCES ||
                               rc == -ENOTDIR ? EXIT_INPUT : EXIT_STORE;
                }
        }
        if (st.bad_files && !partial) {
                cmd_error("%zu lease file%s could not be read (see above); the store is unchanged "
                          "(use --partial to rebuild without them)",
                          st.bad_files, st.bad_files == 1 ? "" : "s");
                virtname_update_close(u);
                return EXIT_INPUT;
        }

        /* Events spooled while we imported are applied on top, then the
         * new store replaces the old and is published. */
        rc = virtname_update_commit(u, VIRTNAME_WRITER_REPUBLISH, NULL, err, sizeof(err));
        /* The running domains' ports, asked about their leases once the
         * lock is free again. */
        if ((rc == 0 || rc == -EAGAIN) && virtname_writer_view(w)->txn) {
                struct seen_ctx sc = { virtname_writer_view(w), (int64_t)time(NULL), &asks };

                virtname_asks_all(sc.v, sc.now, &asks);
                /* And the addresses the host knows its guests by (its
                 * neighbour table): the ones static guests and guests
                 * on other bridges use. */
                virtname_neigh_dump(seen, &sc);
        }
        virtname_update_close(u);
        if (rc < 0 && rc != -EAGAIN) {
                virtname_asks_free(&asks);
                cmd_error("%s", err);
                return EXIT_STORE;
        }
        if (rc == -EAGAIN)
                cmd_warn("%s", err);
        asked = ask_ports(ctx, &asks);
        virtname_asks_free(&asks);
        /* Everything the hooks missed is in the new store now. */
        if ((rc = virtname_state_dir(ctx->db_dir, state, sizeof(state))) == 0)
                rc = virtname_missed_clear(state);
        if (rc < 0)
                cmd_warn("cannot clear the missed-events log: %s", strerror(-rc));
        printf("rebuilt %s from %s: %zu network%s, %zu domain%s, %zu lease%s",
               virtname_store_dir(ctx->db_dir), source, st.networks, st.networks == 1 ? "" : "s",
               st.domains, st.domains == 1 ? "" : "s", st.leases, st.leases == 1 ? "" : "s");
        if (st.skipped)
                printf(" (%zu entr%s skipped)", st.skipped, st.skipped == 1 ? "y" : "ies");
        if (asked.asked)
                printf("; %zu of %zu addresses answered for by their domains' ports", asked.answered, asked.asked);
        printf("\n");
        if (virtname_dns_configured())
                printf("The fleet DNS zone follows at the next change, or now with 'virt-name-cache dns-sync'.\n");
        return st.bad_files ? EXIT_INPUT : EXIT_OK;
}

int cmd_rebuild(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "leases-dir", required_argument, NULL, 'l' },
                { "partial", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *uri = NULL, *leases_dir = NULL;
        bool partial = false;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        uri = optarg;
                        break;
                case 'l':
                        leases_dir = optarg;
                        break;
                case 'p':
                        partial = true;
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
        if (uri && leases_dir) {
                cmd_error("rebuild: give --connect or --leases-dir, not both");
                return EXIT_USAGE;
        }
        return cmd_rebuild_run(ctx, uri, leases_dir, partial);
}
