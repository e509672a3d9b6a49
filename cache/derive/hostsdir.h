/* hostsdir.h - the hosts directories libvirt's dnsmasq reads (its
 * hostsdir= option), so that a network's own DNS server answers the
 * store's names under the same rules as the NSS module.
 *
 * STORE_DIR/dnsmasq/NETWORK/ exists for every network `virt-name-cache
 * enable` turned this on for; it holds one file per aligned block of 64
 * to 1,024 addresses that has lines, named after the block
 * ("198.18.0.0_22", "2001:db8::40_122"), with the hosts lines (export.h)
 * of its leased addresses, in address order.  A change rewrites only the
 * files of its blocks, and dnsmasq re-reads only those: it drops what it
 * read from a file before it reads it again, and drops it when the file
 * goes (dnsmasq(8), --hostsdir).  Blocks, not a file per address: tmpfs
 * gives every file a page, 4 KiB for a 20-50 byte line; small blocks,
 * not a file per network: dnsmasq checks every address it reads from a
 * changed file against every address it knows (about 6 ms a line at
 * 100,000 names, dnsmasq 2.90), so a file costs it time in proportion to
 * its lines.  So a file is kept near a page (hostsdir.c: split above
 * one, merged under half of one), whatever the names' lengths and the
 * addresses' density.  A file is written under a dot name, which dnsmasq
 * ignores, and renamed into place; a line that moves to another file
 * leaves its old file first (dnsmasq ignores a line another file already
 * gave it, and forgets it with that file).  dnsmasq reads the directory
 * as an unprivileged user: directories 0755, files 0644.
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
/* In STORE_DIR/dnsmasq: the generation the hosts directories show. */
#define VIRTNAME_HOSTSDIR_GENERATION ".generation"

/* May NETWORK name a directory (not empty, no '/', no leading '.')? */
bool virtname_hostsdir_network_ok(const char *network);

/* STORE_DIR/dnsmasq/NETWORK (NETWORK NULL: STORE_DIR/dnsmasq) into OUT.
 * Returns 0, -EINVAL (a network name that cannot be a directory) or
 * -ENAMETOOLONG. */
int virtname_hostsdir_path(const char *store_dir, const char *network, char *out, size_t cap);

/* Does any network have a hosts directory in STORE_DIR? */
bool virtname_hostsdir_active(const char *store_dir);

/* After a commit that took the store from generation FROM to TO (the
 * same: it changed nothing): write the changed LINES (N, maybe none)
 * into the files of their networks and blocks.  When the directories do
 * not show FROM (a writer was killed before it got here), every
 * directory is made to hold exactly V's lines instead.  Returns 0 or a
 * negative errno; ERR says what failed. */
int virtname_hostsdir_update(const char *store_dir, const struct virtname_line *lines, size_t n,
                             uint64_t from, uint64_t to, const struct virtname_view *v, int64_t now,
                             char *err, size_t errlen);

/* After a commit whose changed lines are not known (a rebuild, more
 * changes than the writer follows one by one): make every directory hold
 * exactly V's lines, and show generation TO. */
int virtname_hostsdir_update_all(const char *store_dir, uint64_t to, const struct virtname_view *v,
                                 int64_t now, char *err, size_t errlen);

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
