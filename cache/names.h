/* names.h - normalising and checking the names the store is keyed by. */
#ifndef VNC_NAMES_H
#define VNC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

/* Copy NAME into OUT as a lookup key: ASCII lower-case, one trailing dot
 * dropped.  Returns the key length, or -1 when NAME cannot be a key
 * (empty, longer than VNC_NAME_MAX, control bytes, '/' or DEL). */
int vnc_name_normalise(const char *name, char out[VNC_NAME_MAX + 1]);

/* True when NAME is a valid DNS host name (RFC 1123 labels of letters,
 * digits, '-' and '_', 1..63 bytes each, at most VNC_NAME_MAX in all).
 * Guest-sent DHCP host names must pass this before they are stored. */
bool vnc_hostname_valid(const char *name);

/* Split a normalised name at its first dot: "web.lab.test" gives a base
 * length of 3 and the suffix "lab.test".  Returns false if there is no
 * dot or either side would be empty. */
bool vnc_name_split(const char *name, size_t *base_len, const char **suffix);

#endif
