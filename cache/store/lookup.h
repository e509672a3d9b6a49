/* lookup.h - the questions the store answers, asked inside one open
 * transaction (a snapshot reader's or the writer's).  No allocation, no
 * global state: the NSS module links this file. */
#ifndef VIRTNAME_LOOKUP_H
#define VIRTNAME_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "store/record.h"
#include "store/schema.h"

/* Addresses one name can resolve to; more are dropped (and counted). */
#define VIRTNAME_ANSWER_MAX 64

struct virtname_addr {
        int family;
        uint8_t addr[16];
        int64_t expiry;                /* 0 = never */
};

struct virtname_answer {
        bool known;                    /* the name exists, maybe without addresses */
        bool is_domain;                /* it is a libvirt domain name */
        size_t n;
        size_t dropped;                /* addresses beyond VIRTNAME_ANSWER_MAX */
        struct virtname_addr addr[VIRTNAME_ANSWER_MAX];
};

/* Resolve NAME (any case, trailing dot allowed) to its current addresses
 * of FAMILY (AF_INET, AF_INET6 or AF_UNSPEC) at time NOW.
 *
 * Rules, in order:
 *  1. NAME is a libvirt domain name: the leases of the domain's MACs.
 *     A domain name is authoritative: guest-sent host names never add to
 *     or replace it.
 *  2. NAME is a guest-sent host name: the leases that carry it.
 *  3. NAME is BASE.SUFFIX: rule 1 or 2 for BASE, keeping only leases on
 *     networks whose DNS domain is SUFFIX.
 * Expired leases are never returned.  Returns 0 (see answer->known), or
 * -EBADMSG/-EIO when the store is damaged. */
int virtname_resolve(const struct virtname_view *v, const char *name, int family,
                int64_t now, struct virtname_answer *answer);

struct virtname_reverse {
        char name[VIRTNAME_NAME_MAX + 1];   /* domain name, else guest host name */
        char fqdn[VIRTNAME_NAME_MAX + 1];   /* name.suffix, or "" */
        int64_t expiry;
};

/* The name for address ADDR of FAMILY.  A guest-sent host name that is
 * some domain's name is not used.  Returns 0, -ENOENT, or -EBADMSG. */
int virtname_reverse(const struct virtname_view *v, int family, const void *addr,
                int64_t now, struct virtname_reverse *out);

/* Find a domain by name, UUID (text, any case, with or without dashes)
 * or numeric ID, in that order.  Returns 0, -ENOENT or -EBADMSG. */
int virtname_find_domain(const struct virtname_view *v, const char *what,
                    struct virtname_domain_view *out);

/* The domain record for a normalised key. */
int virtname_get_domain(const struct virtname_view *v, const MDB_val *key,
                   struct virtname_domain_view *out);

/* Current leases of MAC, one callback each; stops when CB returns
 * non-zero and returns that value.  Expired leases are skipped. */
typedef int (*virtname_lease_cb)(const struct virtname_lease_view *lease, void *ctx);
int virtname_leases_of_mac(const struct virtname_view *v, const uint8_t mac[VIRTNAME_MAC_LEN],
                      int64_t now, virtname_lease_cb cb, void *ctx);

/* Store meta data: schema version, generation and commit time. */
struct virtname_meta {
        uint32_t schema;
        uint64_t generation;
        int64_t updated;
};
int virtname_get_meta(const struct virtname_view *v, struct virtname_meta *out);

/* Is lease L current at NOW? */
bool virtname_lease_current(const struct virtname_lease_view *l, int64_t now);

#endif
