/* prior.h - what a rebuild keeps from the store it replaces: the host
 * names guests sent.
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
 *    the time its client asked, that the store held for it;
 *  - else, on a network that has a hosts directory, a host name the
 *    replaced store itself answered with this address is not taken
 *    (the guest's own name comes back at its next renewal).
 */
#ifndef VIRTNAME_PRIOR_H
#define VIRTNAME_PRIOR_H

#include "cache/read/names.h"
#include "cache/write/writer.h"

/* Adjust L (a lease about to be imported by writer W, its network set)
 * as above; a host name kept from the store is copied into KEPT, which
 * L->hostname may then point to.  Returns 1 when the host name changed,
 * else 0. */
int virtname_prior_hostname(struct virtname_writer *w, struct virtname_lease *l,
                            char kept[VIRTNAME_NAME_MAX + 1]);

#endif
