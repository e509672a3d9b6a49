/* spool.h - events waiting for the writer lock.
 *
 * A hook that cannot get the writer lock within its budget (a rebuild
 * holds it, or a stuck writer) must neither wait longer nor lose the
 * event: it writes the event durably into STATE/spool/ and exits.  Every
 * writer applies the spooled events, oldest first, before its own (a
 * rebuild after its import), marks each one applied in the store in the
 * same transaction (meta "spool:NAME", so a crash between the commit and
 * the removal of the file never applies an event twice), and removes the
 * files after its commit.  `virt-name-cache doctor` shows what is pending.
 */
#ifndef VIRTNAME_SPOOL_H
#define VIRTNAME_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "cache/write/writer.h"

/* Write event BUF (LEN bytes) durably into the spool of state directory
 * STATE.  Returns 0 or a negative errno (ERR says why). */
int virtname_spool_put(const char *state, const void *buf, size_t len, char *err, size_t errlen);

/* The spool files one writer applied. */
struct virtname_spool_batch {
        char (*names)[64];
        size_t n, cap;
};

/* Apply every spooled event of W's store in W's transaction, oldest first,
 * and remember the files in B.  An event no writer can apply (a damaged
 * file) is dropped and noted in the missed-events log.  Returns the number
 * applied, or a negative errno when the store failed (the transaction must
 * then be aborted).  virtname_writer_open() and a rebuild's commit call
 * it. */
long virtname_spool_apply(struct virtname_writer *w, struct virtname_spool_batch *b);

/* After the commit of the transaction that applied B: remove its files.
 * (After an abort: just free B.) */
void virtname_spool_done(const char *state, struct virtname_spool_batch *b, int committed);

/* How many events wait in STATE's spool (a negative errno when it cannot
 * be read); the unix time of the oldest into *OLDEST. */
long virtname_spool_count(const char *state, int64_t *oldest);

#endif
