/* schema.h - layout of the virt-name-cache store.
 *
 * The private store (one LMDB file, root only) and the published snapshot
 * hold the same named databases.  Every database maps a key to one value;
 * indexes are composite keys with an empty value, so that a change touches
 * single keys and a snapshot delta can say "this key now holds this, or
 * nothing" (see delta.h).
 *
 *   meta      "schema" -> u32 VIRTNAME_SCHEMA_VERSION
 *             "generation" -> u64, bumped by every commit
 *             "updated" -> i64 unix time of the last commit
 *             "spool:NAME" -> "" : spooled event NAME is applied (spool.h)
 *   networks  network name -> network record (record.h)
 *   domains   normalised domain name -> domain record
 *   leases    lease key (family byte + 16 address bytes) -> lease record
 *   hostidx   host key NUL lease key -> ""      leases carrying a host name
 *   ifaceidx  network NUL MAC lease key -> ""   leases of a (network, MAC)
 *   owners    network NUL MAC domain key -> ""  domains with that interface
 *   uuids     UUID (16 bytes) -> domain key
 *   ids       domain ID (u32, big-endian) -> domain key
 *
 * A host key is the normalised first label of a host name.  Integers in
 * records are little-endian; index keys that must sort numerically are
 * big-endian.
 */
#ifndef VIRTNAME_SCHEMA_H
#define VIRTNAME_SCHEMA_H

#include <lmdb.h>
#include <stddef.h>

#define VIRTNAME_SCHEMA_VERSION 2u

/* Longest name we accept anywhere: a DNS name is at most 253 bytes. */
#define VIRTNAME_NAME_MAX 253
#define VIRTNAME_LEASE_KEY_LEN 17
#define VIRTNAME_MAC_LEN 6
#define VIRTNAME_UUID_LEN 16
/* Longest index key: a network name, NUL, MAC, and a domain key. */
#define VIRTNAME_KEY_MAX (2 * (VIRTNAME_NAME_MAX + 1) + VIRTNAME_MAC_LEN + VIRTNAME_LEASE_KEY_LEN)

enum virtname_db {
        VIRTNAME_DB_META,
        VIRTNAME_DB_NETWORKS,
        VIRTNAME_DB_DOMAINS,
        VIRTNAME_DB_LEASES,
        VIRTNAME_DB_HOSTIDX,
        VIRTNAME_DB_IFACEIDX,
        VIRTNAME_DB_OWNERS,
        VIRTNAME_DB_UUIDS,
        VIRTNAME_DB_IDS,
        VIRTNAME_DB_COUNT
};

/* Name of database DB. */
const char *virtname_db_name(enum virtname_db db);

/* An LMDB result as 0 or a negative errno, the one mapping of the tree:
 * MDB_NOTFOUND -ENOENT, MDB_MAP_FULL -ENOSPC, a damaged or foreign file
 * -EBADMSG, LMDB's system errors as themselves, anything else -EIO. */
int virtname_mdb_errno(int rc);

#endif
