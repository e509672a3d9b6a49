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
 *              if (rc == 0)
 *                      rc = virtname_writer_commit_keep(w, 0, err, sizeof(err));
 *              virtname_writer_close(w);
 *      }
 *
 * This is the store alone.  What comes in through the hooks and what
 * follows a commit besides the snapshot (the spool of events that waited
 * for the lock, the DNS queue, dnsmasq's hosts directories) is the
 * update pipeline's (cache/ingest/update.h), built on this.
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

#include "cache/read/record.h"
#include "cache/read/view.h"

struct virtname_writer;

/* Flags for virtname_writer_open(). */
#define VIRTNAME_WRITER_RECREATE 0x01u  /* move a damaged private store aside, start empty */
#define VIRTNAME_WRITER_FRESH 0x02u     /* start empty in a new file; the commit replaces the
                                         * store with it (a rebuild) */

/* Databases of the private store that are never published (the DNS
 * queue), at most this many. */
#define VIRTNAME_WRITER_PRIVATE_DBS 4
/* A transaction remembers the old value of at most this many changed
 * keys (more: what derives from the store follows it whole). */
#define VIRTNAME_WRITER_CHANGES_MAX 262144

/* Open the store of store directory DIR (NULL: the default), creating it
 * if needed, and begin a write transaction.  Waits at most LOCK_TIMEOUT_MS
 * for the writer lock (-1: forever, 0: not at all): -ETIMEDOUT when it did
 * not get it. */
int virtname_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                         struct virtname_writer **out, char *err, size_t errlen);

/* Insert or replace a lease, keyed by its address and network.  Its host name must
 * pass virtname_hostname_valid() (only its first label is indexed).  A
 * dynamic lease never replaces a static host's entry (the administrator's
 * name for that address stays), nor anything but a static host an
 * administrator's address of a domain with another MAC.  A lease that
 * says nothing of evidence (proved 0: a DHCP report) keeps what the port
 * said of the lease it replaces when the MAC is the same, and must not
 * replace one whose domain's port answers for the address with another
 * MAC: -EEXIST (an administrator's static host or address does: its
 * word is stronger). */
int virtname_writer_put_lease(struct virtname_writer *w, const struct virtname_lease *l);
/* L, a report that says nothing of evidence (DHCP), as the store keeps it
 * over OLD, the same MAC's record of its address: with what OLD's port
 * said.  PORT holds the port's name.  0, or -EBADMSG for a damaged OLD. */
int virtname_lease_keep_evidence(struct virtname_lease *l, const struct virtname_lease_view *old,
                                 char port[VIRTNAME_NAME_MAX + 1]);
/* Delete the lease of ADDR on NETWORK (NULL: a lease without a network);
 * with DYNAMIC_ONLY, not a static host's. */
int virtname_writer_del_lease(struct virtname_writer *w, int family, const uint8_t addr[16],
                              const char *network, bool dynamic_only);

/* Delete the leases of ADDR on any network whose MAC is MAC (NULL: any),
 * static hosts' excepted: a release whose network is not known. */
int virtname_writer_del_address(struct virtname_writer *w, int family, const uint8_t addr[16],
                                const uint8_t *mac);

/* Insert or replace a domain, keyed by its name as libvirt spells it
 * (schema.h); a domain renamed (the same UUID under another name) loses
 * its old record. */
int virtname_writer_put_domain(struct virtname_writer *w, const struct virtname_domain *d);
int virtname_writer_del_domain(struct virtname_writer *w, const char *name);

/* Insert or replace a network. */
int virtname_writer_put_network(struct virtname_writer *w, const struct virtname_network *n);

/* Delete every lease of NETWORK that KEEP rejects (NULL: all of them). */
typedef int (*virtname_lease_filter)(const struct virtname_lease_view *l, void *ctx);
int virtname_writer_prune_leases(struct virtname_writer *w, const char *network,
                                 virtname_lease_filter keep, void *ctx);

/* Meta data records (schema.h): set (VALUE may be empty) or delete. */
int virtname_writer_put_meta(struct virtname_writer *w, const char *name, const void *value,
                             size_t len);
int virtname_writer_del_meta(struct virtname_writer *w, const char *name);

/* Ask that what derives from NETWORK's part of the store (its dnsmasq
 * hosts directory) be written again whole after the commit: when the
 * network starts, or is enabled.  virtname_writer_resyncs() lists them. */
int virtname_writer_resync(struct virtname_writer *w, const char *network);
const char (*virtname_writer_resyncs(const struct virtname_writer *w, size_t *n))[VIRTNAME_NETWORK_MAX + 1];

/* The open transaction, for the lookups in lookup.h. */
const struct virtname_view *virtname_writer_view(const struct virtname_writer *w);

/* For a VIRTNAME_WRITER_FRESH writer (a rebuild): a read-only view of
 * the store it is about to replace, as it was committed; NULL when
 * there is none (or it cannot be read, or W is not fresh).  It stays
 * valid until virtname_writer_close(). */
const struct virtname_view *virtname_writer_previous(struct virtname_writer *w);

/* The store directory and the state directory W writes. */
const char *virtname_writer_store_dir(const struct virtname_writer *w);
const char *virtname_writer_state_dir(const struct virtname_writer *w);

/* The keys this transaction changed, with their old values (publish.h),
 * unless it replaces the store whole: a rebuild, or a damaged store
 * started anew (virtname_writer_whole()), or more than
 * VIRTNAME_WRITER_CHANGES_MAX of them. */
struct virtname_change *const *virtname_writer_changes(const struct virtname_writer *w, size_t *n);
bool virtname_writer_whole(const struct virtname_writer *w);

/* Has this transaction anything to publish? */
bool virtname_writer_changed(const struct virtname_writer *w);

/* The store's generation: when W began, and after a commit the
 * committed one. */
uint64_t virtname_writer_generation(const struct virtname_writer *w);

/* A database of the private store that is never published (at most
 * VIRTNAME_WRITER_PRIVATE_DBS names), for the open transaction
 * (virtname_writer_txn()).  Whoever writes there calls
 * virtname_writer_private_dirty(), so that the commit keeps it even when
 * nothing else changed (and then publishes nothing). */
int virtname_writer_private_db(struct virtname_writer *w, const char *name, MDB_dbi *dbi);
MDB_txn *virtname_writer_txn(struct virtname_writer *w);
void virtname_writer_private_dirty(struct virtname_writer *w);

/* Did opening move a damaged private store aside and start an empty one
 * (VIRTNAME_WRITER_RECREATE)?  Only a rebuild brings back what it held. */
bool virtname_writer_recreated(const struct virtname_writer *w);

/* Flags for virtname_writer_commit_keep(). */
#define VIRTNAME_WRITER_REPUBLISH 0x01u /* write a new base snapshot, not a delta */

/* Commit and publish.  A transaction without changes is not committed;
 * the snapshot is still published again when it is not current (a writer
 * was killed between its commit and its publish, or /run was emptied by
 * a reboot).  When the commit went through but publishing failed, the
 * store is right and the snapshot is stale: -EAGAIN, and the next writer
 * publishes it.  ERR gets the message.  W stays open and locked, its view
 * (virtname_writer_view()) now a read-only look at what was committed,
 * until virtname_writer_close(). */
int virtname_writer_commit_keep(struct virtname_writer *w, unsigned flags, char *err, size_t errlen);

/* virtname_writer_commit_keep(W, 0, ...) then virtname_writer_close(W). */
int virtname_writer_commit(struct virtname_writer *w, char *err, size_t errlen);

/* Unlock and free W; a transaction not committed is discarded. */
void virtname_writer_close(struct virtname_writer *w);

/* One line describing the last failure of W. */
const char *virtname_writer_error(const struct virtname_writer *w);

#endif
