/* writer.h - changing the store.
 *
 * Every change happens in one write transaction of the private store (one
 * LMDB file in the state directory, paths.h), under an exclusive flock of
 * the writer lock that serialises the hooks, the lease helper and the
 * command; LMDB's own lock file is not used (MDB_NOLOCK).  Committing
 * makes the change durable and then publishes it (publish.h): normally a
 * new small delta, sometimes a new base.
 *
 *      struct virtname_writer *w;
 *      char err[512];
 *      if (virtname_writer_open(NULL, 250, 0, &w, err, sizeof(err)) == 0) {
 *              int rc = virtname_writer_put_lease(w, &lease);
 *              if (rc < 0)
 *                      virtname_writer_abort(w);
 *              else
 *                      rc = virtname_writer_commit(w, err, sizeof(err));
 *      }
 *
 * Opening applies the events other hooks spooled while they could not get
 * the lock (spool.h), so they come before this writer's own change; a
 * rebuild applies them after its import.
 *
 * Functions return 0 or a negative errno; virtname_writer_error() then
 * says what went wrong in one line.  A put that changes nothing writes
 * nothing, and a commit without changes writes nothing to disk.
 */
#ifndef VIRTNAME_WRITER_H
#define VIRTNAME_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/record.h"
#include "store/view.h"

struct virtname_writer;

/* Flags for virtname_writer_open(). */
#define VIRTNAME_WRITER_RECREATE 0x01u  /* move a damaged private store aside, start empty */
#define VIRTNAME_WRITER_FRESH 0x02u     /* start empty in a new file; the commit replaces the
                                         * store with it (a rebuild) */
#define VIRTNAME_WRITER_NO_SPOOL 0x04u  /* leave spooled events alone (spool.h) */

/* Open the store of store directory DIR (NULL: the default), creating it
 * if needed, and begin a write transaction.  Waits at most LOCK_TIMEOUT_MS
 * for the writer lock (-1: forever, 0: not at all): -ETIMEDOUT when it did
 * not get it. */
int virtname_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                         struct virtname_writer **out, char *err, size_t errlen);

/* Insert or replace a lease, keyed by its address and network.  Its host name must
 * pass virtname_hostname_valid() (only its first label is indexed).  A
 * dynamic lease never replaces a static host's entry (the administrator's
 * name for that address stays). */
int virtname_writer_put_lease(struct virtname_writer *w, const struct virtname_lease *l);
/* The MAC dnsmasq last reported with DHCPv6 client DUID on NETWORK:
 * 0, or -ENOENT. */
int virtname_writer_duid_mac(struct virtname_writer *w, const char *network, const char *duid,
                             uint8_t mac[VIRTNAME_MAC_LEN]);

/* Delete the lease of ADDR on NETWORK (NULL: a lease without a network);
 * with DYNAMIC_ONLY, not a static host's. */
int virtname_writer_del_lease(struct virtname_writer *w, int family, const uint8_t addr[16],
                              const char *network, bool dynamic_only);

/* Delete the leases of ADDR on any network whose MAC is MAC (NULL: any),
 * static hosts' excepted: a release whose network is not known. */
int virtname_writer_del_address(struct virtname_writer *w, int family, const uint8_t addr[16],
                                const uint8_t *mac);

/* Insert or replace a domain, keyed by its normalised name. */
int virtname_writer_put_domain(struct virtname_writer *w, const struct virtname_domain *d);
int virtname_writer_del_domain(struct virtname_writer *w, const char *name);

/* Insert or replace a network; deleting one also deletes its leases. */
int virtname_writer_put_network(struct virtname_writer *w, const struct virtname_network *n);
int virtname_writer_del_network(struct virtname_writer *w, const char *name);

/* Delete every lease of NETWORK that KEEP rejects (NULL: all of them). */
typedef int (*virtname_lease_filter)(const struct virtname_lease_view *l, void *ctx);
int virtname_writer_prune_leases(struct virtname_writer *w, const char *network,
                                 virtname_lease_filter keep, void *ctx);

/* Meta data records (schema.h): set (VALUE may be empty) or delete. */
int virtname_writer_put_meta(struct virtname_writer *w, const char *name, const void *value,
                             size_t len);
int virtname_writer_del_meta(struct virtname_writer *w, const char *name);

/* Rewrite NETWORK's dnsmasq hosts directory whole at the commit, creating
 * it if needed (hostsdir.h): when the network starts, or is enabled. */
int virtname_writer_hostsdir_sync(struct virtname_writer *w, const char *network);

/* The open transaction, for the lookups in lookup.h. */
const struct virtname_view *virtname_writer_view(const struct virtname_writer *w);

/* The store directory and the state directory W writes. */
const char *virtname_writer_store_dir(const struct virtname_writer *w);
const char *virtname_writer_state_dir(const struct virtname_writer *w);

/* What this transaction has changed in the store's answers so far, at
 * time NOW (affected.h): 0, -E2BIG (too much to follow one by one: a
 * rebuild, or more than VIRTNAME_AFFECTED_MAX keys), or an error.  Free
 * OUT in every case. */
struct virtname_affected;
int virtname_writer_affected(struct virtname_writer *w, int64_t now, struct virtname_affected *out);

/* For queue.h: the open transaction and the private "dnsqueue" database
 * (never published).  queue.c calls virtname_writer_private_dirty() after
 * writing there, so that the commit keeps it even when nothing else
 * changed (and then publishes nothing). */
MDB_txn *virtname_writer_txn(struct virtname_writer *w);
MDB_dbi virtname_writer_queue_dbi(const struct virtname_writer *w);
void virtname_writer_private_dirty(struct virtname_writer *w);

/* Did opening move a damaged private store aside and start an empty one
 * (VIRTNAME_WRITER_RECREATE)?  Only a rebuild brings back what it held. */
bool virtname_writer_recreated(const struct virtname_writer *w);

/* Commit, publish, unlock and free W.  A transaction without changes is
 * not committed; the snapshot is still published again when it is not
 * current (a writer was killed between its commit and its publish, or
 * /run was emptied by a reboot).  When the commit went through but
 * publishing failed, the store is right and the snapshot is stale:
 * -EAGAIN, and the next writer publishes it.  ERR gets the message; W is
 * freed in every case. */
int virtname_writer_commit(struct virtname_writer *w, char *err, size_t errlen);

/* What a commit did beyond the store: the names it queued for the fleet
 * DNS (queue.h; when dns.conf exists, paths.h). */
struct virtname_commit_info {
        size_t queued;
        bool queued_full;
};

/* virtname_writer_commit(), telling INFO (may be NULL) what it did. */
int virtname_writer_commit_info(struct virtname_writer *w, struct virtname_commit_info *info, char *err,
                                size_t errlen);

/* Like commit, but always writes a new base snapshot. */
int virtname_writer_commit_republish(struct virtname_writer *w, char *err, size_t errlen);

/* Discard the transaction, unlock and free W. */
void virtname_writer_abort(struct virtname_writer *w);

/* One line describing the last failure of W. */
const char *virtname_writer_error(const struct virtname_writer *w);

#endif
