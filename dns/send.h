/* send.h - the store's names to the fleet's DNS server: the queued ones
 * (cache/derive/queue.h) after a change, or all of them, reconciled with the
 * zone (`virt-name-cache dns-sync`).
 *
 * What a name publishes is what the NSS module answers for it
 * (cache/derive/export.h): its current addresses on every network, under the
 * scheme dns.conf sets, and a PTR for each address whose reverse answer
 * is that name.
 */
#ifndef VIRTNAME_DNS_SEND_H
#define VIRTNAME_DNS_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/config.h"
#include "dns/zone.h"

struct virtname_dns_send_stats {
        size_t sent, failed, conflicts, left;  /* names */
        size_t problems;                        /* names not published at the last try */
        bool full;                              /* a whole reconcile is due (also: a new dns.conf) */
        bool failing;                           /* the last send before this one failed */
        bool skipped;                           /* backing off after a recent network failure */
        bool stopped;                           /* this send failed as a whole (no answer, the key refused) */
        int64_t whole_ns;                       /* the last whole reconcile (0: never) */
};

/* Send up to MAX (0: all) queued names of the store in STORE_DIR (NULL:
 * the default) within DEADLINE_MS (0: none), taking each off the queue
 * once the server has answered for it: a name it refused or another host
 * holds is recorded as that name's problem (queue.h) for doctor and the
 * next reconcile.  A failure of the whole send (no answer, the key
 * refused) leaves the rest queued.  With BACKOFF, nothing is sent within
 * VIRTNAME_DNS_BACKOFF seconds of a server that did not answer (hooks:
 * the next event, the timer or dns-sync retries).  Returns the worst
 * result (result.h), VIRTNAME_DNS_ESTORE when the store cannot be read
 * or written, with ERR saying why. */
#define VIRTNAME_DNS_BACKOFF 10
int virtname_dns_send_queue(const char *store_dir, const struct virtname_dns_config *c, size_t max,
                            unsigned deadline_ms, bool backoff, struct virtname_dns_send_stats *st, char *err,
                            size_t errlen);

/* Reconcile the zone with every name of the store (zone.h), then clear the
 * queue of what that covered and record the names not published as the
 * problems (NOTE, when not NULL, sees each).  Returns as
 * virtname_dns_send_queue. */
int virtname_dns_sync_store(const char *store_dir, const struct virtname_dns_config *c,
                            struct virtname_dns_sync_stats *st,
                            void (*note)(void *arg, const char *name, int result, const char *why),
                            void *arg, char *err, size_t errlen);

/* CLOCK_REALTIME in nanoseconds (the queue's times). */
int64_t virtname_dns_now_ns(void);

#endif
