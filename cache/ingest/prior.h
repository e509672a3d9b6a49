/* prior.h - what a rebuild keeps from the store it replaces: the host
 * names guests sent, and what the domains' ports said.
 *
 * libvirt's lease list (its API and its .status files) is not the
 * guest's word.  On a network whose DNS answers the store's names
 * (`enable`: hostsdir= and dhcp-ignore-names) dnsmasq ignores the host
 * name a guest sends and names the lease after the first name in our
 * hosts directory file for its address, often the domain's name;
 * libvirt's helper records that name, and keeps it after the network
 * is disabled.  The lease helper recorded what the guest really sent
 * (DNSMASQ_SUPPLIED_HOSTNAME).  So for every lease a rebuild imports:
 *
 *  - the same lease the replaced store held (the same network, address,
 *    MAC and expiry: no DHCP exchange since) keeps the host name, and
 *    the time its client asked, that the store held for it, and what its
 *    domain's port said of it (record.h: that holds only while the
 *    domain is in the same run on the same port, which every lookup
 *    checks against the new store's domain record);
 *  - else, on a network that has a hosts directory, a host name the
 *    replaced store itself answered with this address is not taken
 *    (the guest's own name comes back at its next renewal).
 */
#ifndef VIRTNAME_PRIOR_H
#define VIRTNAME_PRIOR_H

#include "cache/read/names.h"
#include "cache/write/writer.h"

/* The strings a kept lease's fields point to. */
struct virtname_prior {
        char hostname[VIRTNAME_NAME_MAX + 1];
        char port[VIRTNAME_NAME_MAX + 1];
};

/* Adjust L (a lease about to be imported by writer W, its network set)
 * as above; what is kept from the store is copied into KEPT, which L's
 * strings may then point to.  Returns 1 when the host name changed,
 * else 0. */
int virtname_prior_lease(struct virtname_writer *w, struct virtname_lease *l, struct virtname_prior *kept);

#endif
