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
#include <sys/types.h>

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

/* An agent may answer libvirt's guest-sync and then never the question:
 * libvirt waits for it as long as the domain's agent timeout, by default
 * for ever (and the domain's agent job stays taken, one of libvirtd's
 * workers with it, until the agent answers or goes).  So the programs
 * never ask in their own process: a child asks, over a connection of its
 * own, and writes the answer into a pipe; a child that has not answered
 * by the deadline is killed.  The domain's agent timeout is left alone
 * (it is every other agent user's too). */
#define VIRTNAME_AGENT_DEADLINE_MS 3000

struct virtname_agent_child {
        pid_t pid;
        int fd;                        /* readable: the answer is there, or the child died */
};

/* Start a child asking domain NAME's agent (virtname_agent_addresses())
 * over a read-write connection of its own to URI.  0 or a negative
 * errno. */
int virtname_agent_start(const char *uri, const char *name, struct virtname_agent_child *c);

/* The child's answer (without waiting): its addresses into OUT (at most
 * VIRTNAME_AGENT_ADDRS_MAX), their number into *N, the domain's ID into
 * *ID.  The child is killed if it still runs, and reaped.  Returns 0,
 * -ETIMEDOUT when it had not answered (ERR says so), or what
 * virtname_agent_addresses() returned. */
int virtname_agent_finish(struct virtname_agent_child *c, struct virtname_agent_addr *out, size_t *n, int32_t *id,
                          char *err, size_t errlen);

/* Both, waiting at most DEADLINE_MS for the answer. */
int virtname_agent_ask(const char *uri, const char *name, unsigned deadline_ms, struct virtname_agent_addr *out,
                       size_t *n, int32_t *id, char *err, size_t errlen);

#endif
