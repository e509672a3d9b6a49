/* schema.c - names of the store's databases. */
#include "store/schema.h"

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
};

const char *virtname_db_name(enum virtname_db db)
{
        return databases[db];
}
