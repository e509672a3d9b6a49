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
 *   domains   domain key -> domain record.  A domain key is the domain's
 *             name exactly as libvirt spells it: libvirt's names are
 *             case sensitive ("Web" and "web" are two domains); a UUID is
 *             not always known (a rebuild from lease files has none)
 *   dnames    normalised name NUL domain key -> ""  every domain by its
 *             name in any case, for the lookups that ignore case
 *   leases    lease key -> lease record: the address key (family byte + 16
 *             address bytes) then the network's name, so that one address
 *             leased on two networks is two leases
 *   hostidx   host key NUL lease key -> ""      leases carrying a host name
 *   ifaceidx  network NUL MAC address key -> "" leases of a (network, MAC)
 *   owners    network NUL MAC domain key -> ""  domains with that interface
 *   uuids     UUID (16 bytes) -> domain key
 *   ids       domain ID (u32, big-endian) -> domain key
 *   answers   normalised name -> what the forward name rules give it from
 *             the commit that wrote it on (answers.h): derived by the
 *             writer in the same transaction as every change it follows
 *
 * A network key names the segment a (network, MAC) pair is on, in
 * leases, interfaces and the indexes: a libvirt network's name; for an
 * interface on no libvirt network, "bridge/BR" (<interface
 * type='bridge'> on host bridge BR, which no libvirt network has) or
 * "direct/DEV" (type='direct': macvtap on host device DEV).  libvirt
 * never puts a '/' in a network's name, so the kinds never meet.  The
 * networks database holds libvirt's networks only: a key it lacks counts
 * as running.
 *
 * A host key is the normalised first label of a host name.  Integers in
 * records are little-endian; index keys that must sort numerically are
 * big-endian.
 */
#ifndef VIRTNAME_SCHEMA_H
#define VIRTNAME_SCHEMA_H

#include <lmdb.h>
#include <stddef.h>

#define VIRTNAME_SCHEMA_VERSION 6u

/* The network keys of interfaces on no libvirt network (above). */
#define VIRTNAME_NET_BRIDGE "bridge/"
#define VIRTNAME_NET_DIRECT "direct/"

/* Longest name we accept anywhere: a DNS name is at most 253 bytes. */
#define VIRTNAME_NAME_MAX 253
/* Longest network name the store keeps: index keys hold a network's and a
 * domain's name and must stay within LMDB's 511-byte keys. */
#define VIRTNAME_NETWORK_MAX 200
/* A host key is a DNS label. */
#define VIRTNAME_LABEL_MAX 63
#define VIRTNAME_ADDR_KEY_LEN 17
#define VIRTNAME_LEASE_KEY_MAX (VIRTNAME_ADDR_KEY_LEN + VIRTNAME_NETWORK_MAX)
#define VIRTNAME_MAC_LEN 6
#define VIRTNAME_UUID_LEN 16
/* Longest index key: a network name, NUL, MAC, and a domain key. */
#define VIRTNAME_KEY_MAX (VIRTNAME_NETWORK_MAX + 1 + VIRTNAME_MAC_LEN + VIRTNAME_NAME_MAX)

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
        VIRTNAME_DB_DNAMES,
        VIRTNAME_DB_ANSWERS,
        VIRTNAME_DB_COUNT
};

/* Name of database DB. */
const char *virtname_db_name(enum virtname_db db);

/* An LMDB result as 0 or a negative errno, the one mapping of the tree:
 * MDB_NOTFOUND -ENOENT, MDB_MAP_FULL -ENOSPC, a damaged or foreign file
 * -EBADMSG, LMDB's system errors as themselves, anything else -EIO. */
int virtname_mdb_errno(int rc);

#endif
