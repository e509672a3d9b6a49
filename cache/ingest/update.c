/* update.c - an update of the store and the pipeline after it (update.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/derive/affected.h"
#include "cache/derive/hostsdir.h"
#include "cache/derive/queue.h"
#include "cache/ingest/spool.h"
#include "cache/ingest/update.h"
#include "cache/read/paths.h"
#include "cache/write/errmsg.h"

struct virtname_update {
        struct virtname_writer *w;
        bool fresh;                            /* a rebuild: the spool waits for the commit */
        bool no_spool;
        struct virtname_spool_batch spool;     /* spooled events this update applied */
};

struct virtname_writer *virtname_update_writer(struct virtname_update *u)
{
        return u->w;
}

/* Events that waited for the lock, oldest first, in U's transaction. */
static int replay_spool(struct virtname_update *u, char *err, size_t errlen)
{
        long n = virtname_spool_apply(u->w, &u->spool);
        const char *why = virtname_writer_error(u->w);

        return n < 0 ? virtname_errf(err, errlen, (int)n, "cannot apply the spooled events: %s",
                                     why[0] ? why : strerror((int)-n))
                     : 0;
}

int virtname_update_open(const char *dir, int lock_timeout_ms, unsigned flags, struct virtname_update **out,
                         char *err, size_t errlen)
{
        struct virtname_update *u = calloc(1, sizeof(*u));
        int rc;

        *out = NULL;
        if (!u)
                return virtname_errf(err, errlen, -ENOMEM, "out of memory");
        u->fresh = flags & VIRTNAME_WRITER_FRESH;
        u->no_spool = flags & VIRTNAME_UPDATE_NO_SPOOL;
        rc = virtname_writer_open(dir, lock_timeout_ms, flags & ~VIRTNAME_UPDATE_NO_SPOOL, &u->w, err, errlen);
        /* Events that waited for the lock come before this update's own; a
         * rebuild applies them after its import, at its commit. */
        if (rc == 0 && !u->fresh && !u->no_spool)
                rc = replay_spool(u, err, errlen);
        if (rc < 0) {
                virtname_update_close(u);
                return rc;
        }
        *out = u;
        return 0;
}

void virtname_update_close(struct virtname_update *u)
{
        if (!u)
                return;
        if (u->w)
                virtname_spool_done(virtname_writer_state_dir(u->w), &u->spool, 0);
        virtname_writer_close(u->w);
        free(u);
}

/* Step 6: the hosts directories at the committed generation: the lines
 * AFF changed since FROM (everything when AFF is NULL: not known), then
 * the networks the writer was asked to write whole. */
static int derive_hostsdirs(struct virtname_writer *w, const struct virtname_affected *aff, uint64_t from,
                            int64_t now, char *err, size_t errlen)
{
        const struct virtname_view *v = virtname_writer_view(w);
        const char *dir = virtname_writer_store_dir(w);
        const char (*resync)[VIRTNAME_NETWORK_MAX + 1];
        char why[512] = "";
        size_t n;
        int rc;

        if (!v->txn)
                return virtname_errf(err, errlen, -EAGAIN, "change saved, but dnsmasq's hosts directory "
                                     "was not updated (%s)", virtname_writer_error(w));
        rc = aff ? virtname_hostsdir_update(dir, aff->lines, aff->n_lines, from, virtname_writer_generation(w), v,
                                            now, why, sizeof(why))
                 : virtname_hostsdir_update_all(dir, virtname_writer_generation(w), v, now, why, sizeof(why));
        resync = virtname_writer_resyncs(w, &n);
        for (size_t i = 0; i < n; i++) {
                int r = virtname_hostsdir_sync(dir, resync[i], v, now, rc == 0 ? why : NULL, sizeof(why));

                if (r < 0 && rc == 0)
                        rc = r;
        }
        return rc < 0 ? virtname_errf(err, errlen, -EAGAIN, "change saved, but dnsmasq's hosts directory "
                                      "was not updated (%s)", why)
                      : 0;
}

int virtname_update_commit(struct virtname_update *u, unsigned flags, struct virtname_commit_info *info,
                           char *err, size_t errlen)
{
        struct virtname_writer *w = u->w;
        struct virtname_affected aff = { 0 };
        size_t n_resync;
        int64_t now = (int64_t)time(NULL);
        bool hostsdir, queue = virtname_dns_configured(), changed;
        uint64_t from;
        int rc = 0, arc = -E2BIG;

        if (info)
                *info = (struct virtname_commit_info){ 0, false };
        virtname_writer_resyncs(w, &n_resync);
        hostsdir = n_resync > 0 || virtname_hostsdir_active(virtname_writer_store_dir(w));
        /* 1 */
        if (u->fresh && !u->no_spool)
                rc = replay_spool(u, err, errlen);
        changed = virtname_writer_changed(w);
        from = virtname_writer_generation(w);
        /* 2: nothing changed, no answer changed */
        if (!changed)
                arc = 0;
        else if (rc == 0 && (hostsdir || queue))
                arc = virtname_affected_of(w, now, &aff);
        /* 3 */
        if (rc == 0 && changed && queue) {
                rc = virtname_queue_put(w, aff.names, arc == 0 ? aff.n_names : 0, arc != 0, from + 1);
                if (rc < 0)
                        virtname_errf(err, errlen, rc, "cannot queue the change for DNS: %s", strerror(-rc));
                else if (info)
                        *info = (struct virtname_commit_info){ arc == 0 ? aff.n_names : 0, arc != 0 };
        }
        /* 4 */
        if (rc == 0)
                rc = virtname_writer_commit_keep(w, flags, err, errlen);
        /* 5 */
        if (rc == 0 || rc == -EAGAIN)
                virtname_spool_done(virtname_writer_state_dir(w), &u->spool, 1);
        /* 6 */
        if ((rc == 0 || rc == -EAGAIN) && hostsdir) {
                int r = derive_hostsdirs(w, arc == 0 ? &aff : NULL, from, now, rc == 0 ? err : NULL,
                                         rc == 0 ? errlen : 0);

                if (rc == 0)
                        rc = r;
        }
        virtname_affected_free(&aff);
        return rc;
}
