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
        bool planned;                   /* the transfers succeeded: the counts mean something */
        bool stopped;                   /* ... and a fatal failure stopped it (zone.c) */
        size_t withheld;                /* changes not sent after it, or releases after a refusal */
};

/* Make the zone (and the configured reverse zones) hold, of this host's
 * records, exactly RECS (any order, several per name).  NOTE, when not
 * NULL, is called for each name that could not be published (conflicts,
 * failed updates, unusable names) with the record's name (or the zone's
 * name a release failed on), the result and why.  Returns
 * VIRTNAME_DNS_OK when every wanted change was made, else the worst
 * result, with a summary in err.
 *
 * It plans everything from the transfers first, then sends forward
 * claims and changes, then PTRs, then releases; after a fatal failure
 * (no server, the key or the zone refused) it sends nothing more, and
 * after a name refused by the server's policy it releases nothing.  A
 * name not published keeps what it has (its PTRs too); a transfer that
 * fails changes nothing.  Under names = host, a name under this host's
 * label that holds only addresses (its TXT deleted by hand) is taken
 * back. */
int virtname_dns_sync(struct virtname_dns_session *s, const struct virtname_dns_record *recs, size_t n,
                      struct virtname_dns_sync_stats *st,
                      void (*note)(void *arg, const char *name, int result, const char *why),
                      void *arg, char *err, size_t errlen);

/* Call FN for every record this host owns in the zone and the reverse
 * zones (as zone-file text), for tests and `export`-style listings. */
int virtname_dns_owned(struct virtname_dns_session *s, void (*fn)(void *arg, const char *rr), void *arg,
                       char *err, size_t errlen);

#endif
