/* writer.h - changing the store.
 *
 * Every change happens in one write transaction of the private LMDB
 * environment (DIR/private, root only), under an exclusive lock that
 * serialises the hooks, the lease helper and the command.  Committing
 * publishes a compacted snapshot DIR/names.mdb (temporary file, fsync,
 * rename) for the NSS module and the proxy.
 *
 *      struct virtname_writer *w;
 *      if (virtname_writer_open(NULL, 2000, 0, &w, err, sizeof(err)) == 0) {
 *              rc = virtname_writer_put_lease(w, &lease);
 *              rc = rc ? (virtname_writer_abort(w), rc) : virtname_writer_commit(w);
 *      }
 *
 * Functions return 0 or a negative errno; virtname_writer_error() then says
 * what went wrong in one line.
 */
#ifndef VIRTNAME_WRITER_H
#define VIRTNAME_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store/record.h"
#include "store/schema.h"

struct virtname_writer;

/* Flags for virtname_writer_open(). */
#define VIRTNAME_WRITER_RECREATE 0x01u  /* move a damaged private store aside and start empty */

/* Open the store in DIR (NULL: virtname_store_dir()), creating it if needed,
 * and begin a write transaction.  Waits at most LOCK_TIMEOUT_MS for the
 * writer lock (-1: forever); -ETIMEDOUT when it did not get it. */
int virtname_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                    struct virtname_writer **out, char *err, size_t errlen);

/* Insert or replace a lease, keyed by its address.  Its host name must
 * pass virtname_hostname_valid() (only its first label is indexed). */
int virtname_writer_put_lease(struct virtname_writer *w, const struct virtname_lease *l);
int virtname_writer_del_lease(struct virtname_writer *w, int family, const uint8_t addr[16]);

/* Insert or replace a domain, keyed by its normalised name. */
int virtname_writer_put_domain(struct virtname_writer *w, const struct virtname_domain *d);
int virtname_writer_del_domain(struct virtname_writer *w, const char *name);

/* Insert or replace a network; deleting one also deletes its leases. */
int virtname_writer_put_network(struct virtname_writer *w, const struct virtname_network *n);
int virtname_writer_del_network(struct virtname_writer *w, const char *name);

/* Delete every lease of NETWORK that FILTER rejects (NULL: all of them). */
typedef int (*virtname_lease_filter)(const struct virtname_lease_view *l, void *ctx);
int virtname_writer_prune_leases(struct virtname_writer *w, const char *network,
                            virtname_lease_filter keep, void *ctx);

/* Empty every database (a rebuild fills it again before committing). */
int virtname_writer_clear(struct virtname_writer *w);

/* The open transaction, for the lookups in lookup.h. */
const struct virtname_view *virtname_writer_view(const struct virtname_writer *w);

/* Commit, publish the snapshot, unlock and free W.  When the commit went
 * through but publishing failed, the store is right and the snapshot is
 * stale: -EAGAIN, and the next commit (or `virt-name-cache rebuild`)
 * publishes it.  ERR gets the message; W is freed in every case. */
int virtname_writer_commit(struct virtname_writer *w, char *err, size_t errlen);

/* Discard the transaction, unlock and free W. */
void virtname_writer_abort(struct virtname_writer *w);

/* One line describing the last failure of W. */
const char *virtname_writer_error(const struct virtname_writer *w);

#endif
