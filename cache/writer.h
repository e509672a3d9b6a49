/* writer.h - changing the store.
 *
 * Every change happens in one write transaction of the private LMDB
 * environment (DIR/private, root only), under an exclusive lock that
 * serialises the hooks, the lease helper and the command.  Committing
 * publishes a compacted snapshot DIR/names.mdb (temporary file, fsync,
 * rename) for the NSS module and the proxy.
 *
 *      struct vnc_writer *w;
 *      if (vnc_writer_open(NULL, 2000, 0, &w, err, sizeof(err)) == 0) {
 *              rc = vnc_writer_put_lease(w, &lease);
 *              rc = rc ? (vnc_writer_abort(w), rc) : vnc_writer_commit(w);
 *      }
 *
 * Functions return 0 or a negative errno; vnc_writer_error() then says
 * what went wrong in one line.
 */
#ifndef VNC_WRITER_H
#define VNC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "schema.h"

struct vnc_writer;

/* Flags for vnc_writer_open(). */
#define VNC_WRITER_RECREATE 0x01u  /* move a damaged private store aside and start empty */

/* Open the store in DIR (NULL: vnc_store_dir()), creating it if needed,
 * and begin a write transaction.  Waits at most LOCK_TIMEOUT_MS for the
 * writer lock (-1: forever); -ETIMEDOUT when it did not get it. */
int vnc_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                    struct vnc_writer **out, char *err, size_t errlen);

/* Insert or replace a lease, keyed by its address.  Its host name must
 * pass vnc_hostname_valid() (only its first label is indexed). */
int vnc_writer_put_lease(struct vnc_writer *w, const struct vnc_lease *l);
int vnc_writer_del_lease(struct vnc_writer *w, int family, const uint8_t addr[16]);

/* Insert or replace a domain, keyed by its normalised name. */
int vnc_writer_put_domain(struct vnc_writer *w, const struct vnc_domain *d);
int vnc_writer_del_domain(struct vnc_writer *w, const char *name);

/* Insert or replace a network; deleting one also deletes its leases. */
int vnc_writer_put_network(struct vnc_writer *w, const struct vnc_network *n);
int vnc_writer_del_network(struct vnc_writer *w, const char *name);

/* Delete every lease of NETWORK that FILTER rejects (NULL: all of them). */
typedef int (*vnc_lease_filter)(const struct vnc_lease_view *l, void *ctx);
int vnc_writer_prune_leases(struct vnc_writer *w, const char *network,
                            vnc_lease_filter keep, void *ctx);

/* Empty every database (a rebuild fills it again before committing). */
int vnc_writer_clear(struct vnc_writer *w);

/* The open transaction, for the lookups in lookup.h. */
const struct vnc_view *vnc_writer_view(const struct vnc_writer *w);

/* Commit, publish the snapshot, unlock and free W.  When the commit went
 * through but publishing failed, the store is right and the snapshot is
 * stale: -EAGAIN, and the next commit (or `virt-name-cache rebuild`)
 * publishes it.  ERR gets the message; W is freed in every case. */
int vnc_writer_commit(struct vnc_writer *w, char *err, size_t errlen);

/* Discard the transaction, unlock and free W. */
void vnc_writer_abort(struct vnc_writer *w);

/* One line describing the last failure of W. */
const char *vnc_writer_error(const struct vnc_writer *w);

#endif
