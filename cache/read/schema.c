/* schema.c - names of the store's databases. */
#include <errno.h>

#include "cache/read/schema.h"

static const char *const databases[VIRTNAME_DB_COUNT] = {
        [VIRTNAME_DB_META] = "meta",
        [VIRTNAME_DB_NETWORKS] = "networks",
        [VIRTNAME_DB_DOMAINS] = "domains",
        [VIRTNAME_DB_LEASES] = "leases",
        [VIRTNAME_DB_HOSTIDX] = "hostidx",
        [VIRTNAME_DB_IFACEIDX] = "ifaceidx",
        [VIRTNAME_DB_OWNERS] = "owners",
        [VIRTNAME_DB_UUIDS] = "uuids",
        [VIRTNAME_DB_IDS] = "ids",
        [VIRTNAME_DB_DNAMES] = "dnames",
        [VIRTNAME_DB_ANSWERS] = "answers",
};

const char *virtname_db_name(enum virtname_db db)
{
        return databases[db];
}

int virtname_mdb_errno(int rc)
{
        if (rc >= 0)
                return -rc;             /* 0, or a system error LMDB passes through */
        switch (rc) {
        case MDB_NOTFOUND:
                return -ENOENT;
        case MDB_MAP_FULL:
                return -ENOSPC;
        case MDB_INVALID:
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_VERSION_MISMATCH:
        case MDB_INCOMPATIBLE:
                return -EBADMSG;
        default:
                return -EIO;
        }
}
