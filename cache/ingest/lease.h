/* lease.h - turning what dnsmasq or libvirt reports about a lease into a
 * lease record: one set of rules for the lease helper and both importers
 * (lease files, the libvirt API), so the same report is the same record
 * whichever way it came.
 *
 * Everything a guest sends is attacker input.  An address or a MAC that
 * does not parse, or a negative expiry, rejects the lease; a host name
 * that is not a valid DNS name, or is reserved (reserved.h), is dropped
 * and the lease kept without it.
 */
#ifndef VIRTNAME_INGEST_H
#define VIRTNAME_INGEST_H

#include <stdint.h>

#include "cache/read/record.h"

struct virtname_lease_input {
        const char *address;           /* required */
        const char *mac;               /* NULL: not known (DHCPv6 may not say) */
        const char *hostname;          /* NULL or "": none */
        const char *clientid;          /* DHCP client id, or the DHCPv6 DUID */
        const char *iaid;              /* DHCPv6 IAID, decimal */
        int64_t expiry;                /* unix time, 0: never */
        int64_t seen;                  /* when the client asked, 0: not known (a replay) */
};

/* Fill L from IN (L's strings point into IN's).  Returns 0, with *DROPPED
 * saying why the host name was dropped ("invalid" or "reserved") or NULL;
 * or -EINVAL with *WHY saying what was wrong. */
int virtname_lease_from_input(const struct virtname_lease_input *in, struct virtname_lease *l,
                              const char **why, const char **dropped);

#endif
