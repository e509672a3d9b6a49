/* event.h - one change a hook or the lease helper brings to the store.
 *
 * A hook turns what libvirt or dnsmasq told it into an event: a small
 * binary record of the change (not of the XML it came from, so applying
 * it later needs no XML parser).  The event is applied at once when the
 * writer lock comes within the hook's budget, and otherwise spooled
 * (spool.h) and applied by the next writer.  Both take the same path:
 * virtname_event_apply().
 */
#ifndef VIRTNAME_EVENT_H
#define VIRTNAME_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/libvirt/agent.h"
#include "cache/libvirt/virxml.h"
#include "cache/read/record.h"
#include "cache/write/writer.h"

/* An event being built; every builder appends to it, and BAD records that
 * something did not fit (a string longer than 64 KiB, no memory). */
struct virtname_event {
        uint8_t *p;
        size_t len, cap;
        bool bad;
};

/* dnsmasq's add, old (ACTION 'a', 'o') or del ('d') of lease L, seen on
 * bridge BRIDGE with dnsmasq's DNS domain DOMAIN (either may be NULL);
 * 'k' is an old that keeps the host name the store has for that lease
 * (dnsmasq did not say what the guest sent). */
void virtname_event_lease(struct virtname_event *e, char action, const struct virtname_lease *l,
                          const char *bridge, const char *domain);
/* The qemu hook's record of domain X. */
void virtname_event_domain(struct virtname_event *e, const struct virtname_xml_domain *x);
/* Domain NAME was released and is no longer defined. */
void virtname_event_domain_gone(struct virtname_event *e, const char *name);
/* Network N started or changed (its record, static hosts and all). */
void virtname_event_network(struct virtname_event *e, const struct virtname_xml_network *n);
/* Network NAME stopped. */
void virtname_event_network_stop(struct virtname_event *e, const char *name);
/* MAC of domain NAME (UUID may be NULL) plugged into NETWORK, or
 * unplugged. */
void virtname_event_port(struct virtname_event *e, const char *name, const uint8_t *uuid,
                         const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool plugged);

/* Rewrite NETWORK's dnsmasq hosts directory whole (hostsdir.h), creating
 * it: the network is starting with one. */
void virtname_event_hostsdir(struct virtname_event *e, const char *network);

/* What port PORT of the domain owning (NETWORK, MAC), in its run ID, said
 * at WHEN about ADDR: virtname_edit_prove(). */
void virtname_event_proof(struct virtname_event *e, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          int family, const uint8_t addr[16], enum virtname_evidence evidence, const char *port,
                          int32_t id, int64_t when);

/* The guest behind PORT of the domain owning (NETWORK, MAC), in its run
 * ID, answered at WHEN for ADDR, which the host saw it use; it holds for
 * TTL seconds: virtname_edit_observe(). */
void virtname_event_observed(struct virtname_event *e, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             int family, const uint8_t addr[16], const char *port, int32_t id, int64_t when,
                             unsigned ttl);

/* What domain NAME's guest agent reported at WHEN in run ID, holding for
 * TTL seconds: virtname_edit_agent(). */
void virtname_event_agent(struct virtname_event *e, const char *name, int32_t id, int64_t when, unsigned ttl,
                          const struct virtname_agent_addr *addrs, size_t n);

/* A DHCP event dropped as guest junk, WHY (virtname_edit_count_dropped()). */
void virtname_event_dropped(struct virtname_event *e, const char *why);

/* Is the event in BUF (LEN bytes) dnsmasq's replay of a lease at its
 * start ('k' with no time the client asked) on BRIDGE, whose network is
 * NETWORK with domain SUFFIX, and would applying it leave RAW, the
 * store's record of that lease, as it is?  Only a sure yes is true
 * (cache/ingest/replay.h). */
bool virtname_event_replays(const void *buf, size_t len, const char *bridge, const char *network,
                            const char *suffix, const void *raw, size_t rawlen);

void virtname_event_free(struct virtname_event *e);

/* Apply the event in BUF (LEN bytes) in W's transaction.  WHAT gets a
 * short description ("lease add 198.18.0.5").  Returns 0, -EBADMSG for
 * an event that cannot be decoded, or the writer's error. */
int virtname_event_apply(struct virtname_writer *w, const void *buf, size_t len, char *what,
                         size_t whatlen);

#endif
