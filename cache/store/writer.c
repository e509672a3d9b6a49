/* writer.c - transactional changes to the private store, and publishing
 * the read-only snapshot after each commit. */
#define _GNU_SOURCE
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

#include "store/lookup.h"
#include "store/names.h"
#include "store/reader.h"
#include "store/writer.h"

/* Sparse: the file only grows as far as it is used. */
#define MAP_SIZE ((size_t)1 << 30)

struct virtname_writer {
        char dir[PATH_MAX];
        int lock_fd;
        MDB_env *env;
        struct virtname_view view;
        char err[512];
};

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
        int e = rc > 0 ? rc : rc == MDB_MAP_FULL ? ENOSPC
                                                 : rc == MDB_NOTFOUND ? ENOENT
                                                                      : EIO;

        return fail(w, -e, "%s: %s", what, mdb_strerror(rc));
}

const char *virtname_writer_error(const struct virtname_writer *w)
{
        return w->err;
}

const struct virtname_view *virtname_writer_view(const struct virtname_writer *w)
{
        return &w->view;
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
        int64_t deadline = monotonic_ms() + timeout_ms;

        if (virtname_store_path(path, sizeof(path), w->dir, VIRTNAME_PRIVATE_NAME "/writer.lock") < 0)
                return fail(w, -ENAMETOOLONG, "store path too long: %s", w->dir);
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
                        return fail(w, -ETIMEDOUT,
                                    "another writer held %s for more than %d ms", path, timeout_ms);
                usleep(1000);
        }
        return 0;
}

/* mkdir -p DIR (0755). */
static int make_path(char *dir)
{
        if (mkdir(dir, 0755) == 0 || errno == EEXIST)
                return 0;
        if (errno == ENOENT) {
                char *slash = strrchr(dir, '/');

                if (slash && slash != dir) {
                        int rc;

                        *slash = '\0';
                        rc = make_path(dir);
                        *slash = '/';
                        if (rc == 0 && (mkdir(dir, 0755) == 0 || errno == EEXIST))
                                return 0;
                }
        }
        return -errno;
}

static int make_dirs(struct virtname_writer *w)
{
        char priv[PATH_MAX];

        if (make_path(w->dir) < 0)
                return fail(w, -errno, "cannot create %s: %s", w->dir, strerror(errno));
        if (virtname_store_path(priv, sizeof(priv), w->dir, VIRTNAME_PRIVATE_NAME) < 0)
                return fail(w, -ENAMETOOLONG, "store path too long: %s", w->dir);
        if (mkdir(priv, 0700) < 0 && errno != EEXIST)
                return fail(w, -errno, "cannot create %s: %s", priv, strerror(errno));
        return 0;
}

static int open_env(struct virtname_writer *w)
{
        char priv[PATH_MAX];
        int rc;

        virtname_store_path(priv, sizeof(priv), w->dir, VIRTNAME_PRIVATE_NAME);
        rc = mdb_env_create(&w->env);
        if (rc == 0)
                rc = mdb_env_set_maxdbs(w->env, VIRTNAME_DB_COUNT);
        if (rc == 0)
                rc = mdb_env_set_mapsize(w->env, MAP_SIZE);
        if (rc == 0)
                rc = mdb_env_open(w->env, priv, 0, 0600);
        if (rc != 0) {
                mdb_env_close(w->env);
                w->env = NULL;
                return mdb_fail(w, rc, priv);
        }
        return 0;
}

/* Keep a damaged store for inspection rather than deleting it. */
static int move_aside(struct virtname_writer *w)
{
        char from[PATH_MAX], to[PATH_MAX + 32];

        virtname_store_path(from, sizeof(from), w->dir, VIRTNAME_PRIVATE_NAME "/data.mdb");
        snprintf(to, sizeof(to), "%s.damaged-%lld", from, (long long)time(NULL));
        if (rename(from, to) < 0 && errno != ENOENT)
                return fail(w, -errno, "cannot move %s aside: %s", from, strerror(errno));
        return 0;
}

static int put_meta(struct virtname_writer *w, const char *name, uint64_t val, size_t n)
{
        uint8_t b[8];
        MDB_val k = { strlen(name), (void *)name }, d = { n, b };
        int rc;

        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(val >> (8 * i));
        rc = mdb_put(w->view.txn, w->view.dbi[VIRTNAME_DB_META], &k, &d, 0);
        return rc ? mdb_fail(w, rc, "cannot write meta data") : 0;
}

static int begin(struct virtname_writer *w)
{
        struct virtname_meta meta;
        MDB_val k = { 6, (void *)"schema" }, d;
        int rc = mdb_txn_begin(w->env, NULL, 0, &w->view.txn);

        if (rc != 0)
                return mdb_fail(w, rc, "cannot begin a write transaction");
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++) {
                rc = mdb_dbi_open(w->view.txn, virtname_db_name(db),
                                  virtname_db_flags(db) | MDB_CREATE, &w->view.dbi[db]);
                if (rc != 0)
                        return mdb_fail(w, rc, virtname_db_name(db));
        }
        if (mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_META], &k, &d) == MDB_NOTFOUND)
                return put_meta(w, "schema", VIRTNAME_SCHEMA_VERSION, 4);
        if (virtname_get_meta(&w->view, &meta) < 0 || meta.schema != VIRTNAME_SCHEMA_VERSION)
                return fail(w, -EPROTO, "%s holds another schema version; run "
                                        "'virt-name-cache rebuild'", w->dir);
        return 0;
}

static void release(struct virtname_writer *w)
{
        if (w->view.txn)
                mdb_txn_abort(w->view.txn);
        if (w->env)
                mdb_env_close(w->env);
        if (w->lock_fd >= 0)
                close(w->lock_fd);      /* drops the flock */
        free(w);
}

int virtname_writer_open(const char *dir, int lock_timeout_ms, unsigned flags,
                    struct virtname_writer **out, char *err, size_t errlen)
{
        struct virtname_writer *w = calloc(1, sizeof(*w));
        int rc;

        *out = NULL;
        if (!w) {
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
        }
        w->lock_fd = -1;
        dir = virtname_store_dir(dir);
        if (strlen(dir) >= sizeof(w->dir) - 32)
                rc = fail(w, -ENAMETOOLONG, "store path too long: %s", dir);
        else
                rc = (snprintf(w->dir, sizeof(w->dir), "%s", dir), make_dirs(w));
        if (rc == 0)
                rc = take_lock(w, lock_timeout_ms);
        if (rc == 0)
                rc = open_env(w);
        if (rc == 0)
                rc = begin(w);
        if (rc != 0 && (flags & VIRTNAME_WRITER_RECREATE) && w->lock_fd >= 0) {
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
                        rc = begin(w);
        }
        if (rc != 0) {
                snprintf(err, errlen, "%s", w->err);
                release(w);
                return rc;
        }
        *out = w;
        return 0;
}

void virtname_writer_abort(struct virtname_writer *w)
{
        if (w)
                release(w);
}

/* --- index helpers ------------------------------------------------------ */

static int idx_put(struct virtname_writer *w, enum virtname_db db, const void *k, size_t klen,
                   const void *v, size_t vlen)
{
        MDB_val key = { klen, (void *)k }, data = { vlen, (void *)v };
        int rc = mdb_put(w->view.txn, w->view.dbi[db], &key, &data, 0);

        return rc && rc != MDB_KEYEXIST ? mdb_fail(w, rc, virtname_db_name(db)) : 0;
}

/* Delete KEY from DB; with V, only the duplicate V (dupsort) or only if
 * the value is V (plain). */
static int idx_del(struct virtname_writer *w, enum virtname_db db, const void *k, size_t klen,
                   const void *v, size_t vlen)
{
        MDB_val key = { klen, (void *)k }, data = { vlen, (void *)v }, cur;
        int rc;

        if (v && !(virtname_db_flags(db) & MDB_DUPSORT)) {
                rc = mdb_get(w->view.txn, w->view.dbi[db], &key, &cur);
                if (rc == MDB_NOTFOUND || (rc == 0 && (cur.mv_size != vlen ||
                                                      memcmp(cur.mv_data, v, vlen) != 0)))
                        return 0;
                v = NULL;
        }
        rc = mdb_del(w->view.txn, w->view.dbi[db], &key, v ? &data : NULL);
        return rc && rc != MDB_NOTFOUND ? mdb_fail(w, rc, virtname_db_name(db)) : 0;
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

/* The host name index key of a lease: its first label, normalised. */
static int host_key(struct virtname_str hostname, char key[VIRTNAME_NAME_MAX + 1])
{
        char label[VIRTNAME_NAME_MAX + 1];
        size_t n = 0;

        while (n < hostname.len && n < VIRTNAME_NAME_MAX && hostname.p[n] != '.') {
                label[n] = hostname.p[n];
                n++;
        }
        label[n] = '\0';
        return n == 0 ? -1 : virtname_name_normalise(label, key);
}

/* --- leases ---------------------------------------------------------- */

static int unindex_lease(struct virtname_writer *w, const uint8_t *key)
{
        MDB_val k = { VIRTNAME_LEASE_KEY_LEN, (void *)key }, d;
        struct virtname_lease_view old;
        char hkey[VIRTNAME_NAME_MAX + 1];
        int rc = mdb_get(w->view.txn, w->view.dbi[VIRTNAME_DB_LEASES], &k, &d), hlen;

        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        if (rc != 0)
                return mdb_fail(w, rc, "leases");
        if (virtname_lease_decode(d.mv_data, d.mv_size, &old) < 0)
                return 0;       /* damaged: nothing we can unindex; overwritten next */
        hlen = host_key(old.hostname, hkey);
        if (hlen > 0 && (rc = idx_del(w, VIRTNAME_DB_HOSTS, hkey, (size_t)hlen, key,
                                      VIRTNAME_LEASE_KEY_LEN)) < 0)
                return rc;
        if (old.flags & VIRTNAME_LEASE_HAS_MAC)
                return idx_del(w, VIRTNAME_DB_MAC_LEASES, old.mac, VIRTNAME_MAC_LEN, key,
                               VIRTNAME_LEASE_KEY_LEN);
        return 0;
}

int virtname_writer_put_lease(struct virtname_writer *w, const struct virtname_lease *l)
{
        struct virtname_lease copy = *l;
        uint8_t key[VIRTNAME_LEASE_KEY_LEN];
        char hkey[VIRTNAME_NAME_MAX + 1];
        int rc, hlen = -1;

        if (l->family != AF_INET && l->family != AF_INET6)
                return fail(w, -EAFNOSUPPORT, "lease: unknown address family %d", l->family);
        if (l->hostname && *l->hostname) {
                if (!virtname_hostname_valid(l->hostname))
                        return fail(w, -EINVAL, "lease: invalid host name");
                hlen = host_key((struct virtname_str){ l->hostname, strlen(l->hostname) }, hkey);
        }
        if (l->family == AF_INET)
                memset(copy.addr + 4, 0, 12);
        virtname_lease_key(l->family, copy.addr, key);
        rc = unindex_lease(w, key);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        rc = put_record(w, VIRTNAME_DB_LEASES, key, sizeof(key), enc_lease, &copy);
        if (rc == 0 && hlen > 0)
                rc = idx_put(w, VIRTNAME_DB_HOSTS, hkey, (size_t)hlen, key, sizeof(key));
        if (rc == 0 && (l->flags & VIRTNAME_LEASE_HAS_MAC))
                rc = idx_put(w, VIRTNAME_DB_MAC_LEASES, l->mac, VIRTNAME_MAC_LEN, key, sizeof(key));
        return rc;
}

int virtname_writer_del_lease(struct virtname_writer *w, int family, const uint8_t addr[16])
{
        uint8_t key[VIRTNAME_LEASE_KEY_LEN];
        int rc;

        virtname_lease_key(family, addr, key);
        rc = unindex_lease(w, key);
        if (rc == -ENOENT)
                return 0;
        return rc < 0 ? rc : idx_del(w, VIRTNAME_DB_LEASES, key, sizeof(key), NULL, 0);
}

int virtname_writer_prune_leases(struct virtname_writer *w, const char *network,
                            virtname_lease_filter keep, void *ctx)
{
        MDB_cursor *cur;
        MDB_val k, d;
        struct virtname_lease_view l;
        int rc = mdb_cursor_open(w->view.txn, w->view.dbi[VIRTNAME_DB_LEASES], &cur);

        if (rc != 0)
                return mdb_fail(w, rc, "leases");
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
                uint8_t key[VIRTNAME_LEASE_KEY_LEN];

                if (k.mv_size != VIRTNAME_LEASE_KEY_LEN ||
                    virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 ||
                    !virtname_str_eq(l.network, network) || (keep && keep(&l, ctx)))
                        continue;
                memcpy(key, k.mv_data, sizeof(key));
                if ((rc = unindex_lease(w, key)) < 0)
                        break;
                /* The cursor still sits on the lease: delete through it. */
                if ((rc = mdb_cursor_del(cur, 0)) != 0) {
                        rc = mdb_fail(w, rc, "leases");
                        break;
                }
        }
        mdb_cursor_close(cur);
        if (rc == MDB_NOTFOUND)
                return 0;
        return rc < 0 ? rc : mdb_fail(w, rc, "leases");
}

/* --- domains ---------------------------------------------------------- */

static int unindex_domain(struct virtname_writer *w, const char *key, size_t klen)
{
        MDB_val k = { klen, (void *)key };
        struct virtname_domain_view old;
        const uint8_t *mac;
        struct virtname_str net;
        size_t pos = 0;
        int rc = virtname_get_domain(&w->view, &k, &old);

        if (rc == -EBADMSG)
                return 0;
        if (rc < 0)
                return rc;
        while (virtname_domain_iface_next(&old, &pos, &mac, &net))
                if ((rc = idx_del(w, VIRTNAME_DB_MAC_DOMAIN, mac, VIRTNAME_MAC_LEN, key, klen)) < 0)
                        return rc;
        if (old.has_uuid &&
            (rc = idx_del(w, VIRTNAME_DB_UUIDS, old.uuid, VIRTNAME_UUID_LEN, key, klen)) < 0)
                return rc;
        if (old.id >= 0) {
                uint8_t idkey[4];

                virtname_id_key((uint32_t)old.id, idkey);
                return idx_del(w, VIRTNAME_DB_IDS, idkey, sizeof(idkey), key, klen);
        }
        return 0;
}

int virtname_writer_put_domain(struct virtname_writer *w, const struct virtname_domain *d)
{
        char key[VIRTNAME_NAME_MAX + 1];
        int klen = d->name ? virtname_name_normalise(d->name, key) : -1, rc;

        if (klen < 0)
                return fail(w, -EINVAL, "domain: unusable name");
        rc = unindex_domain(w, key, (size_t)klen);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        rc = put_record(w, VIRTNAME_DB_DOMAINS, key, (size_t)klen, enc_domain, d);
        for (size_t i = 0; rc == 0 && i < d->n_ifaces; i++)
                rc = idx_put(w, VIRTNAME_DB_MAC_DOMAIN, d->ifaces[i].mac, VIRTNAME_MAC_LEN, key,
                             (size_t)klen);
        if (rc == 0 && d->has_uuid)
                rc = idx_put(w, VIRTNAME_DB_UUIDS, d->uuid, VIRTNAME_UUID_LEN, key, (size_t)klen);
        if (rc == 0 && d->id >= 0) {
                uint8_t idkey[4];

                virtname_id_key((uint32_t)d->id, idkey);
                rc = idx_put(w, VIRTNAME_DB_IDS, idkey, sizeof(idkey), key, (size_t)klen);
        }
        return rc;
}

int virtname_writer_del_domain(struct virtname_writer *w, const char *name)
{
        char key[VIRTNAME_NAME_MAX + 1];
        int klen = virtname_name_normalise(name, key), rc;

        if (klen < 0)
                return fail(w, -EINVAL, "domain: unusable name");
        rc = unindex_domain(w, key, (size_t)klen);
        if (rc == -ENOENT)
                return 0;
        return rc < 0 ? rc : idx_del(w, VIRTNAME_DB_DOMAINS, key, (size_t)klen, NULL, 0);
}

/* --- networks --------------------------------------------------------- */

int virtname_writer_put_network(struct virtname_writer *w, const struct virtname_network *n)
{
        if (!n->name || !*n->name || strlen(n->name) > VIRTNAME_NAME_MAX)
                return fail(w, -EINVAL, "network: unusable name");
        return put_record(w, VIRTNAME_DB_NETWORKS, n->name, strlen(n->name), enc_network, n);
}

int virtname_writer_del_network(struct virtname_writer *w, const char *name)
{
        int rc = virtname_writer_prune_leases(w, name, NULL, NULL);

        return rc < 0 ? rc : idx_del(w, VIRTNAME_DB_NETWORKS, name, strlen(name), NULL, 0);
}

int virtname_writer_clear(struct virtname_writer *w)
{
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++) {
                int rc;

                if (db == VIRTNAME_DB_META)
                        continue;
                rc = mdb_drop(w->view.txn, w->view.dbi[db], 0);
                if (rc != 0)
                        return mdb_fail(w, rc, virtname_db_name(db));
        }
        return 0;
}

/* --- commit and publish ----------------------------------------------- */

/* Pages the committed data really uses: what a compacting copy writes. */
static size_t used_pages(struct virtname_writer *w)
{
        MDB_txn *txn;
        MDB_stat st;
        size_t used = 2;        /* the meta pages */

        if (mdb_txn_begin(w->env, NULL, MDB_RDONLY, &txn) != 0)
                return 0;
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++)
                if (mdb_stat(txn, w->view.dbi[db], &st) == 0)
                        used += st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
        if (mdb_stat(txn, 1, &st) == 0)         /* the main database: the names */
                used += st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
        mdb_txn_abort(txn);
        return used;
}

/* Copy the committed environment to FD.  A compacting copy walks every
 * page through user space (~10 ms at 10,000 guests); copying the file's
 * used prefix in the kernel is several times cheaper and just as valid
 * (readers pick the newest meta page).  LMDB reuses freed pages, so the
 * raw file stays close to the compact size; when free pages come to
 * outweigh the data, compact instead.  The writer lock is held, so
 * nothing changes the file while it is copied. */
static int write_snapshot(struct virtname_writer *w, int fd)
{
        char path[PATH_MAX];
        MDB_envinfo info;
        MDB_stat st;
        size_t used = used_pages(w);
        off_t size;
        int src;

        if (mdb_env_info(w->env, &info) != 0 || mdb_env_stat(w->env, &st) != 0 ||
            used == 0 || info.me_last_pgno + 1 > 2 * used + 64 ||
            virtname_store_path(path, sizeof(path), w->dir, VIRTNAME_PRIVATE_NAME "/data.mdb") < 0)
                return mdb_env_copyfd2(w->env, fd, MDB_CP_COMPACT);
        src = open(path, O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return mdb_env_copyfd2(w->env, fd, MDB_CP_COMPACT);
        size = (off_t)(info.me_last_pgno + 1) * st.ms_psize;
        for (off_t in = 0, out = 0; in < size;) {
                ssize_t n = copy_file_range(src, &in, fd, &out, (size_t)(size - in), 0);

                if (n <= 0) {
                        close(src);
                        if (n < 0 && errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
                            errno != EOPNOTSUPP)
                                return errno;
                        /* No in-kernel copy here: start over with LMDB's own. */
                        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                                return errno;
                        return mdb_env_copyfd2(w->env, fd, MDB_CP_COMPACT);
                }
        }
        close(src);
        return 0;
}

static int publish(struct virtname_writer *w)
{
        char tmp[PATH_MAX], final[PATH_MAX];
        int fd, dfd, rc;

        if (virtname_store_path(tmp, sizeof(tmp), w->dir, ".names.mdb.XXXXXX") < 0 ||
            virtname_store_path(final, sizeof(final), w->dir, VIRTNAME_SNAPSHOT_NAME) < 0)
                return fail(w, -ENAMETOOLONG, "store path too long: %s", w->dir);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return fail(w, -errno, "cannot create %s: %s", tmp, strerror(errno));
        rc = write_snapshot(w, fd);
        if (rc != 0)
                rc = mdb_fail(w, rc, "cannot write the snapshot");
        else if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
                rc = fail(w, -errno, "cannot write %s: %s", tmp, strerror(errno));
        if (close(fd) < 0 && rc == 0)
                rc = fail(w, -errno, "cannot write %s: %s", tmp, strerror(errno));
        if (rc == 0 && rename(tmp, final) < 0)
                rc = fail(w, -errno, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        if (rc != 0) {
                unlink(tmp);
                return rc;
        }
        dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
        }
        return 0;
}

int virtname_writer_commit(struct virtname_writer *w, char *err, size_t errlen)
{
        struct virtname_meta meta;
        int rc = virtname_get_meta(&w->view, &meta);

        if (rc == -ENOENT)
                meta.generation = 0, rc = 0;
        if (rc == 0)
                rc = put_meta(w, "generation", meta.generation + 1, 8);
        if (rc == 0)
                rc = put_meta(w, "updated", (uint64_t)time(NULL), 8);
        if (rc == 0) {
                int mrc = mdb_txn_commit(w->view.txn);

                w->view.txn = NULL;
                if (mrc != 0)
                        rc = mdb_fail(w, mrc, "cannot commit");
        }
        if (rc == 0 && (rc = publish(w)) < 0) {
                char why[sizeof(w->err)];

                snprintf(why, sizeof(why), "%s", w->err);
                rc = fail(w, -EAGAIN, "change saved, but the snapshot was not published "
                                      "(%s)", why);
        }
        if (rc != 0 && err)
                snprintf(err, errlen, "%s", w->err);
        release(w);
        return rc;
}
