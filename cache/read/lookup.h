/* lookup.h - the questions the store answers, and the name rules, in one
 * place: the NSS module, `query`, `list`, the ssh proxy and every export
 * ask through these functions, over a snapshot or the private store
 * (view.h).  No allocation, no global state: the NSS module links this.
 *
 * Who owns a name (virt-name-cache(1), NAME RULES):
 *  - A libvirt domain name covers only the leases that carry one of its
 *    MACs on the network of the interface with that MAC: the (network,
 *    MAC) pair, never a MAC alone.  When several domains define the same
 *    (network, MAC), the one running owns it; if that does not decide it,
 *    nobody does.
 *  - And of those only the ones backed by evidence (enum virtname_rank):
 *    an administrator's word (a network's static host, an address in the
 *    domain's <metadata>), what the guest behind the domain's own tap
 *    answered for in the domain's current run (the MAC in a DHCP report
 *    is only what a guest wrote in its payload: record.h, enum
 *    virtname_evidence), or what the domain's guest agent reported in
 *    this run: its own channel, so its claim about itself, which never
 *    displaces an address another network's lease holds as an
 *    administrator's or a port's answer.  A guest's own host name needs
 *    no proof: it is the guest's claim about itself.
 *  - One (network, MAC) with several current leases of a family (firmware
 *    then the OS, or a guest spoofing the MAC) answers with one lease
 *    only: the strongest (administrator, port, agent), then the one its
 *    client asked for (or was seen) last, then the latest expiry (0 =
 *    never), then the higher address; and besides it with every
 *    observed address (record.h) its port answered for, or its agent
 *    reported, in this run (a guest may use several at once).  The
 *    others are never answered, forwards or in reverse; lease listings
 *    mark them.
 *  - Domains are kept by their exact names (libvirt's are case
 *    sensitive); a name in another case finds a domain only when one
 *    domain alone has it in any case.
 *  - A reverse answer is a name that resolves forwards to the address:
 *    the domain's, a static host's, or the first label of the guest's.
 *  - Names an administrator set win over names a guest sent: a domain
 *    name, then a network's static host, then guest host names; a static
 *    host's name stays its own while its network is stopped.
 *  - Reserved names (reserved.h) are never answered, forwards or reverse.
 *  - NAME.DOMAIN resolves NAME on networks whose DNS domain is DOMAIN.
 *  - Expired leases are never answered, nor the leases of a domain that
 *    is shut off (its name stays its own, without addresses, until it
 *    runs again), nor those of a network that is stopped (kept for its
 *    next start, when dnsmasq reports them again).
 */
#ifndef VIRTNAME_LOOKUP_H
#define VIRTNAME_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/read/record.h"
#include "cache/read/view.h"

/* Addresses one name can resolve to; more are dropped (and counted). */
#define VIRTNAME_ANSWER_MAX 64

/* How strongly an address is a domain interface's, weakest first
 * (virt-name-cache(1), NAME RULES). */
enum virtname_rank {
        VIRTNAME_RANK_NONE,            /* only a claim: DHCP's (not answered for by the
                                        * domain's port), a guest's host name */
        VIRTNAME_RANK_AGENT,           /* the domain's guest agent reported it in this run */
        VIRTNAME_RANK_PORT,            /* the domain's own port answered for it in this run */
        VIRTNAME_RANK_ADMIN,           /* an administrator's: a network's static host, an
                                        * address in the domain's <metadata> */
};

struct virtname_addr {
        int family;
        uint8_t addr[16];
        int64_t expiry;                /* 0 = never */
        enum virtname_rank rank;
};

/* Where a name comes from; the administrators' first (a lower number
 * wins where two sources could answer). */
enum virtname_source {
        VIRTNAME_SRC_NONE,
        VIRTNAME_SRC_DOMAIN,           /* a libvirt domain name */
        VIRTNAME_SRC_STATIC,           /* a static host in a network's definition */
        VIRTNAME_SRC_GUEST,            /* a host name a guest sent in DHCP */
};

struct virtname_answer {
        bool known;                    /* the name exists, maybe without addresses */
        enum virtname_source source;
        size_t n;
        size_t dropped;                /* addresses beyond VIRTNAME_ANSWER_MAX */
        struct virtname_addr addr[VIRTNAME_ANSWER_MAX];
};

/* Resolve NAME (any case, one trailing dot allowed) to its current
 * addresses of FAMILY (AF_INET, AF_INET6 or AF_UNSPEC) at time NOW.
 * Returns 0 (see answer->known and ->n), or -EIO/-EBADMSG when the store
 * is damaged. */
int virtname_resolve(const struct virtname_view *v, const char *name, int family, int64_t now,
                     struct virtname_answer *answer);
/* Does NAME resolve, at NOW, to ADDR (of FAMILY: AF_INET or AF_INET6)
 * among its addresses? */
bool virtname_answers_with(const struct virtname_view *v, const char *name, int family, const uint8_t *addr,
                           int64_t now);

/* The rules for one lookup key alone, reserved names aside: what KEY (a
 * normalised name; TYPED as the user wrote it, which picks a domain when
 * several have KEY's name in other cases) answers with SUFFIX (NULL: the
 * name itself; else KEY is the first label of KEY.SUFFIX).  The clock
 * matters to it only through the expiry of the leases it reads (the
 * answers database relies on that: answers.h).  0 or a negative errno. */
int virtname_resolve_rules(const struct virtname_view *v, const char *typed, const char *key, const char *suffix,
                           int family, int64_t now, struct virtname_answer *answer);

/* virtname_resolve() with RULES in place of virtname_resolve_rules():
 * the same reserved names and NAME.DOMAIN steps around another source of
 * the same answers (answers.h). */
typedef int (*virtname_rules_fn)(const struct virtname_view *v, const char *typed, const char *key,
                                 const char *suffix, int family, int64_t now, struct virtname_answer *answer);
int virtname_resolve_with(const struct virtname_view *v, const char *name, int family, int64_t now,
                          virtname_rules_fn rules, struct virtname_answer *answer);

struct virtname_reverse {
        char name[VIRTNAME_NAME_MAX + 1];      /* domain, static or guest host name */
        char fqdn[VIRTNAME_NAME_MAX + 1];      /* name.DOMAIN, or "" */
        enum virtname_source source;
        int64_t expiry;
};

/* The name for address ADDR of FAMILY.  When the address is leased on
 * several networks, an administrator's name wins, then the first network
 * by name.  Returns 0, -ENOENT (no current, answering lease, or no name
 * that may be given), -EIO or -EBADMSG. */
int virtname_reverse(const struct virtname_view *v, int family, const void *addr, int64_t now,
                     struct virtname_reverse *out);

/* The name lease L (current and answering) answers to in reverse, and
 * where it comes from: 0, -ENOENT (none may be given), or an error. */
int virtname_lease_name(const struct virtname_view *v, const struct virtname_lease_view *lease, int64_t now,
                        struct virtname_reverse *out);

/* Find a domain by NAME (one trailing dot allowed): exactly as libvirt
 * spells it, or else in any case when only one domain has that name in
 * any case.  Returns 0, -ENOENT, -ENOTUNIQ (several domains have it in
 * other cases), -EIO or -EBADMSG. */
int virtname_domain_by_name(const struct virtname_view *v, const char *name, struct virtname_domain_view *out);

/* Do several domains have the name KEY (normalised) in different cases?
 * DNS, whose names have no case, then gives it to none of them. */
bool virtname_name_ambiguous(const struct virtname_view *v, const char *key);

/* Find a domain by name (virtname_domain_by_name()), UUID (text, any
 * case, with or without dashes) or numeric ID, in that order.  Only names
 * libvirt gives: never a guest host name.  Returns 0, -ENOENT, -ENOTUNIQ,
 * -EIO or -EBADMSG. */
int virtname_find_domain(const struct virtname_view *v, const char *what,
                         struct virtname_domain_view *out);

/* The lease of ADDR (FAMILY; IPv4 in the first 4 bytes) on NETWORK (a
 * view string: empty for a lease of no network): 0, -ENOENT (none, or a
 * damaged record), or another negative errno. */
int virtname_get_lease(const struct virtname_view *v, int family, const uint8_t *addr, struct virtname_str network,
                       struct virtname_lease_view *out);

/* The libvirt network whose bridge is BRIDGE: its name and DNS domain
 * ("" when none) into NAME and SUFFIX.  Returns 0 or -ENOENT. */
int virtname_network_of_bridge(const struct virtname_view *v, const char *bridge, char name[VIRTNAME_NAME_MAX + 1],
                               char suffix[VIRTNAME_NAME_MAX + 1]);

/* The domain record for a domain key (its exact name, schema.h). */
int virtname_get_domain(const struct virtname_view *v, const MDB_val *key,
                        struct virtname_domain_view *out);

/* The domain that owns (NETWORK, MAC) (see the rules above): 0, or
 * -ENOENT when no domain, or more than one, does. */
int virtname_iface_owner(const struct virtname_view *v, struct virtname_str network,
                         const uint8_t mac[VIRTNAME_MAC_LEN], struct virtname_domain_view *out);

/* Every current lease of (NETWORK, MAC), one callback each; ANSWERING is
 * false for the ones a more recent lease of the same family overrides.
 * Stops when CB returns non-zero and returns that value. */
typedef int (*virtname_iface_lease_cb)(const struct virtname_lease_view *lease, bool answering,
                                       void *ctx);
int virtname_iface_leases(const struct virtname_view *v, struct virtname_str network,
                          const uint8_t mac[VIRTNAME_MAC_LEN], int64_t now,
                          virtname_iface_lease_cb cb, void *ctx);

/* Is lease L current at NOW, the one its (network, MAC) answers with, and
 * not a shut-off domain's?  Returns 1, 0, or a negative errno. */
int virtname_lease_answering(const struct virtname_view *v, const struct virtname_lease_view *l,
                             int64_t now);

/* Does the port evidence of lease L hold: did the guest behind the port
 * of the domain that owns L's (network, MAC) answer for L's address, in
 * the domain's current run on its current port?  1, 0, or a negative
 * errno. */
int virtname_lease_proven(const struct virtname_view *v, const struct virtname_lease_view *l);

/* How strongly lease L is the address of the domain that owns its
 * (network, MAC): an enum virtname_rank, or a negative errno. */
int virtname_lease_rank(const struct virtname_view *v, const struct virtname_lease_view *l);

/* Is lease L current at NOW? */
bool virtname_lease_current(const struct virtname_lease_view *l, int64_t now);

/* Store meta data: schema version, generation and commit time. */
struct virtname_meta {
        uint32_t schema;
        uint64_t generation;
        int64_t updated;
};
int virtname_get_meta(const struct virtname_view *v, struct virtname_meta *out);

#endif
