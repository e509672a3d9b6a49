/* names.h - normalising and checking the names the store is keyed by. */
#ifndef VIRTNAME_NAMES_H
#define VIRTNAME_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/schema.h"

/* Copy NAME into OUT as a lookup key: ASCII lower-case, one trailing dot
 * dropped.  Returns the key length, or -EINVAL when NAME cannot be a
 * key (empty, longer than VIRTNAME_NAME_MAX, control bytes, '/' or DEL). */
int virtname_name_normalise(const char *name, char out[VIRTNAME_NAME_MAX + 1]);

/* True when NAME is a valid DNS host name (RFC 1123 labels of letters,
 * digits, '-' and '_', 1..63 bytes each, at most VIRTNAME_NAME_MAX in all).
 * Guest-sent DHCP host names must pass this before they are stored. */
bool virtname_hostname_valid(const char *name);

/* Split a normalised name at its first dot: "web.lab.test" gives a base
 * length of 3 and the suffix "lab.test".  Returns false if there is no
 * dot or either side would be empty. */
bool virtname_name_split(const char *name, size_t *base_len, const char **suffix);

/* Parse "52:54:00:ab:cd:ef" (any case; '-' separators too) into MAC.
 * Returns false for anything else. */
bool virtname_mac_parse(const char *s, uint8_t mac[VIRTNAME_MAC_LEN]);

/* Format MAC as "52:54:00:ab:cd:ef" into OUT (18 bytes). */
void virtname_mac_format(const uint8_t mac[VIRTNAME_MAC_LEN], char out[18]);

/* Parse an IPv4 or IPv6 address (no prefix, no scope) into FAMILY and
 * ADDR (IPv4 in the first 4 bytes, the rest zero).  False otherwise. */
bool virtname_addr_parse(const char *s, int *family, uint8_t addr[16]);

/* Is ADDR (FAMILY, as virtname_addr_parse() gives it) one a guest's
 * interface can be reached at from elsewhere: not unspecified,
 * loopback, link-local, multicast, IPv4 broadcast, nor an IPv6 spelling
 * of an IPv4 address (IPv4-mapped or -compatible)? */
bool virtname_addr_unicast(int family, const uint8_t addr[16]);

/* Parse a UUID: 32 hex digits, any case, dashes between digit pairs
 * ignored.  False for anything else. */
bool virtname_uuid_parse(const char *s, uint8_t uuid[VIRTNAME_UUID_LEN]);

#endif
