/* schema.c - names and flags of the store's databases. */
#include "schema.h"

static const struct {
        const char *name;
        unsigned flags;
} databases[VNC_DB_COUNT] = {
        [VNC_DB_META] = { "meta", 0 },
        [VNC_DB_DOMAINS] = { "domains", 0 },
        [VNC_DB_LEASES] = { "leases", 0 },
        [VNC_DB_HOSTS] = { "hosts", MDB_DUPSORT | MDB_DUPFIXED },
        [VNC_DB_MAC_LEASES] = { "mac-leases", MDB_DUPSORT | MDB_DUPFIXED },
        [VNC_DB_MAC_DOMAIN] = { "mac-domain", 0 },
        [VNC_DB_UUIDS] = { "uuids", 0 },
        [VNC_DB_IDS] = { "ids", 0 },
        [VNC_DB_NETWORKS] = { "networks", 0 },
};

const char *vnc_db_name(enum vnc_db db)
{
        return databases[db].name;
}

unsigned vnc_db_flags(enum vnc_db db)
{
        return databases[db].flags;
}
