/* update.h - one update of the store, with everything that follows it.
 *
 * The hooks, the lease helper and the command change the store through
 * this, not through the bare writer (writer.h): an update applies the
 * events other hooks spooled while they waited for the writer lock
 * (spool.h) before its own change, and its commit runs the pipeline
 *
 *   1. replay the spool  (a rebuild: after its import, on top of it)
 *   2. work out what the change did to the answers DNS gives
 *                        (affected.h), while the transaction still knows
 *                        what was there before
 *   3. queue those names for the fleet DNS (queue.h), in the same
 *                        transaction, so a queued name is as durable as
 *                        the change that queued it
 *   4. commit and publish the snapshot (writer.h)
 *   5. remove the spool files the commit applied
 *   6. bring dnsmasq's hosts directories to the committed generation
 *                        (hostsdir.h)
 *
 * Invariants: nothing outside the private store changes before step 4
 * succeeds; a failure after it leaves the store right and the rest
 * behind (-EAGAIN: the next update, which finds the snapshot or the
 * hosts directories behind, brings them along).
 *
 *      struct virtname_update *u;
 *      if (virtname_update_open(NULL, 250, 0, &u, err, sizeof(err)) == 0) {
 *              rc = virtname_writer_put_lease(virtname_update_writer(u), &lease);
 *              rc = rc < 0 ? rc : virtname_update_commit(u, 0, NULL, err, sizeof(err));
 *              virtname_update_close(u);
 *      }
 */
#ifndef VIRTNAME_UPDATE_H
#define VIRTNAME_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/write/writer.h"

struct virtname_update;

/* Flags for virtname_update_open(), besides the writer's
 * (VIRTNAME_WRITER_RECREATE, VIRTNAME_WRITER_FRESH). */
#define VIRTNAME_UPDATE_NO_SPOOL 0x100u /* leave spooled events alone */

/* Open the store as virtname_writer_open() does and apply the spooled
 * events (a VIRTNAME_WRITER_FRESH rebuild applies them at its commit). */
int virtname_update_open(const char *dir, int lock_timeout_ms, unsigned flags, struct virtname_update **out,
                         char *err, size_t errlen);

/* The writer to make the change with. */
struct virtname_writer *virtname_update_writer(struct virtname_update *u);

/* What a commit did beyond the store: the names it queued for the fleet
 * DNS (queue.h; when dns.conf exists, paths.h). */
struct virtname_commit_info {
        size_t queued;
        bool queued_full;
};

/* Run the pipeline above.  FLAGS: the writer's commit flags
 * (VIRTNAME_WRITER_REPUBLISH).  INFO (may be NULL) tells what it queued.
 * 0, -EAGAIN (committed, something after it failed: ERR says what), or
 * another negative errno (nothing committed).  U stays to be closed. */
int virtname_update_commit(struct virtname_update *u, unsigned flags, struct virtname_commit_info *info,
                           char *err, size_t errlen);

/* End U: an update not committed is discarded. */
void virtname_update_close(struct virtname_update *u);

#endif
