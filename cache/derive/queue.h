/* queue.h - the fleet DNS queue: names whose DNS records a change may
 * have altered, waiting to be sent to the authoritative server (dns/).
 *
 * It lives in the private store, in a database of its own ("dnsqueue")
 * that is never published, so a queued name is durable in the same
 * commit as the change that queued it: a hook killed after its commit
 * loses nothing.  The writer queues (writer.h: when dns.conf exists);
 * the sender takes entries off once the server has them.  Each entry
 * holds the generation that queued it: an entry queued again meanwhile
 * is not taken off by a sender that sent the older state.
 *
 *   NAME           -> u64 generation
 *   "\0full"       -> u64 generation: a whole reconcile is due (a
 *                     rebuild, or more changes than can be followed)
 *   "\0error"      -> the last failure, one line; "\0failed" -> its time
 *   "\0sent"       -> i64 time of the last success
 */
#ifndef VIRTNAME_QUEUE_H
#define VIRTNAME_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/write/writer.h"

#define VIRTNAME_QUEUE_DB "dnsqueue"

/* Queue NAMES (N, sorted or not) at GENERATION; FULL: a whole reconcile. */
int virtname_queue_put(struct virtname_writer *w, char (*names)[VIRTNAME_NAME_MAX + 1], size_t n, bool full,
                       uint64_t generation);

/* Call FN for each queued name, in name order, at most MAX (0: all). */
typedef int (*virtname_queue_fn)(const char *name, uint64_t generation, void *ctx);
int virtname_queue_walk(struct virtname_writer *w, size_t max, virtname_queue_fn fn, void *ctx);

/* NAME was sent as it was at GENERATION: take it off, unless queued
 * again since. */
int virtname_queue_done(struct virtname_writer *w, const char *name, uint64_t generation);

/* A whole reconcile started at GENERATION succeeded: every entry queued
 * up to then, and the full request, go. */
int virtname_queue_all_done(struct virtname_writer *w, uint64_t generation);

/* Record the outcome of a send: ERROR NULL for success, at time WHEN. */
int virtname_queue_result(struct virtname_writer *w, const char *error, int64_t when);

struct virtname_queue_status {
        size_t names;
        uint64_t full;                 /* 0: no whole reconcile due */
        int64_t sent, failed;          /* times, 0: never */
        char error[256];
};
int virtname_queue_status(struct virtname_writer *w, struct virtname_queue_status *st);

#endif
