/* lease-helper.c - dnsmasq's dhcp-script for libvirt networks.
 *
 * dnsmasq runs it for every lease event; lease-record.c says what we make
 * of them.  When a network starts, dnsmasq replays every lease it has (an
 * old event with DNSMASQ_DATA_MISSING), and those mostly repeat what the
 * store has: the replay ledger (cache/ingest/replay.h) knows which.  This
 * front answers the replays the ledger knows with libc and tinycdb alone
 * and hands them on to libvirt's helper, as it does the events the store
 * has no use for (tftp, arp...); every other event goes to
 * lease-record.so, next to this program, loaded (with LMDB) only then.
 * It does the same steps as lease-record.c's own, so a replay it answers
 * is one that would change nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
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

        if (argc < 4 || strcmp(argv[1], "old") != 0 || !lease_event_is_replay(argv) || !bridge ||
            lease_event_read(argc, argv, &l, &why, &dropped) < 0 ||
            virtname_state_dir(NULL, state, sizeof(state)) < 0 || virtname_spool_count(state, &oldest) != 0)
                return false;
        name_wanted = lease_event_passes_kept_name(argc, argv, &l) && lease_libvirt_helper();
        lease_event_encode(argv, &l, &e);
        known = !e.bad && e.p &&
                virtname_replay_known(store, state, e.p, e.len, bridge, l.family, l.addr, network) == 1;
        virtname_event_free(&e);
        return known && (!name_wanted || (virtname_hostsdir_path(store, network, path, sizeof(path)) == 0 &&
                                          access(path, F_OK) < 0 && errno == ENOENT));
}

/* Is ARGV an event the store records (or init, which writes the ledger)? */
static bool for_the_store(int argc, char **argv)
{
        return argc >= 2 && (strcmp(argv[1], "init") == 0 || strcmp(argv[1], "add") == 0 ||
                             strcmp(argv[1], "old") == 0 || strcmp(argv[1], "del") == 0);
}

/* lease-record.so's path: beside this program, as /proc/self/exe names
 * it (glibc does not expand $ORIGIN in a program AppArmor starts with a
 * scrubbed environment, as dnsmasq's profile starts this one), or where
 * it is installed when /proc is not there. */
static void store_part_path(char *buf, size_t cap)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        char *slash;

        if (n > 0 && (exe[n] = '\0', slash = strrchr(exe, '/'))) {
                *slash = '\0';
                snprintf(buf, cap, "%s/lease-record.so", exe);
        } else {
                snprintf(buf, cap, "%s/lease-record.so", VIRTNAME_LIBEXECDIR);
        }
}

/* lease-record.so could not be loaded (WHY: a broken install, or one
 * half-way through an upgrade).  dnsmasq still gets what libvirt's helper
 * gives it: at init its leases, without names when any network's DNS is
 * ours (lease-record.c's init() knows which); an add, old or del is
 * spooled for the next writer (or noted as missed) and handed on. */
static int without_store_part(int argc, char **argv, const char *why)
{
        const char *helper, *reason = NULL, *dropped;
        char state[PATH_MAX], err[256], what[160];
        struct virtname_event e = { 0 };
        struct virtname_lease l;

        hook_log(LOG_ERR, "cannot load the lease helper's store part: %s", why);
        if (strcmp(argv[1], "init") == 0) {
                alarm(0);       /* exec keeps a pending alarm */
                helper = lease_libvirt_helper();
                return helper ? lease_run_init(helper, argv, virtname_hostsdir_active(virtname_store_dir(NULL))) : 0;
        }
        snprintf(what, sizeof(what), "lease %s %.64s", argv[1], argc > 3 ? argv[3] : "?");
        if (virtname_state_dir(NULL, state, sizeof(state)) < 0) {
                reason = "no state directory";
        } else if (lease_event_read(argc, argv, &l, &reason, &dropped) == 0) {
                lease_event_encode(argv, &l, &e);
                if (e.bad || !e.p)
                        reason = "out of memory";
                else if (virtname_spool_put(state, e.p, e.len, err, sizeof(err)) < 0)
                        reason = err;
                virtname_event_free(&e);
        }
        if (reason)
                hook_missed(what, "%s", reason);
        else
                hook_log(LOG_NOTICE, "%s: spooled for the next writer", what);
        return lease_hand_on(argv);
}

/* An event for the store: lease-record.so's. */
static int record(int argc, char **argv)
{
        int (*entry)(int, char **);
        char path[PATH_MAX + 32];
        void *so;

        store_part_path(path, sizeof(path));
        if ((so = dlopen(path, RTLD_NOW | RTLD_LOCAL)) &&
            (entry = (int (*)(int, char **))dlsym(so, "lease_record_main")))
                return entry(argc, argv);
        return without_store_part(argc, argv, dlerror());
}

int main(int argc, char **argv)
{
        hook_init("virt-name-cache-lease-helper");
        if (!for_the_store(argc, argv) || replay_known(argc, argv))
                return lease_hand_on(argv);
        return record(argc, argv);
}
