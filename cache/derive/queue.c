/* queue.c - the fleet DNS queue in the private store (queue.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cache/derive/queue.h"
#include "cache/read/wire.h"

#define K_FULL "\0full"
#define K_SEQ "\0seq"
#define K_OK "\0ok"
#define K_FAIL "\0fail"
#define K_WHOLE "\0whole"
#define K_PROBLEM "\0p"         /* followed by the name */
#define REASON_MAX 255

static MDB_val key_of(const char *k, size_t len)
{
        return (MDB_val){ len, (void *)k };
}

/* The status keys are "\0" and a word: sizeof minus the NUL at the end. */
#define STATUS(k) key_of(k, sizeof(k) - 1)

/* A number of the queue: 8 bytes, little-endian (0 when D is not). */
static uint64_t get_u64(const MDB_val *d)
{
        return d->mv_size == 8 ? virtname_le_get(d->mv_data, 8) : 0;
}

/* The queue's database in W's transaction. */
static int queue_db(struct virtname_writer *w, MDB_dbi *dbi)
{
        return virtname_writer_private_db(w, VIRTNAME_QUEUE_DB, dbi);
}

static int put(struct virtname_writer *w, MDB_val k, const void *data, size_t len)
{
        MDB_val d = { len, (void *)data };
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi);

        if (rc < 0)
                return rc;
        rc = mdb_put(virtname_writer_txn(w), dbi, &k, &d, 0);
        if (rc != 0)
                return virtname_mdb_errno(rc);
        virtname_writer_private_dirty(w);
        return 0;
}

static int put_u64_key(struct virtname_writer *w, MDB_val k, uint64_t v)
{
        uint8_t b[8];

        virtname_le_put(b, v, sizeof(b));
        return put(w, k, b, sizeof(b));
}

static int del(struct virtname_writer *w, MDB_val k)
{
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi);

        if (rc < 0)
                return rc;
        rc = mdb_del(virtname_writer_txn(w), dbi, &k, NULL);
        if (rc == MDB_NOTFOUND)
                return 0;
        if (rc != 0)
                return virtname_mdb_errno(rc);
        virtname_writer_private_dirty(w);
        return 0;
}

static int get(struct virtname_writer *w, MDB_val k, MDB_val *d)
{
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi);

        if (rc < 0)
                return rc;
        rc = mdb_get(virtname_writer_txn(w), dbi, &k, d);
        return rc == 0 ? 0 : virtname_mdb_errno(rc);
}

int virtname_queue_put(struct virtname_writer *w, char (*names)[VIRTNAME_NAME_MAX + 1], size_t n, bool full,
                       uint64_t generation)
{
        int rc = 0;

        for (size_t i = 0; rc == 0 && i < n; i++)
                if (names[i][0])
                        rc = put_u64_key(w, key_of(names[i], strlen(names[i])), generation);
        if (rc == 0 && full)
                rc = put_u64_key(w, STATUS(K_FULL), generation);
        return rc;
}

int virtname_queue_walk(struct virtname_writer *w, size_t max, virtname_queue_fn fn, void *ctx)
{
        char name[VIRTNAME_NAME_MAX + 1];
        MDB_cursor *c;
        MDB_val k, d;
        size_t n = 0;
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi), r;

        if (rc < 0)
                return rc;
        if ((rc = mdb_cursor_open(virtname_writer_txn(w), dbi, &c)) != 0)
                return virtname_mdb_errno(rc);
        for (r = mdb_cursor_get(c, &k, &d, MDB_FIRST); r == 0 && (max == 0 || n < max);
             r = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
                if (k.mv_size == 0 || ((const char *)k.mv_data)[0] == '\0' || k.mv_size > VIRTNAME_NAME_MAX)
                        continue;       /* status, or not a name */
                memcpy(name, k.mv_data, k.mv_size);
                name[k.mv_size] = '\0';
                n++;
                if ((rc = fn(name, get_u64(&d), ctx)) != 0)
                        break;
        }
        mdb_cursor_close(c);
        if (rc == 0 && r != 0 && r != MDB_NOTFOUND)
                rc = virtname_mdb_errno(r);
        return rc;
}

int virtname_queue_done(struct virtname_writer *w, const char *name, uint64_t generation)
{
        MDB_val k = key_of(name, strlen(name)), d;
        int rc = get(w, k, &d);

        if (rc == -ENOENT || (rc == 0 && get_u64(&d) != generation))
                return 0;
        return rc < 0 ? rc : del(w, k);
}

int virtname_queue_all_done(struct virtname_writer *w, uint64_t generation)
{
        MDB_cursor *c;
        MDB_val k, d;
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi), r;

        if (rc < 0)
                return rc;
        if ((rc = mdb_cursor_open(virtname_writer_txn(w), dbi, &c)) != 0)
                return virtname_mdb_errno(rc);
        /* Entries queued up to GENERATION were in what the reconcile sent. */
        for (r = mdb_cursor_get(c, &k, &d, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
                bool status = k.mv_size == 0 || ((const char *)k.mv_data)[0] == '\0';
                bool is_full = k.mv_size == sizeof(K_FULL) - 1 && memcmp(k.mv_data, K_FULL, k.mv_size) == 0;

                if ((status && !is_full) || get_u64(&d) > generation)
                        continue;
                if ((r = mdb_cursor_del(c, 0)) != 0)
                        break;
                virtname_writer_private_dirty(w);
        }
        mdb_cursor_close(c);
        return r == 0 || r == MDB_NOTFOUND ? 0 : virtname_mdb_errno(r);
}

int virtname_queue_want_full(struct virtname_writer *w, uint64_t generation)
{
        return put_u64_key(w, STATUS(K_FULL), generation);
}

/* Fixed fields then text: "u64 u64 ... text" records of the status keys. */
static int put_fields(struct virtname_writer *w, MDB_val k, const uint64_t *f, size_t nf, const char *text)
{
        uint8_t b[4 * 8 + 512];
        size_t len = nf * 8, tl = text ? strlen(text) : 0;

        if (tl > sizeof(b) - len)
                tl = sizeof(b) - len;

        for (size_t i = 0; i < nf; i++)
                virtname_le_put(b + 8 * i, f[i], 8);
        memcpy(b + len, text ? text : "", tl);
        return put(w, k, b, len + tl);
}

/* The fields of D; TEXT (may be NULL) gets what follows them.  false:
 * too short (a record of an older layout). */
static bool get_fields(const MDB_val *d, uint64_t *f, size_t nf, char *text, size_t textlen)
{
        if (d->mv_size < nf * 8)
                return false;
        for (size_t i = 0; i < nf; i++)
                f[i] = virtname_le_get((const uint8_t *)d->mv_data + 8 * i, 8);
        if (text)
                snprintf(text, textlen, "%.*s", (int)(d->mv_size - nf * 8), (const char *)d->mv_data + nf * 8);
        return true;
}

int virtname_queue_result(struct virtname_writer *w, int result, const char *error, int64_t when_ns)
{
        MDB_val d;
        uint64_t seq = get(w, STATUS(K_SEQ), &d) == 0 ? get_u64(&d) + 1 : 1;
        int rc = put_u64_key(w, STATUS(K_SEQ), seq);
        char line[REASON_MAX + 1];

        if (rc < 0)
                return rc;
        if (result == 0)
                return put_fields(w, STATUS(K_OK), (uint64_t[]){ seq, (uint64_t)when_ns }, 2, NULL);
        snprintf(line, sizeof(line), "%s", error ? error : "");
        return put_fields(w, STATUS(K_FAIL), (uint64_t[]){ seq, (uint64_t)when_ns, (uint64_t)(int64_t)result }, 3,
                          line);
}

int virtname_queue_whole(struct virtname_writer *w, const char *conf, int64_t when_ns)
{
        return put_fields(w, STATUS(K_WHOLE), (uint64_t[]){ (uint64_t)when_ns }, 1, conf);
}

/* "\0p" NAME */
static MDB_val problem_key(const char *name, char buf[VIRTNAME_NAME_MAX + 3])
{
        size_t n = strnlen(name, VIRTNAME_NAME_MAX);

        memcpy(buf, K_PROBLEM, 2);
        memcpy(buf + 2, name, n);
        return key_of(buf, n + 2);
}

int virtname_queue_problem(struct virtname_writer *w, const char *name, int result, const char *why,
                           int64_t when_ns)
{
        char kb[VIRTNAME_NAME_MAX + 3], line[REASON_MAX + 1];
        MDB_val k = problem_key(name, kb);

        if (result == 0)
                return del(w, k);
        snprintf(line, sizeof(line), "%s", why ? why : "");
        return put_fields(w, k, (uint64_t[]){ (uint64_t)when_ns, (uint64_t)(int64_t)result }, 2, line);
}

/* Walk the problem keys; DELETE: remove each instead of calling FN. */
static int walk_problems(struct virtname_writer *w, size_t max, bool delete, virtname_problem_fn fn, void *ctx)
{
        char name[VIRTNAME_NAME_MAX + 1], why[REASON_MAX + 1];
        MDB_cursor *c;
        MDB_val k = key_of(K_PROBLEM, 2), d;
        size_t n = 0;
        MDB_dbi dbi;
        int rc = queue_db(w, &dbi), r;

        if (rc < 0)
                return rc;
        if ((rc = mdb_cursor_open(virtname_writer_txn(w), dbi, &c)) != 0)
                return virtname_mdb_errno(rc);
        for (r = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); r == 0 && (max == 0 || n < max);
             r = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
                uint64_t f[2];

                if (k.mv_size < 3 || memcmp(k.mv_data, K_PROBLEM, 2) != 0)
                        break;
                if (delete) {
                        if ((r = mdb_cursor_del(c, 0)) != 0)
                                break;
                        virtname_writer_private_dirty(w);
                        continue;
                }
                if (k.mv_size - 2 > VIRTNAME_NAME_MAX || !get_fields(&d, f, 2, why, sizeof(why)))
                        continue;
                memcpy(name, (const char *)k.mv_data + 2, k.mv_size - 2);
                name[k.mv_size - 2] = '\0';
                n++;
                if ((rc = fn(name, (int)(int64_t)f[1], why, (int64_t)f[0], ctx)) != 0)
                        break;
        }
        mdb_cursor_close(c);
        if (rc == 0 && r != 0 && r != MDB_NOTFOUND)
                rc = virtname_mdb_errno(r);
        return rc;
}

int virtname_queue_problems_clear(struct virtname_writer *w)
{
        return walk_problems(w, 0, true, NULL, NULL);
}

int virtname_queue_problems(struct virtname_writer *w, size_t max, virtname_problem_fn fn, void *ctx)
{
        return walk_problems(w, max, false, fn, ctx);
}

static int count(const char *name, uint64_t generation, void *ctx)
{
        (void)name;
        (void)generation;
        ++*(size_t *)ctx;
        return 0;
}

static int count_problem(const char *name, int result, const char *why, int64_t when_ns, void *ctx)
{
        (void)name;
        (void)result;
        (void)why;
        (void)when_ns;
        ++*(size_t *)ctx;
        return 0;
}

int virtname_queue_status(struct virtname_writer *w, struct virtname_queue_status *st)
{
        uint64_t f[3];
        MDB_val d;
        int rc;

        memset(st, 0, sizeof(*st));
        if ((rc = virtname_queue_walk(w, 0, count, &st->names)) < 0 ||
            (rc = virtname_queue_problems(w, 0, count_problem, &st->problems)) < 0)
                return rc;
        if (get(w, STATUS(K_FULL), &d) == 0)
                st->full = get_u64(&d);
        if (get(w, STATUS(K_OK), &d) == 0 && get_fields(&d, f, 2, NULL, 0)) {
                st->ok_seq = f[0];
                st->ok_ns = (int64_t)f[1];
        }
        if (get(w, STATUS(K_FAIL), &d) == 0 && get_fields(&d, f, 3, st->error, sizeof(st->error))) {
                st->fail_seq = f[0];
                st->fail_ns = (int64_t)f[1];
                st->fail_result = (int)(int64_t)f[2];
        }
        if (get(w, STATUS(K_WHOLE), &d) == 0 && get_fields(&d, f, 1, st->whole_conf, sizeof(st->whole_conf)))
                st->whole_ns = (int64_t)f[0];
        return 0;
}
