/* view.c - lookups and ordered walks through a delta over a transaction. */
#include <errno.h>
#include <string.h>

#include "cache/read/view.h"

static int told(const struct virtname_view *v, enum virtname_db db, const MDB_val *data)
{
        if (v->seen)
                v->seen(v->seen_ctx, db, data);
        return 0;
}

int virtname_view_get(const struct virtname_view *v, enum virtname_db db, const MDB_val *key,
                      MDB_val *data)
{
        MDB_val k = *key;
        int rc;

        if (v->delta) {
                uint32_t i = virtname_delta_seek(v->delta, db, key);
                struct virtname_delta_rec r;

                if (i < v->delta->count) {
                        virtname_delta_rec(v->delta, i, &r);
                        if (virtname_delta_cmp(r.db, &r.key, db, key) == 0) {
                                if (r.tombstone)
                                        return -ENOENT;
                                *data = r.value;
                                return told(v, db, data);
                        }
                }
        }
        rc = virtname_mdb_errno(mdb_get(v->txn, v->dbi[db], &k, data));
        return rc < 0 ? rc : told(v, db, data);
}

static bool has_prefix(const struct virtname_iter *it, const MDB_val *k)
{
        return k->mv_size >= it->plen && memcmp(k->mv_data, it->prefix, it->plen) == 0;
}

int virtname_iter_start(struct virtname_iter *it, const struct virtname_view *v,
                        enum virtname_db db, const void *prefix, size_t plen)
{
        memset(it, 0, sizeof(*it));
        it->v = v;
        it->db = db;
        it->cur_rc = MDB_NOTFOUND;
        if (plen > sizeof(it->prefix))
                return -EIO;
        if (plen)
                memcpy(it->prefix, prefix, plen);
        it->plen = plen;
        if (mdb_cursor_open(v->txn, v->dbi[db], &it->cur) != 0) {
                it->cur = NULL;
                return -EIO;
        }
        it->ck = (MDB_val){ plen, it->prefix };
        it->cur_rc = mdb_cursor_get(it->cur, &it->ck, &it->cv, plen ? MDB_SET_RANGE : MDB_FIRST);
        if (it->cur_rc != 0 && it->cur_rc != MDB_NOTFOUND)
                return -EIO;
        if (v->delta)
                it->di = virtname_delta_seek(v->delta, db, &(MDB_val){ plen, it->prefix });
        return 0;
}

int virtname_iter_next(struct virtname_iter *it, MDB_val *key, MDB_val *data)
{
        for (;;) {
                struct virtname_delta_rec r;
                bool base = it->cur_rc == 0 && has_prefix(it, &it->ck), over = false;
                int c;

                if (it->cur_rc != 0 && it->cur_rc != MDB_NOTFOUND)
                        return -EIO;
                if (it->v->delta && it->di < it->v->delta->count) {
                        virtname_delta_rec(it->v->delta, it->di, &r);
                        over = r.db == it->db && has_prefix(it, &r.key);
                }
                if (!base && !over)
                        return -ENOENT;
                c = !over ? -1 : !base ? 1 : virtname_delta_cmp(it->db, &it->ck, r.db, &r.key);
                if (c < 0) {
                        *key = it->ck;
                        *data = it->cv;
                        it->cur_rc = mdb_cursor_get(it->cur, &it->ck, &it->cv, MDB_NEXT);
                        return told(it->v, it->db, data);
                }
                /* The delta's record replaces (or deletes) the base's. */
                it->di++;
                if (c == 0)
                        it->cur_rc = mdb_cursor_get(it->cur, &it->ck, &it->cv, MDB_NEXT);
                if (r.tombstone)
                        continue;
                *key = r.key;
                *data = r.value;
                return told(it->v, it->db, data);
        }
}

void virtname_iter_end(struct virtname_iter *it)
{
        if (it->cur)
                mdb_cursor_close(it->cur);
        it->cur = NULL;
}
