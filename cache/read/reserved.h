/* reserved.h - names no guest and no store answer may have.
 *
 * A name service that answered `localhost`, the host's own name or a name
 * the administrator put in /etc/hosts with a guest's address would hand
 * every program on the host to that guest, whatever the order of sources
 * in nsswitch.conf.  So these names are refused where data comes in (the
 * lease helper drops such a host name) and again where answers go out
 * (lookup.c), because /etc/hosts and the host name can change after a
 * lease was recorded:
 *   localhost, *.localhost, localhost.localdomain, *.localhost.localdomain,
 *   localhost4, localhost6, localhost4.localdomain4, localhost6.localdomain6,
 *   ip6-*, names that begin with '_', wpad, names whose first label is all
 *   digits (they read as addresses), vnc-gone-* (hostsdir.c), the host's
 *   own name and its first label, and every name and alias in /etc/hosts,
 *   whatever /etc/hosts says of the fixed ones.
 *
 * Each check sees the host name and /etc/hosts as they were within the
 * kernel's coarse clock tick (CLOCK_MONOTONIC_COARSE, 1-4 ms): they are
 * looked at again once per tick, not per check (uname() and one stat()
 * that says whether the file changed; it is parsed into a hash set of
 * its names only then, so a check costs the same with 100,000 lines as
 * with one).
 */
#ifndef VIRTNAME_RESERVED_H
#define VIRTNAME_RESERVED_H

#include <stdbool.h>

/* Is KEY (a normalised name: lower case, no trailing dot) reserved? */
bool virtname_name_reserved(const char *key);

/* May no guest send host name HOSTNAME: is it, or its first label,
 * reserved (or not a usable name at all)? */
bool virtname_hostname_reserved(const char *hostname);

/* The fixed rules alone (no /etc/hosts, no host name). */
bool virtname_name_reserved_fixed(const char *key);

/* Does the hosts file PATH name KEY (any case, one trailing dot), as an
 * alias or the name after the address, before any '#'?  Lines longer
 * than 1,023 bytes are skipped.  A file that cannot be read names
 * nothing. */
bool virtname_hosts_file_names(const char *path, const char *key);

#endif
