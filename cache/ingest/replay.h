/* replay.h - the replay ledger: dnsmasq's replays at its start that
 * change nothing, known without opening the store.
 *
 * When dnsmasq starts (a network starts, libvirtd restarts it) it asks
 * the lease helper `init` for its leases and then reports every one back
 * as an `old` event: a network of 10,000 guests runs the helper 10,000
 * times, and each run would take the writer lock, open the private
 * store, find nothing to change and check that the snapshot is current.
 *
 * At `init` the helper commits what waits (the spool, a snapshot or hosts
 * directory behind) and then, still under the writer lock, writes the
 * store's records of the network's leases to the ledger, a constant
 * database (tinycdb) in the state directory.  An `old` event that
 * virtname_event_replays() finds to leave its record there as it is
 * needs no store at all.  Only leases whose port needs no asking are in
 * it (asks.h: that stays so while the store does).
 *
 * The ledger holds only while the store is as it was written from:
 *   - every commit of the private store removes it first (writer.c), so
 *     it never outlives a change, even one whose publishing failed;
 *   - it names the store file (device, inode, size, modification time),
 *     which any other write or a restored copy changes;
 *   - it names the generation it was written at, which the published
 *     snapshot and dnsmasq's hosts directories must still carry (a /run
 *     emptied at boot: the full path publishes again).
 * An event the ledger cannot vouch for takes the full path: the ledger
 * only ever saves work, it never decides a change.
 */
#ifndef VIRTNAME_REPLAY_H
#define VIRTNAME_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "cache/read/schema.h"
#include "cache/write/writer.h"

/* Write the ledger for the network on BRIDGE from W, just committed and
 * still holding the lock, at time NOW.  0, or a negative errno with ERR
 * saying why (no ledger then; -ENOENT: no network has that bridge). */
int virtname_replay_write(struct virtname_writer *w, const char *bridge, int64_t now, char *err, size_t errlen);

/* Is the lease event in EVENT (LEN bytes, event.h), of ADDR (FAMILY) on
 * BRIDGE, a replay that changes nothing in the store of STORE_DIR (state
 * directory STATE)?  1, with the bridge's network into NETWORK, or 0 when
 * the ledger cannot say. */
int virtname_replay_known(const char *store_dir, const char *state, const void *event, size_t len,
                          const char *bridge, int family, const uint8_t addr[16],
                          char network[VIRTNAME_NAME_MAX + 1]);

#endif
