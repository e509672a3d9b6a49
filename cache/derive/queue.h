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
 *                     rebuild, a new dns.conf, the server back after a
 *                     failure, or more changes than can be followed)
 *   "\0seq"        -> u64: one more for every outcome recorded
 *   "\0ok"         -> the last success: u64 seq, i64 time (ns)
 *   "\0fail"       -> the last failure: u64 seq, i64 time (ns), i32 result,
 *                     its reason (one line)
 *   "\0whole"      -> i64 time (ns) of the last whole reconcile that ran
 *                     to its end, and the dns.conf it published (text)
 *   "\0p" NAME     -> NAME could not be published: i64 time (ns), i32
 *                     result, the reason; gone once it is published
 *
 * Outcomes are ordered by their sequence number, never by their times:
 * two in one second (or one clock step) cannot tie.
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

/* Ask for a whole reconcile (at GENERATION, 0: any). */
int virtname_queue_want_full(struct virtname_writer *w, uint64_t generation);

/* Record the outcome of a send: RESULT 0 (success, ERROR NULL) or the
 * sender's result code with ERROR saying why, at WHEN_NS (CLOCK_REALTIME
 * nanoseconds). */
int virtname_queue_result(struct virtname_writer *w, int result, const char *error, int64_t when_ns);

/* A whole reconcile of the configuration CONF (a fingerprint: text)
 * ran to its end at WHEN_NS. */
int virtname_queue_whole(struct virtname_writer *w, const char *conf, int64_t when_ns);

/* NAME could not be published (RESULT, WHY), or (RESULT 0) it was: the
 * per-name problems doctor lists. */
int virtname_queue_problem(struct virtname_writer *w, const char *name, int result, const char *why,
                           int64_t when_ns);
/* Forget every per-name problem (a whole reconcile records them anew). */
int virtname_queue_problems_clear(struct virtname_writer *w);
/* Call FN for each per-name problem, in name order, at most MAX (0: all). */
typedef int (*virtname_problem_fn)(const char *name, int result, const char *why, int64_t when_ns, void *ctx);
int virtname_queue_problems(struct virtname_writer *w, size_t max, virtname_problem_fn fn, void *ctx);

struct virtname_queue_status {
        size_t names, problems;
        uint64_t full;                 /* 0: no whole reconcile due */
        uint64_t ok_seq, fail_seq;     /* 0: never; the larger is the latest */
        int64_t ok_ns, fail_ns;        /* their times */
        int fail_result;
        char error[256];
        int64_t whole_ns;              /* last whole reconcile, 0: never */
        char whole_conf[512];          /* the configuration it published */
};
int virtname_queue_status(struct virtname_writer *w, struct virtname_queue_status *st);

/* Is the latest outcome a failure? */
static inline bool virtname_queue_failing(const struct virtname_queue_status *st)
{
        return st->fail_seq > st->ok_seq;
}

#endif
