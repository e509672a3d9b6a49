/* send.c - the queued names, or all of them, to the fleet's DNS server
 * (send.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/send.h"
#include "dns/update.h"
#include "cache/derive/export.h"
#include "cache/derive/queue.h"
#include "cache/read/reader.h"
#include "cache/write/errmsg.h"

struct queued {
        char name[VIRTNAME_NAME_MAX + 1];
        uint64_t generation;
        int result;
};

struct take {
        struct queued *q;
        size_t n, cap;
};

static int take_one(const char *name, uint64_t generation, void *ctx)
{
        struct take *t = ctx;

        if (t->n == t->cap) {
                size_t cap = t->cap ? 2 * t->cap : 64;
                void *more = reallocarray(t->q, cap, sizeof(*t->q));

                if (!more)
                        return -ENOMEM;
                t->q = more;
                t->cap = cap;
        }
        snprintf(t->q[t->n].name, sizeof(t->q[0].name), "%s", name);
        t->q[t->n].generation = generation;
        t->q[t->n].result = -1;
        t->n++;
        return 0;
}

/* NAME's records as NSS answers them: into RECS (room for
 * VIRTNAME_ANSWER_MAX). */
static size_t records_of(const struct virtname_named *nm, struct virtname_dns_record *recs)
{
        for (size_t i = 0; i < nm->answer.n; i++)
                recs[i] = (struct virtname_dns_record){ .name = nm->name, .family = nm->answer.addr[i].family,
                                                        .no_reverse = !nm->reverse[i] };
        for (size_t i = 0; i < nm->answer.n; i++)
                memcpy(recs[i].addr, nm->answer.addr[i].addr, 16);
        return nm->answer.n;
}

/* Open the store's writer for the queue: a short wait for the lock. */
static int open_queue(const char *store_dir, struct virtname_writer **w, char *err, size_t errlen)
{
        return virtname_writer_open(store_dir, 2000, 0, w, err, errlen) < 0 ? -1 : 0;
}

/* Take the names sent off the queue and record the outcome. */
static int settle(const char *store_dir, const struct take *t, const char *error, char *err, size_t errlen)
{
        struct virtname_writer *w;
        char e[512];
        int rc = 0;

        if (open_queue(store_dir, &w, e, sizeof(e)) < 0)
                return virtname_errf(err, errlen, -1, "%s", e);
        for (size_t i = 0; rc == 0 && i < t->n; i++)
                if (t->q[i].result == VIRTNAME_DNS_OK || t->q[i].result == VIRTNAME_DNS_ECONFLICT ||
                    t->q[i].result == VIRTNAME_DNS_EINPUT)
                        rc = virtname_queue_done(w, t->q[i].name, t->q[i].generation);
        if (rc == 0)
                rc = virtname_queue_result(w, error, (int64_t)time(NULL));
        if (rc < 0) {
                virtname_writer_close(w);
                return virtname_errf(err, errlen, -1, "cannot update the DNS queue: %s", strerror(-rc));
        }
        return virtname_writer_commit(w, err, errlen) < 0 ? -1 : 0;
}

int virtname_dns_send_queue(const char *store_dir, const struct virtname_dns_config *c, size_t max,
                            unsigned deadline_ms, bool backoff, struct virtname_dns_send_stats *st, char *err,
                            size_t errlen)
{
        struct virtname_dns_record recs[VIRTNAME_ANSWER_MAX];
        struct virtname_queue_status qs;
        struct virtname_dns_session *s = NULL;
        struct virtname_snapshot *snap = NULL;
        struct virtname_writer *w;
        struct virtname_view v;
        struct take t = { 0 };
        char e[512] = "", first_error[512] = "";
        int64_t now = (int64_t)time(NULL);
        int rc, worst = VIRTNAME_DNS_OK;

        memset(st, 0, sizeof(*st));
        if (open_queue(store_dir, &w, err, errlen) < 0)
                return -1;
        rc = virtname_queue_status(w, &qs);
        if (rc == 0 && backoff && qs.failed > qs.sent && now - qs.failed < VIRTNAME_DNS_BACKOFF &&
            now >= qs.failed) {
                st->skipped = true;
                st->left = qs.names;
                st->full = qs.full != 0;
                virtname_writer_close(w);
                return VIRTNAME_DNS_OK;
        }
        if (rc == 0)
                rc = virtname_queue_walk(w, max, take_one, &t);
        virtname_writer_close(w);
        st->full = qs.full != 0;
        if (rc < 0) {
                free(t.q);
                return virtname_errf(err, errlen, -1, "cannot read the DNS queue: %s", strerror(-rc));
        }
        st->left = qs.names - t.n;
        if (t.n == 0)
                return VIRTNAME_DNS_OK;

        if (virtname_snapshot_load(store_dir, NULL, &snap) < 0 || virtname_snapshot_view(snap, &v) < 0) {
                if (snap)
                        virtname_snapshot_unref(snap);
                free(t.q);
                return virtname_errf(err, errlen, -1, "cannot read the published snapshot in %s",
                            virtname_store_dir(store_dir));
        }
        rc = virtname_dns_open(c, &s, e, sizeof(e));
        if (rc != VIRTNAME_DNS_OK) {
                worst = rc;
                snprintf(first_error, sizeof(first_error), "%s", e);
        } else {
                virtname_dns_set_deadline(s, deadline_ms);
        }
        for (size_t i = 0; s && i < t.n; i++) {
                struct virtname_named nm;
                size_t n;

                if (virtname_export_name(&v, t.q[i].name, now, &nm) < 0) {
                        t.q[i].result = VIRTNAME_DNS_EOTHER;
                        snprintf(e, sizeof(e), "%s: the store cannot say", t.q[i].name);
                } else {
                        n = records_of(&nm, recs);
                        t.q[i].result = virtname_dns_publish(s, t.q[i].name, recs, n, e, sizeof(e));
                }
                switch (t.q[i].result) {
                case VIRTNAME_DNS_OK:
                        st->sent++;
                        break;
                case VIRTNAME_DNS_ECONFLICT:
                        st->conflicts++;
                        break;
                default:
                        st->failed++;
                }
                if (t.q[i].result != VIRTNAME_DNS_OK) {
                        if (!first_error[0])
                                snprintf(first_error, sizeof(first_error), "%s", e);
                        if (worst == VIRTNAME_DNS_OK || t.q[i].result == VIRTNAME_DNS_ENET)
                                worst = t.q[i].result;
                }
                /* The server is not there: the rest waits for the next try. */
                if (t.q[i].result == VIRTNAME_DNS_ENET)
                        break;
        }
        if (s)
                virtname_dns_close(s);
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        for (size_t i = 0; i < t.n; i++)
                if (t.q[i].result != VIRTNAME_DNS_OK && t.q[i].result != VIRTNAME_DNS_ECONFLICT &&
                    t.q[i].result != VIRTNAME_DNS_EINPUT)
                        st->left++;
        /* Conflicts are the other hosts' names: reported, not failures. */
        rc = settle(store_dir, &t, worst == VIRTNAME_DNS_OK || worst == VIRTNAME_DNS_ECONFLICT ? NULL : first_error,
                    err, errlen);
        free(t.q);
        if (rc < 0)
                return -1;
        if (worst != VIRTNAME_DNS_OK)
                virtname_errf(err, errlen, worst, "%s", first_error);
        return worst;
}

/* Every exported name's records, gathered for a reconcile; each name is
 * a copy of its own, so that the records can point at it. */
struct all {
        struct virtname_dns_record *r;
        char **names;
        size_t n, cap, n_names, cap_names;
};

static int gather(const struct virtname_named *nm, void *ctx)
{
        struct all *a = ctx;
        char *name;

        if (a->n_names == a->cap_names) {
                size_t cap = a->cap_names ? 2 * a->cap_names : 256;
                void *more = reallocarray(a->names, cap, sizeof(*a->names));

                if (!more)
                        return -ENOMEM;
                a->names = more;
                a->cap_names = cap;
        }
        while (a->n + nm->answer.n > a->cap) {
                size_t cap = a->cap ? 2 * a->cap : 512;
                void *more = reallocarray(a->r, cap, sizeof(*a->r));

                if (!more)
                        return -ENOMEM;
                a->r = more;
                a->cap = cap;
        }
        if (!(name = strdup(nm->name)))
                return -ENOMEM;
        a->names[a->n_names++] = name;
        records_of(nm, a->r + a->n);
        for (size_t i = 0; i < nm->answer.n; i++)
                a->r[a->n + i].name = name;
        a->n += nm->answer.n;
        return 0;
}

static void all_free(struct all *a)
{
        for (size_t i = 0; i < a->n_names; i++)
                free(a->names[i]);
        free(a->names);
        free(a->r);
}

int virtname_dns_sync_store(const char *store_dir, const struct virtname_dns_config *c,
                            struct virtname_dns_sync_stats *st, void (*note)(void *arg, const char *line),
                            void *arg, char *err, size_t errlen)
{
        struct virtname_dns_session *s = NULL;
        struct virtname_snapshot *snap;
        struct virtname_meta meta = { 0 };
        struct virtname_writer *w;
        struct virtname_view v;
        struct all a = { 0 };
        char e[512] = "";
        int rc;

        memset(st, 0, sizeof(*st));
        if (virtname_snapshot_load(store_dir, NULL, &snap) < 0)
                return virtname_errf(err, errlen, -1, "cannot read the published snapshot in %s", virtname_store_dir(store_dir));
        if (virtname_snapshot_view(snap, &v) < 0) {
                virtname_snapshot_unref(snap);
                return virtname_errf(err, errlen, -1, "cannot read the published snapshot in %s", virtname_store_dir(store_dir));
        }
        rc = virtname_get_meta(&v, &meta);
        if (rc == 0)
                rc = virtname_export_names(&v, (int64_t)time(NULL), gather, &a);
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        if (rc < 0) {
                all_free(&a);
                return virtname_errf(err, errlen, -1, "cannot read the store's names: %s", strerror(-rc));
        }
        rc = virtname_dns_open(c, &s, e, sizeof(e));
        if (rc == VIRTNAME_DNS_OK) {
                rc = virtname_dns_sync(s, a.r, a.n, st, note, arg, e, sizeof(e));
                virtname_dns_close(s);
        }
        all_free(&a);
        /* What the snapshot held is in the zone now (conflicts are the
         * other hosts' names): the queue up to it is done. */
        if (open_queue(store_dir, &w, err, errlen) < 0)
                return -1;
        if (rc == VIRTNAME_DNS_OK || rc == VIRTNAME_DNS_ECONFLICT || rc == VIRTNAME_DNS_EINPUT) {
                int r = virtname_queue_all_done(w, meta.generation);

                if (r == 0)
                        r = virtname_queue_result(w, NULL, (int64_t)time(NULL));
                if (r < 0) {
                        virtname_writer_close(w);
                        return virtname_errf(err, errlen, -1, "cannot update the DNS queue: %s", strerror(-r));
                }
        } else if (virtname_queue_result(w, e, (int64_t)time(NULL)) < 0) {
                virtname_writer_close(w);
                return virtname_errf(err, errlen, -1, "cannot update the DNS queue");
        }
        if (virtname_writer_commit(w, err, errlen) < 0)
                return -1;
        if (rc != VIRTNAME_DNS_OK)
                virtname_errf(err, errlen, rc, "%s", e);
        return rc;
}
