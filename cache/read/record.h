/* record.h - the binary records stored in the domains, leases and
 * networks databases, and the composite index keys (schema.h).
 *
 * Each record starts with a version byte, then fixed-size fields, then
 * length-prefixed strings (u16 length, no terminator).  Encoders take the
 * plain structs below; decoders check every length against the record
 * size and return views that point into the record (valid while the
 * transaction that read it is open).
 */
#ifndef VIRTNAME_RECORD_H
#define VIRTNAME_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/schema.h"

#define VIRTNAME_RECORD_VERSION 4

/* Lease flags. */
#define VIRTNAME_LEASE_HAS_MAC 0x01u  /* mac is known */
#define VIRTNAME_LEASE_STATIC 0x02u   /* from a network's static <host> entry */
#define VIRTNAME_LEASE_RELEASED 0x04u /* DHCP says released; its port is being asked */
#define VIRTNAME_LEASE_ADMIN 0x08u    /* an address an administrator gave the domain
                                       * (its <metadata>, virxml.h): like a static host */
#define VIRTNAME_LEASE_OBSERVED 0x10u /* not a DHCP lease: seen by the host (its
                                       * neighbour table, then the port asked) or
                                       * reported by the guest agent; no DHCP server
                                       * reports or releases it, it ends at EXPIRY
                                       * unless seen again (edit.h) */

/* How long an observed address holds after its port last answered for
 * it, or its guest agent last reported it (edit.h, "refresh rule"). */
#define VIRTNAME_OBSERVED_TTL 3600
/* Observed addresses one interface (network, MAC) holds at most: a guest
 * without a filter answers for any address it invents (edit.h). */
#define VIRTNAME_OBSERVED_MAX 64

/* What says that the guest with a lease's MAC uses its address (virt-name-cache(1),
 * NAME RULES).  The MAC dnsmasq reports is only what the DHCP payload
 * says (chaddr, a DUID, a relay option): any guest can send another's.
 * What the guest behind the domain's own port answers is evidence. */
enum virtname_evidence {
        VIRTNAME_EV_CLAIM = 0,         /* only the DHCP payload: not asked (yet) */
        VIRTNAME_EV_SILENT = 1,        /* the domain's port was asked and did not answer */
        VIRTNAME_EV_PORT = 2,          /* the guest behind the domain's own port (its tap)
                                        * answered for the address, through its filters */
        VIRTNAME_EV_AGENT = 3,         /* the domain's guest agent reported the address (its
                                        * own channel: a claim about itself, in run
                                        * proved_id) */
};

/* Domain states.  Only what both the hooks and a rebuild can see: libvirt
 * runs no hook when a domain is paused or resumed, so a paused domain is
 * "running" (it has a QEMU process, an ID and maybe a CID) for both. */
enum virtname_domain_state {
        VIRTNAME_STATE_UNKNOWN = 0,
        VIRTNAME_STATE_RUNNING = 1,
        VIRTNAME_STATE_SHUTOFF = 2,
};

/* Strings are NUL-terminated on input; NULL means empty. */
struct virtname_lease {
        int family;                    /* AF_INET or AF_INET6 */
        uint8_t addr[16];              /* IPv4 in the first 4 bytes */
        unsigned flags;                /* VIRTNAME_LEASE_* */
        uint8_t mac[VIRTNAME_MAC_LEN];
        int64_t expiry;                /* unix time; 0 = never expires */
        int64_t seen;                  /* unix time the client last asked for it; 0: unknown */
        uint32_t iaid;                 /* DHCPv6 IAID, 0 if none */
        const char *hostname;          /* guest-sent; must be valid */
        const char *network;           /* libvirt network name */
        const char *suffix;            /* the network's DNS domain */
        const char *clientid;          /* DHCP client id or DUID */
        /* The last time the port of the domain with this MAC was asked
         * (or its guest agent reported the address): what it said, when,
         * on which port, in which run of the domain (its ID then).
         * Evidence holds only for that run (a port's, on that port). */
        enum virtname_evidence evidence;
        int64_t proved;                /* unix time, 0: never asked */
        int32_t proved_id;             /* the domain's ID then */
        const char *port;              /* its tap then */
};

struct virtname_iface {
        uint8_t mac[VIRTNAME_MAC_LEN];
        const char *network;           /* NULL when not on a libvirt network */
        const char *filter;            /* its nwfilter (<filterref filter=...>), or NULL */
        const char *port;              /* its tap (<target dev=...>) while running, or NULL */
};

struct virtname_domain {
        const char *name;              /* as libvirt spells it */
        bool has_uuid;
        uint8_t uuid[VIRTNAME_UUID_LEN];
        int32_t id;                    /* -1 when not running */
        enum virtname_domain_state state;
        uint32_t cid;                  /* VSOCK CID, 0 when none */
        int64_t updated;               /* unix time of the last change */
        size_t n_ifaces;
        const struct virtname_iface *ifaces;
};

struct virtname_network {
        const char *name;
        const char *bridge;
        const char *suffix;            /* DNS domain, NULL if none */
        bool active;
        int64_t updated;
};

struct virtname_str {
        const char *p;                 /* not NUL-terminated */
        size_t len;
};

struct virtname_lease_view {
        int family;
        const uint8_t *addr;           /* 16 bytes */
        unsigned flags;
        const uint8_t *mac;            /* 6 bytes */
        int64_t expiry;
        int64_t seen;
        uint32_t iaid;
        struct virtname_str hostname, network, suffix, clientid;
        enum virtname_evidence evidence;
        int64_t proved;
        int32_t proved_id;
        struct virtname_str port;
};

struct virtname_domain_view {
        struct virtname_str name;
        bool has_uuid;
        const uint8_t *uuid;
        int32_t id;
        enum virtname_domain_state state;
        uint32_t cid;
        int64_t updated;
        size_t n_ifaces;
        const uint8_t *ifaces;         /* raw; walk with virtname_domain_iface_next() */
        const uint8_t *end;
};

struct virtname_network_view {
        struct virtname_str name, bridge, suffix;
        bool active;
        int64_t updated;
};

/* Encoders write at most CAP bytes to BUF and return the size the record
 * needs (like snprintf): call again with a bigger buffer when it is more
 * than CAP.  They return 0 when a string is longer than a u16 can say. */
size_t virtname_lease_encode(const struct virtname_lease *l, uint8_t *buf, size_t cap);
size_t virtname_domain_encode(const struct virtname_domain *d, uint8_t *buf, size_t cap);
size_t virtname_network_encode(const struct virtname_network *n, uint8_t *buf, size_t cap);

/* Decoders return 0, or -EBADMSG for a record that is not well formed. */
int virtname_lease_decode(const void *data, size_t len, struct virtname_lease_view *v);
int virtname_domain_decode(const void *data, size_t len, struct virtname_domain_view *v);
int virtname_network_decode(const void *data, size_t len, struct virtname_network_view *v);

/* One interface of a decoded domain. */
struct virtname_iface_view {
        const uint8_t *mac;
        struct virtname_str network, filter, port;
};

/* Walk the interfaces of a decoded domain: start with *POS = 0; returns
 * false after the last one.  virtname_domain_decode() checked them all. */
bool virtname_domain_iface_next(const struct virtname_domain_view *v, size_t *pos,
                                struct virtname_iface_view *iface);

/* The 17-byte key of an address: family byte (4 or 6) then the address
 * (IPv4 in the first 4 bytes, the rest zero). */
void virtname_addr_key(int family, const uint8_t addr[16], uint8_t key[VIRTNAME_ADDR_KEY_LEN]);

/* The key of the lease of that address on NETWORK (empty when unknown):
 * the address key then the network's name.  Returns its length, or 0
 * when the network's name is too long. */
size_t virtname_lease_key(int family, const uint8_t addr[16], struct virtname_str network,
                          uint8_t key[VIRTNAME_LEASE_KEY_MAX]);

/* The 4-byte key of domain ID in the ids database: big-endian, unlike
 * the records, so that the index sorts by number. */
void virtname_id_key(uint32_t id, uint8_t key[4]);

/* Composite index keys (schema.h) into OUT, which has room for
 * VIRTNAME_KEY_MAX bytes; each returns the key length, or 0 when a part
 * is empty or too long.  The _prefix forms end where the last part would
 * start, for walking every entry under them. */
size_t virtname_hostidx_prefix(struct virtname_str hostkey, uint8_t *out);
size_t virtname_hostidx_key(struct virtname_str hostkey, const uint8_t *lease_key, size_t lease_len,
                            uint8_t *out);
size_t virtname_iface_prefix(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             uint8_t *out);
size_t virtname_ifaceidx_key(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             const uint8_t *addr_key, uint8_t *out);
size_t virtname_owner_key(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          struct virtname_str domain_key, uint8_t *out);
/* The parts of an interface index or owners key K (LEN bytes): its
 * network, its MAC and the REST after them.  False when K has none. */
bool virtname_iface_key_split(const uint8_t *k, size_t len, struct virtname_str *network, const uint8_t **mac,
                              const uint8_t **rest, size_t *rest_len);

/* The length of the host key of HOSTNAME: its first label. */
size_t virtname_host_key_len(struct virtname_str hostname);

/* What records and keys name, for the writers that follow a change to
 * what the store answers (cache/derive/affected.c, cache/write/
 * answers-update.c): lookup keys as raw text (not normalised),
 * addresses, and interfaces (network, MAC).  A callback returns 0 or a
 * negative errno, which ends the walk and is returned. */
struct virtname_names_fn {
        int (*name)(void *ctx, const char *p, size_t len);
        int (*addr)(void *ctx, int family, const uint8_t addr[16]);
        int (*iface)(void *ctx, struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN]);
};

/* What key KEY (KLEN bytes) of database DB names: a lease's its
 * address; a domain's and a dnames entry's the name; an owners entry's
 * its interface and the domain's name; an interface index entry's its
 * interface and address; a host index entry's the host key and address.
 * The other databases' keys (and keys too short to be theirs): nothing. */
int virtname_key_names(enum virtname_db db, const uint8_t *key, size_t klen, const struct virtname_names_fn *fn,
                       void *ctx);

/* What record DATA (LEN bytes) of database DB names: a lease its host
 * key (its host name's first label), its address and (with a MAC) its
 * interface; a domain its interfaces.  Other databases, and a record
 * that does not decode: nothing. */
int virtname_record_names(enum virtname_db db, const void *data, size_t len, const struct virtname_names_fn *fn,
                          void *ctx);

/* A view string of a NUL-terminated one (NULL: empty). */
struct virtname_str virtname_str_of(const char *z);

/* Compare a view string with a NUL-terminated one. */
bool virtname_str_eq(struct virtname_str s, const char *z);

#endif
