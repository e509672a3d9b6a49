/* edit.h - changes built on the writer, for the hooks, the lease helper
 * and rebuild: a network with its static hosts, a domain with its
 * interfaces' networks, one interface of a domain, and finding a network
 * by its bridge. */
#ifndef VIRTNAME_EDIT_H
#define VIRTNAME_EDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/libvirt/agent.h"
#include "cache/libvirt/virxml.h"
#include "cache/write/writer.h"

/* Record NET's network record (active and updated as the caller set them)
 * and, when it is active, each of its static DHCP <host> entries as a
 * static lease; static leases it no longer defines go, and an inactive
 * network keeps no leases at all.  Returns 0 or a negative errno. */
int virtname_edit_put_network(struct virtname_writer *w, const struct virtname_xml_network *net);

/* Network NAME stopped: it stays in the store, inactive, and so do its
 * leases, unanswered until it starts again (lookup.h).  Returns 0 or a
 * negative errno. */
int virtname_edit_stop_network(struct virtname_writer *w, const char *name);

/* Record domain X; an interface given by bridge name on a libvirt
 * network's bridge is recorded on that network, one on another host
 * bridge as "bridge/BR", a macvtap one as "direct/DEV" (schema.h).  The
 * addresses X's <metadata> gives (virxml.h) become administrator's leases
 * (VIRTNAME_LEASE_ADMIN) of its interfaces; the ones it gave before and
 * no longer does go.  Returns 0 or a negative errno. */
int virtname_edit_put_domain(struct virtname_writer *w, struct virtname_xml_domain *x);

/* A domain gone (a transient one destroyed, or undefined while running):
 * its record, and the leases of its (network, MAC) pairs no other domain
 * defines, so that the names its guest sent go at once too. */
int virtname_edit_domain_gone(struct virtname_writer *w, const char *name);

/* Attach MAC on NETWORK to domain NAME (creating the domain record when
 * the store has none; UUID may be NULL), or detach it (ATTACH false:
 * NETWORK is ignored).  Returns 0 or a negative errno. */
int virtname_edit_iface(struct virtname_writer *w, const char *name, const uint8_t *uuid,
                   const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool attach);

/* DHCP says the lease of ADDR (FAMILY) on NETWORK is released.  A lease
 * whose domain's port answers for it (lookup.h) is only marked
 * VIRTNAME_LEASE_RELEASED: a release is a DHCP payload like any other,
 * which any guest can send with another's MAC, and only the port can
 * say whether its guest still uses the address (virtname_edit_prove()).
 * Returns 1 (marked: ask the port), 0 (deleted, or none), or a negative
 * errno. */
int virtname_edit_release(struct virtname_writer *w, int family, const uint8_t addr[16], const char *network);

/* What the port PORT of the domain that owns (NETWORK, MAC) said, in the
 * domain's run ID, at time WHEN, when asked about ADDR (FAMILY): EVIDENCE
 * VIRTNAME_EV_PORT (its guest answered) or VIRTNAME_EV_SILENT.  Recorded
 * on the lease of ADDR on NETWORK when it still has MAC and the domain is
 * still in that run on that port (else the answer is stale: 0, nothing
 * changed); a released lease or an observed address whose port is
 * silent goes, an observed address whose port answers holds as long
 * again as it did.  Returns 0 or a negative errno. */
int virtname_edit_prove(struct virtname_writer *w, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                        int family, const uint8_t addr[16], enum virtname_evidence evidence, const char *port,
                        int32_t id, int64_t when);

/* The guest behind PORT, the port of the domain that owns (NETWORK, MAC)
 * in its run ID, answered at WHEN for ADDR (FAMILY), which the host saw
 * it use (its neighbour table): an observed address (record.h,
 * VIRTNAME_LEASE_OBSERVED) of that interface, expiring TTL seconds (at
 * most VIRTNAME_OBSERVED_TTL) after the answer unless its port answers
 * again (virtname_edit_prove() of an observed address: an answer renews
 * it for as long, silence deletes it).  Where a lease of this MAC has the address,
 * the answer backs it (virtname_edit_prove()); a lease of another MAC
 * keeps it unless it is weaker (an expired one, an observed one whose
 * evidence no longer holds, an agent's report, a DHCP lease its own
 * domain's port was asked about without an answer, or of no domain).
 * A stale answer (another run, another port) changes nothing.  Returns 0
 * or a negative errno. */
int virtname_edit_observe(struct virtname_writer *w, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          int family, const uint8_t addr[16], const char *port, int32_t id, int64_t when,
                          unsigned ttl);

/* What domain NAME's guest agent reported at WHEN in the domain's run ID
 * (holding for TTL seconds, at most VIRTNAME_OBSERVED_TTL):
 * the N addresses ADDRS, each on the domain's interface with its MAC
 * (others ignored).  Each becomes that interface's address with
 * VIRTNAME_EV_AGENT evidence (an observed address, or a DHCP lease of
 * the same MAC backed by it), unless a lease of another MAC holds it
 * (anything but an expired or stale observed one or another agent's
 * report: the agent never displaces another source, nor a DHCP lease);
 * what the agent reported before and no longer does loses that backing.
 * Agent addresses expire as observed ones do.  A report from another run
 * changes nothing.  Returns 0 or a negative errno. */
int virtname_edit_agent(struct virtname_writer *w, const char *name, int32_t id, int64_t when, unsigned ttl,
                        const struct virtname_agent_addr *addrs, size_t n);

/* Count a DHCP event dropped as guest junk (meta "dropped", and the
 * last one's WHY in "dropped:last", for doctor): not a missed event,
 * which a guest could otherwise turn into a standing problem. */
int virtname_edit_count_dropped(struct virtname_writer *w, const char *why);

/* The network whose bridge is BRIDGE: its name and DNS domain ("" when
 * none) into NAME and SUFFIX.  Returns 0 or -ENOENT. */
int virtname_edit_network_of_bridge(struct virtname_writer *w, const char *bridge,
                               char name[VIRTNAME_NAME_MAX + 1], char suffix[VIRTNAME_NAME_MAX + 1]);

#endif
