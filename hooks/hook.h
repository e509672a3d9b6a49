/* hook.h - what libvirt's hooks and dnsmasq's lease helper share.
 *
 * They run inside libvirtd's and dnsmasq's work: they must exit 0
 * whatever happens to the cache, finish in bounded time, and never lose
 * an update silently.  Each turns its input into an event (event.h) and
 * submits it: applied now when the writer lock comes within
 * HOOK_LOCK_TIMEOUT_MS, spooled for the next writer otherwise (spool.h).
 * An event that can never be applied is logged to syslog and noted in the
 * missed-events log (missed.h), which `virt-name-cache doctor` reports and
 * `rebuild` clears. */
#ifndef VIRTNAME_HOOK_H
#define VIRTNAME_HOOK_H

#include <stddef.h>

#include "cache/ingest/event.h"
#include "cache/libvirt/virxml.h"
#include "cache/read/view.h"

/* Longest the writer lock is waited for before the event is spooled: a
 * commit takes a few milliseconds, writing a new base at 100,000 guests
 * some tens. */
#define HOOK_LOCK_TIMEOUT_MS 250
/* A hook that is still running after this long exits 0 regardless. */
#define HOOK_DEADLINE_S 10
/* Largest XML document read from standard input. */
#define HOOK_MAX_INPUT (16u << 20)

/* Start: syslog identity, the deadline (HOOK_DEADLINE_S from the first
 * call in this process).  NAME is the program's name. */
void hook_init(const char *name);

void hook_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log an event that cannot be recorded and note it in the missed-events
 * log (WHAT is the event). */
void hook_missed(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read standard input (at most HOOK_MAX_INPUT bytes, within the
 * deadline) into a new NUL-terminated buffer.  NULL on failure (logged). */
char *hook_read_stdin(size_t *len);

/* Record event E (WHAT names it in messages): applied now or spooled.
 * Whatever goes wrong is logged and noted; it never fails the hook. */
void hook_submit(const struct virtname_event *e, const char *what);

/* Record the N events E in one commit (WHAT names them in messages);
 * each on its own when one of them cannot be applied. */
void hook_submit_many(const struct virtname_event *e, size_t n, const char *what);

/* hook_submit(), then THEN(V, CTX) with V the store as the commit left it
 * (before the writer lock is released), or NULL when the event waits in
 * the spool (not applied yet) or could not be committed. */
typedef void (*hook_then_fn)(const struct virtname_view *v, void *ctx);
void hook_submit_then(const struct virtname_event *e, const char *what, hook_then_fn then, void *ctx);

/* Commit nothing of our own, only what is behind (the spool, a snapshot
 * or hosts directory not current), then THEN(W, CTX) with W the writer
 * after a commit that published everything, before the lock is
 * released; not at all when the lock stayed busy or publishing failed. */
typedef void (*hook_settled_fn)(struct virtname_writer *w, void *ctx);
void hook_settle_then(hook_settled_fn then, void *ctx);

/* Start PROGRAM (in the package's libexec directory, or where the
 * environment variable ENV says: tests) with ARGS (NULL-terminated, at
 * most 6), detached: out of the session, every descriptor closed
 * (libvirtd reads a hook's output until EOF), not waited for. */
void hook_spawn(const char *program, const char *env, const char *const *args);

/* Ask the port of the domain owning the lease of ADDR (FAMILY) on NETWORK
 * whether its guest uses the address (port-probe, detached), when it has
 * not answered in this run (cache/ingest/asks.h); V: the store now, NULL
 * when not known (port-probe then looks).  Likewise for every current
 * lease of domain NAME. */
void hook_ask_lease(const struct virtname_view *v, const char *network, int family, const uint8_t addr[16]);
void hook_ask_domain(const struct virtname_view *v, const char *name);

/* Record what the ports in ASKS said (after virtname_asks_probe()), one
 * event each: an answer or silence about a lease (a proof), an answer
 * about an address only seen (an observed address holding TTL seconds;
 * its silence: nothing). */
struct virtname_asks;
void hook_record_asks(const struct virtname_asks *asks, unsigned ttl);

/* Domain X is in STATE: a stopped domain keeps its name and MACs, not
 * its ID, CID or taps. */
void hook_domain_state(struct virtname_xml_domain *x, enum virtname_domain_state state);

/* Publish the snapshot again if it is missing or stale (the daemon hook,
 * after a reboot emptied /run), and apply what the spool holds. */
void hook_republish(const char *what);

#endif
