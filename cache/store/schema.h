/* schema.h - layout of the virt-name-cache LMDB store.
 *
 * One LMDB environment holds these named databases.  The private writer
 * environment and the published read-only snapshot (names.mdb) have the
 * same layout; the snapshot is a compacted copy of the private one.
 *
 *   meta        "schema" -> u32 VIRTNAME_SCHEMA_VERSION
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
#ifndef VIRTNAME_SCHEMA_H
#define VIRTNAME_SCHEMA_H

#include <lmdb.h>

#define VIRTNAME_SCHEMA_VERSION 1u

/* Longest name we accept anywhere: a DNS name is at most 253 bytes. */
#define VIRTNAME_NAME_MAX 253
#define VIRTNAME_LEASE_KEY_LEN 17
#define VIRTNAME_MAC_LEN 6
#define VIRTNAME_UUID_LEN 16

/* The snapshot file readers open, and the private writer directory,
 * both relative to the store directory. */
#define VIRTNAME_SNAPSHOT_NAME "names.mdb"
#define VIRTNAME_PRIVATE_NAME "private"
#define VIRTNAME_DEFAULT_DIR "/var/lib/virt-name-cache"
#define VIRTNAME_DIR_ENV "VIRT_NAME_CACHE_DIR"

enum virtname_db {
        VIRTNAME_DB_META,
        VIRTNAME_DB_DOMAINS,
        VIRTNAME_DB_LEASES,
        VIRTNAME_DB_HOSTS,
        VIRTNAME_DB_MAC_LEASES,
        VIRTNAME_DB_MAC_DOMAIN,
        VIRTNAME_DB_UUIDS,
        VIRTNAME_DB_IDS,
        VIRTNAME_DB_NETWORKS,
        VIRTNAME_DB_COUNT
};

/* Name and LMDB flags of database DB. */
const char *virtname_db_name(enum virtname_db db);
unsigned virtname_db_flags(enum virtname_db db);

/* An open transaction and its database handles: what both the snapshot
 * reader and the writer hand to the lookup functions in lookup.h. */
struct virtname_view {
        MDB_txn *txn;
        MDB_dbi dbi[VIRTNAME_DB_COUNT];
};

#endif
