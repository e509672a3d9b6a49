/* agent.h - what a domain's guest agent says about its own interfaces.
 *
 * The agent (qemu-guest-agent, on the virtio-serial channel
 * org.qemu.guest_agent.0) is the domain's own channel: no other guest
 * can speak through it, but what it says is the guest's claim about
 * itself, down to the MACs it names (virt-name-cache(1), NAME RULES).  libvirt
 * asks it for us: virDomainInterfaceAddresses() with the agent source.
 */
#ifndef VIRTNAME_AGENT_H
#define VIRTNAME_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "cache/read/schema.h"

/* One address the agent reports on the interface with MAC. */
struct virtname_agent_addr {
        uint8_t mac[VIRTNAME_MAC_LEN];
        int family;
        uint8_t addr[16];
};

/* Most addresses kept from one answer. */
#define VIRTNAME_AGENT_ADDRS_MAX 64

/* Ask DOM's guest agent for its interfaces' addresses (ask only an agent
 * whose channel is connected, virxml.h: libvirt waits twice 5 s for one
 * that does not answer its guest-sync; one that answers that and then
 * not the question is waited for as long as the domain's agent timeout,
 * by default for ever): the ones another host could reach it at
 * (virtname_addr_unicast()) that are not this host's (hostaddr.h) into
 * OUT (at most VIRTNAME_AGENT_ADDRS_MAX), their number into *N.
 * Returns 0, -ENOTCONN when the agent did not answer, or another
 * negative errno (ERR says why). */
int virtname_agent_addresses(virDomainPtr dom, struct virtname_agent_addr *out, size_t *n, char *err,
                             size_t errlen);

#endif
