/* hook.h - what libvirt's hooks and dnsmasq's lease helper share.
 *
 * They run inside libvirtd's and dnsmasq's work: they must exit 0
 * whatever happens to the cache, finish in bounded time, and never lose
 * an update silently.  So every failure is logged to syslog and noted in
 * the missed-events log (missed.h), which `virt-name-cache doctor` reports and
 * `rebuild` clears. */
#ifndef VIRTNAME_HOOK_H
#define VIRTNAME_HOOK_H

#include <stddef.h>

#include "store/writer.h"

/* Longest the writer lock is waited for. */
#define HOOK_LOCK_TIMEOUT_MS 1500
/* A hook that is still running after this long exits 0 regardless. */
#define HOOK_DEADLINE_S 10
/* Largest XML document read from standard input. */
#define HOOK_MAX_INPUT (16u << 20)

/* Start: syslog identity, the deadline.  NAME is the program's name. */
void hook_init(const char *name);

void hook_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log a failure and note it in the missed-events log (WHAT is the event). */
void hook_missed(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read standard input (at most HOOK_MAX_INPUT bytes, within the
 * deadline) into a new NUL-terminated buffer.  NULL on failure (logged). */
char *hook_read_stdin(size_t *len);

/* Open the store for writing with a bounded wait; a damaged private
 * store is moved aside and recreated (and noted).  NULL on failure
 * (logged and noted for WHAT). */
struct virtname_writer *hook_writer(const char *what);

/* Commit W, logging and noting failures for WHAT.  Returns 0 or -1. */
int hook_commit(struct virtname_writer *w, const char *what);

#endif
