/* config.h - the fleet DNS configuration: dns.conf and the TSIG key file
 * it names (issue 11, part 3).
 *
 * /etc/virt-name-cache/dns.conf, or $VIRT_NAME_CACHE_CONF/dns.conf (the
 * way VIRT_NAME_CACHE_DIR moves the store), one "key = value" a line:
 *
 *   server = 198.18.8.1          numeric IPv4 or IPv6 address (required)
 *   port = 53
 *   zone = fleet.example         the zone updates go to (required)
 *   key-file = dns.key           TSIG key; relative to the directory (required)
 *   key-name = hv1-key           which key of the file (default: the first)
 *   names = host                 host: GUEST.HOST-LABEL.ZONE, flat: GUEST.ZONE
 *   host-label = hv1             default: this host's name up to the first dot
 *   owner = hv1                  the identity in ownership records (default host-label)
 *   reverse-zone = 18.198.in-addr.arpa     repeatable: where PTR records go
 *   reverse-net = 198.18.31.0/24 repeatable: PTRs only for addresses in these
 *                                (default: every address a reverse zone holds)
 *   ttl = 60
 *   timeout-ms = 2000            for each message sent (a refused transfer:
 *                                asked again for up to this long)
 *   reconcile-interval = 600     seconds between whole reconciles the timer runs
 *
 * Besides the owner, ownership records carry this machine's id: 16 hex
 * digits of SHA-256 over /etc/machine-id and the full host name, so two
 * hosts that share an owner (the same short host name, a cloned image)
 * never take each other's names for their own.
 *
 * The key file is what tsig-keygen, ddns-confgen (its whole output) or
 * knot's `keymgr -t` print, or one line ALGORITHM:NAME:SECRET (dig -y).
 */
#ifndef VIRTNAME_DNS_CONFIG_H
#define VIRTNAME_DNS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/paths.h"      /* VIRTNAME_CONF_DIR, VIRTNAME_DNS_CONF_NAME */
#include "dns/result.h"
#define VIRTNAME_DNS_MAX_REVERSE 16

enum virtname_dns_scheme {
        VIRTNAME_DNS_NAMES_HOST,        /* GUEST.HOST-LABEL.ZONE */
        VIRTNAME_DNS_NAMES_FLAT,        /* GUEST.ZONE, first owner keeps it */
};

struct virtname_dns_key {
        char name[256];         /* key name, absolute ("hv1-key.") */
        char algorithm[32];     /* as ldns spells it ("hmac-sha256.") */
        char secret[256];       /* base64 */
};

struct virtname_dns_config {
        char path[PATH_MAX];    /* the dns.conf read, for messages */
        char server[64];        /* numeric address as written */
        uint16_t port;
        char zone[256];         /* absolute, lower case ("fleet.example.") */
        enum virtname_dns_scheme names;
        char host_label[64];
        char owner[64];
        char owner_id[17];      /* this machine (see above) */
        char reverse[VIRTNAME_DNS_MAX_REVERSE][256];    /* absolute, lower case */
        size_t nreverse;
        struct virtname_dns_net {
                int family;
                unsigned char addr[16];
                unsigned prefix;
        } nets[VIRTNAME_DNS_MAX_REVERSE];
        size_t nnets;
        unsigned reconcile_s;
        uint32_t ttl;
        unsigned timeout_ms;
        char key_file[PATH_MAX];
        struct virtname_dns_key key;
};

/* Read DIR/dns.conf (DIR NULL: $VIRT_NAME_CACHE_CONF, else
 * /etc/virt-name-cache) and the key file it names.  VIRTNAME_DNS_OK,
 * VIRTNAME_DNS_EABSENT (no dns.conf: DNS updates are off) or
 * VIRTNAME_DNS_EINPUT (err says which file and line); result.h. */
int virtname_dns_config_load(const char *dir, struct virtname_dns_config *c,
                             char *err, size_t errlen);

/* Read a TSIG key file; NAME NULL takes the first key.  VIRTNAME_DNS_OK
 * or VIRTNAME_DNS_EINPUT (err). */
int virtname_dns_key_load(const char *path, const char *name,
                          struct virtname_dns_key *k, char *err, size_t errlen);

/* The absolute DNS name a guest name is published under ("web." ->
 * "web.hv1.fleet.example."), lower case.  VIRTNAME_DNS_EINPUT (err) when
 * GUEST is not a host name (LDH labels of 1-63, 253 in all). */
int virtname_dns_fqdn(const struct virtname_dns_config *c, const char *guest,
                      char *out, size_t outlen, char *err, size_t errlen);

/* The text of this host's ownership TXT record. */
void virtname_dns_owner_text(const struct virtname_dns_config *c, char *out, size_t outlen);

/* Does ADDR get a PTR under reverse-net (always, when none is set)? */
bool virtname_dns_reverse_wanted(const struct virtname_dns_config *c, int family, const unsigned char *addr);

/* What a zone holds depends on: server, zone, names, host label, owner
 * and id, reverse zones and nets, as one line (a new one: publish all). */
void virtname_dns_fingerprint(const struct virtname_dns_config *c, char *out, size_t outlen);

#endif
