/* schema.c - names and flags of the store's databases. */
#include "store/schema.h"

static const struct {
        const char *name;
        unsigned flags;
} databases[VIRTNAME_DB_COUNT] = {
        [VIRTNAME_DB_META] = { "meta", 0 },
        [VIRTNAME_DB_DOMAINS] = { "domains", 0 },
        [VIRTNAME_DB_LEASES] = { "leases", 0 },
        [VIRTNAME_DB_HOSTS] = { "hosts", MDB_DUPSORT | MDB_DUPFIXED },
        [VIRTNAME_DB_MAC_LEASES] = { "mac-leases", MDB_DUPSORT | MDB_DUPFIXED },
        [VIRTNAME_DB_MAC_DOMAIN] = { "mac-domain", 0 },
        [VIRTNAME_DB_UUIDS] = { "uuids", 0 },
        [VIRTNAME_DB_IDS] = { "ids", 0 },
        [VIRTNAME_DB_NETWORKS] = { "networks", 0 },
};

const char *virtname_db_name(enum virtname_db db)
{
        return databases[db].name;
}

unsigned virtname_db_flags(enum virtname_db db)
{
        return databases[db].flags;
}
