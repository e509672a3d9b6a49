/* replay.c - the replay ledger (replay.h). */
#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/derive/hostsdir.h"
#include "cache/ingest/asks.h"
#include "cache/ingest/event.h"
#include "cache/ingest/replay.h"
#include "cache/read/lookup.h"
#include "cache/read/paths.h"
#include "cache/read/wire.h"
#include "cache/write/errmsg.h"
#include "cache/write/publish.h"

#define LEDGER_VERSION 1
/* The key of the ledger's own record; a lease key is longer. */
static const char META_KEY[1] = { 0 };

/* A file as stat() saw it: all zero when it was not there.  Every file
 * it names is replaced by rename(), never written in place. */
struct ident {
        uint64_t dev, ino, size, mtime_s, mtime_ns;
};

/* What the ledger vouches for: the private store file, the published
 * delta, the generation file of the hosts directories as they were and
 * the base the delta extends; the bridge, and what it names (network,
 * DNS domain). */
struct meta {
        struct ident store, delta, shown;
        uint64_t base;
        char bridge[VIRTNAME_NAME_MAX + 1], network[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1];
};

/* DIR/NAME (and /NAME2 when not NULL) into ID: 0, or a negative errno
 * (-ENOENT: ID all zero). */
static int ident_of(const char *dir, const char *name, const char *name2, struct ident *id)
{
        char path[PATH_MAX];
        struct stat st;

        memset(id, 0, sizeof(*id));
        if (snprintf(path, sizeof(path), "%s/%s%s%s", dir, name, name2 ? "/" : "", name2 ? name2 : "") >=
            (int)sizeof(path))
                return -ENAMETOOLONG;
        if (stat(path, &st) < 0)
                return -errno;
        *id = (struct ident){ (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
                              (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec };
        return 0;
}

static bool ident_eq(const struct ident *a, const struct ident *b)
{
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
               a->mtime_ns == b->mtime_ns;
}

/* The files the ledger names, as they are now, into M. */
static int idents(const char *store_dir, const char *state, struct meta *m)
{
        int rc = ident_of(state, VIRTNAME_PRIVATE_NAME, NULL, &m->store);

        if (rc == 0)
                rc = ident_of(store_dir, VIRTNAME_DELTA_NAME, NULL, &m->delta);
        if (rc == 0)
                rc = ident_of(store_dir, VIRTNAME_HOSTSDIR_NAME, VIRTNAME_HOSTSDIR_GENERATION, &m->shown);
        return rc == -ENOENT && m->delta.ino ? 0 : rc;
}

static void put_ident(struct virtname_wout *o, const struct ident *id)
{
        virtname_wout_uint(o, id->dev, 8);
        virtname_wout_uint(o, id->ino, 8);
        virtname_wout_uint(o, id->size, 8);
        virtname_wout_uint(o, id->mtime_s, 8);
        virtname_wout_uint(o, id->mtime_ns, 8);
}

static void take_ident(struct virtname_wire *in, struct ident *id)
{
        id->dev = virtname_wire_uint(in, 8);
        id->ino = virtname_wire_uint(in, 8);
        id->size = virtname_wire_uint(in, 8);
        id->mtime_s = virtname_wire_uint(in, 8);
        id->mtime_ns = virtname_wire_uint(in, 8);
}

static size_t meta_encode(const struct meta *m, uint8_t *buf, size_t cap)
{
        struct virtname_wout o = { buf, cap, 0, false };

        virtname_wout_uint(&o, LEDGER_VERSION, 1);
        put_ident(&o, &m->store);
        put_ident(&o, &m->delta);
        put_ident(&o, &m->shown);
        virtname_wout_uint(&o, m->base, 8);
        virtname_wout_str(&o, m->bridge);
        virtname_wout_str(&o, m->network);
        virtname_wout_str(&o, m->suffix);
        return virtname_wout_end(&o);
}

static bool take_name(struct virtname_wire *in, char out[VIRTNAME_NAME_MAX + 1])
{
        size_t n = (size_t)virtname_wire_uint(in, 2);
        const uint8_t *p = virtname_wire_take(in, n);

        if (!p || n > VIRTNAME_NAME_MAX || memchr(p, '\0', n))
                return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
}

static bool meta_decode(const void *buf, size_t len, struct meta *m)
{
        struct virtname_wire in = { buf, (const uint8_t *)buf + len, false };

        if (virtname_wire_uint(&in, 1) != LEDGER_VERSION)
                return false;
        take_ident(&in, &m->store);
        take_ident(&in, &m->delta);
        take_ident(&in, &m->shown);
        m->base = virtname_wire_uint(&in, 8);
        return take_name(&in, m->bridge) && take_name(&in, m->network) && take_name(&in, m->suffix) && !in.bad &&
               in.p == in.end;
}

/* Is L a lease whose replay the ledger may answer: the network's, a DHCP
 * lease with a MAC, its port asked enough (asks.h)? */
static bool ledger_lease(const struct virtname_view *v, const struct virtname_lease_view *l, const char *network,
                         int64_t now)
{
        return virtname_str_eq(l->network, network) && (l->flags & VIRTNAME_LEASE_HAS_MAC) &&
               !(l->flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)) &&
               virtname_lease_needs_asking(v, l, now) == 0;
}

static int fill(struct cdb_make *cm, const struct virtname_view *v, const struct meta *m, int64_t now)
{
        struct virtname_lease_view l;
        struct virtname_iter it;
        uint8_t enc[1024];
        size_t n = meta_encode(m, enc, sizeof(enc));
        MDB_val k, d;
        int rc;

        if (!n || n > sizeof(enc) || cdb_make_add(cm, META_KEY, sizeof(META_KEY), enc, (unsigned)n) < 0)
                return -EIO;
        rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, NULL, 0);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0)
                if (k.mv_size > sizeof(META_KEY) && virtname_lease_decode(d.mv_data, d.mv_size, &l) == 0 &&
                    ledger_lease(v, &l, m->network, now) &&
                    cdb_make_add(cm, k.mv_data, (unsigned)k.mv_size, d.mv_data, (unsigned)d.mv_size) < 0)
                        rc = -EIO;
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : rc;
}

int virtname_replay_write(struct virtname_writer *w, const char *bridge, int64_t now, char *err, size_t errlen)
{
        const char *state = virtname_writer_state_dir(w), *store_dir = virtname_writer_store_dir(w);
        char path[PATH_MAX], tmp[PATH_MAX];
        struct meta m = { .base = 0 };
        struct cdb_make cm;
        int fd, rc;

        if (strlen(bridge) > VIRTNAME_NAME_MAX)
                return virtname_errf(err, errlen, -EINVAL, "bridge name too long");
        snprintf(m.bridge, sizeof(m.bridge), "%s", bridge);
        if (virtname_network_of_bridge(virtname_writer_view(w), bridge, m.network, m.suffix) < 0)
                return virtname_errf(err, errlen, -ENOENT, "no network has bridge %s", bridge);
        if (virtname_path(path, sizeof(path), state, VIRTNAME_REPLAY_NAME) < 0 ||
            snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
                return virtname_errf(err, errlen, -ENAMETOOLONG, "state path too long: %s", state);
        /* W's commit published its generation and brought the hosts
         * directories to it: the files as they are now say so later. */
        if (virtname_published_generation(store_dir, &m.base) != virtname_writer_generation(w))
                return virtname_errf(err, errlen, -ESTALE, "the snapshot is not the store's generation");
        if ((rc = idents(store_dir, state, &m)) < 0)
                return virtname_errf(err, errlen, rc, "cannot stat the store's files: %s", strerror(-rc));
        fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return virtname_errf(err, errlen, -errno, "cannot create %s: %s", tmp, strerror(errno));
        rc = cdb_make_start(&cm, fd) < 0 ? -EIO : fill(&cm, virtname_writer_view(w), &m, now);
        if (cdb_make_finish(&cm) < 0 && rc == 0)
                rc = -EIO;
        if (close(fd) < 0 && rc == 0)
                rc = -EIO;
        if (rc == 0 && rename(tmp, path) < 0)
                rc = -errno;
        if (rc < 0) {
                unlink(tmp);
                return virtname_errf(err, errlen, rc, "cannot write %s: %s", path, strerror(-rc));
        }
        return 0;
}

/* Does the ledger in C still hold (every file it names as it was, the
 * base there), and for BRIDGE?  Its record into M. */
static bool ledger_holds(struct cdb *c, const char *store_dir, const char *state, const char *bridge, struct meta *m)
{
        char name[64], path[PATH_MAX];
        struct meta now;

        if (cdb_find(c, META_KEY, sizeof(META_KEY)) <= 0 || !meta_decode(cdb_getdata(c), cdb_datalen(c), m) ||
            strcmp(m->bridge, bridge) != 0 || idents(store_dir, state, &now) < 0 ||
            !ident_eq(&now.store, &m->store) || !ident_eq(&now.delta, &m->delta) || !ident_eq(&now.shown, &m->shown))
                return false;
        virtname_base_name(name, sizeof(name), (unsigned long long)m->base);
        return virtname_path(path, sizeof(path), store_dir, name) == 0 && access(path, F_OK) == 0;
}

int virtname_replay_known(const char *store_dir, const char *state, const void *event, size_t len,
                          const char *bridge, int family, const uint8_t addr[16],
                          char network[VIRTNAME_NAME_MAX + 1])
{
        uint8_t key[VIRTNAME_LEASE_KEY_MAX];
        char path[PATH_MAX];
        struct meta m;
        struct cdb c;
        size_t klen;
        int fd, known = 0;

        if (!bridge || virtname_path(path, sizeof(path), state, VIRTNAME_REPLAY_NAME) < 0 ||
            (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
                return 0;
        if (cdb_init(&c, fd) < 0) {
                close(fd);
                return 0;
        }
        if (ledger_holds(&c, store_dir, state, bridge, &m) &&
            (klen = virtname_lease_key(family, addr, virtname_str_of(m.network), key)) > sizeof(META_KEY) &&
            cdb_find(&c, key, (unsigned)klen) > 0)
                known = virtname_event_replays(event, len, bridge, m.network, m.suffix, cdb_getdata(&c),
                                               cdb_datalen(&c));
        if (known)
                memcpy(network, m.network, sizeof(m.network));
        cdb_free(&c);
        close(fd);
        return known;
}
