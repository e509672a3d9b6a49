/* update.h - publish this host's guest names to an authoritative DNS
 * server as TSIG-signed RFC 2136 updates (issue 11, part 3).
 *
 * Ownership: every name this host publishes carries a TXT record
 * "virt-name-cache owner=OWNER" (config.h).  A change to a name is sent
 * with the prerequisite "that TXT RRset exists with exactly this value"
 * (RFC 2136 2.4.2), a first claim with "name is not in use" (2.4.5), so
 * the server itself refuses, atomically, any change to a name another
 * host (or the administrator) holds.  Reverse names (PTR in the reverse
 * zones the configuration names) are owned the same way.  With
 * `names = flat` two hosts may want one name: the first to claim it keeps
 * it until it no longer publishes any address under it (its records and
 * TXT are then deleted); the other host gets VIRTNAME_DNS_ECONFLICT
 * meanwhile and takes the name at its next publish or sync after that.
 *
 * The caller passes records (name, family, address, TTL); nothing here
 * knows the store.
 */
#ifndef VIRTNAME_DNS_UPDATE_H
#define VIRTNAME_DNS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/config.h"
#include "dns/result.h"

struct virtname_dns_record {
        const char *name;       /* guest name; the scheme makes it absolute */
        int family;             /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        uint32_t ttl;           /* 0: the configuration's ttl */
        bool no_reverse;        /* the address answers to another name in reverse: no PTR */
};

struct virtname_dns_session;

/* A session sends to the configured server with the configured key; C
 * must stay valid until virtname_dns_close. */
int virtname_dns_open(const struct virtname_dns_config *c, struct virtname_dns_session **s,
                      char *err, size_t errlen);
void virtname_dns_close(struct virtname_dns_session *s);

/* Make NAME carry exactly the addresses of RECS (all with that name;
 * N 0 releases the name): forward A/AAAA and TXT in the zone, PTR in the
 * reverse zones that cover each address.  Idempotent, so a queued change
 * can simply be sent again.  Returns a result (result.h). */
int virtname_dns_publish(struct virtname_dns_session *s, const char *name,
                         const struct virtname_dns_record *recs, size_t n,
                         char *err, size_t errlen);

/* Give everything this session still sends at most MS milliseconds in
 * all (0: no limit; each message still has the configured timeout):
 * what a hook's time budget needs.  A message that would start after the
 * deadline is not sent and its operation fails with VIRTNAME_DNS_ENET. */
void virtname_dns_set_deadline(struct virtname_dns_session *s, unsigned ms);

/* The reverse name of an address into REV ("10.0.18.198.in-addr.arpa.")
 * and the configured reverse zone that holds it (the longest), or NULL
 * when none does. */
const char *virtname_dns_reverse(const struct virtname_dns_config *c, int family, const unsigned char *addr,
                                 char *rev, size_t revlen);

/* Has the session met a failure that is not about one name (no server,
 * the key or the zone refused)?  Then what was not sent waits. */
bool virtname_dns_fatal(const struct virtname_dns_session *s);

/* Does the server let this key change NAME of ZONE?  An update that
 * cannot change anything (update.c): VIRTNAME_DNS_OK it was accepted,
 * EREFUSED refused, ECONFLICT the name exists (no answer); FATAL: the
 * failure is not about NAME (no server, the key refused). */
int virtname_dns_probe(struct virtname_dns_session *s, const char *zone, const char *name, bool *fatal,
                       char *why, size_t whylen);

/* Counters of the messages a session sent (for measurements). */
struct virtname_dns_counts {
        unsigned long queries, updates, axfrs;
};
void virtname_dns_counts(const struct virtname_dns_session *s, struct virtname_dns_counts *out);

#endif
