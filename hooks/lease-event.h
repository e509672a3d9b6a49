/* lease-event.h - dnsmasq's dhcp-script event, as both halves of the
 * lease helper read it: the front (lease-helper.c), which answers the
 * replays the ledger knows without the store, and the part that records
 * events in the store (lease-record.c, lease-record.so). */
#ifndef VIRTNAME_HOOKS_LEASE_EVENT_H
#define VIRTNAME_HOOKS_LEASE_EVENT_H

#include "cache/ingest/event.h"
#include "cache/ingest/lease.h"

/* The lease of the add/old/del event ARGV (ARGC of them) and dnsmasq's
 * DNSMASQ_* variables, into L (whose strings point into both).  Returns
 * 0, with *DROPPED as virtname_lease_from_input() says; -EPROTO for a MAC
 * that is not an Ethernet address (a guest's own hardware type), or
 * -EINVAL for an event that cannot be a lease, with *WHY saying why. */
int lease_event_read(int argc, char **argv, struct virtname_lease *l, const char **why, const char **dropped);

/* The network's bridge (or dnsmasq's interface), or NULL. */
const char *lease_event_bridge(void);

/* The store's event for ARGV's lease L, into E: an old event that does
 * not say what the guest sent keeps the name the lease has. */
void lease_event_encode(char **argv, const struct virtname_lease *l, struct virtname_event *e);

/* Is ARGV dnsmasq's replay of a lease it restored (at its start, or
 * SIGHUP): an old event that keeps the name, not caused by the lease's
 * own packet (DNSMASQ_DATA_MISSING)? */
bool lease_event_is_replay(char **argv);

/* Is ARGV's lease L one whose name libvirt's helper is to get from
 * DNSMASQ_SUPPLIED_HOSTNAME: a replay of a known MAC, without the fifth
 * argument libvirt's helper takes over the variable? */
bool lease_event_passes_kept_name(int argc, char **argv, const struct virtname_lease *l);

/* libvirt's own helper, when it is there to run. */
const char *lease_libvirt_helper(void);

/* Run HELPER init (ARGV, whose first becomes HELPER) and wait for it: its lease lines go to our
 * output as they are, or (WITHOUT_NAMES) with their host names (the
 * fourth field) replaced by "*", since dnsmasq would otherwise load them
 * into its DNS past dhcp-ignore-names.  Returns the exit status to pass
 * on. */
int lease_run_init(const char *helper, char **argv, bool without_names);

/* Hand the event ARGV on to libvirt's helper (exec), when there is one;
 * the deadline alarm does not follow it.  Returns the exit status when
 * there is none to run (0), or when it cannot run (logged, 0). */
int lease_hand_on(char **argv);

#endif
