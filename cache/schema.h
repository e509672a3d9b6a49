/* schema.h - layout of the virt-name-cache LMDB store.
 *
 * One LMDB environment holds these named databases.  The private writer
 * environment and the published read-only snapshot (names.mdb) have the
 * same layout; the snapshot is a compacted copy of the private one.
 *
 *   meta        "schema" -> u32 VNC_SCHEMA_VERSION
 *               "generation" -> u64, bumped by every commit
 *               "updated" -> i64 unix time of the last commit
 *   domains     normalised domain name -> domain record (record.h)
 *   leases      lease key (family byte + 16 address bytes) -> lease record
 *   hosts       normalised guest hostname -> lease keys (dupsort)
 *   mac-leases  MAC (6 bytes) -> lease keys (dupsort)
 *   mac-domain  MAC (6 bytes) -> normalised domain name
 *   uuids       UUID (16 bytes) -> normalised domain name
 *   ids         domain ID (u32, big-endian) -> normalised domain name
 *   networks    network name -> network record
 *
 * Every multi-byte integer inside a record is little-endian; index keys
 * that must sort numerically are big-endian.
 */
#ifndef VNC_SCHEMA_H
#define VNC_SCHEMA_H

#include <lmdb.h>

#define VNC_SCHEMA_VERSION 1u

/* Longest name we accept anywhere: a DNS name is at most 253 bytes. */
#define VNC_NAME_MAX 253
#define VNC_LEASE_KEY_LEN 17
#define VNC_MAC_LEN 6
#define VNC_UUID_LEN 16

/* The snapshot file readers open, and the private writer directory,
 * both relative to the store directory. */
#define VNC_SNAPSHOT_NAME "names.mdb"
#define VNC_PRIVATE_NAME "private"
#define VNC_DEFAULT_DIR "/var/lib/virt-name-cache"
#define VNC_DIR_ENV "VIRT_NAME_CACHE_DIR"

enum vnc_db {
        VNC_DB_META,
        VNC_DB_DOMAINS,
        VNC_DB_LEASES,
        VNC_DB_HOSTS,
        VNC_DB_MAC_LEASES,
        VNC_DB_MAC_DOMAIN,
        VNC_DB_UUIDS,
        VNC_DB_IDS,
        VNC_DB_NETWORKS,
        VNC_DB_COUNT
};

/* Name and LMDB flags of database DB. */
const char *vnc_db_name(enum vnc_db db);
unsigned vnc_db_flags(enum vnc_db db);

/* An open transaction and its database handles: what both the snapshot
 * reader and the writer hand to the lookup functions in lookup.h. */
struct vnc_view {
        MDB_txn *txn;
        MDB_dbi dbi[VNC_DB_COUNT];
};

#endif
