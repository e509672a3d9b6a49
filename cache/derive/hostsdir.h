/* hostsdir.h - the hosts directories libvirt's dnsmasq reads (its
 * hostsdir= option), so that a network's own DNS server answers the
 * store's names under the same rules as the NSS module.
 *
 * STORE_DIR/dnsmasq/NETWORK/ exists for every network `virt-name-cache
 * enable` turned this on for; it holds one file per leased address,
 * named after it ("198.18.0.10", "2001:db8::10"), with that address's
 * hosts line (export.h).  One small file per address because dnsmasq
 * reads a changed file whole and checks each of its names against all
 * it knows: one file per network would cost it seconds per change at
 * 10,000 guests, a file per address milliseconds.  A file is written
 * under a dot name, which dnsmasq ignores, and renamed into place;
 * deleting it takes its names away.  dnsmasq reads the directory as an
 * unprivileged user: directories 0755, files 0644.
 *
 * STORE_DIR/dnsmasq/.generation says which store generation the
 * directories show.  A writer that finds it behind (one was killed
 * between its commit and this) rewrites them all.
 */
#ifndef VIRTNAME_HOSTSDIR_H
#define VIRTNAME_HOSTSDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/derive/export.h"

#define VIRTNAME_HOSTSDIR_NAME "dnsmasq"

/* May NETWORK name a directory (not empty, no '/', no leading '.')? */
bool virtname_hostsdir_network_ok(const char *network);

/* STORE_DIR/dnsmasq/NETWORK (NETWORK NULL: STORE_DIR/dnsmasq) into OUT.
 * Returns 0, -EINVAL (a network name that cannot be a directory) or
 * -ENAMETOOLONG. */
int virtname_hostsdir_path(const char *store_dir, const char *network, char *out, size_t cap);

/* Does any network have a hosts directory in STORE_DIR? */
bool virtname_hostsdir_active(const char *store_dir);

/* After a commit that took the store from generation FROM to TO: write
 * the changed LINES (N) into the directories of their networks.  When
 * LINES is NULL, or the directories do not show FROM, every directory is
 * made to hold exactly V's lines instead.  Returns 0 or a negative
 * errno; ERR says what failed. */
int virtname_hostsdir_update(const char *store_dir, const struct virtname_line *lines, size_t n,
                             uint64_t from, uint64_t to, const struct virtname_view *v, int64_t now,
                             char *err, size_t errlen);

/* Create NETWORK's directory (empty) if it is not there: dnsmasq watches
 * only a directory that exists when it starts. */
int virtname_hostsdir_create(const char *store_dir, const char *network);

/* Create NETWORK's directory if needed and make it hold exactly V's lines
 * of NETWORK.  Returns 0 or a negative errno (ERR). */
int virtname_hostsdir_sync(const char *store_dir, const char *network, const struct virtname_view *v,
                           int64_t now, char *err, size_t errlen);

/* Remove NETWORK's directory and everything in it (0 when there is
 * none). */
int virtname_hostsdir_remove(const char *store_dir, const char *network);

#endif
