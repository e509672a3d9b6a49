/* answers-update.h - keeping the answers database (answers.h) exact.
 *
 * At every commit the writer derives, in the same transaction, the record
 * of every name whose answers the transaction's changes may have changed
 * (every name when it replaces the store whole), so that a reader sees
 * the answers and the rest of the snapshot of one commit.
 *
 * A record is the rules themselves (virtname_resolve_rules()) asked at
 * the commit's time and again at each expiry of a lease they read, for
 * the name itself and for each DNS domain the leases they read carry: the
 * rules stay in lookup.c alone, and what they read decides which times
 * and domains are asked.  A name the rules answer in a way a record does
 * not hold (domains sharing it in different cases, more addresses than
 * an answer holds, more leases, domains or expiries than the bounds
 * below) gets a record that says "ask the rules".
 *
 * Which names a change touches follows from what the rules read (lookup.c):
 * a lease its host name's, and through its (network, MAC) the names of
 * that interface's owners and of its other leases; a domain its name and
 * its interfaces'; an index entry what it points at; a network that
 * starts or stops every lease on it and every interface on it; and an
 * address the interfaces of every lease of it on any network.  Each is
 * looked up before the change and after it.
 */
#ifndef VIRTNAME_ANSWERS_UPDATE_H
#define VIRTNAME_ANSWERS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/view.h"
#include "cache/write/publish.h"

/* Store VALUE (LEN bytes) as the record of KEY, or delete it (VALUE NULL). */
typedef int (*virtname_answers_put_fn)(void *ctx, const char *key, const uint8_t *value, size_t len);

/* The record of KEY (a normalised name) in view V at time NOW, into *BUF
 * (grown with realloc; free it) as *LEN bytes; *LEN 0: no record (the
 * name answers nothing).  0 or a negative errno. */
int virtname_answers_derive(const struct virtname_view *v, const char *key, int64_t now, uint8_t **buf,
                            size_t *len);

/* Bring the answers database of view V (the writer's transaction) to what
 * the rules give at NOW: the records of the names CHANGES (N, with their
 * old values) may have changed, or of every name when WHOLE.  All names
 * are found before PUT is first called (it may add to CHANGES).  0 or a
 * negative errno. */
int virtname_answers_update(const struct virtname_view *v, struct virtname_change *const *changes, size_t n,
                            bool whole, int64_t now, virtname_answers_put_fn put, void *ctx);

#endif
