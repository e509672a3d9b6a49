/* lease-record.c - the lease helper's events in the store (lease-record.so).
 *
 * dnsmasq runs the lease helper (lease-helper.c, which loads this for
 * every event but the replays the ledger knows) as
 *   lease-helper add|old|del MAC|DUID ADDRESS [HOSTNAME]
 * (and init, tftp, arp...) with the lease's details in DNSMASQ_*
 * variables.  We record add/old/del in the store, then hand the event to
 * libvirt's own libvirt_leaseshelper with the same arguments,
 * environment, standard input and output, so its lease files, `virsh
 * net-dhcp-leases` and the output `init` owes dnsmasq stay as without us.
 *
 * A guest's host name is only what the guest sent: DNSMASQ_SUPPLIED_HOSTNAME.
 * The HOSTNAME argument may be a name dnsmasq took from elsewhere (a
 * libvirt <host> entry, or a name of ours it read in the network's hosts
 * directory and gave the lease); an old event without the variable (a
 * lease restored at dnsmasq's start, a renewal without a name) keeps the
 * name the store has.
 *
 * On a network whose DNS answers the store's names (enable: hostsdir= and
 * dhcp-ignore-names), `init` would hand dnsmasq every stored lease's host
 * name back, and dnsmasq would answer them unchecked: there the names in
 * libvirt's reply become "*".
 *
 * The MAC (DHCPv4 chaddr, DHCPv6's DNSMASQ_MAC) is only what the guest
 * wrote in its payload: a lease event records it as a claim, and the
 * port of the domain with that MAC is asked whether its guest uses the
 * address (port-probe, hook.h).  A message dnsmasq got through a relay
 * (libvirt's networks have none: a guest sent it as one) is attributed
 * to no MAC at all, and an event whose MAC is not an Ethernet address (a
 * guest's own hardware type) is dropped and counted, not "missed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "hooks/lease-event.h"
#include "cache/derive/hostsdir.h"
#include "cache/ingest/replay.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"

/* NAME (attacker input) as it may go into a log line: at most 64 bytes,
 * nothing unprintable. */
static const char *printable(const char *name, char out[65])
{
        size_t i;

        for (i = 0; name && name[i] && i < 64; i++)
                out[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
        out[i] = '\0';
        return out;
}

/* Count an event dropped as guest junk (WHY), for doctor. */
static void drop(const char *what, const char *why)
{
        struct virtname_event e = { 0 };
        char line[256];

        snprintf(line, sizeof(line), "%s: %s", what, why);
        hook_log(LOG_NOTICE, "%s: dropped: %s", what, why);
        virtname_event_dropped(&e, line);
        hook_submit(&e, what);
        virtname_event_free(&e);
}

/* Fill L from dnsmasq's arguments and environment.  Returns 0, or
 * -EINVAL for an event that cannot be recorded (logged). */
static int lease_from_event(char **argv, int argc, struct virtname_lease *l, const char *what)
{
        const char *why, *dropped;
        char shown[65];
        int rc = lease_event_read(argc, argv, l, &why, &dropped);

        if (rc == -EPROTO) {
                drop(what, why);
                return -EINVAL;
        }
        if (rc < 0) {
                hook_missed(what, "%s in the event ('%.64s %.64s')", why, argv[2], argc > 3 ? argv[3] : "");
                return -EINVAL;
        }
        if (dropped)
                hook_log(LOG_WARNING, "%s: ignoring the %s host name '%s' the guest sent%s", what, dropped,
                         printable(getenv("DNSMASQ_SUPPLIED_HOSTNAME"), shown), strcmp(dropped, "reserved") == 0
                                 ? " (localhost, this host's names, names in /etc/hosts and "
                                   "the like are never a guest's)" : "");
        return 0;
}

/* The name of the network on BRIDGE, from view V, into NETWORK ("" when
 * none; a stored network name is never longer). */
static void network_of_bridge(const struct virtname_view *v, const char *bridge,
                              char network[VIRTNAME_NETWORK_MAX + 1])
{
        char name[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];

        network[0] = '\0';
        if (virtname_network_of_bridge(v, bridge, name, suffix) == 0 && strlen(name) <= VIRTNAME_NETWORK_MAX)
                memcpy(network, name, strlen(name) + 1);
}

/* Is the network on bridge VIR_BRIDGE_NAME (its name, from view V, into
 * NETWORK) one whose DNS takes names only from us: does it have a hosts
 * directory (cache/derive/hostsdir.h)? */
static bool our_dns_network(const struct virtname_view *v, const char *store,
                            char network[VIRTNAME_NETWORK_MAX + 1])
{
        const char *bridge = getenv("VIR_BRIDGE_NAME");
        char path[PATH_MAX];

        network[0] = '\0';
        if (!bridge)
                return false;
        network_of_bridge(v, bridge, network);
        return network[0] && virtname_hostsdir_path(store, network, path, sizeof(path)) == 0 &&
               access(path, F_OK) == 0;
}

/* our_dns_network() for the published store, when hosts directories are
 * in use at all. */
static bool names_from_us(void)
{
        const char *store = virtname_store_dir(NULL);
        char network[VIRTNAME_NETWORK_MAX + 1];
        struct virtname_snapshot *snap;
        struct virtname_view v;
        bool ours = false;

        if (!virtname_hostsdir_active(store) || virtname_snapshot_load(store, NULL, &snap) < 0)
                return false;
        if (virtname_snapshot_view(snap, &v) == 0) {
                ours = our_dns_network(&v, store, network);
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(snap);
        return ours;
}

/* An old event without a name (dnsmasq replaying a lease after a
 * restart, whose init we gave no names, or any event not caused by the
 * lease's own packet: DNSMASQ_DATA_MISSING), on a network whose DNS is
 * ours: libvirt's helper would drop the name from its lease file, so it
 * gets the name the guest sent for the lease, as
 * DNSMASQ_SUPPLIED_HOSTNAME, when the store answers that name with this
 * lease's address; never a claim the store refused (another domain's or
 * a reserved name).  That name, from view V, into NAME ("" when none).
 * (Only where the store has hosts directories at all:
 * virtname_hostsdir_active(), the caller's cheap test.) */
static void kept_name(const struct virtname_view *v, const char *store, const struct virtname_lease *l,
                      char name[VIRTNAME_NAME_MAX + 1])
{
        char network[VIRTNAME_NETWORK_MAX + 1];
        struct virtname_lease_view old;

        name[0] = '\0';
        if (!our_dns_network(v, store, network) ||
            virtname_get_lease(v, l->family, l->addr, virtname_str_of(network), &old) < 0 ||
            !(old.flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(old.mac, l->mac, VIRTNAME_MAC_LEN) != 0 ||
            !old.hostname.len || old.hostname.len > VIRTNAME_NAME_MAX)
                return;
        memcpy(name, old.hostname.p, old.hostname.len);
        name[old.hostname.len] = '\0';
        if (!virtname_answers_with(v, name, l->family, l->addr, (int64_t)time(NULL)))
                name[0] = '\0';
}

/* kept_name() from the published store: when the event was not
 * committed in this run (spooled). */
static void kept_name_published(const struct virtname_lease *l, char name[VIRTNAME_NAME_MAX + 1])
{
        const char *store = virtname_store_dir(NULL);
        struct virtname_snapshot *snap;
        struct virtname_view v;

        name[0] = '\0';
        if (!virtname_hostsdir_active(store) || virtname_snapshot_load(store, NULL, &snap) < 0)
                return;
        if (virtname_snapshot_view(snap, &v) == 0) {
                kept_name(&v, store, l, name);
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(snap);
}

struct asked {
        const char *bridge;
        const struct virtname_lease *lease;
        bool keep_name;                         /* pass the kept name on (kept_name()) */
        bool kept_looked;                       /* ... looked up in the commit's view */
        char kept[VIRTNAME_NAME_MAX + 1];
};

/* After the commit: the name to pass on, from the store as committed
 * (no second look at the published store); ask the port of the domain
 * with the lease's MAC about its address, unless it answered in this run
 * already. */
static void after_commit(const struct virtname_view *v, void *ctx)
{
        struct asked *a = ctx;
        char network[VIRTNAME_NETWORK_MAX + 1];
        struct virtname_snapshot *snap = NULL;
        struct virtname_view sv;

        if (v && a->keep_name) {
                if (virtname_hostsdir_active(virtname_store_dir(NULL)))
                        kept_name(v, virtname_store_dir(NULL), a->lease, a->kept);
                a->kept_looked = true;
        }
        if (!a->bridge || !(a->lease->flags & VIRTNAME_LEASE_HAS_MAC))
                return;
        /* Not committed yet (spooled): the published store names the
         * network, and port-probe waits for the lease. */
        if (!v && virtname_snapshot_load(virtname_store_dir(NULL), NULL, &snap) == 0 &&
            virtname_snapshot_view(snap, &sv) == 0) {
                network_of_bridge(&sv, a->bridge, network);
                virtname_view_end(&sv);
        } else if (v) {
                network_of_bridge(v, a->bridge, network);
        } else {
                network[0] = '\0';
        }
        virtname_snapshot_unref(snap);
        if (network[0])
                hook_ask_lease(v, network, a->lease->family, a->lease->addr);
}

/* Record one add/old/del event. */
static void record(int argc, char **argv)
{
        struct virtname_event e = { 0 };
        struct virtname_lease l = { 0 };
        struct asked asked = { .lease = &l, .bridge = lease_event_bridge() };
        char what[160];

        snprintf(what, sizeof(what), "lease %s %.64s", argv[1], argc > 3 ? argv[3] : "?");
        if (lease_from_event(argv, argc, &l, what) < 0)
                return;
        lease_event_encode(argv, &l, &e);
        asked.keep_name = lease_event_passes_kept_name(argc, argv, &l);
        hook_submit_then(&e, what, after_commit, &asked);
        virtname_event_free(&e);
        if (asked.keep_name && !asked.kept_looked)
                kept_name_published(&l, asked.kept);
        if (asked.keep_name && asked.kept[0])
                setenv("DNSMASQ_SUPPLIED_HOSTNAME", asked.kept, 1);
}

/* The replay ledger of the network on bridge BRIDGE, from W. */
static void write_ledger(struct virtname_writer *w, void *bridge)
{
        char err[512];
        int rc = virtname_replay_write(w, bridge, (int64_t)time(NULL), err, sizeof(err));

        if (rc < 0 && rc != -ENOENT)
                hook_log(LOG_NOTICE, "init: no replay ledger: %s", err);
}

/* dnsmasq is starting: it gets its leases from libvirt's helper first,
 * so that nothing of ours (a busy lock, a spool to apply, the deadline)
 * can keep them from it; then, before dnsmasq's replays of them (it waits
 * for our exit), the replay ledger.  Returns the exit status. */
static int init(char **argv)
{
        const char *helper = lease_libvirt_helper(), *bridge = getenv("VIR_BRIDGE_NAME");
        int status = 0;

        if (helper) {
                bool filter = names_from_us();

                /* The deadline alarm must not follow libvirt's helper:
                 * exec keeps pending alarms. */
                alarm(0);
                status = lease_run_init(helper, argv, filter);
                alarm(HOOK_DEADLINE_S);
        }
        fclose(stdout);         /* all dnsmasq reads */
        if (bridge)
                hook_settle_then(write_ledger, (void *)bridge);
        return status;
}

/* lease-helper.c's entry, for every event but the replays it answers
 * itself. */
__attribute__((visibility("default"))) int lease_record_main(int argc, char **argv);
int lease_record_main(int argc, char **argv)
{
        hook_init("virt-name-cache-lease-helper");
        if (argc >= 2 && strcmp(argv[1], "init") == 0)
                return init(argv);
        if (argc >= 2 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "old") == 0 ||
                          strcmp(argv[1], "del") == 0))
                record(argc, argv);
        return lease_hand_on(argv);
}
