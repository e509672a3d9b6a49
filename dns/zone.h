/* zone.h - reconcile: fetch the zone (AXFR, TSIG-signed request) and make
 * what this host owns there equal what it should publish: the basis of
 * `virt-name-cache dns-sync`.  Names and reverse names held by another
 * owner, or by records virt-name-cache did not make, are never touched.
 */
#ifndef VIRTNAME_DNS_ZONE_H
#define VIRTNAME_DNS_ZONE_H

#include <stddef.h>

#include "dns/update.h"

struct virtname_dns_sync_stats {
        size_t names;                   /* distinct names wanted */
        size_t claimed, changed, released, unchanged, conflicts, failed;
        size_t ptr_claimed, ptr_changed, ptr_released, ptr_unchanged, ptr_conflicts, ptr_failed;
        size_t zone_rrs;                /* RRs read by the transfers */
};

/* Make the zone (and the configured reverse zones) hold, of this host's
 * records, exactly RECS (any order, several per name).  NOTE, when not
 * NULL, gets one line per name that could not be published (conflicts,
 * failed updates, unusable names).  Returns VIRTNAME_DNS_OK when every
 * wanted change was made, else the worst result, with a summary in err.
 * A transfer that fails changes nothing. */
int virtname_dns_sync(struct virtname_dns_session *s, const struct virtname_dns_record *recs, size_t n,
                      struct virtname_dns_sync_stats *st, void (*note)(void *arg, const char *line),
                      void *arg, char *err, size_t errlen);

/* Call FN for every record this host owns in the zone and the reverse
 * zones (as zone-file text), for tests and `export`-style listings. */
int virtname_dns_owned(struct virtname_dns_session *s, void (*fn)(void *arg, const char *rr), void *arg,
                       char *err, size_t errlen);

#endif
