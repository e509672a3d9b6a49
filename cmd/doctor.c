/* doctor.c - `virt-name-cache doctor`: is everything in place for
 * guests to resolve, and is the store current? */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "cmd/lsm.h"
#include "cache/derive/resolved.h"
#include "cmd/nsswitch.h"
#include "cmd/show.h"
#include "cmd/ssh-config.h"
#include "cache/libvirt/virconn.h"
#include "dns/config.h"
#include "dns/update.h"
#include "cache/derive/hostsdir.h"
#include "cache/derive/queue.h"
#include "cache/ingest/missed.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/wire.h"
#include "cache/ingest/spool.h"
#include "cache/read/lookup.h"
#include "cache/ingest/sources.h"
#include "cache/write/writer.h"
#include "cache/write/fileio.h"

#define NSSWITCH "/etc/nsswitch.conf"
#define HOOK_NAME "virt-name-cache"

#define MAX_ENABLED 64

struct doctor {
        const struct cmd_ctx *ctx;
        const char *nsswitch, *hooks_dir, *leases_dir, *helper, *uri, *ssh_config;
        int problems, warnings;
        struct show show;              /* the snapshot, when it could be opened */
        char enabled[MAX_ENABLED][VIRTNAME_NAME_MAX + 1];      /* networks reporting to us */
        int n_enabled;
};

static void report(struct doctor *doc, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void vreport(struct doctor *doc, const char *level, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

static void vreport(struct doctor *doc, const char *level, const char *fmt, va_list ap)
{
        if (strcmp(level, "problem") == 0)
                doc->problems++;
        else if (strcmp(level, "warning") == 0)
                doc->warnings++;
        printf("%-8s ", level);
        vprintf(fmt, ap);
        printf("\n");
}

static void report(struct doctor *doc, const char *level, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vreport(doc, level, fmt, ap);
        va_end(ap);
}

/* The same, for checks that report through a context pointer (lsm.h). */
static void report_ctx(void *ctx, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void report_ctx(void *ctx, const char *level, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vreport(ctx, level, fmt, ap);
        va_end(ap);
}

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache doctor [--nsswitch FILE] [--hooks-dir DIR]\n"
                "                              [--leases-dir DIR] [--helper PATH]\n"
                "                              [--ssh-config FILE]\n"
                "\n"
                "Check that guests resolve: nsswitch.conf names virtname, the NSS module\n"
                "loads, the snapshot is readable, current and complete, the libvirt hooks\n"
                "and the lease helper are installed and the networks use the helper.\n"
                "Each line starts with ok, warning or problem; exit status 1 when there is\n"
                "a problem.\n"
                "\n"
                "  --nsswitch FILE   default " NSSWITCH "\n"
                "  --hooks-dir DIR   libvirt's hook directory (default " VIRTNAME_LIBVIRT_HOOKS_DIR ")\n"
                "  --leases-dir DIR  libvirt's dnsmasq directory (default " VIRTNAME_LEASES_DIR ")\n"
                "  --helper PATH     the lease helper (default " VIRTNAME_LIBEXECDIR "/lease-helper)\n"
                "  --ssh-config FILE ssh's configuration, its ssh_config.d beside it (default\n"
                "                    " VIRTNAME_SSH_CONFIG ")\n"
                "  --connect URI     the libvirt to compare the store with, read-only\n"
                "                    (default qemu:///system)\n"
                "  -h, --help        this text\n");
}

/* The hosts line of nsswitch.conf that glibc uses (the same parser as
 * enable-nss): does it name virtname, and is virtname ever asked? */
static void check_nsswitch(struct doctor *doc)
{
        struct nsswitch_hosts h;
        const struct nsswitch_source *s;
        char *buf = NULL;
        size_t len;
        int rc = virtname_read_file(doc->nsswitch, 1 << 20, &buf, &len), ours, stop;

        if (rc == 0 && nsswitch_parse(buf, len, &h) < 0)
                rc = -EBADMSG;
        if (rc < 0) {
                report(doc, "problem", "%s: %s", doc->nsswitch,
                       rc == -EINVAL ? "not a regular file" : rc == -EFBIG || rc == -EBADMSG ?
                       "not a plausible nsswitch.conf" : strerror(-rc));
                free(buf);
                return;
        }
        if (!h.line) {
                report(doc, "problem", "%s has no hosts line", doc->nsswitch);
                free(buf);
                return;
        }
        if (h.count > 1)
                report(doc, "info", "%s has %u hosts lines; glibc uses the last, line %u",
                       doc->nsswitch, h.count, h.lineno);
        ours = nsswitch_find(&h, "virtname");
        if (h.unterminated)
                report(doc, "problem", "%s: the hosts line (line %u) is the last line and has no newline: "
                       "glibc 2.33 and later ignore it (run 'virt-name-cache enable-nss', which adds it)",
                       doc->nsswitch, h.lineno);
        else if (h.error[0])
                report(doc, "problem", "%s: the hosts line (line %u) is malformed (%s): "
                       "glibc does not read it as written", doc->nsswitch, h.lineno, h.error);
        else if (ours < 0)
                report(doc, "problem", "%s: the hosts line does not name virtname "
                       "(run 'virt-name-cache enable-nss')", doc->nsswitch);
        else if ((stop = nsswitch_stopper(&h, (size_t)ours, NSSWITCH_NOTFOUND)) >= 0)
                report(doc, "problem", "%s: virtname comes after '%.*s %.*s', which ends the lookup "
                       "when it finds nothing, so virtname is never asked (run 'virt-name-cache "
                       "disable-nss', then 'virt-name-cache enable-nss' to move it)", doc->nsswitch,
                       (int)h.src[stop].len, h.src[stop].name, (int)h.src[stop].action_len,
                       h.src[stop].action);
        else if ((stop = nsswitch_stopper(&h, (size_t)ours, NSSWITCH_UNAVAIL | NSSWITCH_TRYAGAIN)) >= 0)
                report(doc, "warning", "%s: virtname comes after '%.*s %.*s', which ends the lookup "
                       "when it %s, and virtname is then not asked", doc->nsswitch,
                       (int)h.src[stop].len, h.src[stop].name, (int)h.src[stop].action_len,
                       h.src[stop].action, h.src[stop].stops & NSSWITCH_UNAVAIL ? "is unavailable"
                       : "fails for now");
        else {
                for (stop = 0; stop < ours && !nsswitch_is_network(&h.src[stop]); stop++)
                        ;
                s = &h.src[stop];
                if (stop < ours)
                        report(doc, "warning", "%s: virtname comes after %.*s, so guest names go to "
                               "the network first", doc->nsswitch, (int)s->len, s->name);
                else
                        report(doc, "ok", "%s: hosts line names virtname", doc->nsswitch);
        }
        free(buf);
}

static void check_module(struct doctor *doc)
{
        void *h = dlopen("libnss_virtname.so.2", RTLD_LAZY | RTLD_LOCAL);

        if (!h) {
                report(doc, "problem", "the NSS module does not load: %s", dlerror());
                return;
        }
        if (!dlsym(h, "_nss_virtname_gethostbyname4_r"))
                report(doc, "problem", "libnss_virtname.so.2 lacks its entry points");
        else
                report(doc, "ok", "libnss_virtname.so.2 loads");
        dlclose(h);
}

static size_t count_records(const struct virtname_view *v, enum virtname_db db)
{
        struct virtname_iter it;
        MDB_val k, d;
        size_t n = 0;
        int rc = virtname_iter_start(&it, v, db, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                n++;
        virtname_iter_end(&it);
        return n;
}

/* The snapshot, kept open in DOC for the checks after it; returns its
 * generation, or 0 when it is unusable. */
static uint64_t check_snapshot(struct doctor *doc)
{
        const char *dir = virtname_store_dir(doc->ctx->db_dir);
        char when[32];
        struct virtname_meta meta;
        int rc = virtname_snapshot_load(dir, NULL, &doc->show.snap);

        if (rc == 0 && virtname_snapshot_view(doc->show.snap, &doc->show.view) < 0) {
                virtname_snapshot_unref(doc->show.snap);
                rc = -EIO;
        }
        if (rc < 0) {
                doc->show.snap = NULL;
                if (rc == -ENOENT || rc == -ENOTDIR)
                        report(doc, "problem", "%s: no snapshot published: guests do not resolve (after "
                               "a reboot, 'virt-name-cache publish' as root, or any libvirt event, "
                               "writes it again)", dir);
                else
                        report(doc, "problem", "%s: %s; run 'virt-name-cache rebuild' as root", dir,
                               virtname_snapshot_strerror(rc));
                return 0;
        }
        if (virtname_get_meta(&doc->show.view, &meta) < 0) {
                report(doc, "problem", "%s: damaged meta data", dir);
                return 0;
        }
        report(doc, "ok", "%s: generation %llu, written %s (%lld s ago): %zu networks, "
               "%zu domains, %zu leases", dir, (unsigned long long)meta.generation,
               show_time(meta.updated, when, sizeof(when)),
               (long long)(time(NULL) - meta.updated),
               count_records(&doc->show.view, VIRTNAME_DB_NETWORKS),
               count_records(&doc->show.view, VIRTNAME_DB_DOMAINS),
               count_records(&doc->show.view, VIRTNAME_DB_LEASES));
        return meta.generation;
}

/* Root only: has every committed change been published? */
static void check_private(struct doctor *doc, uint64_t published)
{
        struct virtname_writer *w;
        struct virtname_meta meta;
        char err[512];
        int rc;

        if (geteuid() != 0) {
                report(doc, "info", "not root: the private store was not compared with the snapshot");
                return;
        }
        rc = virtname_writer_open(doc->ctx->db_dir, 2000, 0, &w, err, sizeof(err));
        if (rc < 0) {
                report(doc, rc == -ETIMEDOUT ? "warning" : "problem", "private store: %s", err);
                return;
        }
        rc = virtname_get_meta(virtname_writer_view(w), &meta);
        virtname_writer_close(w);
        if (rc < 0)
                report(doc, "problem", "private store: damaged meta data (run 'virt-name-cache rebuild')");
        else if (meta.generation != published)
                report(doc, "problem", "the snapshot (generation %llu) is behind the store "
                       "(generation %llu): publishing failed; run 'virt-name-cache publish'",
                       (unsigned long long)published, (unsigned long long)meta.generation);
        else
                report(doc, "ok", "the snapshot matches the private store");
}

static void check_missed(struct doctor *doc)
{
        char last[1024], state[PATH_MAX];
        int64_t oldest;
        long n = virtname_state_dir(doc->ctx->db_dir, state, sizeof(state));

        if (n == 0)
                n = virtname_spool_count(state, &oldest);
        if (n < 0 && n != -EACCES)
                report(doc, "warning", "cannot read the spool of %s: %s", state, strerror((int)-n));
        else if (n > 0)
                report(doc, time(NULL) - oldest > 60 ? "problem" : "warning",
                       "%ld event%s waiting in the spool for the writer lock, the oldest for %lld s%s",
                       n, n == 1 ? "" : "s", (long long)(time(NULL) - oldest),
                       time(NULL) - oldest > 60 ? ": a writer seems stuck (any libvirt event or "
                                                  "'virt-name-cache publish' applies them)" : "");
        else if (n == 0)
                report(doc, "ok", "no events waiting in the spool");
        n = virtname_missed_count(state, last, sizeof(last));
        if (n == -EACCES)
                report(doc, "info", "not root: the missed-events log was not read");
        else if (n < 0)
                report(doc, "warning", "cannot read the missed-events log: %s", strerror((int)-n));
        else if (n > 0)
                report(doc, "problem", "%ld libvirt or DHCP event%s could not be recorded (last: %s); "
                       "run 'virt-name-cache rebuild'", n, n == 1 ? "" : "s", last);
        else
                report(doc, "ok", "no missed events");
}

/* Lease events dropped as guest junk (a hardware address that is not
 * Ethernet's): counted, never a problem (a guest can send them at will),
 * and not missed events (nothing was lost that a rebuild would bring
 * back). */
static void check_dropped(struct doctor *doc)
{
        const struct virtname_view *v = &doc->show.view;
        MDB_val k = { 7, (void *)"dropped" }, last = { 12, (void *)"dropped:last" }, d, why;

        if (!doc->show.snap || virtname_view_get(v, VIRTNAME_DB_META, &k, &d) < 0 || d.mv_size != 8)
                return;
        if (virtname_view_get(v, VIRTNAME_DB_META, &last, &why) < 0)
                why = (MDB_val){ 1, (void *)"?" };
        report(doc, "info", "%llu DHCP event%s dropped as a guest's junk since the last rebuild (last: %.*s): "
               "not a problem, nothing a guest sends this way is recorded",
               (unsigned long long)virtname_le_get(d.mv_data, 8), virtname_le_get(d.mv_data, 8) == 1 ? "" : "s",
               (int)(why.mv_size > 200 ? 200 : why.mv_size), (const char *)why.mv_data);
}

/* The entry for NETWORK in ARRAY (*N entries of SIZE bytes, at most
 * MAX, each starting with its network's name as a string), added when
 * new; NULL when ARRAY is full. */
static void *group_of(void *array, size_t size, size_t *n, size_t max, struct virtname_str network)
{
        char *p = array;

        for (size_t i = 0; i < *n; i++, p += size)
                if (virtname_str_eq(network, p))
                        return p;
        if (*n == max)
                return NULL;
        (*n)++;
        memset(p, 0, size);
        show_str(network, p, VIRTNAME_NAME_MAX + 1);
        return p;
}

/* Is NETWORK the key of macvtap interfaces (schema.h)? */
static bool is_direct(struct virtname_str network)
{
        size_t n = strlen(VIRTNAME_NET_DIRECT);

        return network.len > n && memcmp(network.p, VIRTNAME_NET_DIRECT, n) == 0;
}

static bool is_bridge(struct virtname_str network)
{
        size_t n = strlen(VIRTNAME_NET_BRIDGE);

        return network.len > n && memcmp(network.p, VIRTNAME_NET_BRIDGE, n) == 0;
}

/* Does the watcher run (it holds its lock)? */
static bool check_watcher(struct doctor *doc)
{
        char state[PATH_MAX], path[PATH_MAX];
        int fd = -1;
        bool running = false;

        if (virtname_state_dir(doc->ctx->db_dir, state, sizeof(state)) == 0 &&
            virtname_path(path, sizeof(path), state, VIRTNAME_WATCH_LOCK_NAME) == 0)
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
                running = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
                close(fd);
        }
        if (running)
                report(doc, "ok", "the watcher runs: addresses the host sees static guests and guests on other "
                       "host bridges use, and what guest agents report, are recorded as they appear");
        else
                report(doc, "info", "the watcher does not run (optional: 'virt-name-cache enable-watch'): "
                       "static-address guests and guests on host bridges no libvirt network owns get their "
                       "addresses, and guest agents are asked, only at 'virt-name-cache rebuild'");
        return running;
}

/* The interfaces of running domains on one network key (check_segments). */
struct segment {
        char network[VIRTNAME_NAME_MAX + 1];
        size_t running, addressed, filtered;
        char bare[160], unfiltered[160];       /* examples: no address, no filter */
};

/* Has the interface an address its domain's name answers with (lookup.h)? */
static int has_address(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        const struct virtname_view *v = ctx;

        return answering && virtname_lease_rank(v, l) >= VIRTNAME_RANK_AGENT;
}

/* Filters that keep a guest's ARP answers to its own address. */
static bool stops_spoofing(struct virtname_str filter);

/* Interfaces on no libvirt network, per network key (schema.h): what can
 * give them an address.  A macvtap guest's traffic never reaches the
 * host, so only its guest agent or an administrator can speak for it; a
 * guest on another host bridge is seen using its addresses (the watcher,
 * a rebuild) and its own port asked. */
static void check_segments(struct doctor *doc, bool watching)
{
        static struct segment segs[64];
        const struct virtname_view *v = &doc->show.view;
        struct virtname_domain_view dom;
        struct virtname_iface_view f;
        struct virtname_iter it;
        int64_t now = (int64_t)time(NULL);
        size_t n = 0;
        MDB_val k, d;
        int rc;

        if (!doc->show.snap)
                return;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_DOMAINS, NULL, 0);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                size_t pos = 0;

                if (virtname_domain_decode(d.mv_data, d.mv_size, &dom) < 0 || dom.state != VIRTNAME_STATE_RUNNING)
                        continue;
                while (virtname_domain_iface_next(&dom, &pos, &f)) {
                        struct segment *g;
                        char name[VIRTNAME_NAME_MAX + 1];

                        if ((!is_direct(f.network) && !is_bridge(f.network)) ||
                            !(g = group_of(segs, sizeof(segs[0]), &n, sizeof(segs) / sizeof(segs[0]), f.network)))
                                continue;
                        show_str(dom.name, name, sizeof(name));
                        g->running++;
                        if (virtname_iface_leases(v, f.network, f.mac, now, has_address, (void *)v) > 0)
                                g->addressed++;
                        else if (!g->bare[0])
                                snprintf(g->bare, sizeof(g->bare), "%.64s", name);
                        if (stops_spoofing(f.filter))
                                g->filtered++;
                        else if (!g->unfiltered[0])
                                snprintf(g->unfiltered, sizeof(g->unfiltered), "%.64s", name);
                }
        }
        virtname_iter_end(&it);
        for (size_t i = 0; i < n; i++) {
                const struct segment *g = &segs[i];
                size_t bare = g->running - g->addressed;

                if (is_direct(virtname_str_of(g->network)))
                        report(doc, bare ? "warning" : "ok", "network %s: %zu running macvtap interface%s, %zu "
                               "with an address; the host never sees a macvtap guest's traffic, so only its "
                               "guest agent (org.qemu.guest_agent.0) or an administrator's address in its "
                               "<metadata> can give it one%s%s%s", g->network, g->running,
                               g->running == 1 ? "" : "s", g->addressed, bare ? " (none for " : "", g->bare,
                               bare ? ")" : "");
                else
                        report(doc, bare ? "info" : "ok", "network %s: %zu running interface%s on a host bridge "
                               "no libvirt network owns, %zu with an address its port answered for (or its "
                               "agent or an administrator gave)%s%s%s%s", g->network, g->running,
                               g->running == 1 ? "" : "s", g->addressed, bare ? "; none yet for " : "", g->bare,
                               bare && !watching ? ", and the watcher does not run" : "",
                               bare ? " (the host has not seen it use one)" : "");
                if (!is_direct(virtname_str_of(g->network)) && g->filtered < g->running)
                        report(doc, "info", "network %s: %zu interface%s without libvirt's clean-traffic nwfilter "
                               "(e.g. %s): such a guest can answer for addresses it was not given, so its own "
                               "name can take one nobody holds yet; names others hold stay theirs",
                               g->network, g->running - g->filtered, g->running - g->filtered == 1 ? "" : "s",
                               g->unfiltered);
        }
}

/* What a network's domain leases are backed by (check_evidence). */
struct net_evidence {
        char network[VIRTNAME_NAME_MAX + 1];
        size_t proven, silent, waiting, no_port;
        char silent_example[160], no_port_example[160];
};

/* Per network: the leases that carry a running domain's MAC, and whether
 * the domain's own port answered for them (only then does the domain's
 * name follow them: virt-name-cache(1), NAME RULES). */
static void check_evidence(struct doctor *doc)
{
        const struct virtname_view *v = &doc->show.view;
        static struct net_evidence nets[64];
        struct virtname_lease_view l;
        struct virtname_iter it;
        int64_t now = (int64_t)time(NULL);
        size_t n_nets = 0, problems = 0;
        int rc;
        MDB_val k, d;

        if (!doc->show.snap)
                return;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, NULL, 0);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_domain_view owner;
                struct virtname_iface_view f;
                struct net_evidence *e = NULL;
                char addr[64], mac[18], name[VIRTNAME_NAME_MAX + 1];
                size_t pos = 0;
                bool port = false;

                /* (What an administrator or a guest agent gives, and
                 * macvtap interfaces, whose ports are never asked:
                 * check_segments.) */
                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 ||
                    (l.flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)) ||
                    !(l.flags & VIRTNAME_LEASE_HAS_MAC) || !virtname_lease_current(&l, now) ||
                    is_direct(l.network) || virtname_lease_rank(v, &l) == VIRTNAME_RANK_AGENT ||
                    virtname_iface_owner(v, l.network, l.mac, &owner) < 0 ||
                    owner.state != VIRTNAME_STATE_RUNNING)
                        continue;
                if (!(e = group_of(nets, sizeof(nets[0]), &n_nets, sizeof(nets) / sizeof(nets[0]), l.network)))
                        continue;
                while (virtname_domain_iface_next(&owner, &pos, &f))
                        port |= memcmp(f.mac, l.mac, VIRTNAME_MAC_LEN) == 0 && f.port.len > 0;
                show_addr(l.family, l.addr, addr, sizeof(addr));
                virtname_mac_format(l.mac, mac);
                show_str(owner.name, name, sizeof(name));
                if (virtname_lease_proven(v, &l) == 1) {
                        e->proven++;
                } else if (!port) {
                        if (e->no_port++ == 0)
                                snprintf(e->no_port_example, sizeof(e->no_port_example), "%.64s (MAC %s)", name,
                                         mac);
                } else if (l.evidence == VIRTNAME_EV_SILENT && l.proved_id == owner.id) {
                        if (e->silent++ == 0)
                                snprintf(e->silent_example, sizeof(e->silent_example), "%s under MAC %s of %.64s",
                                         addr, mac, name);
                } else {
                        e->waiting++;
                }
        }
        virtname_iter_end(&it);
        for (size_t i = 0; i < n_nets; i++) {
                const struct net_evidence *e = &nets[i];

                if (e->silent)
                        report(doc, "warning", "network %s: %zu lease%s carr%s a running domain's MAC but its port "
                               "did not answer for %s (e.g. %s): another guest may have put that MAC in its "
                               "DHCP requests; the domain's name does not follow %s ('virt-name-cache query "
                               "ADDRESS' shows each)", e->network, e->silent, e->silent == 1 ? "" : "s",
                               e->silent == 1 ? "ies" : "y", e->silent == 1 ? "it" : "them", e->silent_example,
                               e->silent == 1 ? "it" : "them");
                if (e->no_port)
                        report(doc, "warning", "network %s: %zu lease%s of running domains whose port the store "
                               "does not know (e.g. %s): their names have no address until 'virt-name-cache "
                               "rebuild --connect URI' or the domain's next start records the port",
                               e->network, e->no_port, e->no_port == 1 ? "" : "s", e->no_port_example);
                if (e->waiting)
                        report(doc, "info", "network %s: %zu lease%s of running domains not answered for by "
                               "their ports yet (a guest answers once it has configured the address)",
                               e->network, e->waiting, e->waiting == 1 ? "" : "s");
                problems += e->silent + e->no_port;
        }
        if (problems == 0)
                report(doc, "ok", "every running domain's lease that its name follows was answered for by the "
                       "domain's own port");
}

/* Is NAME among the N names of libvirt's objects? */
static bool defined_in(struct virtname_str name, const char *const *names, int n)
{
        for (int i = 0; i < n; i++)
                if (virtname_str_eq(name, names[i]))
                        return true;
        return false;
}

/* What the store or libvirt's dnsmasq directory holds that libvirt does
 * not define (any more): libvirt runs no hook when a domain or network is
 * undefined, so only a rebuild removes them. */
static void check_libvirt(struct doctor *doc)
{
        virConnectPtr conn = virtname_virt_open(doc->uri, true);
        virDomainPtr *doms = NULL;
        virNetworkPtr *nets = NULL;
        const char **dnames = NULL, **nnames = NULL;
        char path[PATH_MAX], line[PATH_MAX + 64];
        int n_doms, n_nets, stale = 0;
        struct dirent *de;
        DIR *d;

        if (!conn) {
                report(doc, "info", "libvirt at %s not reached (%s): store entries of undefined domains "
                       "or networks were not looked for", doc->uri, virtname_virt_error());
                return;
        }
        n_doms = virConnectListAllDomains(conn, &doms, 0);
        n_nets = virConnectListAllNetworks(conn, &nets, 0);
        if (n_doms < 0 || n_nets < 0) {
                report(doc, "warning", "libvirt at %s: cannot list domains and networks: %s", doc->uri,
                       virtname_virt_error());
                goto out;
        }
        dnames = calloc((size_t)n_doms + 1, sizeof(*dnames));
        nnames = calloc((size_t)n_nets + 1, sizeof(*nnames));
        if (!dnames || !nnames)
                goto out;
        for (int i = 0; i < n_doms; i++)
                dnames[i] = virDomainGetName(doms[i]);
        for (int i = 0; i < n_nets; i++)
                nnames[i] = virNetworkGetName(nets[i]);
        if (doc->show.snap) {
                const struct virtname_view *v = &doc->show.view;
                struct virtname_domain_view dom;
                struct virtname_network_view net;
                struct virtname_iter it;
                MDB_val k, data;
                char name[VIRTNAME_NAME_MAX + 1];
                int rc = virtname_iter_start(&it, v, VIRTNAME_DB_DOMAINS, NULL, 0);

                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &data)) == 0)
                        if (virtname_domain_decode(data.mv_data, data.mv_size, &dom) == 0 &&
                            !defined_in(dom.name, dnames, n_doms)) {
                                report(doc, "warning", "domain %s is in the store but libvirt at %s does not "
                                       "define it; run 'virt-name-cache rebuild'",
                                       show_str(dom.name, name, sizeof(name)), doc->uri);
                                stale++;
                        }
                virtname_iter_end(&it);
                rc = virtname_iter_start(&it, v, VIRTNAME_DB_NETWORKS, NULL, 0);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &data)) == 0)
                        if (virtname_network_decode(data.mv_data, data.mv_size, &net) == 0 &&
                            !defined_in(net.name, nnames, n_nets)) {
                                report(doc, "warning", "network %s is in the store but libvirt at %s does not "
                                       "define it; run 'virt-name-cache rebuild'",
                                       show_str(net.name, name, sizeof(name)), doc->uri);
                                stale++;
                        }
                virtname_iter_end(&it);
        }
        /* libvirt's lease files of networks it no longer defines. */
        d = opendir(doc->leases_dir);
        while (d && (de = readdir(d))) {
                size_t len = strlen(de->d_name);

                if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
                        continue;
                snprintf(line, sizeof(line), "%.*s", (int)len - 5, de->d_name);
                if (defined_in(virtname_str_of(line), nnames, n_nets))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", doc->leases_dir, de->d_name);
                report(doc, "warning", "%s: a dnsmasq configuration (and lease files) of network %s, "
                       "which libvirt at %s does not define; a lease-file rebuild would read them",
                       path, line, doc->uri);
                stale++;
        }
        if (d)
                closedir(d);
        if (stale == 0)
                report(doc, "ok", "the store and libvirt's lease files name only domains and networks "
                       "libvirt at %s defines", doc->uri);
out:
        free(dnames);
        free(nnames);
        for (int i = 0; i < n_doms; i++)
                virDomainFree(doms[i]);
        for (int i = 0; i < n_nets; i++)
                virNetworkFree(nets[i]);
        free(doms);
        free(nets);
        virConnectClose(conn);
}

/* Does systemd-resolved send each running network's DNS domain to the
 * network's dnsmasq, as the network hook arranges (cache/derive/resolved.h)? */
static void check_resolved(struct doctor *doc)
{
        virConnectPtr conn;
        virNetworkPtr *nets = NULL;
        struct resolved *r = NULL;
        const char *file;
        char msg[1024];
        int n, checked = 0, running = -1;

        if (!resolved_enabled(&file)) {
                report(doc, "info", "systemd-resolved: not asked, turned off in %s", file);
                return;
        }
        conn = virtname_virt_open(doc->uri, true);
        n = conn ? virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE) : -1;
        if (n < 0) {
                report(doc, "info", "systemd-resolved: the networks of libvirt at %s were not checked (%s)",
                       doc->uri, virtname_virt_error());
                goto out;
        }
        for (int i = 0; i < n && running != 0; i++) {
                struct virtname_xml_network net;
                struct resolved_link l;
                const char *why;
                char *xml = virNetworkGetXMLDesc(nets[i], 0), err[256], servers[128] = "";
                int rc;

                if (!xml || virtname_xml_parse_network(xml, strlen(xml), &net, err, sizeof(err)) < 0) {
                        free(xml);
                        continue;
                }
                free(xml);
                if (resolved_link_of(&net, &l, &why) && running < 0) {
                        running = resolved_open(&r, 5000, msg, sizeof(msg));
                        if (running <= 0)
                                report(doc, running < 0 ? "warning" : "info", "systemd-resolved: %s: names "
                                       "in the networks' DNS domains resolve on this host only through "
                                       "virtname", msg);
                }
                if (why == resolved_not_local_only)
                        report(doc, "info", "network %s: names in %s are not routed to its dnsmasq through "
                               "systemd-resolved: %s (set <domain name='%s' localOnly='yes'/>, restart the "
                               "network)", net.name, net.suffix, why, net.suffix);
                if (why || running <= 0) {
                        virtname_xml_network_free(&net);
                        continue;
                }
                checked++;
                for (size_t j = 0; j < l.n_servers; j++) {
                        char a[64];

                        snprintf(servers + strlen(servers), sizeof(servers) - strlen(servers), " %s",
                                 show_addr(l.servers[j].family, l.servers[j].addr, a, sizeof(a)));
                }
                rc = l.ifindex > 0 ? resolved_compare(r, &l, msg, sizeof(msg)) : -ENODEV;
                if (rc > 0)
                        report(doc, "ok", "network %s: systemd-resolved sends names in %s to%s on %s",
                               net.name, l.domain, servers, l.bridge);
                else if (rc == -ENODEV)
                        report(doc, "warning", "network %s: its bridge %s does not exist", net.name, l.bridge);
                else if (rc == 0)
                        report(doc, "warning", "network %s: systemd-resolved does not send names in %s to "
                               "its dnsmasq (%s); restart the network, or run: resolvectl dns %s%s; "
                               "resolvectl domain %s '~%s'; resolvectl default-route %s false",
                               net.name, l.domain, msg, l.bridge, servers, l.bridge, l.domain, l.bridge);
                else
                        report(doc, "warning", "network %s: cannot ask systemd-resolved: %s", net.name, msg);
                for (size_t j = 0; j < l.n_servers; j++) {
                        char a[64];

                        if (!l.servers[j].local_ptr)
                                report(doc, "warning", "network %s: systemd-resolved sends reverse lookups of "
                                       "addresses in the subnet of %s to its dnsmasq, which sends those it does "
                                       "not know back (a loop until a timeout): add localPtr='yes' to "
                                       "<ip address='%s'>", net.name,
                                       show_addr(l.servers[j].family, l.servers[j].addr, a, sizeof(a)), a);
                }
                virtname_xml_network_free(&net);
        }
        if (running != 0 && checked == 0)
                report(doc, "info", "systemd-resolved: no running network of libvirt at %s has a DNS domain "
                       "its dnsmasq answers", doc->uri);
out:
        resolved_close(r);
        for (int i = 0; i < n; i++)
                virNetworkFree(nets[i]);
        free(nets);
        if (conn)
                virConnectClose(conn);
}

/* Filters that keep a guest's ARP answers to its own address. */
static bool stops_spoofing(struct virtname_str filter)
{
        return virtname_str_eq(filter, "clean-traffic") || virtname_str_eq(filter, "clean-traffic-gateway");
}

static const char *result_word(int result)
{
        switch (result) {
        case VIRTNAME_DNS_ECONFLICT:
                return "conflict";
        case VIRTNAME_DNS_ENET:
                return "no answer";
        case VIRTNAME_DNS_EREFUSED:
                return "refused";
        case VIRTNAME_DNS_EINPUT:
                return "not a DNS name";
        default:
                return "failed";
        }
}

/* How many per-name problems doctor prints before it counts the rest. */
#define PROBLEMS_SHOWN 20

static int show_problem(const char *name, int result, const char *why, int64_t when_ns, void *ctx)
{
        struct doctor *doc = ctx;
        char when[64];

        (void)name;
        report(doc, "problem", "fleet DNS: %s (%s, %s)", why, result_word(result),
               show_time(when_ns / 1000000000, when, sizeof(when)));
        return 0;
}

/* Does the server keep this host's key to this host's names?  No-op
 * updates (virtname_dns_probe): one outside them, one inside. */
static void check_fleet_policy(struct doctor *doc, const struct virtname_dns_config *c)
{
        struct virtname_dns_session *s;
        char name[600], why[512];
        bool fatal;
        int rc;

        if (virtname_dns_open(c, &s, why, sizeof(why)) != VIRTNAME_DNS_OK) {
                report(doc, "problem", "fleet DNS: %s", why);
                return;
        }
        virtname_dns_set_deadline(s, 4000);
        snprintf(name, sizeof(name), "_virt-name-cache-probe.%s", c->zone);
        rc = virtname_dns_probe(s, c->zone, name, &fatal, why, sizeof(why));
        if (fatal) {
                report(doc, "problem", "fleet DNS: cannot check the server's update policy: %s", why);
                goto out;
        }
        if (c->names == VIRTNAME_DNS_NAMES_FLAT)
                report(doc, rc == VIRTNAME_DNS_OK ? "warning" : "info",
                       "fleet DNS: names = flat: the server cannot keep each host's key to its own names (they "
                       "share the zone's top level); only the ownership records keep hosts apart, and a host's "
                       "key can delete the others' names (names = host and a per-host policy prevent it)");
        else if (rc == VIRTNAME_DNS_OK)
                report(doc, "problem", "fleet DNS: the server lets key %s change names outside this host's "
                       "%s.%s (a no-op update of %s was accepted): any host can delete the others' and the "
                       "administrator's names; grant each key only its own subdomain (BIND: update-policy { "
                       "grant %.*s subdomain %s.%s A AAAA TXT; }; Knot: acl update-owner: name, "
                       "update-owner-name: %s.%s; see virt-name-cache(1), FLEET DNS)", c->key.name, c->host_label, c->zone,
                       name, (int)strlen(c->key.name) - 1, c->key.name, c->host_label, c->zone, c->host_label,
                       c->zone);
        else if (rc == VIRTNAME_DNS_EREFUSED)
                report(doc, "ok", "fleet DNS: the server refuses key %s outside %s.%s (a no-op update of %s)",
                       c->key.name, c->host_label, c->zone, name);
        else
                report(doc, "info", "fleet DNS: the server's policy was not checked: %s", why);
        if (c->names == VIRTNAME_DNS_NAMES_HOST) {
                snprintf(name, sizeof(name), "_virt-name-cache-probe.%s.%s", c->host_label, c->zone);
                rc = virtname_dns_probe(s, c->zone, name, &fatal, why, sizeof(why));
                if (rc == VIRTNAME_DNS_EREFUSED)
                        report(doc, "problem", "fleet DNS: the server refuses key %s its own names under %s.%s: %s",
                               c->key.name, c->host_label, c->zone, why);
        }
        for (size_t i = 0; i < c->nreverse; i++) {
                snprintf(name, sizeof(name), "_virt-name-cache-probe.%s", c->reverse[i]);
                rc = virtname_dns_probe(s, c->reverse[i], name, &fatal, why, sizeof(why));
                if (rc == VIRTNAME_DNS_OK)
                        report(doc, "warning", "fleet DNS: key %s may change every name of reverse zone %s: right "
                               "only if all its addresses are this host's guests'; else grant the key only its "
                               "own subnets' names (BIND: grant KEY subdomain SUBNET.in-addr.arpa. PTR TXT;) and "
                               "set reverse-net", c->key.name, c->reverse[i]);
                else if (rc == VIRTNAME_DNS_EREFUSED)
                        report(doc, "ok", "fleet DNS: the server refuses key %s outside its names in %s",
                               c->key.name, c->reverse[i]);
                else
                        report(doc, fatal ? "problem" : "info", "fleet DNS: reverse zone %s: policy not checked: %s",
                               c->reverse[i], why);
        }
out:
        virtname_dns_close(s);
}

/* The fleet DNS: its configuration and key, the server's policy, the
 * queue of names waiting, the last failure and every name not published
 * (cache/derive/queue.h). */
static void check_fleet_dns(struct doctor *doc)
{
        struct virtname_dns_config conf;
        struct virtname_queue_status st;
        struct virtname_writer *w;
        struct stat ks;
        char err[512], when[64], fp[512];
        int rc = virtname_dns_config_load(NULL, &conf, err, sizeof(err));

        if (rc == VIRTNAME_DNS_EABSENT)
                return;         /* not configured: nothing to say */
        if (rc != VIRTNAME_DNS_OK) {
                report(doc, "problem", "fleet DNS: %s", err);
                return;
        }
        if (stat(conf.key_file, &ks) == 0 && (ks.st_mode & S_IROTH))
                report(doc, "problem", "fleet DNS: the TSIG key %s is readable by every user (mode %04o): anyone "
                       "on this host can change this host's names; chmod 600 %s", conf.key_file,
                       (unsigned)(ks.st_mode & 07777), conf.key_file);
        if (geteuid() != 0) {
                report(doc, "info", "fleet DNS: zone %s at %s; not root: its queue was not read", conf.zone,
                       conf.server);
                return;
        }
        check_fleet_policy(doc, &conf);
        rc = virtname_writer_open(doc->ctx->db_dir, 2000, 0, &w, err, sizeof(err));
        if (rc < 0) {
                report(doc, "warning", "fleet DNS: cannot read its queue: %s", err);
                return;
        }
        rc = virtname_queue_status(w, &st);
        if (rc == 0 && st.problems)
                rc = virtname_queue_problems(w, PROBLEMS_SHOWN, show_problem, doc);
        virtname_writer_close(w);
        if (rc < 0) {
                report(doc, "problem", "fleet DNS: cannot read its queue: %s", strerror(-rc));
                return;
        }
        if (st.problems > PROBLEMS_SHOWN)
                report(doc, "problem", "fleet DNS: and %zu more names not published ('virt-name-cache dns-sync' "
                       "lists them)", st.problems - PROBLEMS_SHOWN);
        if (virtname_queue_failing(&st))
                report(doc, "problem", "fleet DNS: the last send to %s failed (%s; %zu names wait): %s", conf.server,
                       show_time(st.fail_ns / 1000000000, when, sizeof(when)), st.names, st.error);
        virtname_dns_fingerprint(&conf, fp, sizeof(fp));
        if (st.full)
                report(doc, "warning", "fleet DNS: a whole reconcile is due (after a rebuild, or the server back "
                       "after a failure): the next send or the timer runs it, or 'virt-name-cache dns-sync'");
        else if (strcmp(fp, st.whole_conf) != 0)
                report(doc, "warning", "fleet DNS: %s: the zone has not been reconciled with this configuration "
                       "yet: the next send or the timer publishes every name, or 'virt-name-cache dns-sync'",
                       conf.path);
        if (st.names && !virtname_queue_failing(&st))
                report(doc, "warning", "fleet DNS: %zu names wait to be sent to %s (the next change, the timer "
                       "or 'virt-name-cache dns-sync' sends them)", st.names, conf.server);
        if (!st.names && !st.full && !st.problems && !virtname_queue_failing(&st) && strcmp(fp, st.whole_conf) == 0)
                report(doc, "ok", "fleet DNS: zone %s at %s as owner %s (id=%s), nothing waits; last sent %s, "
                       "last whole reconcile %s", conf.zone, conf.server, conf.owner, conf.owner_id,
                       show_time(st.ok_ns / 1000000000, when, sizeof(when)),
                       show_time(st.whole_ns / 1000000000, fp, sizeof(fp)));
}

/* Interfaces on enabled networks without an address filter: their guests
 * can answer for addresses they were not given (an observed address,
 * edit.h, nobody holds yet).  Names others hold stay with the ports that
 * answer (check_evidence) either way; a filter keeps its guest's
 * answers, and so its own name, to its own address. */
static void check_filters(struct doctor *doc)
{
        struct virtname_domain_view dom;
        struct virtname_iface_view f;
        struct virtname_iter it;
        MDB_val k, d;
        int rc;

        if (!doc->show.snap || doc->n_enabled == 0)
                return;
        for (int i = 0; i < doc->n_enabled; i++) {
                char example[160] = "";
                size_t n = 0, all = 0;

                rc = virtname_iter_start(&it, &doc->show.view, VIRTNAME_DB_DOMAINS, NULL, 0);
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                        size_t pos = 0;

                        if (virtname_domain_decode(d.mv_data, d.mv_size, &dom) < 0)
                                continue;
                        while (virtname_domain_iface_next(&dom, &pos, &f)) {
                                char name[VIRTNAME_NAME_MAX + 1];

                                if (!virtname_str_eq(f.network, doc->enabled[i]))
                                        continue;
                                all++;
                                if (stops_spoofing(f.filter))
                                        continue;
                                if (n++ == 0)
                                        snprintf(example, sizeof(example), "%.64s",
                                                 show_str(dom.name, name, sizeof(name)));
                        }
                }
                virtname_iter_end(&it);
                if (n)
                        report(doc, "info", "network %s: %zu of %zu interface%s without libvirt's clean-traffic "
                               "nwfilter (e.g. %s): such a guest can send with any MAC and address on the "
                               "network and answer for addresses it was not given, so its own name can take one "
                               "nobody holds yet; names others hold stay theirs (add <filterref "
                               "filter='clean-traffic'/>)",
                               doc->enabled[i], n, all, all == 1 ? "" : "s", example);
                else if (all)
                        report(doc, "ok", "network %s: all %zu interface%s have libvirt's clean-traffic nwfilter",
                               doc->enabled[i], all, all == 1 ? "" : "s");
        }
}

static void check_executable(struct doctor *doc, const char *path, const char *what)
{
        if (access(path, X_OK) == 0)
                report(doc, "ok", "%s: %s", what, path);
        else
                report(doc, "problem", "%s: %s: %s", what, path, strerror(errno));
}

/* The lease helper's store part, lease-record.so beside it: without it
 * dnsmasq's events are only spooled (hooks/lease-helper.c).  A helper
 * that is not ours (a wrapper script) is its owner's business. */
static void check_helper_store_part(struct doctor *doc)
{
        char real[PATH_MAX], path[PATH_MAX + 32], magic[4];
        int fd = open(doc->helper, O_RDONLY | O_CLOEXEC);
        bool elf = fd >= 0 && read(fd, magic, sizeof(magic)) == sizeof(magic) && memcmp(magic, "\177ELF", 4) == 0;
        void *so;

        if (fd >= 0)
                close(fd);
        if (!elf || !realpath(doc->helper, real))
                return;
        snprintf(path, sizeof(path), "%.*s/lease-record.so", (int)(strrchr(real, '/') - real), real);
        if ((so = dlopen(path, RTLD_NOW | RTLD_LOCAL)) && dlsym(so, "lease_record_main")) {
                report(doc, "ok", "lease helper's store part: %s", path);
        } else {
                report(doc, "problem", "lease helper's store part: %s (dnsmasq's events are only spooled for "
                       "the next writer: reinstall virt-name-cache)", dlerror());
        }
        if (so)
                dlclose(so);
}

static void check_hooks(struct doctor *doc)
{
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/network.d/" HOOK_NAME, doc->hooks_dir);
        check_executable(doc, path, "network hook");
        snprintf(path, sizeof(path), "%s/qemu.d/" HOOK_NAME, doc->hooks_dir);
        check_executable(doc, path, "qemu hook");
        snprintf(path, sizeof(path), "%s/daemon.d/" HOOK_NAME, doc->hooks_dir);
        check_executable(doc, path, "daemon hook");
        check_executable(doc, doc->helper, "lease helper");
        check_helper_store_part(doc);
}

/* Does dnsmasq's configuration of each network run our helper? */
/* An enabled network whose dnsmasq (configuration DNS, IGNORE: its
 * hostsdir= is ours, dhcp-ignore-names) answers the store's names. */
static void check_network_dns(struct doctor *doc, const char *conf, int len, bool dns, bool ignore)
{
        char path[PATH_MAX];
        struct stat st;

        if (!dns) {
                report(doc, "info", "network %.*s: its DNS server does not answer the store's names "
                       "('virt-name-cache enable %.*s' adds that)", len, conf, len, conf);
                return;
        }
        char net[VIRTNAME_NETWORK_MAX + 1];

        snprintf(net, sizeof(net), "%.*s", len, conf);
        if (virtname_hostsdir_path(virtname_store_dir(doc->ctx->db_dir), net, path, sizeof(path)) < 0 ||
            stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                report(doc, "problem", "network %.*s: its dnsmasq reads %s, which is not there (restart "
                       "the network: 'virsh net-destroy %.*s && virsh net-start %.*s')", len, conf, path, len, conf,
                       len, conf);
        else if (!ignore)
                report(doc, "warning", "network %.*s: its dnsmasq answers the host names guests send, "
                       "past the name rules (enable it again, then restart it)", len, conf);
        else
                report(doc, "ok", "network %.*s: its DNS server answers the store's names (%s)", len, conf,
                       path);
}

static void check_networks(struct doctor *doc)
{
        char want[PATH_MAX + 16], path[PATH_MAX], line[PATH_MAX + 64];
        struct dirent *de;
        DIR *d = opendir(doc->leases_dir);
        int n = 0, unreadable = 0;

        if (!d) {
                if (errno == EACCES)
                        report(doc, "info", "%s: %s: the networks were not checked (run doctor as root)",
                               doc->leases_dir, strerror(errno));
                else
                        report(doc, "info", "%s: %s: no libvirt networks to check", doc->leases_dir,
                               strerror(errno));
                return;
        }
        snprintf(want, sizeof(want), "dhcp-script=%s", doc->helper);
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                char net[VIRTNAME_NETWORK_MAX + 1], hostsdir[PATH_MAX], dir[PATH_MAX + 16] = "\n";
                bool ours = false, dns, ignore;
                FILE *f;

                if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", doc->leases_dir, de->d_name);
                snprintf(net, sizeof(net), "%.*s", (int)len - 5, de->d_name);
                if (virtname_hostsdir_path(virtname_store_dir(doc->ctx->db_dir), net, hostsdir, sizeof(hostsdir)) == 0)
                        snprintf(dir, sizeof(dir), "hostsdir=%s", hostsdir);
                f = virtname_open_file(path, (size_t)1 << 20, VIRTNAME_READ_NOFOLLOW);
                if (!f && errno == EACCES) {
                        /* libvirt keeps these root-only: not a fault. */
                        report(doc, "info", "network %.*s: cannot read %s (%s): not checked "
                               "(run doctor as root)", (int)len - 5, de->d_name, path, strerror(errno));
                        unreadable++;
                        continue;
                }
                if (!f) {
                        report(doc, "warning", "%s: %s", path, virtname_read_strerror(-errno));
                        unreadable++;
                        continue;
                }
                /* dnsmasq uses the last dhcp-script line. */
                dns = ignore = false;
                while (fgets(line, sizeof(line), f)) {
                        line[strcspn(line, "\r\n")] = '\0';
                        if (strncmp(line, "dhcp-script=", 12) == 0)
                                ours = strcmp(line, want) == 0;
                        else if (strcmp(line, dir) == 0)
                                dns = true;
                        else if (strcmp(line, "dhcp-ignore-names") == 0)
                                ignore = true;
                }
                fclose(f);
                n++;
                if (ours && doc->n_enabled < MAX_ENABLED)
                        snprintf(doc->enabled[doc->n_enabled++], sizeof(doc->enabled[0]), "%.*s",
                                 (int)len - 5, de->d_name);
                if (ours)
                        report(doc, "ok", "network %.*s reports its leases", (int)len - 5, de->d_name);
                if (ours)
                        check_network_dns(doc, de->d_name, (int)len - 5, dns, ignore);
                else
                        report(doc, "warning", "network %.*s does not report leases to the store "
                               "(run 'virt-name-cache enable %.*s', then restart the network)",
                               (int)len - 5, de->d_name, (int)len - 5, de->d_name);
        }
        closedir(d);
        if (n == 0 && unreadable == 0)
                report(doc, "info", "%s: no running libvirt networks", doc->leases_dir);
}

int cmd_doctor(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "nsswitch", required_argument, NULL, 'n' },
                { "hooks-dir", required_argument, NULL, 'k' },
                { "leases-dir", required_argument, NULL, 'l' },
                { "helper", required_argument, NULL, 'H' },
                { "connect", required_argument, NULL, 'c' },
                { "ssh-config", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct doctor doc = { ctx, NSSWITCH, VIRTNAME_LIBVIRT_HOOKS_DIR, VIRTNAME_LEASES_DIR,
                              VIRTNAME_LIBEXECDIR "/lease-helper", "qemu:///system", VIRTNAME_SSH_CONFIG,
                              0, 0, { 0 },
                              { { 0 } }, 0 };
        uint64_t generation;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'n':
                        doc.nsswitch = optarg;
                        break;
                case 'k':
                        doc.hooks_dir = optarg;
                        break;
                case 'l':
                        doc.leases_dir = optarg;
                        break;
                case 'c':
                        doc.uri = optarg;
                        break;
                case 'H':
                        doc.helper = optarg;
                        break;
                case 's':
                        doc.ssh_config = optarg;
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
        check_nsswitch(&doc);
        check_module(&doc);
        generation = check_snapshot(&doc);
        if (generation)
                check_private(&doc, generation);
        check_missed(&doc);
        check_dropped(&doc);
        check_hooks(&doc);
        check_networks(&doc);
        check_libvirt(&doc);
        check_resolved(&doc);
        check_fleet_dns(&doc);
        check_evidence(&doc);
        check_filters(&doc);
        check_segments(&doc, check_watcher(&doc));
        lsm_check(report_ctx, &doc, virtname_store_dir(ctx->db_dir));
        ssh_config_check(report_ctx, &doc, doc.ssh_config);
        show_close(&doc.show);
        printf("%d problem%s, %d warning%s\n", doc.problems, doc.problems == 1 ? "" : "s",
               doc.warnings, doc.warnings == 1 ? "" : "s");
        return doc.problems ? EXIT_NOTFOUND : EXIT_OK;
}
