/* affected.h - what one write transaction changed in the store's answers:
 * the names whose DNS records may differ now, and the hosts lines
 * (export.h) that differ.  This is what lets DNS follow a change at the
 * cost of the change, not of the store.
 *
 * The writer remembers the old value of every key it changes (struct
 * virtname_change, publish.h).  Laid over the transaction as a delta,
 * those make a view of the store as it was before it; the records a
 * change touched lead to the names and addresses that depend on them
 * (a lease to its host name, its (network, MAC) and that interface's
 * owner and other leases; a domain to its name and interfaces), and
 * each of those is asked in both views.
 */
#ifndef VIRTNAME_AFFECTED_H
#define VIRTNAME_AFFECTED_H

#include <stddef.h>
#include <stdint.h>

#include "cache/derive/export.h"
#include "cache/write/publish.h"
#include "cache/write/writer.h"

/* More changed keys than the writer remembers old values of: compare
 * everything instead. */
#define VIRTNAME_AFFECTED_MAX VIRTNAME_WRITER_CHANGES_MAX

struct virtname_affected {
        char (*names)[VIRTNAME_NAME_MAX + 1];  /* sorted, unique */
        size_t n_names;
        struct virtname_line *lines;           /* the changed lines as they are now; n 0: gone */
        size_t n_lines;
};

/* Work out what the CHANGES (N, with their old values) made to the
 * answers of the view AFTER (the writer's transaction) at time NOW.
 * Returns 0, -E2BIG when there are too many to follow one by one,
 * -ENOMEM, or the error of a lookup.  Free OUT in every case. */
int virtname_affected_compute(const struct virtname_view *after, struct virtname_change *const *changes,
                              size_t n, int64_t now, struct virtname_affected *out);

/* The same for what W's open transaction changed so far: -E2BIG also
 * when it replaces the store whole (virtname_writer_whole()). */
int virtname_affected_of(struct virtname_writer *w, int64_t now, struct virtname_affected *out);

void virtname_affected_free(struct virtname_affected *a);

#endif
