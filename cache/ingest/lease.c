/* lease.c - one builder of lease records from reported leases (lease.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/ingest/lease.h"
#include "cache/read/names.h"
#include "cache/read/reserved.h"

int virtname_lease_from_input(const struct virtname_lease_input *in, struct virtname_lease *l,
                              const char **why, const char **dropped)
{
        memset(l, 0, sizeof(*l));
        *dropped = NULL;
        if (!in->address || !virtname_addr_parse(in->address, &l->family, l->addr)) {
                *why = "invalid address";
                return -EINVAL;
        }
        if (in->mac) {
                if (!virtname_mac_parse(in->mac, l->mac)) {
                        *why = "invalid MAC";
                        return -EINVAL;
                }
                l->flags |= VIRTNAME_LEASE_HAS_MAC;
        }
        if (in->expiry < 0) {
                *why = "negative expiry time";
                return -EINVAL;
        }
        l->expiry = in->expiry;
        l->seen = in->seen;
        if (in->iaid && *in->iaid)
                l->iaid = (uint32_t)strtoul(in->iaid, NULL, 10);
        l->clientid = in->clientid && *in->clientid ? in->clientid : NULL;
        if (in->hostname && *in->hostname) {
                if (!virtname_hostname_valid(in->hostname))
                        *dropped = "invalid";
                else if (virtname_hostname_reserved(in->hostname))
                        *dropped = "reserved";
                else
                        l->hostname = in->hostname;
        }
        return 0;
}
