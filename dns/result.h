/* result.h - how every function of dns/ says how it went.
 *
 * A dns/ function that can fail returns one of the results below: 0
 * for success, else a positive reason, never -1 or a negative errno;
 * where it takes an ERR buffer, one line there says why.  The reasons
 * are what the callers act on: `virt-name-cache dns-sync` turns them
 * into its exit status (cmd/dns.c), doctor tells a refusal from no
 * answer, the queue keeps one per name not published (queue.h) and the
 * test tool dns-push exits with it.  So the numbers are kept in the
 * store and seen by tests: new ones are added at the end.
 *
 * Below dns/, the store (cache/) returns 0 or a negative errno; dns/
 * turns those into VIRTNAME_DNS_ESTORE with the errno's text in ERR.
 */
#ifndef VIRTNAME_DNS_RESULT_H
#define VIRTNAME_DNS_RESULT_H

enum {
        VIRTNAME_DNS_OK = 0,
        VIRTNAME_DNS_ECONFLICT = 1,     /* a name is held by another owner */
        VIRTNAME_DNS_ENET = 2,          /* no (valid) answer in time: retry later */
        VIRTNAME_DNS_EREFUSED = 3,      /* server refused: key, policy, zone */
        VIRTNAME_DNS_EINPUT = 4,        /* unusable: a name or address, dns.conf, the key file */
        VIRTNAME_DNS_EOTHER = 5,        /* out of memory, an update ldns cannot build */
        VIRTNAME_DNS_ESTORE = 6,        /* the store or its snapshot cannot be read or written */
        VIRTNAME_DNS_EABSENT = 7,       /* no dns.conf (updates are off); no key of that name */
};

#endif
