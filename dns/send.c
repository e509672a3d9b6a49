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
#include "cache/write/grow.h"

struct queued {
        char name[VIRTNAME_NAME_MAX + 1];
        uint64_t generation;
        bool sent;                      /* the server answered for it */
        int result;                     /* ... with this result (result.h) */
        char why[256];
};

struct take {
        struct queued *q;
        size_t n, cap;
};

static int take_one(const char *name, uint64_t generation, void *ctx)
{
        struct take *t = ctx;

        if (!VIRTNAME_GROW(t->q, t->cap, t->n + 1))
                return -ENOMEM;
        snprintf(t->q[t->n].name, sizeof(t->q[0].name), "%s", name);
        t->q[t->n].generation = generation;
        t->q[t->n].sent = false;
        t->q[t->n].why[0] = '\0';
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

/* Open the store's writer for the queue: a short wait for the lock.
 * VIRTNAME_DNS_OK or VIRTNAME_DNS_ESTORE (err). */
static int open_queue(const char *store_dir, struct virtname_writer **w, char *err, size_t errlen)
{
        return virtname_writer_open(store_dir, 2000, 0, w, err, errlen) < 0 ? VIRTNAME_DNS_ESTORE : VIRTNAME_DNS_OK;
}

/* The commit of the queue's changes: VIRTNAME_DNS_OK or
 * VIRTNAME_DNS_ESTORE (err). */
static int commit_queue(struct virtname_writer *w, char *err, size_t errlen)
{
        return virtname_writer_commit(w, err, errlen) < 0 ? VIRTNAME_DNS_ESTORE : VIRTNAME_DNS_OK;
}

int64_t virtname_dns_now_ns(void)
{
        struct timespec t;

        clock_gettime(CLOCK_REALTIME, &t);
        return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Is a whole reconcile due, besides what the queue says?  The
 * configuration published last is not this one (a new dns.conf). */
static bool conf_changed(const struct virtname_dns_config *c, const struct virtname_queue_status *qs)
{
        char fp[512];

        virtname_dns_fingerprint(c, fp, sizeof(fp));
        return strcmp(fp, qs->whole_conf) != 0;
}

/* Take the names sent off the queue and record the outcome: per name
 * (doctor's problems) and for the send (ERROR NULL: it worked).
 * VIRTNAME_DNS_OK or VIRTNAME_DNS_ESTORE (err). */
static int settle(const char *store_dir, const struct take *t, int result, const char *error, char *err,
                  size_t errlen)
{
        struct virtname_queue_status qs;
        struct virtname_writer *w;
        int64_t now = virtname_dns_now_ns();
        char e[512];
        int rc;

        if (open_queue(store_dir, &w, e, sizeof(e)))
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "%s", e);
        rc = virtname_queue_status(w, &qs);
        for (size_t i = 0; rc == 0 && i < t->n; i++) {
                const struct queued *q = &t->q[i];
                if (!q->sent)
                        continue;       /* waits */
                rc = virtname_queue_problem(w, q->name, q->result, q->why, now);
                if (rc == 0)
                        rc = virtname_queue_done(w, q->name, q->generation);
        }
        /* The server answers again after it did not: it may have lost
         * what it had (restored, rebuilt empty): a whole reconcile. */
        if (rc == 0 && !error && virtname_queue_failing(&qs) && qs.fail_result == VIRTNAME_DNS_ENET)
                rc = virtname_queue_want_full(w, 0);
        if (rc == 0 && (error || t->n))
                rc = virtname_queue_result(w, error ? result : 0, error, now);
        if (rc < 0) {
                virtname_writer_close(w);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot update the DNS queue: %s",
                                     strerror(-rc));
        }
        return commit_queue(w, err, errlen);
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
        int64_t now_ns = virtname_dns_now_ns();
        int rc, worst = VIRTNAME_DNS_OK;
        bool fatal = false;

        memset(st, 0, sizeof(*st));
        if (open_queue(store_dir, &w, err, errlen))
                return VIRTNAME_DNS_ESTORE;
        rc = virtname_queue_status(w, &qs);
        st->problems = qs.problems;
        st->whole_ns = qs.whole_ns;
        /* Back off only from a server that did not answer, not from one
         * that refused (a key fixed is used at the next event). */
        if (rc == 0 && backoff && virtname_queue_failing(&qs) && qs.fail_result == VIRTNAME_DNS_ENET &&
            now_ns >= qs.fail_ns && now_ns - qs.fail_ns < (int64_t)VIRTNAME_DNS_BACKOFF * 1000000000) {
                st->skipped = true;
                st->left = qs.names;
                st->full = qs.full != 0 || conf_changed(c, &qs);
                virtname_writer_close(w);
                return VIRTNAME_DNS_OK;
        }
        if (rc == 0)
                rc = virtname_queue_walk(w, max, take_one, &t);
        virtname_writer_close(w);
        st->full = qs.full != 0 || conf_changed(c, &qs);
        st->failing = virtname_queue_failing(&qs);
        if (rc < 0) {
                free(t.q);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot read the DNS queue: %s",
                                     strerror(-rc));
        }
        st->left = qs.names - t.n;
        if (t.n == 0)
                return VIRTNAME_DNS_OK;

        if (virtname_snapshot_load(store_dir, NULL, &snap) < 0 || virtname_snapshot_view(snap, &v) < 0) {
                if (snap)
                        virtname_snapshot_unref(snap);
                free(t.q);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot read the published snapshot in %s",
                                     virtname_store_dir(store_dir));
        }
        rc = virtname_dns_open(c, &s, e, sizeof(e));
        if (rc != VIRTNAME_DNS_OK) {
                worst = rc;
                fatal = true;
                snprintf(first_error, sizeof(first_error), "%s", e);
        } else {
                virtname_dns_set_deadline(s, deadline_ms);
        }
        for (size_t i = 0; s && i < t.n; i++) {
                struct virtname_named nm;
                size_t n;
                int r;

                if (virtname_export_name(&v, t.q[i].name, now_ns / 1000000000, &nm) < 0) {
                        r = VIRTNAME_DNS_EOTHER;
                        snprintf(e, sizeof(e), "%s: the store cannot say", t.q[i].name);
                } else {
                        n = records_of(&nm, recs);
                        r = virtname_dns_publish(s, t.q[i].name, recs, n, e, sizeof(e));
                }
                if (r != VIRTNAME_DNS_OK && virtname_dns_fatal(s)) {
                        /* The server is not there, or refused the key: the
                         * rest waits for the next try. */
                        fatal = true;
                        worst = r;
                        snprintf(first_error, sizeof(first_error), "%s", e);
                        break;
                }
                t.q[i].sent = true;
                t.q[i].result = r;
                virtname_errf(t.q[i].why, sizeof(t.q[i].why), 0, "%s", r == VIRTNAME_DNS_OK ? "" : e);
                if (r == VIRTNAME_DNS_OK)
                        st->sent++;
                else if (r == VIRTNAME_DNS_ECONFLICT)
                        st->conflicts++;
                else
                        st->failed++;
                if (r != VIRTNAME_DNS_OK && worst == VIRTNAME_DNS_OK) {
                        worst = r;
                        snprintf(first_error, sizeof(first_error), "%s", e);
                }
        }
        if (s)
                virtname_dns_close(s);
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        for (size_t i = 0; i < t.n; i++)
                if (!t.q[i].sent)
                        st->left++;
        /* A name refused or held by another host is that name's problem
         * (doctor lists it, the timer's reconcile retries it); a failure
         * of the whole send is the send's. */
        st->stopped = fatal;
        rc = settle(store_dir, &t, worst, fatal ? first_error : NULL, err, errlen);
        free(t.q);
        if (rc)
                return rc;
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

        if (!VIRTNAME_GROW(a->names, a->cap_names, a->n_names + 1) ||
            !VIRTNAME_GROW(a->r, a->cap, a->n + nm->answer.n) || !(name = strdup(nm->name)))
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

/* What a reconcile could not publish, kept until the queue is written. */
struct problems {
        struct problem {
                char name[VIRTNAME_NAME_MAX + 1];
                int result;
                char why[256];
        } *p;
        size_t n, cap;
        void (*note)(void *arg, const char *name, int result, const char *why);
        void *arg;
};

static void collect(void *arg, const char *name, int result, const char *why)
{
        struct problems *pr = arg;

        if (pr->note)
                pr->note(pr->arg, name, result, why);
        if (!VIRTNAME_GROW(pr->p, pr->cap, pr->n + 1))
                return;         /* doctor lists fewer */
        snprintf(pr->p[pr->n].name, sizeof(pr->p[0].name), "%s", name);
        snprintf(pr->p[pr->n].why, sizeof(pr->p[0].why), "%s", why);
        pr->p[pr->n++].result = result;
}

int virtname_dns_sync_store(const char *store_dir, const struct virtname_dns_config *c,
                            struct virtname_dns_sync_stats *st,
                            void (*note)(void *arg, const char *name, int result, const char *why),
                            void *arg, char *err, size_t errlen)
{
        struct virtname_dns_session *s = NULL;
        struct virtname_snapshot *snap;
        struct virtname_meta meta = { 0 };
        struct virtname_writer *w;
        struct virtname_view v;
        struct problems pr = { .note = note, .arg = arg };
        struct all a = { 0 };
        char e[512] = "", fp[512];
        int64_t now = virtname_dns_now_ns();
        int rc, r;

        memset(st, 0, sizeof(*st));
        if (virtname_snapshot_load(store_dir, NULL, &snap) < 0)
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot read the published snapshot in %s",
                                     virtname_store_dir(store_dir));
        if (virtname_snapshot_view(snap, &v) < 0) {
                virtname_snapshot_unref(snap);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot read the published snapshot in %s",
                                     virtname_store_dir(store_dir));
        }
        rc = virtname_get_meta(&v, &meta);
        if (rc == 0)
                rc = virtname_export_names(&v, now / 1000000000, gather, &a);
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        if (rc < 0) {
                all_free(&a);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot read the store's names: %s",
                                     strerror(-rc));
        }
        rc = virtname_dns_open(c, &s, e, sizeof(e));
        if (rc == VIRTNAME_DNS_OK) {
                rc = virtname_dns_sync(s, a.r, a.n, st, collect, &pr, e, sizeof(e));
                virtname_dns_close(s);
        }
        all_free(&a);
        if (open_queue(store_dir, &w, err, errlen)) {
                free(pr.p);
                return VIRTNAME_DNS_ESTORE;
        }
        /* Ran to its end (names held by others, refused or unusable are
         * those names' problems): what the snapshot held is in the zone,
         * the queue up to it is done, and the problems are these. */
        if (st->planned && !st->stopped) {
                virtname_dns_fingerprint(c, fp, sizeof(fp));
                r = virtname_queue_all_done(w, meta.generation);
                if (r == 0)
                        r = virtname_queue_problems_clear(w);
                for (size_t i = 0; r == 0 && i < pr.n; i++)
                        r = virtname_queue_problem(w, pr.p[i].name, pr.p[i].result, pr.p[i].why, now);
                if (r == 0)
                        r = virtname_queue_whole(w, fp, now);
                if (r == 0)
                        r = virtname_queue_result(w, 0, NULL, now);
        } else {
                r = virtname_queue_result(w, rc, e, now);
        }
        free(pr.p);
        if (r < 0) {
                virtname_writer_close(w);
                return virtname_errf(err, errlen, VIRTNAME_DNS_ESTORE, "cannot update the DNS queue: %s",
                                     strerror(-r));
        }
        if (commit_queue(w, err, errlen))
                return VIRTNAME_DNS_ESTORE;
        if (rc != VIRTNAME_DNS_OK)
                virtname_errf(err, errlen, rc, "%s", e);
        return rc;
}
