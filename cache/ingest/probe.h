/* probe.h - asking a domain's own port whether its guest uses an address.
 *
 * The MAC in a DHCP report is what the guest wrote in its payload; any
 * guest can write another's (virt-name-cache(1), NAME RULES).  What cannot be
 * forged from another port is an answer that comes in on the domain's own
 * port: the tap libvirt made for the interface and handed to the domain's
 * QEMU, whose incoming frames are the guest's.  So the address is asked
 * about on that port alone: an ARP request (sender 0.0.0.0, an RFC 5227
 * probe that leaves the guest's ARP cache alone) or an IPv6 neighbour
 * solicitation, sent out of the tap from the bridge's MAC, so that only
 * that guest sees it and its reply is addressed to the host.  A reply
 * counts when it
 *   - comes in on the tap (an AF_PACKET socket bound to it sees frames
 *     from other ports only as outgoing ones), from the interface's MAC,
 *     naming the address (ARP: sender MAC and address; NA: target), and
 *   - also reaches the host through the bridge: the port's filters
 *     (libvirt's nwfilter, e.g. clean-traffic's no-arp-spoofing) let it
 *     pass, so a guest cannot prove what its filters forbid it to use.
 * It proves that the guest behind that port answers for the address, not
 * that nobody else does.
 */
#ifndef VIRTNAME_PROBE_H
#define VIRTNAME_PROBE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/schema.h"

struct virtname_probe_addr {
        int family;                    /* AF_INET or AF_INET6 */
        uint8_t addr[16];
        bool answered;                 /* out */
};

/* One port to ask: the tap PORT (a port of a bridge), the MAC of the
 * domain's interface on it, the addresses to ask about. */
struct virtname_probe_port {
        char port[IF_NAMESIZE];
        uint8_t mac[VIRTNAME_MAC_LEN];
        size_t n;
        struct virtname_probe_addr *addrs;
        int err;                       /* out: 0, or why the port could not be asked
                                        * (-ENODEV: no such port, -ENOTCONN: on no bridge) */
};

/* Most ports asked at once. */
#define VIRTNAME_PROBE_PORTS_MAX 256

/* Ask every address of every port (at most VIRTNAME_PROBE_PORTS_MAX),
 * again and again (a guest configures its address some milliseconds
 * after the DHCP acknowledgement, an IPv6 one only after duplicate
 * address detection, a second or two), until each has answered or
 * DEADLINE_MS has passed.  Returns 0, or a negative errno when no port
 * could be asked at all (no CAP_NET_RAW: -EPERM). */
int virtname_probe(struct virtname_probe_port *const *ports, size_t n, unsigned deadline_ms);
/* The same, calling THEN(CTX) once the answers are known, before the
 * sockets are closed (closing one waits for the kernel's RCU grace
 * period: tens of milliseconds a port, which the answers need not
 * wait for). */
int virtname_probe_then(struct virtname_probe_port *const *ports, size_t n, unsigned deadline_ms,
                        void (*then)(void *ctx), void *ctx);

#endif
