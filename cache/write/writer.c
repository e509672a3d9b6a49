/* writer.c - transactional changes to the private store; what changed is
 * remembered for publishing (publish.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reserved.h"
#include "cache/read/wire.h"
#include "cache/write/answers-update.h"
#include "cache/write/fileio.h"
#include "cache/write/grow.h"
#include "cache/write/publish.h"
#include "cache/write/writer.h"

/* Sparse: the file only grows as far as it is used. */
#define MAP_SIZE ((size_t)4 << 30)

struct virtname_writer {
        char dir[PATH_MAX];            /* the store directory */
        char state[PATH_MAX];          /* the state directory */
        char path[PATH_MAX];           /* the private LMDB file this transaction writes */
        bool fresh;                    /* path is a new file that replaces the store at commit */
        int lock_fd;
        MDB_env *env;
        struct virtname_view view;
        struct virtname_change **changes;
        size_t n_changes, cap_changes;
        bool recreated;                /* a damaged store was moved aside */
        uint64_t generation;           /* the store's, when the transaction began */
        bool committed;                /* view is now a read-only look at the commit */
        char (*resync)[VIRTNAME_NETWORK_MAX + 1];      /* networks to derive again whole */
        size_t n_resync;
        bool private_dirty;            /* a private database written: commit even without changes */
        char previous[PATH_MAX];       /* fresh: the store it replaces */
        MDB_env *prev_env;             /* ... opened by virtname_writer_previous() */
        struct virtname_view prev;
        int prev_state;                /* 0: not tried, 1: open, -1: none */
        char err[512];
};

static int fail(struct virtname_writer *w, int rc, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(struct virtname_writer *w, int rc, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(w->err, sizeof(w->err), fmt, ap);
        va_end(ap);
        return rc;
}

/* LMDB error to -errno, with a message naming WHAT failed. */
static int mdb_fail(struct virtname_writer *w, int rc, const char *what)
{
        return fail(w, virtname_mdb_errno(rc), "%s: %s", what, mdb_strerror(rc));
}

const char *virtname_writer_error(const struct virtname_writer *w)
{
        return w->err;
}

const struct virtname_view *virtname_writer_view(const struct virtname_writer *w)
{
        return &w->view;
}

const char *virtname_writer_store_dir(const struct virtname_writer *w)
{
        return w->dir;
}

const char *virtname_writer_state_dir(const struct virtname_writer *w)
{
        return w->state;
}

struct virtname_change *const *virtname_writer_changes(const struct virtname_writer *w, size_t *n)
{
        *n = w->n_changes;
        return w->changes;
}

bool virtname_writer_whole(const struct virtname_writer *w)
{
        return w->fresh || w->recreated;
}

bool virtname_writer_changed(const struct virtname_writer *w)
{
        return w->n_changes > 0 || w->fresh;
}

uint64_t virtname_writer_generation(const struct virtname_writer *w)
{
        return w->generation;
}

MDB_txn *virtname_writer_txn(struct virtname_writer *w)
{
        return w->view.txn;
}

int virtname_writer_private_db(struct virtname_writer *w, const char *name, MDB_dbi *dbi)
{
        int rc = mdb_dbi_open(w->view.txn, name, w->committed ? 0 : MDB_CREATE, dbi);

        return rc == 0 ? 0 : mdb_fail(w, rc, name);
}

void virtname_writer_private_dirty(struct virtname_writer *w)
{
        w->private_dirty = true;
}

bool virtname_writer_recreated(const struct virtname_writer *w)
{
        return w->recreated;
}

static int64_t monotonic_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int take_lock(struct virtname_writer *w, int timeout_ms)
{
        char path[PATH_MAX];
        int64_t deadline = monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);

        if (virtname_path(path, sizeof(path), w->state, VIRTNAME_LOCK_NAME) < 0)
                return fail(w, -ENAMETOOLONG, "state path too long: %s", w->state);
        w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (w->lock_fd < 0)
                return fail(w, -errno, "cannot open %s: %s", path, strerror(errno));
        if (timeout_ms < 0) {
                while (flock(w->lock_fd, LOCK_EX) < 0)
                        if (errno != EINTR)
                                return fail(w, -errno, "cannot lock %s: %s", path, strerror(errno));
                return 0;
        }
        while (flock(w->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return fail(w, -errno, "cannot lock %s: %s", path, strerror(errno));
                if (monotonic_ms() >= deadline)
                        return fail(w, -ETIMEDOUT, "another writer held %s for more than %d ms",
                                    path, timeout_ms);
                usleep(1000);
        }
        return 0;
}

static int open_env(struct virtname_writer *w)
{
        int rc = mdb_env_create(&w->env);

        if (rc == 0)
                rc = mdb_env_set_maxdbs(w->env, VIRTNAME_DB_COUNT + VIRTNAME_WRITER_PRIVATE_DBS);
        if (rc == 0)
                rc = mdb_env_set_mapsize(w->env, MAP_SIZE);
        /* Our flock serialises every user of the file: no LMDB lock file. */
        if (rc == 0)
                rc = mdb_env_open(w->env, w->path, MDB_NOSUBDIR | MDB_NOLOCK, 0600);
        if (rc != 0) {
                mdb_env_close(w->env);
                w->env = NULL;
                return mdb_fail(w, rc, w->path);
        }
        return 0;
}

/* Keep a damaged store for inspection rather than deleting it. */
static int move_aside(struct virtname_writer *w)
{
        char to[PATH_MAX + 32];

        snprintf(to, sizeof(to), "%s.damaged-%lld", w->path, (long long)time(NULL));
        if (rename(w->path, to) < 0 && errno != ENOENT)
                return fail(w, -errno, "cannot move %s aside: %s", w->path, strerror(errno));
        return 0;
}

/* --- changes -------------------------------------------------------------- */

/* Remember that KEY of DB changed in this transaction, and what it held
 * before (OLD, NULL when nothing) while the changes are few enough for
 * anyone to follow them one by one (affected.h). */
static int note_change(struct virtname_writer *w, enum virtname_db db, const void *key, size_t klen,
                       const MDB_val *old)
{
        size_t olen = old && w->n_changes < VIRTNAME_WRITER_CHANGES_MAX ? old->mv_size : 0;
        struct virtname_change *c;

        /* A new file replaces the store whole: it is published whole, and
         * what derives from it follows it whole (virtname_writer_whole()). */
        if (w->fresh)
                return 0;

        if (!VIRTNAME_GROW(w->changes, w->cap_changes, w->n_changes + 1))
                return fail(w, -ENOMEM, "out of memory");
        c = malloc(sizeof(*c) + klen + olen);
        if (!c)
                return fail(w, -ENOMEM, "out of memory");
        c->db = db;
        c->klen = klen;
        c->seq = w->n_changes;
        c->had_old = old != NULL;
        c->old_len = olen;
        memcpy(c->key, key, klen);
        if (olen)
                memcpy(c->key + klen, old->mv_data, olen);
        w->changes[w->n_changes++] = c;
        return 0;
}

/* Put KEY -> VALUE unless it holds that already. */
static int idx_put(struct virtname_writer *w, enum virtname_db db, const void *k, size_t klen,
                   const void *v, size_t vlen)
{
        MDB_val key = { klen, (void *)k }, data = { vlen, (void *)v }, cur;
        int rc = mdb_get(w->view.txn, w->view.dbi[db], &key, &cur);

        if (rc == 0 && cur.mv_size == vlen && (vlen == 0 || memcmp(cur.mv_data, v, vlen) == 0))
                return 0;
        if (rc != 0 && rc != MDB_NOTFOUND)
                return mdb_fail(w, rc, virtname_db_name(db));
        /* Noted first: CUR points into a page the put may reuse. */
        if ((rc = note_change(w, db, k, klen, rc == 0 ? &cur : NULL)) < 0)
                return rc;
        rc = mdb_put(w->view.txn, w->view.dbi[db], &key, &data, 0);
        if (rc != 0)
                return mdb_fail(w, rc, virtname_db_name(db));
        return 0;
}

/* Delete KEY from DB; with V, only if its value is V. */
static int idx_del(struct virtname_writer *w, enum virtname_db db, const void *k, size_t klen,
                   const void *v, size_t vlen)
{
        MDB_val key = { klen, (void *)k }, cur;
        int rc = mdb_get(w->view.txn, w->view.dbi[db], &key, &cur);

        if (rc == MDB_NOTFOUND ||
            (rc == 0 && v && (cur.mv_size != vlen || memcmp(cur.mv_data, v, vlen) != 0)))
                return 0;
        if (rc != 0)
                return mdb_fail(w, rc, virtname_db_name(db));
        if ((rc = note_change(w, db, k, klen, &cur)) < 0)
                return rc;
        rc = mdb_del(w->view.txn, w->view.dbi[db], &key, NULL);
        if (rc != 0)
                return mdb_fail(w, rc, virtname_db_name(db));
        return 0;
}

/* Encode with a stack buffer for the common case, the heap otherwise. */
typedef size_t (*encode_fn)(const void *rec, uint8_t *buf, size_t cap);

static int put_record(struct virtname_writer *w, enum virtname_db db, const void *k, size_t klen,
                      encode_fn encode, const void *rec)
{
        uint8_t small[1024], *buf = small;
        size_t n = encode(rec, small, sizeof(small));
        int rc;

        if (n == 0)
                return fail(w, -EINVAL, "%s record: a string is too long", virtname_db_name(db));
        if (n > sizeof(small)) {
                buf = malloc(n);
                if (!buf)
                        return fail(w, -ENOMEM, "out of memory");
                encode(rec, buf, n);
        }
        rc = idx_put(w, db, k, klen, buf, n);
        if (buf != small)
                free(buf);
        return rc;
}

static size_t enc_lease(const void *r, uint8_t *b, size_t c) { return virtname_lease_encode(r, b, c); }
static size_t enc_domain(const void *r, uint8_t *b, size_t c) { return virtname_domain_encode(r, b, c); }
static size_t enc_network(const void *r, uint8_t *b, size_t c) { return virtname_network_encode(r, b, c); }

/* --- open, begin ---------------------------------------------------------- */

static int put_meta_uint(struct virtname_writer *w, const char *name, uint64_t val, size_t n)
{
        uint8_t b[8];

        virtname_le_put(b, val, n);
        return idx_put(w, VIRTNAME_DB_META, name, strlen(name), b, n);
}

/* A new store starts above every generation anything holds already. */
static int start_generation(struct virtname_writer *w, uint64_t floor)
{
        uint64_t published = virtname_published_generation_max(w->dir);

        return put_meta_uint(w, "generation", published > floor ? published : floor, 8);
}

static int begin(struct virtname_writer *w, uint64_t floor)
{
        struct virtname_meta meta;
        MDB_val k = { 6, (void *)"schema" }, d;
        int rc = mdb_txn_begin(w->env, NULL, 0, &w->view.txn);

        if (rc != 0) {
                w->view.txn = NULL;
                return mdb_fail(w, rc, "cannot begin a write transaction");
        }
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++) {
                rc = mdb_dbi_open(w->view.txn, virtname_db_name(db), MDB_CREATE, &w->view.dbi[db]);
                if (rc != 0)
                        return mdb_fail(w, rc, virtname_db_name(db));
        }
        rc = mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_META], &k, &d);
        if (rc == MDB_NOTFOUND) {
                rc = put_meta_uint(w, "schema", VIRTNAME_SCHEMA_VERSION, 4);
                if (rc == 0)
                        rc = start_generation(w, floor);
        } else if (rc != 0) {
                return mdb_fail(w, rc, "meta");
        }
        if (rc == 0 && (virtname_get_meta(&w->view, &meta) < 0 || meta.schema != VIRTNAME_SCHEMA_VERSION))
                return fail(w, -EBADMSG, "%s holds another schema version or damaged meta data; "
                                         "run 'virt-name-cache rebuild'", w->path);
        if (rc == 0)
                w->generation = meta.generation;
        return rc;
}

/* The generation of the store file at PATH, 0 when there is none. */
static uint64_t generation_of(const char *path)
{
        struct virtname_view v = { 0 };
        struct virtname_meta meta = { 0 };
        MDB_env *env;

        if (access(path, F_OK) < 0 || mdb_env_create(&env) != 0)
                return 0;
        mdb_env_set_maxdbs(env, VIRTNAME_DB_COUNT);
        if (mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0) == 0 &&
            mdb_txn_begin(env, NULL, MDB_RDONLY, &v.txn) == 0) {
                if (mdb_dbi_open(v.txn, virtname_db_name(VIRTNAME_DB_META), 0,
                                 &v.dbi[VIRTNAME_DB_META]) == 0)
                        virtname_get_meta(&v, &meta);
                mdb_txn_abort(v.txn);
        }
        mdb_env_close(env);
        return meta.generation;
}

static void close_previous(struct virtname_writer *w)
{
        if (w->prev.txn)
                mdb_txn_abort(w->prev.txn);
        w->prev.txn = NULL;
        if (w->prev_env)
                mdb_env_close(w->prev_env);
        w->prev_env = NULL;
}

const struct virtname_view *virtname_writer_previous(struct virtname_writer *w)
{
        struct virtname_meta meta;
        int rc;

        if (w->prev_state)
                return w->prev_state > 0 ? &w->prev : NULL;
        w->prev_state = -1;
        if (!w->fresh || access(w->previous, F_OK) < 0 || mdb_env_create(&w->prev_env) != 0) {
                w->prev_env = NULL;
                return NULL;
        }
        rc = mdb_env_set_maxdbs(w->prev_env, VIRTNAME_DB_COUNT + VIRTNAME_WRITER_PRIVATE_DBS);
        if (rc == 0)
                rc = mdb_env_set_mapsize(w->prev_env, MAP_SIZE);
        /* We hold the writer lock: nobody changes it meanwhile. */
        if (rc == 0)
                rc = mdb_env_open(w->prev_env, w->previous, MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0600);
        if (rc == 0)
                rc = mdb_txn_begin(w->prev_env, NULL, MDB_RDONLY, &w->prev.txn);
        for (int db = 0; rc == 0 && db < VIRTNAME_DB_COUNT; db++)
                rc = mdb_dbi_open(w->prev.txn, virtname_db_name(db), 0, &w->prev.dbi[db]);
        if (rc != 0 || virtname_get_meta(&w->prev, &meta) < 0 || meta.schema != VIRTNAME_SCHEMA_VERSION) {
                close_previous(w);
                return NULL;
        }
        w->prev_state = 1;
        return &w->prev;
}

static void release(struct virtname_writer *w)
{
        close_previous(w);
        if (w->view.txn)
                mdb_txn_abort(w->view.txn);
        if (w->env)
                mdb_env_close(w->env);
        if (w->fresh)
                unlink(w->path);        /* a rebuild that did not commit */
        if (w->lock_fd >= 0)
                close(w->lock_fd);      /* drops the flock */
        for (size_t i = 0; i < w->n_changes; i++)
                free(w->changes[i]);
        free(w->changes);
        free(w->resync);
        free(w);
}

int virtname_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                         struct virtname_writer **out, char *err, size_t errlen)
{
        struct virtname_writer *w = calloc(1, sizeof(*w));
        const char *given = dir;
        char store[PATH_MAX];
        bool locked = false;
        int rc = 0;

        *out = NULL;
        if (!w) {
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
        }
        w->lock_fd = -1;
        dir = virtname_store_dir(given);
        if (snprintf(w->dir, sizeof(w->dir), "%s", dir) >= (int)sizeof(w->dir) ||
            virtname_state_dir(given, w->state, sizeof(w->state)) < 0 ||
            virtname_path(store, sizeof(store), w->state, VIRTNAME_PRIVATE_NAME) < 0)
                rc = fail(w, -ENAMETOOLONG, "store path too long: %s", dir);
        else if ((rc = virtname_make_path(w->state, 0700)) < 0)
                rc = fail(w, rc, "cannot create %s: %s", w->state, strerror(-rc));
        if (rc == 0)
                rc = take_lock(w, lock_timeout_ms);
        locked = rc == 0;
        if (rc == 0 && (flags & VIRTNAME_WRITER_FRESH)) {
                /* A rebuild fills a new file, so the store never grows with
                 * the pages a rewrite in place would free. */
                if (snprintf(w->path, sizeof(w->path), "%s.new", store) >= (int)sizeof(w->path))
                        rc = fail(w, -ENAMETOOLONG, "state path too long: %s", w->state);
                unlink(w->path);
                w->fresh = true;
                memcpy(w->previous, store, sizeof(w->previous));
                if (rc == 0)
                        rc = open_env(w);
                if (rc == 0)
                        rc = begin(w, generation_of(store));
        } else if (rc == 0) {
                memcpy(w->path, store, sizeof(w->path));
                rc = open_env(w);
                if (rc == 0)
                        rc = begin(w, 0);
        }
        /* A damaged store: only with the lock held may it be moved aside. */
        if (rc != 0 && locked && !w->fresh && (flags & VIRTNAME_WRITER_RECREATE) &&
            (rc == -EBADMSG || rc == -EIO)) {
                if (w->view.txn)
                        mdb_txn_abort(w->view.txn);
                w->view.txn = NULL;
                if (w->env)
                        mdb_env_close(w->env);
                w->env = NULL;
                rc = move_aside(w);
                if (rc == 0)
                        rc = open_env(w);
                if (rc == 0)
                        rc = begin(w, 0);
                w->recreated = rc == 0;
        }
        if (rc != 0) {
                snprintf(err, errlen, "%s", w->err);
                release(w);
                return rc;
        }
        *out = w;
        return 0;
}

void virtname_writer_close(struct virtname_writer *w)
{
        if (w)
                release(w);
}

/* --- meta ---------------------------------------------------------------- */

int virtname_writer_put_meta(struct virtname_writer *w, const char *name, const void *value,
                             size_t len)
{
        return idx_put(w, VIRTNAME_DB_META, name, strlen(name), value, len);
}

int virtname_writer_del_meta(struct virtname_writer *w, const char *name)
{
        return idx_del(w, VIRTNAME_DB_META, name, strlen(name), NULL, 0);
}

/* --- leases ---------------------------------------------------------------- */

/* The host index key of a host name: its first label, normalised. */
static int host_key(struct virtname_str hostname, char key[VIRTNAME_NAME_MAX + 1])
{
        char label[VIRTNAME_NAME_MAX + 1];
        size_t n = 0;

        while (n < hostname.len && n < VIRTNAME_NAME_MAX && hostname.p[n] != '.') {
                label[n] = hostname.p[n];
                n++;
        }
        label[n] = '\0';
        return n == 0 ? -EINVAL : virtname_name_normalise(label, key);
}

/* Would a lease with these fields have the same index entries as OLD? */
static bool same_index(const struct virtname_lease_view *old, struct virtname_str hostname,
                       struct virtname_str network, unsigned flags, const uint8_t *mac)
{
        char a[VIRTNAME_NAME_MAX + 1], b[VIRTNAME_NAME_MAX + 1];
        int alen = old->hostname.len ? host_key(old->hostname, a) : -ENOENT;
        int blen = hostname.len ? host_key(hostname, b) : -ENOENT;

        /* no host key on either side (none, or not a name) is the same */
        if ((alen < 0) != (blen < 0) || (alen > 0 && (alen != blen || memcmp(a, b, (size_t)alen) != 0)))
                return false;
        if ((old->flags & VIRTNAME_LEASE_HAS_MAC) != (flags & VIRTNAME_LEASE_HAS_MAC))
                return false;
        return !(flags & VIRTNAME_LEASE_HAS_MAC) ||
               (memcmp(old->mac, mac, VIRTNAME_MAC_LEN) == 0 && old->network.len == network.len &&
                memcmp(old->network.p, network.p, network.len) == 0);
}

/* Add (ADD) or remove the index entries of the lease at LKEY (LLEN
 * bytes). */
static int index_lease(struct virtname_writer *w, const uint8_t *lkey, size_t llen,
                       struct virtname_str hostname, struct virtname_str network, unsigned flags,
                       const uint8_t *mac, bool add)
{
        uint8_t k[VIRTNAME_KEY_MAX];
        char hkey[VIRTNAME_NAME_MAX + 1];
        int hlen = hostname.len ? host_key(hostname, hkey) : -ENOENT, rc = 0;
        size_t n;

        if (hlen > 0 &&
            (n = virtname_hostidx_key((struct virtname_str){ hkey, (size_t)hlen }, lkey, llen, k)))
                rc = add ? idx_put(w, VIRTNAME_DB_HOSTIDX, k, n, "", 0)
                         : idx_del(w, VIRTNAME_DB_HOSTIDX, k, n, NULL, 0);
        /* lkey starts with the address key (record.h). */
        if (rc == 0 && (flags & VIRTNAME_LEASE_HAS_MAC) &&
            (n = virtname_ifaceidx_key(network, mac, lkey, k)))
                rc = add ? idx_put(w, VIRTNAME_DB_IFACEIDX, k, n, "", 0)
                         : idx_del(w, VIRTNAME_DB_IFACEIDX, k, n, NULL, 0);
        return rc;
}

/* The stored lease at LKEY (LLEN bytes), decoded and raw: 0, -ENOENT,
 * -EBADMSG (damaged: overwrite it). */
static int get_lease(struct virtname_writer *w, const uint8_t *lkey, size_t llen,
                     struct virtname_lease_view *l, MDB_val *raw)
{
        MDB_val k = { llen, (void *)lkey };
        int rc = mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_LEASES], &k, raw);

        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        if (rc != 0)
                return mdb_fail(w, rc, "leases");
        return virtname_lease_decode(raw->mv_data, raw->mv_size, l);
}

int virtname_lease_keep_evidence(struct virtname_lease *l, const struct virtname_lease_view *old,
                                 char port[VIRTNAME_NAME_MAX + 1])
{
        if (old->port.len > VIRTNAME_NAME_MAX)
                return -EBADMSG;
        l->evidence = old->evidence;
        l->proved = old->proved;
        l->proved_id = old->proved_id;
        memcpy(port, old->port.p, old->port.len);
        port[old->port.len] = '\0';
        l->port = port;
        return 0;
}

int virtname_writer_put_lease(struct virtname_writer *w, const struct virtname_lease *l)
{
        struct virtname_lease copy = *l;
        struct virtname_lease_view old;
        uint8_t key[VIRTNAME_LEASE_KEY_MAX], enc[1024];
        char port[VIRTNAME_NAME_MAX + 1];
        size_t n, klen;
        MDB_val raw;
        int rc;

        if (l->family != AF_INET && l->family != AF_INET6)
                return fail(w, -EAFNOSUPPORT, "lease: unknown address family %d", l->family);
        if (l->hostname && *l->hostname && !virtname_hostname_valid(l->hostname))
                return fail(w, -EINVAL, "lease: invalid host name");
        if (l->family == AF_INET)
                memset(copy.addr + 4, 0, 12);
        klen = virtname_lease_key(l->family, copy.addr, virtname_str_of(copy.network), key);
        if (klen == 0)
                return fail(w, -EINVAL, "lease: network name longer than %d bytes", VIRTNAME_NETWORK_MAX);
        rc = get_lease(w, key, klen, &old, &raw);
        if (rc < 0 && rc != -ENOENT && rc != -EBADMSG)
                return rc;
        if (rc == 0) {
                bool same_mac = (old.flags & l->flags & VIRTNAME_LEASE_HAS_MAC) &&
                                memcmp(old.mac, l->mac, VIRTNAME_MAC_LEN) == 0;

                /* The administrator's word for an address stays: a
                 * network's static host, or an address a domain's
                 * <metadata> gives (to anything but the same domain's
                 * metadata again). */
                if ((old.flags & VIRTNAME_LEASE_STATIC) && !(l->flags & VIRTNAME_LEASE_STATIC))
                        return 0;
                if ((old.flags & VIRTNAME_LEASE_ADMIN) && !(l->flags & VIRTNAME_LEASE_STATIC) &&
                    !((l->flags & VIRTNAME_LEASE_ADMIN) && same_mac))
                        return 0;
                /* A claim never displaces evidence: while the port of the
                 * domain holding the address answers for it, a DHCP
                 * report of it with another MAC (any guest can put any
                 * MAC in its DHCP payload) is refused.  An
                 * administrator's word is not a claim. */
                if (!same_mac && !copy.proved && !(copy.flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)) &&
                    virtname_lease_proven(&w->view, &old) == 1) {
                        char text[INET6_ADDRSTRLEN] = "?";

                        inet_ntop(old.family, old.addr, text, sizeof(text));
                        return fail(w, -EEXIST, "lease %s: the port of the domain that holds it answers "
                                                "for it; a DHCP report with another MAC does not take it",
                                    text);
                }
                /* A report that says nothing of evidence (DHCP) keeps what
                 * the same MAC's port said. */
                if (same_mac && !copy.proved && virtname_lease_keep_evidence(&copy, &old, port) < 0)
                        return fail(w, -EBADMSG, "lease: damaged port name");
                /* The same lease again (dnsmasq's "old" at every start):
                 * nothing to write. */
                n = virtname_lease_encode(&copy, enc, sizeof(enc));
                if (n && n <= sizeof(enc) && n == raw.mv_size && memcmp(enc, raw.mv_data, n) == 0)
                        return 0;
                /* A renewal changes the expiry, not what the lease is
                 * indexed by: leave the index pages alone. */
                if (same_index(&old, virtname_str_of(copy.hostname), virtname_str_of(copy.network),
                               copy.flags, copy.mac))
                        return put_record(w, VIRTNAME_DB_LEASES, key, klen, enc_lease, &copy);
                rc = index_lease(w, key, klen, old.hostname, old.network, old.flags, old.mac, false);
                if (rc < 0)
                        return rc;
        }
        rc = put_record(w, VIRTNAME_DB_LEASES, key, klen, enc_lease, &copy);
        if (rc == 0)
                rc = index_lease(w, key, klen, virtname_str_of(copy.hostname),
                                 virtname_str_of(copy.network), copy.flags, copy.mac, true);
        return rc;
}

/* Delete the lease at KEY (KLEN bytes). */
static int del_lease_key(struct virtname_writer *w, const uint8_t *key, size_t klen, bool dynamic_only)
{
        struct virtname_lease_view old;
        MDB_val raw;
        int rc = get_lease(w, key, klen, &old, &raw);

        if (rc == -ENOENT || (rc == 0 && dynamic_only && (old.flags & VIRTNAME_LEASE_STATIC)))
                return 0;
        if (rc == 0)
                rc = index_lease(w, key, klen, old.hostname, old.network, old.flags, old.mac, false);
        else if (rc != -EBADMSG)
                return rc;
        return idx_del(w, VIRTNAME_DB_LEASES, key, klen, NULL, 0);
}

int virtname_writer_del_lease(struct virtname_writer *w, int family, const uint8_t addr[16],
                              const char *network, bool dynamic_only)
{
        uint8_t key[VIRTNAME_LEASE_KEY_MAX], full[16] = { 0 };
        size_t klen;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        klen = virtname_lease_key(family, full, virtname_str_of(network), key);
        return klen ? del_lease_key(w, key, klen, dynamic_only) : 0;
}

int virtname_writer_del_address(struct virtname_writer *w, int family, const uint8_t addr[16],
                                const uint8_t *mac)
{
        uint8_t prefix[VIRTNAME_ADDR_KEY_LEN], full[16] = { 0 }, (*doomed)[VIRTNAME_LEASE_KEY_MAX];
        size_t lens[16], n = 0;
        struct virtname_lease_view l;
        MDB_cursor *cur;
        MDB_val k, d;
        int rc;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        virtname_addr_key(family, full, prefix);
        doomed = malloc(16 * sizeof(*doomed));
        if (!doomed)
                return fail(w, -ENOMEM, "out of memory");
        rc = mdb_cursor_open(w->view.txn, w->view.dbi[VIRTNAME_DB_LEASES], &cur);
        if (rc != 0) {
                free(doomed);
                return mdb_fail(w, rc, "leases");
        }
        k = (MDB_val){ sizeof(prefix), prefix };
        /* A handful of networks at most lease one address. */
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE); rc == 0 && n < 16;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
                if (k.mv_size < sizeof(prefix) || k.mv_size > VIRTNAME_LEASE_KEY_MAX ||
                    memcmp(k.mv_data, prefix, sizeof(prefix)) != 0)
                        break;
                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 ||
                    (l.flags & VIRTNAME_LEASE_STATIC) ||
                    (mac && (!(l.flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(l.mac, mac, VIRTNAME_MAC_LEN))))
                        continue;
                memcpy(doomed[n], k.mv_data, k.mv_size);
                lens[n++] = k.mv_size;
        }
        mdb_cursor_close(cur);
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
                rc = del_lease_key(w, doomed[i], lens[i], true);
        free(doomed);
        return rc;
}

int virtname_writer_prune_leases(struct virtname_writer *w, const char *network,
                                 virtname_lease_filter keep, void *ctx)
{
        MDB_cursor *cur;
        MDB_val k, d;
        struct virtname_lease_view l;
        struct {
                size_t len;
                uint8_t key[VIRTNAME_LEASE_KEY_MAX];
        } *doomed = NULL;
        size_t n = 0, cap = 0;
        int rc = mdb_cursor_open(w->view.txn, w->view.dbi[VIRTNAME_DB_LEASES], &cur);

        if (rc != 0)
                return mdb_fail(w, rc, "leases");
        /* Collect first, delete after: the deletions change the index. */
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
                if (k.mv_size < VIRTNAME_ADDR_KEY_LEN || k.mv_size > VIRTNAME_LEASE_KEY_MAX ||
                    virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 ||
                    !virtname_str_eq(l.network, network) || (keep && keep(&l, ctx)))
                        continue;
                if (!VIRTNAME_GROW(doomed, cap, n + 1)) {
                        rc = ENOMEM;
                        break;
                }
                memcpy(doomed[n].key, k.mv_data, k.mv_size);
                doomed[n++].len = k.mv_size;
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND) {
                free(doomed);
                return rc == ENOMEM ? fail(w, -ENOMEM, "out of memory") : mdb_fail(w, rc, "leases");
        }
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
                rc = del_lease_key(w, doomed[i].key, doomed[i].len, false);
        free(doomed);
        return rc;
}

/* --- domains --------------------------------------------------------------- */

static int get_domain(struct virtname_writer *w, const char *key, size_t klen,
                      struct virtname_domain_view *d, MDB_val *raw)
{
        MDB_val k = { klen, (void *)key };
        int rc = mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_DOMAINS], &k, raw);

        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        if (rc != 0)
                return mdb_fail(w, rc, "domains");
        return virtname_domain_decode(raw->mv_data, raw->mv_size, d);
}

static int index_owner(struct virtname_writer *w, const uint8_t *mac, struct virtname_str network,
                       struct virtname_str key, bool add)
{
        uint8_t k[VIRTNAME_KEY_MAX];
        size_t n = virtname_owner_key(network, mac, key, k);

        if (n == 0)
                return 0;       /* not on a libvirt network: owns no leases */
        return add ? idx_put(w, VIRTNAME_DB_OWNERS, k, n, "", 0)
                   : idx_del(w, VIRTNAME_DB_OWNERS, k, n, NULL, 0);
}

/* The dnames key of the domain with key KEY: its name normalised, NUL,
 * KEY; 0 for a name that cannot be a lookup key (it is found only by
 * its exact name, UUID or ID). */
static size_t dname_key(const char *key, size_t klen, uint8_t *out)
{
        char name[VIRTNAME_NAME_MAX + 1], norm[VIRTNAME_NAME_MAX + 1];
        int n;

        memcpy(name, key, klen);
        name[klen] = '\0';
        if ((n = virtname_name_normalise(name, norm)) < 0)
                return 0;
        memcpy(out, norm, (size_t)n);
        out[n] = '\0';
        memcpy(out + n + 1, key, klen);
        return (size_t)n + 1 + klen;
}

/* Add (ADD) or remove the index entries of domain D under KEY. */
static int index_domain(struct virtname_writer *w, const char *key, size_t klen, const struct virtname_domain_view *d,
                        bool add)
{
        struct virtname_iface_view f;
        uint8_t dk[2 * VIRTNAME_NAME_MAX + 2];
        size_t pos = 0, n = dname_key(key, klen, dk);
        int rc = 0;

        while (rc == 0 && virtname_domain_iface_next(d, &pos, &f))
                rc = index_owner(w, f.mac, f.network, (struct virtname_str){ key, klen }, add);
        if (rc == 0 && n)
                rc = add ? idx_put(w, VIRTNAME_DB_DNAMES, dk, n, "", 0) : idx_del(w, VIRTNAME_DB_DNAMES, dk, n, NULL, 0);
        if (rc == 0 && d->has_uuid)
                rc = add ? idx_put(w, VIRTNAME_DB_UUIDS, d->uuid, VIRTNAME_UUID_LEN, key, klen)
                         : idx_del(w, VIRTNAME_DB_UUIDS, d->uuid, VIRTNAME_UUID_LEN, key, klen);
        if (rc == 0 && d->id >= 0) {
                uint8_t idkey[4];

                virtname_id_key((uint32_t)d->id, idkey);
                rc = add ? idx_put(w, VIRTNAME_DB_IDS, idkey, sizeof(idkey), key, klen)
                         : idx_del(w, VIRTNAME_DB_IDS, idkey, sizeof(idkey), key, klen);
        }
        return rc;
}

/* Delete the domain at KEY with its index entries. */
static int del_domain_key(struct virtname_writer *w, const char *key, size_t klen)
{
        struct virtname_domain_view old;
        MDB_val raw;
        int rc = get_domain(w, key, klen, &old, &raw);

        if (rc == -ENOENT)
                return 0;
        if (rc == 0)
                rc = index_domain(w, key, klen, &old, false);
        else if (rc == -EBADMSG)
                rc = 0;
        return rc < 0 ? rc : idx_del(w, VIRTNAME_DB_DOMAINS, key, klen, NULL, 0);
}

static bool domain_key_ok(const char *name)
{
        return name && *name && strlen(name) <= VIRTNAME_NAME_MAX;
}

int virtname_writer_put_domain(struct virtname_writer *w, const struct virtname_domain *d)
{
        uint8_t small[1024];
        struct virtname_domain_view old, now;
        MDB_val raw, renamed;
        size_t klen, n;
        int rc;

        if (!domain_key_ok(d->name))
                return fail(w, -EINVAL, "domain: unusable name (empty, or longer than %d bytes)", VIRTNAME_NAME_MAX);
        klen = strlen(d->name);
        /* The same UUID under another name: the domain was renamed. */
        if (d->has_uuid &&
            mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_UUIDS], &(MDB_val){ VIRTNAME_UUID_LEN, (void *)d->uuid },
                    &renamed) == 0 &&
            (renamed.mv_size != klen || memcmp(renamed.mv_data, d->name, klen) != 0)) {
                char other[VIRTNAME_NAME_MAX + 1];

                if (renamed.mv_size > VIRTNAME_NAME_MAX)
                        return fail(w, -EBADMSG, "damaged uuids index");
                memcpy(other, renamed.mv_data, renamed.mv_size);
                if ((rc = del_domain_key(w, other, renamed.mv_size)) < 0)
                        return rc;
        }
        rc = get_domain(w, d->name, klen, &old, &raw);
        if (rc == 0) {
                /* The same record again (a reconnect, a repeated hook), but
                 * for the time it was seen: nothing to write. */
                struct virtname_domain same = *d;

                same.updated = old.updated;
                n = virtname_domain_encode(&same, small, sizeof(small));
                if (n && n <= sizeof(small) && n == raw.mv_size && memcmp(small, raw.mv_data, n) == 0)
                        return 0;
                rc = index_domain(w, d->name, klen, &old, false);
        } else if (rc == -ENOENT || rc == -EBADMSG) {
                rc = 0;
        }
        if (rc == 0)
                rc = put_record(w, VIRTNAME_DB_DOMAINS, d->name, klen, enc_domain, d);
        if (rc == 0 && (rc = get_domain(w, d->name, klen, &now, &raw)) == 0)
                rc = index_domain(w, d->name, klen, &now, true);
        return rc;
}

int virtname_writer_del_domain(struct virtname_writer *w, const char *name)
{
        if (!domain_key_ok(name))
                return fail(w, -EINVAL, "domain: unusable name");
        return del_domain_key(w, name, strlen(name));
}

/* --- networks -------------------------------------------------------------- */

int virtname_writer_put_network(struct virtname_writer *w, const struct virtname_network *n)
{
        if (!n->name || !*n->name || strlen(n->name) > VIRTNAME_NETWORK_MAX)
                return fail(w, -EINVAL, "network: unusable name (empty, or longer than %d bytes)",
                            VIRTNAME_NETWORK_MAX);
        return put_record(w, VIRTNAME_DB_NETWORKS, n->name, strlen(n->name), enc_network, n);
}

/* --- commit and publish ----------------------------------------------------- */

int virtname_writer_resync(struct virtname_writer *w, const char *network)
{
        void *more;

        if (strlen(network) > VIRTNAME_NETWORK_MAX)
                return fail(w, -EINVAL, "network name too long: %.64s...", network);
        for (size_t i = 0; i < w->n_resync; i++)
                if (strcmp(w->resync[i], network) == 0)
                        return 0;
        if (!(more = reallocarray(w->resync, w->n_resync + 1, sizeof(*w->resync))))
                return fail(w, -ENOMEM, "out of memory");
        w->resync = more;
        snprintf(w->resync[w->n_resync++], sizeof(w->resync[0]), "%s", network);
        return 0;
}

const char (*virtname_writer_resyncs(const struct virtname_writer *w, size_t *n))[VIRTNAME_NETWORK_MAX + 1]
{
        *n = w->n_resync;
        return (const char (*)[VIRTNAME_NETWORK_MAX + 1])w->resync;
}

static int put_answers(void *ctx, const char *key, const uint8_t *value, size_t len)
{
        struct virtname_writer *w = ctx;

        return value ? idx_put(w, VIRTNAME_DB_ANSWERS, key, strlen(key), value, len)
                     : idx_del(w, VIRTNAME_DB_ANSWERS, key, strlen(key), NULL, 0);
}

/* Step 1: the answers of the names the transaction changed
 * (answers-update.h), the new generation and its time, in the
 * transaction. */
static int stamp(struct virtname_writer *w, int64_t now)
{
        bool whole = virtname_writer_whole(w) || w->n_changes > VIRTNAME_WRITER_CHANGES_MAX;
        int rc = virtname_answers_update(&w->view, w->changes, w->n_changes, whole, now, put_answers, w);

        if (rc < 0)
                return fail(w, rc, "cannot derive the answers: %s", strerror(-rc));
        rc = put_meta_uint(w, "generation", w->generation + 1, 8);
        return rc < 0 ? rc : put_meta_uint(w, "updated", (uint64_t)now, 8);
}

/* Remove the replay ledger: its word no longer holds once this
 * transaction commits.  0, or -EIO (W's error says why). */
static int forget_replays(struct virtname_writer *w)
{
        char path[PATH_MAX];

        if (virtname_path(path, sizeof(path), w->state, VIRTNAME_REPLAY_NAME) < 0)
                return fail(w, -EIO, "state path too long: %s", w->state);
        if (unlink(path) < 0 && errno != ENOENT)
                return fail(w, -EIO, "cannot remove %s: %s", path, strerror(errno));
        return 0;
}

/* Step 2: make the transaction durable (nothing to write when it changed
 * nothing); a rebuilt store then replaces the old one whole. */
static int make_durable(struct virtname_writer *w, bool changed)
{
        bool commit = changed || w->private_dirty;
        char store[PATH_MAX];
        int mrc;

        /* The replay ledger (cache/ingest/replay.h) vouches for the store
         * as it is: it goes before any commit can be seen. */
        if (commit && forget_replays(w) < 0) {
                mdb_txn_abort(w->view.txn);
                w->view.txn = NULL;
                return -EIO;
        }
        mrc = commit ? mdb_txn_commit(w->view.txn) : (mdb_txn_abort(w->view.txn), 0);
        w->view.txn = NULL;
        if (mrc != 0)
                return mdb_fail(w, mrc, "cannot commit");
        if (changed)
                w->generation++;
        if (!w->fresh)
                return 0;
        virtname_path(store, sizeof(store), w->state, VIRTNAME_PRIVATE_NAME);
        if (mdb_env_sync(w->env, 1) != 0 || rename(w->path, store) < 0)
                return fail(w, -errno, "cannot replace %s: %s", store, strerror(errno));
        snprintf(w->path, sizeof(w->path), "%s", store);
        w->fresh = false;
        return 0;
}

/* Step 3: readers see the committed generation: normally a new delta of
 * the keys changed, a new base when asked or when the delta has grown. */
static int publish(struct virtname_writer *w, bool whole)
{
        struct virtname_publish p = { w->dir, w->path, w->env, w->view.dbi, w->generation,
                                      w->changes, w->n_changes, whole };
        char why[sizeof(w->err)];

        if (virtname_publish(&p, w->err, sizeof(w->err)) == 0)
                return 0;
        snprintf(why, sizeof(why), "%s", w->err);
        return fail(w, -EAGAIN, "change saved, but the snapshot was not published (%s)", why);
}

/* Then W's view is the committed store, read-only, for what follows from
 * it (the caller's derived views). */
static int look_back(struct virtname_writer *w)
{
        int rc = mdb_txn_begin(w->env, NULL, MDB_RDONLY, &w->view.txn);

        /* The handles of a transaction that was aborted died with it. */
        for (int db = 0; rc == 0 && db < VIRTNAME_DB_COUNT; db++)
                rc = mdb_dbi_open(w->view.txn, virtname_db_name(db), 0, &w->view.dbi[db]);
        if (rc != 0) {
                if (w->view.txn)
                        mdb_txn_abort(w->view.txn);
                w->view.txn = NULL;
                return mdb_fail(w, rc, "cannot read the store back");
        }
        w->committed = true;
        return 0;
}

int virtname_writer_commit_keep(struct virtname_writer *w, unsigned flags, char *err, size_t errlen)
{
        bool changed = virtname_writer_changed(w), was_fresh = w->fresh;
        int rc = changed ? stamp(w, (int64_t)time(NULL)) : 0;

        if (rc == 0)
                rc = make_durable(w, changed);
        /* A transaction that only wrote a private database publishes
         * nothing; any other publishes again when the snapshot is not
         * current (a writer killed before publishing, /run emptied). */
        if (rc == 0 && (changed || !w->private_dirty))
                rc = publish(w, (flags & VIRTNAME_WRITER_REPUBLISH) || was_fresh);
        if ((rc == 0 || rc == -EAGAIN) && look_back(w) < 0)
                rc = -EAGAIN;   /* committed all the same */
        if (rc != 0 && err)
                snprintf(err, errlen, "%s", w->err);
        return rc;
}

int virtname_writer_commit(struct virtname_writer *w, char *err, size_t errlen)
{
        int rc = virtname_writer_commit_keep(w, 0, err, errlen);

        virtname_writer_close(w);
        return rc;
}
