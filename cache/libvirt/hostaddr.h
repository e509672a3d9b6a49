/* hostaddr.h - this host's own addresses are never a guest's.
 *
 * A guest agent reports whatever the guest says (agent.h): an address of
 * this host's would send the name's users, and the ssh proxy, to this
 * host, and once the guest's port answered ARP for it (a guest without a
 * filter answers for anything) the proxy would pin this host's key under
 * the guest's UUID.  The kernel never learns a neighbour at one of its
 * own addresses, so the neighbour table cannot name one; an agent can.
 */
#ifndef VIRTNAME_HOSTADDR_H
#define VIRTNAME_HOSTADDR_H

#include <stddef.h>

#include "cache/libvirt/agent.h"

/* Drop from A (*N entries) every address of this host's interfaces (and
 * every IPv4 broadcast address of theirs), in this network namespace.
 * Returns 0, or a negative errno when the host's addresses cannot be read:
 * then every entry is dropped. */
int virtname_drop_host_addresses(struct virtname_agent_addr *a, size_t *n);

#endif
