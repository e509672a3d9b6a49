/* lease-helper.c - dnsmasq's dhcp-script for libvirt networks.
 *
 * dnsmasq runs it for every lease event; lease-record.c says what we make
 * of them.  When a network starts, dnsmasq replays every lease it has (an
 * old event with DNSMASQ_DATA_MISSING), and those mostly repeat what the
 * store has: the replay ledger (cache/ingest/replay.h) knows which.  This
 * front answers the replays the ledger knows with libc and tinycdb alone
 * and hands them on to libvirt's helper; every other event goes to
 * lease-record.so, next to this program, loaded (with LMDB) only then.
 * It does the same steps as lease-record.c's own, so a replay it answers
 * is one that would change nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "hooks/lease-event.h"
#include "cache/derive/hostsdir.h"
#include "cache/ingest/event.h"
#include "cache/ingest/replay.h"
#include "cache/ingest/spool.h"
#include "cache/read/paths.h"

/* Is ARGV dnsmasq's replay of a lease as the store has it, as the replay
 * ledger says, with nothing spooled to apply before it?  Not when
 * libvirt's helper is to get the name the store keeps on a network whose
 * DNS is ours: that name is the store's answer now (lease-record.c's
 * kept_name()). */
static bool replay_known(int argc, char **argv)
{
        const char *bridge = lease_event_bridge(), *store = virtname_store_dir(NULL), *why, *dropped;
        char state[PATH_MAX], network[VIRTNAME_NAME_MAX + 1], path[PATH_MAX];
        struct virtname_event e = { 0 };
        struct virtname_lease l;
        bool known, name_wanted;
        int64_t oldest;

        if (argc < 4 || strcmp(argv[1], "old") != 0 || !lease_event_keeps_name(argv) ||
            !getenv("DNSMASQ_DATA_MISSING") || !bridge || lease_event_read(argc, argv, &l, &why, &dropped) < 0 ||
            virtname_state_dir(NULL, state, sizeof(state)) < 0 || virtname_spool_count(state, &oldest) != 0)
                return false;
        /* libvirt's helper takes a fifth argument over the variable */
        name_wanted = argc < 5 && (l.flags & VIRTNAME_LEASE_HAS_MAC) && lease_libvirt_helper();
        virtname_event_lease(&e, 'k', &l, bridge, getenv("DNSMASQ_DOMAIN"));
        known = !e.bad && e.p &&
                virtname_replay_known(store, state, e.p, e.len, bridge, l.family, l.addr, network) == 1;
        virtname_event_free(&e);
        return known && (!name_wanted || (virtname_hostsdir_path(store, network, path, sizeof(path)) == 0 &&
                                          access(path, F_OK) < 0 && errno == ENOENT));
}

/* Every other event: lease-record.so's, or, when it cannot be loaded,
 * libvirt's helper's alone (dnsmasq must have its leases). */
static int record(int argc, char **argv)
{
        int (*entry)(int, char **);
        void *so = dlopen("$ORIGIN/lease-record.so", RTLD_NOW | RTLD_LOCAL);

        if (so && (entry = (int (*)(int, char **))dlsym(so, "lease_record_main")))
                return entry(argc, argv);
        openlog("virt-name-cache-lease-helper", LOG_PID | (getenv("VIRT_NAME_CACHE_LOG_STDERR") ? LOG_PERROR : 0),
                LOG_DAEMON);
        syslog(LOG_ERR, "cannot load the lease helper's store part: %s; %s %s not recorded", dlerror(),
               argc > 1 ? argv[1] : "event", argc > 3 ? argv[3] : "");
        return lease_hand_on(argv);
}

int main(int argc, char **argv)
{
        hook_deadline_start();
        if (replay_known(argc, argv))
                return lease_hand_on(argv);
        return record(argc, argv);
}
