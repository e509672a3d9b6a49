/* prior.c - what a rebuild keeps from the store it replaces (prior.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache/derive/hostsdir.h"
#include "cache/ingest/prior.h"
#include "cache/read/lookup.h"

/* The same lease in the replaced store: 0 with *OLD, or -ENOENT. */
static int same_lease(const struct virtname_view *prev, const struct virtname_lease *l,
                      struct virtname_lease_view *old)
{
        if (virtname_get_lease(prev, l->family, l->addr, virtname_str_of(l->network), old) < 0)
                return -ENOENT;
        if ((old->flags & VIRTNAME_LEASE_STATIC) || old->expiry != l->expiry ||
            (old->flags & VIRTNAME_LEASE_HAS_MAC) != (l->flags & VIRTNAME_LEASE_HAS_MAC) ||
            ((l->flags & VIRTNAME_LEASE_HAS_MAC) && memcmp(old->mac, l->mac, VIRTNAME_MAC_LEN) != 0))
                return -ENOENT;
        return 0;
}

int virtname_prior_lease(struct virtname_writer *w, struct virtname_lease *l, struct virtname_prior *kept)
{
        const struct virtname_view *prev = virtname_writer_previous(w);
        struct virtname_lease_view old;
        char path[PATH_MAX];

        if (!prev || !l->network)
                return 0;
        if (same_lease(prev, l, &old) == 0) {
                const char *was = l->hostname;

                if (old.hostname.len > VIRTNAME_NAME_MAX || old.port.len > VIRTNAME_NAME_MAX)
                        return 0;
                memcpy(kept->hostname, old.hostname.p, old.hostname.len);
                kept->hostname[old.hostname.len] = '\0';
                l->hostname = kept->hostname[0] ? kept->hostname : NULL;
                if (!l->seen)
                        l->seen = old.seen;
                memcpy(kept->port, old.port.p, old.port.len);
                kept->port[old.port.len] = '\0';
                l->evidence = old.evidence;
                l->proved = old.proved;
                l->proved_id = old.proved_id;
                l->port = kept->port[0] ? kept->port : NULL;
                return (was ? !l->hostname || strcmp(was, kept->hostname) != 0 : l->hostname != NULL) ? 1 : 0;
        }
        if (l->hostname &&
            virtname_hostsdir_path(virtname_writer_store_dir(w), l->network, path, sizeof(path)) == 0 &&
            access(path, F_OK) == 0 &&
            virtname_answers_with(prev, l->hostname, l->family, l->addr, (int64_t)time(NULL))) {
                l->hostname = NULL;
                return 1;
        }
        return 0;
}
