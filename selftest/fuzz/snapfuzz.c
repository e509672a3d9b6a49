/* snapfuzz - damage a good snapshot in every way we can think of and
 * resolve through the real NSS module: no crash, no hang, and no answer
 * the good snapshot would not give.
 *
 *   snapfuzz [-m MODULE] [-s SEED] [-n CASES] [-t SECONDS] [-c CLASS] [-x CLASS,...]
 *            [-i CASE] [-k KEEP-DIR] [-T TIMEOUT-MS] MODE GOOD-DIR WORK-DIR
 *
 * GOOD-DIR is a store directory holding a good snapshot (names.delta and
 * the base it names); WORK-DIR is scratch.  MODULE (default
 * build/libnss_virtname.so.2) is loaded with dlopen() and asked through
 * its _nss_virtname_* entry points, in a child process per case with a
 * deadline, the questions below: every name and address of selftest/lib.sh's
 * make_fixture plus the lease events t-fuzz.sh adds (extra, extra's IPv6,
 * Lone deleted, db-vm's second address), forward (both families and each
 * alone) and reverse, and names and addresses that are not there.
 *
 * Modes:
 *   cases    CASES cases (or SECONDS of them), each a fresh copy of the
 *            good snapshot damaged by one class of mutation (classes taken
 *            in turn; -c only CLASS, -x not these, -i only case CASE).  A case fails on
 *            a crash (signal, sanitizer report), a hang, an answer with
 *            something the good snapshot does not give for that question
 *            ("wrong"), or, for the checksummed classes, a part of the good
 *            answer ("partial": damaged data was read).  The "fix:" and
 *            "synth-" classes recompute the checksums after mutating, so
 *            they test what is behind the integrity check (LMDB, the delta
 *            parser, the record decoders): wrong answers are expected there
 *            (the checksum is not a signature), and their crashes and hangs
 *            are reported separately and do not fail the run.
 *   rename   a long-running reader (one process, many lookups) resolves
 *            while the snapshot files are replaced by rename() with damaged
 *            ones (checksummed classes; -c, -x apply) and good ones again;
 *            SECONDS long.
 *   resize   a long-running reader; between two of its lookups the base or
 *            the delta is changed in place (same inode): shrunk, extended,
 *            rewritten with damaged bytes of the same size, restored.
 *   window   measurement, never a failure: how often a reader faults when
 *            root truncates the base in place *during* lookups.
 *   check    compare the answers of WORK-DIR (a store directory, e.g. a kept
 *            failing case) with those of GOOD-DIR, question by question.
 *   resum    WORK-DIR is a delta file: set its length and checksum right,
 *            the way GOOD-DIR's delta has them (for kept inputs that carry a
 *            valid checksum, when the format changes).
 *   seal     the good snapshot sealed in WORK-DIR (on tmpfs, root's): every
 *            file chattr +i.  The reader must answer right without reading
 *            the base whole (the bytes its process read, /proc/self/io); as
 *            root, every way to change or replace a sealed file must fail
 *            with EPERM (open for writing, truncate, rename or link over
 *            it, unlink, chmod, chown, utimes); and with one condition of a
 *            seal missing (the directory not root's, the files not
 *            immutable) the reader must read the base whole again.
 *
 * -I and -O UID place each case as a sealed one almost is: its files
 * chattr +i (-I) and its directory owned by UID (-O), so that the
 * checksummed classes show that a damaged file that is not sealed (the
 * directory not root's, not on tmpfs, not immutable) is always checked
 * whole, and refused.
 *
 * Failing inputs are copied to KEEP-DIR/CLASS-SEED-CASE/ (the two files,
 * what.txt, stderr.txt) and the path printed.  Exit status: 0, 1 (a
 * failure), 2 (usage or set-up error).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <lmdb.h>
#include <nss.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "selftest/fuzz/fuzz.h"
#include "cache/read/base.h"
#include "cache/read/delta.h"
#include "cache/read/paths.h"
#include "cache/read/xxh3.h"

/* LMDB's meta page (see cache/read/base.c): offsets in the page. */
#define M_PGNO 0
#define M_FLAGS 10
#define M_MAGIC 16
#define M_VERSION 20
#define M_ADDRESS 24
#define M_MAPSIZE 32
#define M_FREE_DB 40
#define M_MAIN_DB 88
#define M_LAST_PG 136
#define M_TXNID 144
/* In an MDB_db record: pad (page size in the first), flags, depth, branch,
 * leaf, overflow pages, entries, root. */
#define DB_PAD 0
#define DB_FLAGS 4
#define DB_DEPTH 6
#define DB_BRANCH 8
#define DB_LEAF 16
#define DB_OVERFLOW 24
#define DB_ENTRIES 32
#define DB_ROOT 40

/* --- options and the good snapshot ------------------------------------------ */

static struct {
        const char *module;
        uint64_t seed;
        unsigned long cases;
        double seconds;
        const char *only_class;
        long only_case;
        const char *keep;
        unsigned timeout_ms;
        const char *exclude;
        bool immutable;                 /* -I: the case's files chattr +i */
        long dir_owner;                 /* -O: the case directory's owner (-1: root's) */
} opt = { "build/libnss_virtname.so.2", 1, 0, 0, NULL, -1, NULL, 10000, NULL, false, -1 };

struct snap {
        struct buf base, delta;
};

static struct nss_module *mod;
static struct queries qs;
static struct answer *good;             /* the good snapshot's answers */
static struct snap good_snap;
static char base_name[64];              /* names.<generation>.mdb */
static uint32_t psize;
static uint64_t generation;
static char work[PATH_MAX], case_dir[PATH_MAX];

/* Other bases in the good directory (the writer keeps the previous one
 * after it compacts): written unchanged into every case, so that a delta
 * naming the wrong base finds one. */
struct other_base {
        char name[64];
        struct buf data;
};
static struct other_base others[4];
static size_t n_others;

static uint64_t get_le(const uint8_t *p, size_t n)
{
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

static void setup_queries(void)
{
        static const char *const names[] = {
                "web-vm", "WEB-VM.", "db-vm", "intruder", "lone", "Lone", "web", "db2", "extra",
                "old", "web.lab.test", "web-vm.lab.test", "db-vm.lab.test", "extra.lab.test",
                "intruder.lab.test", "db2.lab.test", "nosuch", "nosuch.lab.test", "lab.test",
                "localhost", "wpad", "x",
        };
        static const char *const addrs[] = {
                "198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13", "198.18.0.14",
                "198.18.0.15", "198.18.0.19", "198.18.0.99", "198.19.0.21", "2001:db8:0:1::110",
                "2001:db8:0:1::119", "2001:db8::99", "127.0.0.1",
        };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                queries_add_name(&qs, names[i]);
        for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
                queries_add_addr(&qs, addrs[i]);
}

static int load_good(const char *dir)
{
        char path[PATH_MAX];
        struct dirent *e;
        DIR *d;

        path_join(path, sizeof(path), dir, VIRTNAME_DELTA_NAME);
        if (buf_read_file(&good_snap.delta, path) < 0 || good_snap.delta.len < VIRTNAME_DELTA_HEADER) {
                fprintf(stderr, "snapfuzz: cannot read a delta in %s\n", path);
                return -1;
        }
        generation = get_le(good_snap.delta.p + 16, 8);
        virtname_base_name(base_name, sizeof(base_name), (unsigned long long)generation);
        path_join(path, sizeof(path), dir, base_name);
        if (buf_read_file(&good_snap.base, path) < 0 || good_snap.base.len < VIRTNAME_BASE_TRAILER) {
                fprintf(stderr, "snapfuzz: cannot read the base %s\n", path);
                return -1;
        }
        psize = (uint32_t)get_le(good_snap.base.p + good_snap.base.len - VIRTNAME_BASE_TRAILER + 12, 4);
        d = opendir(dir);
        while (d && (e = readdir(d))) {
                size_t len = strlen(e->d_name);

                if (strncmp(e->d_name, "names.", 6) != 0 || len < 10 || strcmp(e->d_name + len - 4, ".mdb") != 0 ||
                    strcmp(e->d_name, base_name) == 0 || len >= sizeof(others[0].name) ||
                    n_others == sizeof(others) / sizeof(others[0]))
                        continue;
                memcpy(others[n_others].name, e->d_name, len + 1);
                path_join(path, sizeof(path), dir, e->d_name);
                if (buf_read_file(&others[n_others].data, path) == 0)
                        n_others++;
        }
        if (d)
                closedir(d);
        if (psize < 512 || (good_snap.base.len - VIRTNAME_BASE_TRAILER) % psize != 0) {
                fprintf(stderr, "snapfuzz: %s is not a base snapshot\n", path);
                return -1;
        }
        return 0;
}

static void snap_copy(struct snap *dst, const struct snap *src)
{
        buf_set(&dst->base, src->base.p, src->base.len);
        buf_set(&dst->delta, src->delta.p, src->delta.len);
}

/* Put S into DIR (renamed into place, mode 0644). */
static int snap_write(const char *dir, const struct snap *s)
{
        for (size_t i = 0; i < n_others; i++)
                if (write_file_renamed(dir, others[i].name, others[i].data.p, others[i].data.len) < 0)
                        return -1;
        if (write_file_renamed(dir, base_name, s->base.p, s->base.len) < 0 ||
            write_file_renamed(dir, VIRTNAME_DELTA_NAME, s->delta.p, s->delta.len) < 0) {
                fprintf(stderr, "snapfuzz: cannot write into %s: %s\n", dir, strerror(errno));
                return -1;
        }
        return 0;
}

/* --- interesting values ------------------------------------------------------- */

static uint64_t interesting(struct rng *r, uint64_t near, size_t width)
{
        static const uint64_t fixed[] = { 0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 512, 1024,
                                          2048, 4095, 4096, 4097, 8192, 65535, 65536, 1u << 20,
                                          0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32,
                                          0x7fffffffffffffffull, ~0ull };
        uint64_t v;

        switch (rng_below(r, 4)) {
        case 0:
                v = fixed[rng_below(r, sizeof(fixed) / sizeof(fixed[0]))];
                break;
        case 1:
                v = near + rng_below(r, 9) - 4;         /* off by a few */
                break;
        case 2:
                v = near ^ (1ull << rng_below(r, 8 * width));
                break;
        default:
                v = rng_next(r);
                break;
        }
        return width >= 8 ? v : v & ((1ull << (8 * width)) - 1);
}

static void edit_field(uint8_t *p, size_t width, struct rng *r, char *desc, size_t cap, const char *what)
{
        uint64_t old = get_le(p, width), v = interesting(r, old, width);

        if (v == old)
                v = old ^ 1;
        put_le(p, v, width);
        snprintf(desc, cap, "%s: %#" PRIx64 " -> %#" PRIx64, what, old, v);
}

/* An offset in B biased to its first WEIGHTED bytes and to its tail. */
static size_t pick_offset(struct rng *r, size_t len, size_t head, size_t tail)
{
        if (len == 0)
                return 0;
        if (head && rng_chance(r, 40))
                return (size_t)rng_below(r, head < len ? head : len);
        if (tail && rng_chance(r, 20))
                return len - 1 - (size_t)rng_below(r, tail < len ? tail : len);
        return (size_t)rng_below(r, len);
}

/* --- mutations ---------------------------------------------------------------------- */

/* Each mutates S (the base's data part only, when the checksums are
 * recomputed afterwards: FIX) and says what it did in DESC. */
typedef void (*mutate_fn)(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap);

static size_t npages(const struct buf *b)
{
        return b->len / psize;
}

static void flip_bits(struct buf *b, struct rng *r, size_t head, size_t tail, char *desc, size_t cap)
{
        unsigned k = 1 + (unsigned)rng_below(r, rng_chance(r, 70) ? 2 : 8);
        size_t used = (size_t)snprintf(desc, cap, "bit flips at");

        for (unsigned i = 0; i < k && b->len; i++) {
                size_t at = pick_offset(r, b->len, head, tail);
                unsigned bit = (unsigned)rng_below(r, 8);

                b->p[at] ^= (uint8_t)(1u << bit);
                if (used < cap)
                        used += (size_t)snprintf(desc + used, cap - used, " %zu.%u", at, bit);
        }
}

static void write_run(struct buf *b, struct rng *r, size_t head, size_t tail, char *desc, size_t cap)
{
        size_t n = 1 + (size_t)rng_below(r, rng_chance(r, 50) ? 8 : 256), at;
        unsigned kind = (unsigned)rng_below(r, 4);
        static const char *const kinds[] = { "random", "zero", "0xff", "copied" };

        if (b->len == 0)
                return;
        at = pick_offset(r, b->len, head, tail);
        if (n > b->len - at)
                n = b->len - at;
        for (size_t i = 0; i < n; i++) {
                size_t from = (size_t)rng_below(r, b->len);

                b->p[at + i] = kind == 0 ? (uint8_t)rng_next(r) : kind == 1 ? 0 : kind == 2 ? 0xff
                                                                                         : b->p[from];
        }
        snprintf(desc, cap, "%zu %s bytes at %zu", n, kinds[kind], at);
}

static void truncate_buf(struct buf *b, struct rng *r, size_t unit, char *desc, size_t cap)
{
        size_t old = b->len, n;

        switch (rng_below(r, 5)) {
        case 0:
                n = (size_t)rng_below(r, old);
                break;
        case 1:
                n = unit ? unit * (size_t)rng_below(r, old / unit + 1) : 0;
                break;
        case 2:
                n = old - 1 - (size_t)rng_below(r, old < 70 ? old : 70);
                break;
        case 3:
                n = (size_t)rng_below(r, old < 200 ? old : 200);
                break;
        default:
                n = old ? old - 1 : 0;
                break;
        }
        if (n >= old)
                n = old ? old - 1 : 0;
        b->len = n;
        snprintf(desc, cap, "truncated from %zu to %zu bytes", old, n);
}

static void extend_buf(struct buf *b, struct rng *r, size_t unit, char *desc, size_t cap)
{
        size_t old = b->len, n = 1 + (size_t)rng_below(r, unit ? 3 * unit : 256);
        unsigned kind = (unsigned)rng_below(r, 3);

        if (kind == 2 && old >= VIRTNAME_BASE_TRAILER) {
                /* The tail repeated: the file still ends in a plausible trailer. */
                n = unit ? unit : 64;
                if (n > old)
                        n = old;
                buf_append(b, b->p + old - n, n);
        } else {
                buf_resize(b, old + n);
                if (kind == 1)
                        for (size_t i = old; i < b->len; i++)
                                b->p[i] = (uint8_t)rng_next(r);
        }
        snprintf(desc, cap, "extended from %zu by %zu %s bytes", old, n,
                 kind == 0 ? "zero" : kind == 1 ? "random" : "repeated-tail");
}

static void m_base_flip(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        flip_bits(&s->base, r, 2 * psize, fix ? 0 : VIRTNAME_BASE_TRAILER, desc, cap);
}

static void m_base_bytes(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        write_run(&s->base, r, 2 * psize, fix ? 0 : VIRTNAME_BASE_TRAILER, desc, cap);
}

static void m_base_trunc(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        truncate_buf(&s->base, r, psize, desc, cap);
}

static void m_base_extend(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        extend_buf(&s->base, r, psize, desc, cap);
}

static void m_base_meta(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        static const struct {
                size_t off, width;
                const char *name;
        } fields[] = {
                { M_PGNO, 8, "pgno" }, { M_FLAGS, 2, "page flags" }, { M_MAGIC, 4, "magic" },
                { M_VERSION, 4, "version" }, { M_ADDRESS, 8, "fixed address" },
                { M_MAPSIZE, 8, "map size" }, { M_FREE_DB + DB_PAD, 4, "page size" },
                { M_FREE_DB + DB_FLAGS, 2, "free db flags" }, { M_FREE_DB + DB_DEPTH, 2, "free db depth" },
                { M_FREE_DB + DB_ENTRIES, 8, "free db entries" }, { M_FREE_DB + DB_ROOT, 8, "free db root" },
                { M_MAIN_DB + DB_PAD, 4, "main db pad" }, { M_MAIN_DB + DB_FLAGS, 2, "main db flags" },
                { M_MAIN_DB + DB_DEPTH, 2, "main db depth" }, { M_MAIN_DB + DB_BRANCH, 8, "main db branch pages" },
                { M_MAIN_DB + DB_LEAF, 8, "main db leaf pages" },
                { M_MAIN_DB + DB_OVERFLOW, 8, "main db overflow pages" },
                { M_MAIN_DB + DB_ENTRIES, 8, "main db entries" }, { M_MAIN_DB + DB_ROOT, 8, "main db root" },
                { M_LAST_PG, 8, "last page" }, { M_TXNID, 8, "txnid" },
        };
        size_t meta = (size_t)rng_below(r, 2), f = (size_t)rng_below(r, sizeof(fields) / sizeof(fields[0]));
        char what[96];

        if (s->base.len < 2 * (size_t)psize) {
                snprintf(desc, cap, "(base too short for a meta edit)");
                return;
        }
        snprintf(what, sizeof(what), "meta page %zu %s", meta, fields[f].name);
        edit_field(s->base.p + meta * psize + fields[f].off, fields[f].width, r, desc, cap, what);
        /* Half the time make that meta page the newer one, so LMDB uses it. */
        if (rng_chance(r, 50) && fields[f].off != M_TXNID) {
                uint8_t *m = s->base.p + meta * psize, *o = s->base.p + (1 - meta) * psize;

                put_le(m + M_TXNID, get_le(o + M_TXNID, 8) + 1, 8);
                strncat(desc, ", and made it the newer meta page", cap - strlen(desc) - 1);
        }
}

static void m_base_trailer(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        static const struct {
                size_t off, width;
                const char *name;
        } fields[] = {
                { 0, 8, "magic" }, { 8, 4, "version" }, { 12, 4, "page size" }, { 16, 8, "generation" },
                { 24, 8, "data size" }, { 32, 8, "checksum" }, { 40, 8, "padding" }, { 56, 8, "padding end" },
        };
        size_t f = (size_t)rng_below(r, sizeof(fields) / sizeof(fields[0]));
        char what[64];

        if (s->base.len < VIRTNAME_BASE_TRAILER) {
                snprintf(desc, cap, "(no trailer)");
                return;
        }
        snprintf(what, sizeof(what), "trailer %s", fields[f].name);
        edit_field(s->base.p + s->base.len - VIRTNAME_BASE_TRAILER + fields[f].off, fields[f].width, r,
                   desc, cap, what);
}

static void m_base_pageswap(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        size_t n = npages(&s->base), a, b;
        uint8_t *tmp;

        if (n < 2) {
                snprintf(desc, cap, "(too few pages)");
                return;
        }
        a = (size_t)rng_below(r, n);
        b = (size_t)rng_below(r, n - 1);
        if (b >= a)
                b++;
        tmp = malloc(psize);
        if (!tmp)
                exit(2);
        memcpy(tmp, s->base.p + a * psize, psize);
        memcpy(s->base.p + a * psize, s->base.p + b * psize, psize);
        memcpy(s->base.p + b * psize, tmp, psize);
        free(tmp);
        snprintf(desc, cap, "pages %zu and %zu swapped", a, b);
}

static void m_base_pagecopy(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        size_t n = npages(&s->base), a, b;

        if (n < 2) {
                snprintf(desc, cap, "(too few pages)");
                return;
        }
        a = (size_t)rng_below(r, n);
        b = (size_t)rng_below(r, n - 1);
        if (b >= a)
                b++;
        memcpy(s->base.p + b * psize, s->base.p + a * psize, psize);
        snprintf(desc, cap, "page %zu copied over page %zu", a, b);
}

/* A field of a data page: its header, a node pointer or a node header. */
static void m_base_pagefield(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        size_t n = npages(&s->base), pg;
        uint8_t *p;
        unsigned lower, nodes;
        char what[96];

        if (n < 3) {
                snprintf(desc, cap, "(no data pages)");
                return;
        }
        pg = 2 + (size_t)rng_below(r, n - 2);
        p = s->base.p + pg * psize;
        lower = (unsigned)get_le(p + 12, 2);
        nodes = lower >= 16 && lower < psize ? (lower - 16) / 2 : 0;
        switch (nodes ? rng_below(r, 4) : 0) {
        case 0: {
                static const size_t offs[] = { 0, 10, 12, 14 }, widths[] = { 8, 2, 2, 2 };
                static const char *const names[] = { "pgno", "flags", "lower", "upper" };
                size_t f = (size_t)rng_below(r, 4);

                snprintf(what, sizeof(what), "page %zu %s", pg, names[f]);
                edit_field(p + offs[f], widths[f], r, desc, cap, what);
                break;
        }
        case 1: {
                size_t i = (size_t)rng_below(r, nodes);

                snprintf(what, sizeof(what), "page %zu node pointer %zu", pg, i);
                edit_field(p + 16 + 2 * i, 2, r, desc, cap, what);
                break;
        }
        default: {
                /* Node header: lo, hi (data size, or child page), flags, key size. */
                size_t i = (size_t)rng_below(r, nodes), at = (size_t)get_le(p + 16 + 2 * i, 2);
                static const size_t offs[] = { 0, 2, 4, 6 };
                static const char *const names[] = { "lo", "hi", "flags", "key size" };
                size_t f = (size_t)rng_below(r, 4);

                if (at + 8 > psize) {
                        snprintf(desc, cap, "(node %zu of page %zu out of the page)", i, pg);
                        return;
                }
                snprintf(what, sizeof(what), "page %zu node %zu %s", pg, i, names[f]);
                edit_field(p + at + offs[f], 2, r, desc, cap, what);
                break;
        }
        }
}

static void m_delta_flip(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        flip_bits(&s->delta, r, VIRTNAME_DELTA_HEADER, 0, desc, cap);
}

static void m_delta_bytes(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        write_run(&s->delta, r, VIRTNAME_DELTA_HEADER, 0, desc, cap);
}

static void m_delta_trunc(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        truncate_buf(&s->delta, r, 0, desc, cap);
}

static void m_delta_extend(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        extend_buf(&s->delta, r, 0, desc, cap);
}

static void m_delta_header(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        static const struct {
                size_t off, width;
                const char *name;
        } fields[] = {
                { 0, 8, "magic" }, { 8, 4, "version" }, { 12, 4, "count" }, { 12, 4, "count" },
                { 16, 8, "base generation" }, { 24, 8, "generation" }, { 32, 8, "body length" },
                { 40, 8, "checksum" }, { 48, 8, "padding" },
        };
        size_t f = (size_t)rng_below(r, sizeof(fields) / sizeof(fields[0]));
        char what[64];

        if (s->delta.len < VIRTNAME_DELTA_HEADER) {
                snprintf(desc, cap, "(no header)");
                return;
        }
        snprintf(what, sizeof(what), "delta header %s", fields[f].name);
        edit_field(s->delta.p + fields[f].off, fields[f].width, r, desc, cap, what);
}

/* The delta names another base: an older one the writer kept, or a
 * neighbouring generation. */
static void m_delta_rebase(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        uint64_t old, v;

        if (s->delta.len < VIRTNAME_DELTA_HEADER) {
                snprintf(desc, cap, "(no header)");
                return;
        }
        old = get_le(s->delta.p + 16, 8);
        if (n_others && rng_chance(r, 75)) {
                const char *name = others[rng_below(r, n_others)].name;

                v = strtoull(name + 6, NULL, 16);
        } else {
                v = old + (rng_chance(r, 50) ? 1 : (uint64_t)-1);
        }
        put_le(s->delta.p + 16, v, 8);
        snprintf(desc, cap, "delta header base generation: %" PRIu64 " -> %" PRIu64 "%s", old, v,
                 n_others ? " (older bases present)" : "");
}

static uint32_t delta_count(const struct snap *s)
{
        uint32_t n = s->delta.len >= VIRTNAME_DELTA_HEADER ? (uint32_t)get_le(s->delta.p + 12, 4) : 0;
        size_t body = s->delta.len >= VIRTNAME_DELTA_HEADER ? s->delta.len - VIRTNAME_DELTA_HEADER : 0;

        return n > body / 4 ? (uint32_t)(body / 4) : n;
}

static uint8_t *delta_slot(struct snap *s, uint32_t i)
{
        return s->delta.p + VIRTNAME_DELTA_HEADER + 4 * (size_t)i;
}

static void m_delta_reorder(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        uint32_t n = delta_count(s), a, b;
        uint8_t t[4];

        if (n < 2) {
                snprintf(desc, cap, "(fewer than two records)");
                return;
        }
        a = (uint32_t)rng_below(r, n);
        b = (uint32_t)rng_below(r, n - 1);
        if (b >= a)
                b++;
        memcpy(t, delta_slot(s, a), 4);
        memcpy(delta_slot(s, a), delta_slot(s, b), 4);
        memcpy(delta_slot(s, b), t, 4);
        snprintf(desc, cap, "records %u and %u swapped in the offset table", a, b);
}

static void m_delta_offset(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        uint32_t n = delta_count(s), i;
        uint64_t old, v;
        size_t body = s->delta.len - VIRTNAME_DELTA_HEADER;

        if (n < 1) {
                snprintf(desc, cap, "(no records)");
                return;
        }
        i = (uint32_t)rng_below(r, n);
        old = get_le(delta_slot(s, i), 4);
        switch (rng_below(r, 4)) {
        case 0:
                v = get_le(delta_slot(s, (uint32_t)rng_below(r, n)), 4);      /* another record */
                break;
        case 1:
                v = old + rng_below(r, 16) - 8;                         /* into a record */
                break;
        case 2:
                v = body - rng_below(r, 16);                            /* near the end */
                break;
        default:
                v = interesting(r, old, 4);
                break;
        }
        put_le(delta_slot(s, i), v, 4);
        snprintf(desc, cap, "offset of record %u: %" PRIu64 " -> %" PRIu64, i, old, v & 0xffffffffu);
}

static void m_delta_recfield(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        uint32_t n = delta_count(s), i;
        uint64_t at;
        static const size_t offs[] = { 0, 1, 2, 4 }, widths[] = { 1, 1, 2, 4 };
        static const char *const names[] = { "database", "flags", "key length", "value length" };
        size_t f;
        char what[64];

        if (n < 1) {
                snprintf(desc, cap, "(no records)");
                return;
        }
        i = (uint32_t)rng_below(r, n);
        at = VIRTNAME_DELTA_HEADER + get_le(delta_slot(s, i), 4);
        f = (size_t)rng_below(r, 4);
        if (at + 8 > s->delta.len) {
                snprintf(desc, cap, "(record %u out of the file)", i);
                return;
        }
        snprintf(what, sizeof(what), "record %u %s", i, names[f]);
        edit_field(s->delta.p + at + offs[f], widths[f], r, desc, cap, what);
}

static void m_delta_recswap(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        uint32_t n = delta_count(s), a, b;
        uint64_t pa, pb;
        uint8_t t[8];

        if (n < 2) {
                snprintf(desc, cap, "(fewer than two records)");
                return;
        }
        a = (uint32_t)rng_below(r, n);
        b = (uint32_t)rng_below(r, n - 1);
        if (b >= a)
                b++;
        pa = VIRTNAME_DELTA_HEADER + get_le(delta_slot(s, a), 4);
        pb = VIRTNAME_DELTA_HEADER + get_le(delta_slot(s, b), 4);
        if (pa + 8 > s->delta.len || pb + 8 > s->delta.len) {
                snprintf(desc, cap, "(records out of the file)");
                return;
        }
        memcpy(t, s->delta.p + pa, 8);
        memcpy(s->delta.p + pa, s->delta.p + pb, 8);
        memcpy(s->delta.p + pb, t, 8);
        snprintf(desc, cap, "headers of records %u and %u swapped", a, b);
}

static const mutate_fn base_mutators[] = { m_base_flip, m_base_bytes, m_base_trunc, m_base_extend,
                                           m_base_meta, m_base_trailer, m_base_pageswap,
                                           m_base_pagecopy, m_base_pagefield };
static const mutate_fn delta_mutators[] = { m_delta_flip, m_delta_bytes, m_delta_trunc,
                                            m_delta_extend, m_delta_header, m_delta_rebase, m_delta_reorder,
                                            m_delta_offset, m_delta_recfield, m_delta_recswap };

static void m_both(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        char a[256], b[256];

        base_mutators[rng_below(r, sizeof(base_mutators) / sizeof(base_mutators[0]))](s, r, fix, a, sizeof(a));
        delta_mutators[rng_below(r, sizeof(delta_mutators) / sizeof(delta_mutators[0]))](s, r, fix, b, sizeof(b));
        snprintf(desc, cap, "base: %s; delta: %s", a, b);
}

/* --- recomputing the checksums ------------------------------------------------- */

/* What the delta's checksum covers: the body (format 1), or header
 * bytes 0-39 and the body (the obvious repair of the header hole).  Found
 * from the good delta, so that the fix: classes follow the format. */
static void fix_delta(struct snap *s)
{
        if (s->delta.len < VIRTNAME_DELTA_HEADER)
                return;
        put_le(s->delta.p + 32, s->delta.len - VIRTNAME_DELTA_HEADER, 8);
        put_le(s->delta.p + 40, virtname_delta_checksum(s->delta.p, s->delta.len), 8);
}

/* S's base is the data part only: append the good trailer, with the size
 * and checksum of this data. */
static void fix_base(struct snap *s)
{
        uint8_t t[VIRTNAME_BASE_TRAILER];

        memcpy(t, good_snap.base.p + good_snap.base.len - VIRTNAME_BASE_TRAILER, sizeof(t));
        put_le(t + 24, s->base.len, 8);
        put_le(t + 32, XXH3_64bits(s->base.p, s->base.len), 8);
        buf_append(&s->base, t, sizeof(t));
}

/* --- synthetic snapshots: well-formed files with hostile records --------------- */

struct rec {
        int db;
        bool tombstone;
        struct buf key, value;
};

struct recs {
        struct rec *r;
        size_t n, cap;
};

static struct recs base_recs, delta_recs;

static void recs_add(struct recs *rs, int db, bool tomb, const void *k, size_t kl, const void *v, size_t vl)
{
        struct rec *x;

        if (rs->n == rs->cap) {
                size_t cap = rs->cap ? 2 * rs->cap : 64;
                struct rec *more = realloc(rs->r, cap * sizeof(*more));

                if (!more)
                        exit(2);
                rs->r = more;
                rs->cap = cap;
        }
        x = &rs->r[rs->n++];
        memset(x, 0, sizeof(*x));
        x->db = db;
        x->tombstone = tomb;
        buf_set(&x->key, k, kl);
        buf_set(&x->value, v, vl);
}

static void recs_free(struct recs *rs)
{
        for (size_t i = 0; i < rs->n; i++) {
                buf_free(&rs->r[i].key);
                buf_free(&rs->r[i].value);
        }
        free(rs->r);
        memset(rs, 0, sizeof(*rs));
}

static void recs_copy(struct recs *dst, const struct recs *src)
{
        for (size_t i = 0; i < src->n; i++)
                recs_add(dst, src->r[i].db, src->r[i].tombstone, src->r[i].key.p, src->r[i].key.len,
                         src->r[i].value.p, src->r[i].value.len);
}

static int lmdb_fail(const char *what, int rc)
{
        fprintf(stderr, "snapfuzz: %s: %s\n", what, mdb_strerror(rc));
        return -1;
}

/* Every record of the good base and of the good delta. */
static int load_records(void)
{
        char path[PATH_MAX];
        MDB_env *env = NULL;
        MDB_txn *txn = NULL;
        struct virtname_delta d;
        int rc;

        path_join(path, sizeof(path), work, "good-data.mdb");
        if (write_file_renamed(work, "good-data.mdb", good_snap.base.p,
                               good_snap.base.len - VIRTNAME_BASE_TRAILER) < 0)
                return -1;
        if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, VIRTNAME_DB_COUNT)) ||
            (rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR, 0)) ||
            (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)))
                return lmdb_fail("the good base", rc);
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++) {
                MDB_dbi dbi;
                MDB_cursor *c;
                MDB_val k, v;

                if ((rc = mdb_dbi_open(txn, virtname_db_name(db), 0, &dbi)) ||
                    (rc = mdb_cursor_open(txn, dbi, &c)))
                        return lmdb_fail(virtname_db_name(db), rc);
                for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
                        recs_add(&base_recs, db, false, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
                mdb_cursor_close(c);
        }
        mdb_txn_abort(txn);
        mdb_env_close(env);
        unlink(path);

        if (virtname_delta_parse(good_snap.delta.p, good_snap.delta.len, &d) < 0) {
                fprintf(stderr, "snapfuzz: the good delta does not parse\n");
                return -1;
        }
        for (uint32_t i = 0; i < d.count; i++) {
                struct virtname_delta_rec x;

                virtname_delta_rec(&d, i, &x);
                recs_add(&delta_recs, x.db, x.tombstone, x.key.mv_data, x.key.mv_size, x.value.mv_data,
                         x.value.mv_size);
        }
        return 0;
}

/* Damage a few records of RS: values, keys, databases, presence. */
static void mutate_records(struct recs *rs, struct rng *r, bool in_delta, char *desc, size_t cap)
{
        unsigned k = 1 + (unsigned)rng_below(r, 4);
        size_t used = 0;

        desc[0] = '\0';
        for (unsigned j = 0; j < k && rs->n; j++) {
                size_t i = (size_t)rng_below(r, rs->n);
                struct rec *x = &rs->r[i];
                unsigned op = (unsigned)rng_below(r, 10);
                const char *what = "";

                /* Keep the schema and generation mostly (else the base is refused at once). */
                if (!in_delta && x->db == 0 && rng_chance(r, 90))
                        continue;
                switch (op) {
                case 0:
                        if (x->value.len) {
                                x->value.p[rng_below(r, x->value.len)] ^= (uint8_t)(1u << rng_below(r, 8));
                                what = "value bit";
                        }
                        break;
                case 1:
                        if (x->value.len) {
                                size_t at = (size_t)rng_below(r, x->value.len);

                                x->value.p[at] = (uint8_t)interesting(r, x->value.p[at], 1);
                                if (at + 1 < x->value.len && rng_chance(r, 50))
                                        x->value.p[at + 1] = (uint8_t)rng_next(r);
                                what = "value byte";
                        }
                        break;
                case 2:
                        x->value.len = (size_t)rng_below(r, x->value.len + 1);
                        what = "value truncated";
                        break;
                case 3: {
                        size_t old = x->value.len, n = 1 + (size_t)rng_below(r, 32);

                        buf_resize(&x->value, old + n);
                        if (rng_chance(r, 50))
                                for (size_t b = old; b < x->value.len; b++)
                                        x->value.p[b] = (uint8_t)rng_next(r);
                        what = "value extended";
                        break;
                }
                case 4: {
                        const struct rec *o = &rs->r[rng_below(r, rs->n)];

                        buf_set(&x->value, o->value.p, o->value.len);
                        what = "value of another record";
                        break;
                }
                case 5:
                        if (x->key.len) {
                                x->key.p[rng_below(r, x->key.len)] ^= (uint8_t)(1u << rng_below(r, 8));
                                what = "key bit";
                        }
                        break;
                case 6:
                        if (x->key.len > 1) {
                                x->key.len = 1 + (size_t)rng_below(r, x->key.len - 1);
                                what = "key truncated";
                        }
                        break;
                case 7:
                        x->db = (int)rng_below(r, VIRTNAME_DB_COUNT);
                        what = "moved to another database";
                        break;
                case 8:
                        if (in_delta) {
                                x->tombstone = !x->tombstone;
                                if (x->tombstone)
                                        x->value.len = 0;
                                what = "tombstone toggled";
                        } else {
                                buf_free(&x->key);
                                buf_free(&x->value);
                                rs->r[i] = rs->r[--rs->n];
                                what = "removed";
                        }
                        break;
                default: {
                        struct rec copy = *x;

                        recs_add(rs, copy.db, copy.tombstone, copy.key.p, copy.key.len, copy.value.p,
                                 copy.value.len);
                        x = &rs->r[rs->n - 1];
                        if (x->key.len)
                                x->key.p[x->key.len - 1] ^= (uint8_t)(1 + rng_below(r, 255));
                        what = "duplicated under another key";
                        break;
                }
                }
                if (*what && used < cap)
                        used += (size_t)snprintf(desc + used, cap - used, "%s%s %zu: %s", used ? "; " : "",
                                                 virtname_db_name(x->db), i, what);
        }
        if (!desc[0])
                snprintf(desc, cap, "(nothing changed)");
}

static int rec_cmp(const void *a, const void *b)
{
        const struct rec *x = a, *y = b;
        MDB_val kx = { x->key.len, x->key.p }, ky = { y->key.len, y->key.p };

        return virtname_delta_cmp(x->db, &kx, y->db, &ky);
}

/* Sort RS and drop empty and repeated keys. */
static void recs_normalise(struct recs *rs)
{
        size_t out = 0;

        qsort(rs->r, rs->n, sizeof(*rs->r), rec_cmp);
        for (size_t i = 0; i < rs->n; i++) {
                if (rs->r[i].key.len == 0 || rs->r[i].key.len > 511 ||
                    (out && rec_cmp(&rs->r[out - 1], &rs->r[i]) == 0)) {
                        buf_free(&rs->r[i].key);
                        buf_free(&rs->r[i].value);
                        continue;
                }
                rs->r[out++] = rs->r[i];
        }
        rs->n = out;
}

/* RS encoded as a delta of the good snapshot's generation and base into
 * OUT: 0, or -1 (not encodable: OUT unchanged). */
static int encode_delta(const struct recs *rs, struct buf *out)
{
        struct virtname_delta_rec *dr = calloc(rs->n + 1, sizeof(*dr));
        uint8_t *p;
        size_t len;
        int rc;

        if (!dr)
                exit(2);
        for (size_t i = 0; i < rs->n; i++)
                dr[i] = (struct virtname_delta_rec){ rs->r[i].db, rs->r[i].tombstone,
                                                     { rs->r[i].key.len, rs->r[i].key.p },
                                                     { rs->r[i].value.len, rs->r[i].value.p } };
        rc = virtname_delta_encode(dr, rs->n, generation, get_le(good_snap.delta.p + 24, 8), &p, &len);
        if (rc == 0) {
                buf_set(out, p, len);
                free(p);
        }
        free(dr);
        return rc == 0 ? 0 : -1;
}

static void m_synth_delta(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        struct recs rs = { 0 };

        recs_copy(&rs, &delta_recs);
        mutate_records(&rs, r, true, desc, cap);
        recs_normalise(&rs);
        if (encode_delta(&rs, &s->delta) < 0)
                strncat(desc, " (not encodable: delta unchanged)", cap - strlen(desc) - 1);
        recs_free(&rs);
}

/* A new LMDB file with the records of RS, compacted, with a base trailer. */
static int build_base(const struct recs *rs, struct buf *out)
{
        char path[PATH_MAX], cpath[PATH_MAX];
        MDB_env *env = NULL;
        MDB_txn *txn = NULL;
        MDB_dbi dbi[VIRTNAME_DB_COUNT];
        struct stat st;
        int rc, cfd = -1, ofd = -1;

        path_join(path, sizeof(path), work, "synth.mdb");
        path_join(cpath, sizeof(cpath), work, "synth-compact.mdb");
        unlink(path);
        unlink(cpath);
        if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, VIRTNAME_DB_COUNT)) ||
            (rc = mdb_env_set_mapsize(env, 64u << 20)) ||
            (rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0644)) ||
            (rc = mdb_txn_begin(env, NULL, 0, &txn)))
                goto lmdb;
        for (int db = 0; db < VIRTNAME_DB_COUNT; db++)
                if ((rc = mdb_dbi_open(txn, virtname_db_name(db), MDB_CREATE, &dbi[db])))
                        goto lmdb;
        for (size_t i = 0; i < rs->n; i++) {
                MDB_val k = { rs->r[i].key.len, rs->r[i].key.p }, v = { rs->r[i].value.len, rs->r[i].value.p };

                if ((rc = mdb_put(txn, dbi[rs->r[i].db], &k, &v, 0)))
                        goto lmdb;
        }
        rc = mdb_txn_commit(txn);
        txn = NULL;
        if (rc)
                goto lmdb;
        cfd = open(cpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (cfd < 0 || (rc = mdb_env_copyfd2(env, cfd, MDB_CP_COMPACT)) || fstat(cfd, &st) < 0)
                goto lmdb;
        path_join(path, sizeof(path), work, "synth-base");
        ofd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (ofd < 0 || virtname_base_write(cfd, (uint64_t)st.st_size, psize, generation, ofd) < 0)
                goto lmdb;
        close(ofd);
        close(cfd);
        mdb_env_close(env);
        unlink(cpath);
        return buf_read_file(out, path);
lmdb:
        if (txn)
                mdb_txn_abort(txn);
        if (env)
                mdb_env_close(env);
        if (cfd >= 0)
                close(cfd);
        if (ofd >= 0)
                close(ofd);
        return -1;
}

static void m_synth_base(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        struct recs rs = { 0 };

        recs_copy(&rs, &base_recs);
        mutate_records(&rs, r, false, desc, cap);
        recs_normalise(&rs);
        if (build_base(&rs, &s->base) < 0)
                strncat(desc, " (could not build: base unchanged)", cap - strlen(desc) - 1);
        recs_free(&rs);
}

/* --- answers records: our own decoder behind the checksum ----------------------------- */

/* The fields of an answers record (cache/read/answers.h), walked as far
 * as the record lets: where a mutation hurts. */
enum afield { AF_FLAGS, AF_TIME, AF_COUNT, AF_KIND, AF_LEN, AF_SOURCE, AF_KNOWN, AF_FAMILY, AF_RANK };
struct field {
        size_t at, size;
        enum afield kind;
};

static size_t answer_fields(const uint8_t *p, size_t len, struct field *f, size_t cap)
{
        size_t at = 1, n = 0;
#define FIELD(sz, k)                                                            \
        do {                                                                    \
                if (at + (sz) > len || n == cap)                                \
                        return n;                                               \
                f[n++] = (struct field){ at, (sz), (k) };                       \
                at += (sz);                                                     \
        } while (0)
        unsigned flags = len > 1 ? p[1] : 1, timelines;

        FIELD(1, AF_FLAGS);
        if (flags & 1)
                return n;
        if (flags & 2)
                FIELD(8, AF_TIME);
        if (flags & 4)
                FIELD(8, AF_TIME);
        if (at >= len)
                return n;
        timelines = p[at];
        FIELD(1, AF_COUNT);
        for (unsigned t = 0; t < timelines && at < len; t++) {
                unsigned kind = p[at], segs;

                FIELD(1, AF_KIND);
                if (kind == 2 || kind == 3) {
                        if (at + 2 > len)
                                return n;
                        size_t l = (size_t)get_le(p + at, 2);

                        FIELD(2, AF_LEN);
                        at += l;
                }
                if (kind == 3 || at >= len)
                        continue;
                segs = p[at];
                FIELD(1, AF_COUNT);
                for (unsigned sg = 0; sg < segs && at < len; sg++) {
                        unsigned addrs;

                        if (sg > 0)
                                FIELD(8, AF_TIME);
                        FIELD(1, AF_SOURCE);
                        FIELD(1, AF_KNOWN);
                        if (at >= len)
                                return n;
                        addrs = p[at];
                        FIELD(1, AF_COUNT);
                        for (unsigned a = 0; a < addrs && at < len; a++) {
                                unsigned fam = p[at];

                                FIELD(1, AF_FAMILY);
                                at += fam == 6 ? 16 : 4;
                                FIELD(8, AF_TIME);
                                FIELD(1, AF_RANK);
                        }
                }
        }
#undef FIELD
        return n;
}

/* A value for a field of kind K (WIDTH bytes, OLD now). */
static uint64_t field_value(struct rng *r, enum afield k, uint64_t old, size_t width)
{
        static const uint64_t small[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 254, 255 };
        int64_t now = (int64_t)time(NULL);
        int64_t times[] = { 0, 1, -1, now - 1, now, now + 1, now + 3600, INT64_MAX, INT64_MIN, (int64_t)old + 1,
                            (int64_t)old - 1 };

        if (rng_chance(r, 25))
                return interesting(r, old, width);
        switch (k) {
        case AF_TIME:
                return (uint64_t)times[rng_below(r, sizeof(times) / sizeof(times[0]))];
        case AF_LEN:
                return rng_chance(r, 50) ? old + rng_below(r, 5) - 2 : small[rng_below(r, 16)] | (rng_chance(r, 10) ? 0xff00 : 0);
        default:
                return small[rng_below(r, 16)];
        }
}

/* Damage one answers record V: a field, or its bytes. */
static void mutate_answer(struct buf *v, struct rng *r, char *desc, size_t cap)
{
        static const char *const kinds[] = { "flags", "time", "count", "kind", "length", "source", "known",
                                             "family", "rank" };
        struct field f[256];
        size_t n = answer_fields(v->p, v->len, f, 256);

        if (n && rng_chance(r, 70)) {
                const struct field *x = &f[rng_below(r, n)];
                uint64_t old = get_le(v->p + x->at, x->size), nv = field_value(r, x->kind, old, x->size);

                put_le(v->p + x->at, nv, x->size);
                snprintf(desc, cap, "%s at %zu: %#" PRIx64 " -> %#" PRIx64, kinds[x->kind], x->at, old, nv);
                return;
        }
        switch (rng_below(r, 4)) {
        case 0: {
                size_t at = n ? f[rng_below(r, n)].at : (size_t)rng_below(r, v->len + 1);

                v->len = at;
                snprintf(desc, cap, "cut at %zu", at);
                break;
        }
        case 1: {
                size_t old = v->len, extra = 1 + (size_t)rng_below(r, 40);

                buf_resize(v, old + extra);
                for (size_t b = old; b < v->len; b++)
                        v->p[b] = (uint8_t)(rng_chance(r, 50) ? rng_next(r) : v->p[b - old % (old ? old : 1)]);
                snprintf(desc, cap, "%zu bytes added", extra);
                break;
        }
        case 2:
                if (v->len) {
                        size_t at = (size_t)rng_below(r, v->len);

                        v->p[at] ^= (uint8_t)(1u << rng_below(r, 8));
                        snprintf(desc, cap, "bit at %zu", at);
                }
                break;
        default: {
                static const uint8_t rules[] = { 4, 1 };

                buf_set(v, rules, sizeof(rules));
                snprintf(desc, cap, "ask the rules");
                break;
        }
        }
}

/* The answers records of the base or the delta damaged (1 to 4 of them),
 * or another name's record put in their place; both files written with
 * valid checksums.  Our decoder, not LMDB's, reads what is behind them:
 * a crash or a hang fails the run, wrong answers do not (a damaged
 * record may say anything, as a damaged lease may). */
static void m_synth_answers(struct snap *s, struct rng *r, bool fix, char *desc, size_t cap)
{
        bool in_delta = rng_chance(r, 40);
        struct recs rs = { 0 };
        size_t used = 0, idx[512], n = 0;

        (void)fix;
        recs_copy(&rs, in_delta ? &delta_recs : &base_recs);
        for (size_t i = 0; i < rs.n && n < 512; i++)
                if (rs.r[i].db == VIRTNAME_DB_ANSWERS && !rs.r[i].tombstone)
                        idx[n++] = i;
        desc[0] = '\0';
        for (unsigned k = 1 + (unsigned)rng_below(r, 4), j = 0; j < k && n; j++) {
                struct rec *x = &rs.r[idx[rng_below(r, n)]];
                char what[256];

                if (rng_chance(r, 10)) {
                        const struct rec *o = &rs.r[idx[rng_below(r, n)]];

                        buf_set(&x->value, o->value.p, o->value.len);
                        snprintf(what, sizeof(what), "another name's record");
                } else {
                        mutate_answer(&x->value, r, what, sizeof(what));
                }
                if (used < cap)
                        used += (size_t)snprintf(desc + used, cap - used, "%s%s %.*s: %s", used ? "; " : "",
                                                 in_delta ? "delta" : "base", (int)x->key.len, x->key.p, what);
        }
        if (!desc[0])
                snprintf(desc, cap, "(no answers record in the %s)", in_delta ? "delta" : "base");
        if (in_delta) {
                if (encode_delta(&rs, &s->delta) < 0)
                        strncat(desc, " (not encodable: delta unchanged)", cap - strlen(desc) - 1);
        } else if (build_base(&rs, &s->base) < 0) {
                strncat(desc, " (could not build: base unchanged)", cap - strlen(desc) - 1);
        }
        recs_free(&rs);
}

/* --- classes ----------------------------------------------------------------------- */

enum target { T_BASE, T_DELTA, T_BOTH, T_SYNTH };

struct mclass {
        const char *name;
        enum target target;
        bool fix;                       /* checksums recomputed: behind the integrity check */
        mutate_fn fn;
};

static const struct mclass classes[] = {
        { "base-flip", T_BASE, false, m_base_flip },
        { "base-bytes", T_BASE, false, m_base_bytes },
        { "base-trunc", T_BASE, false, m_base_trunc },
        { "base-extend", T_BASE, false, m_base_extend },
        { "base-meta", T_BASE, false, m_base_meta },
        { "base-trailer", T_BASE, false, m_base_trailer },
        { "base-pageswap", T_BASE, false, m_base_pageswap },
        { "base-pagecopy", T_BASE, false, m_base_pagecopy },
        { "base-pagefield", T_BASE, false, m_base_pagefield },
        { "delta-flip", T_DELTA, false, m_delta_flip },
        { "delta-bytes", T_DELTA, false, m_delta_bytes },
        { "delta-trunc", T_DELTA, false, m_delta_trunc },
        { "delta-extend", T_DELTA, false, m_delta_extend },
        { "delta-header", T_DELTA, false, m_delta_header },
        { "delta-rebase", T_DELTA, false, m_delta_rebase },
        { "delta-reorder", T_DELTA, false, m_delta_reorder },
        { "delta-offset", T_DELTA, false, m_delta_offset },
        { "delta-recfield", T_DELTA, false, m_delta_recfield },
        { "delta-recswap", T_DELTA, false, m_delta_recswap },
        { "both", T_BOTH, false, m_both },
        { "fix:base-flip", T_BASE, true, m_base_flip },
        { "fix:base-bytes", T_BASE, true, m_base_bytes },
        { "fix:base-trunc", T_BASE, true, m_base_trunc },
        { "fix:base-extend", T_BASE, true, m_base_extend },
        { "fix:base-meta", T_BASE, true, m_base_meta },
        { "fix:base-pageswap", T_BASE, true, m_base_pageswap },
        { "fix:base-pagecopy", T_BASE, true, m_base_pagecopy },
        { "fix:base-pagefield", T_BASE, true, m_base_pagefield },
        { "fix:delta-flip", T_DELTA, true, m_delta_flip },
        { "fix:delta-bytes", T_DELTA, true, m_delta_bytes },
        { "fix:delta-trunc", T_DELTA, true, m_delta_trunc },
        { "fix:delta-extend", T_DELTA, true, m_delta_extend },
        { "fix:delta-header", T_DELTA, true, m_delta_header },
        { "fix:delta-reorder", T_DELTA, true, m_delta_reorder },
        { "fix:delta-offset", T_DELTA, true, m_delta_offset },
        { "fix:delta-recfield", T_DELTA, true, m_delta_recfield },
        { "fix:delta-recswap", T_DELTA, true, m_delta_recswap },
        { "synth-delta", T_SYNTH, true, m_synth_delta },
        { "synth-base", T_SYNTH, true, m_synth_base },
        { "synth-answers", T_SYNTH, true, m_synth_answers },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* Does -c or -x leave class I in? */
static bool class_allowed(size_t i)
{
        char list[1024], *save = NULL;

        if (opt.only_class && strcmp(opt.only_class, classes[i].name) != 0)
                return false;
        if (!opt.exclude)
                return true;
        snprintf(list, sizeof(list), "%s", opt.exclude);
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (strcmp(t, classes[i].name) == 0)
                        return false;
        return true;
}

/* Make case S of class C from the good snapshot. */
static void make_case(const struct mclass *c, struct rng *r, struct snap *s, char *desc, size_t cap)
{
        snap_copy(s, &good_snap);
        if (c->fix && c->target != T_SYNTH)
                s->base.len -= VIRTNAME_BASE_TRAILER;          /* mutate the data part */
        c->fn(s, r, c->fix, desc, cap);
        if (c->fix && c->target != T_SYNTH) {
                fix_base(s);
                fix_delta(s);
        }
}

/* --- resolving ------------------------------------------------------------------------ */

struct ask_ctx {
        const char *dir;
};

/* In a child: every question against DIR, the answers to OUT_FD. */
static int ask_all(void *ctx, int out_fd)
{
        const struct ask_ctx *a = ctx;
        struct answer ans;

        setenv(VIRTNAME_DIR_ENV, a->dir, 1);
        for (size_t i = 0; i < qs.n; i++) {
                answer_query(mod, &qs.q[i], &ans);
                if (write_all(out_fd, &ans, sizeof(ans)) < 0)
                        return 3;
        }
        return 0;
}

static const char *qkind_name(enum qkind k)
{
        static const char *const names[] = { "ahosts", "ahostsv4", "ahostsv6", "reverse" };

        return names[k];
}

/* Answers of DIR into *OUT (qs.n of them, or fewer when the child died). */
static int resolve_dir(const char *dir, const char *err_path, struct buf *out, struct run *r)
{
        struct ask_ctx a = { dir };

        out->len = 0;
        return run_child(ask_all, &a, err_path, opt.timeout_ms, out, r);
}

/* --- the cases mode ------------------------------------------------------------------ */

struct tally {
        unsigned long cases, accepted, failed;
        unsigned long verdict[V_COUNT];
        unsigned long run[4];
        unsigned long sig[65];
};

static unsigned long kept_per_class[NCLASSES];

/* Copy the failing case to the keep directory; print where. */
static void keep_case(size_t ci, uint64_t seed, unsigned long i, const char *desc, const char *why,
                      const char *details, const char *err_path)
{
        char dir[PATH_MAX], path[PATH_MAX], name[64];
        struct buf e = { 0 };
        FILE *f;

        if (!opt.keep || kept_per_class[ci]++ >= 5)
                return;
        snprintf(name, sizeof(name), "%s", classes[ci].name);
        for (char *p = name; *p; p++)
                if (*p == ':')
                        *p = '_';
        snprintf(dir, sizeof(dir), "%s/%s-%" PRIu64 "-%lu", opt.keep, name, seed, i);
        if (copy_dir_files(case_dir, dir) < 0) {
                fprintf(stderr, "snapfuzz: cannot keep the case in %s: %s\n", dir, strerror(errno));
                return;
        }
        if (err_path && buf_read_file(&e, err_path) == 0 && e.len)
                write_file_renamed(dir, "stderr.txt", e.p, e.len);
        buf_free(&e);
        path_join(path, sizeof(path), dir, "what.txt");
        f = fopen(path, "we");
        if (f) {
                fprintf(f, "class %s, seed %" PRIu64 ", case %lu\nmutation: %s\nresult: %s\n%s"
                        "reproduce: snapfuzz -m %s -s %" PRIu64 " -i %lu -c %s cases GOOD-DIR WORK-DIR\n"
                        "or compare this directory: snapfuzz -m %s check GOOD-DIR %s\n",
                        classes[ci].name, seed, i, desc, why, details, opt.module, seed, i, classes[ci].name,
                        opt.module, dir);
                fclose(f);
        }
        printf("    kept in %s\n", dir);
}

/* Compare answers GOT (N) with the good ones into T; the details of what
 * differs go to DETAILS.  Returns the worst verdict. */
static enum verdict judge(const struct answer *got, size_t n, struct tally *t, char *details, size_t cap)
{
        enum verdict worst = V_SAME;
        size_t used = 0;
        bool accepted = false;

        details[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                enum verdict v = answer_compare(&good[i], &got[i]);

                t->verdict[v]++;
                accepted |= answer_ok(&got[i]);
                if (v > worst)
                        worst = v;
                if ((v == V_WRONG || v == V_PARTIAL) && used < cap)
                        used += (size_t)snprintf(details + used, cap - used,
                                                 "  %s %s %s: good [%s] %s, got [%s] %s\n", verdict_name(v),
                                                 qkind_name(qs.q[i].kind), qs.q[i].text, good[i].text,
                                                 status_name(good[i].status), got[i].text,
                                                 status_name(got[i].status));
        }
        if (accepted)
                t->accepted++;
        return worst;
}

static void print_tally(const char *name, const struct tally *t)
{
        int first = 0;

        printf("%-20s %7lu cases %6lu accepted | answers same %lu none %lu partial %lu wrong %lu | "
               "crashes %lu (",
               name, t->cases, t->accepted, t->verdict[V_SAME], t->verdict[V_NONE], t->verdict[V_PARTIAL],
               t->verdict[V_WRONG], t->run[RUN_SIGNAL]);
        for (int s = 1; s < 65; s++)
                if (t->sig[s])
                        printf("%s%s %lu", first++ ? " " : "", sigabbrev_np(s) ? sigabbrev_np(s) : "?", t->sig[s]);
        printf(") sanitizer %lu hangs %lu | failed %lu\n", t->run[RUN_EXIT], t->run[RUN_HANG], t->failed);
}

static bool out_of_time(double end, unsigned long done)
{
        if (opt.cases && done >= opt.cases)
                return true;
        return opt.seconds > 0 && now_ms() >= end;
}

/* --- sealed and almost sealed files ------------------------------------------------ */

static int set_flag_immutable(const char *path, bool on)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), flags = 0, rc = -1;

        if (fd < 0)
                return -1;
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
                flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
                rc = ioctl(fd, FS_IOC_SETFLAGS, &flags);
        }
        close(fd);
        return rc;
}

/* Every file in DIR chattr +i (ON) or -i. */
static int dir_immutable(const char *dir, bool on)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int rc = 0;

        while (d && (e = readdir(d))) {
                char path[PATH_MAX];

                if (e->d_name[0] == '.')
                        continue;
                path_join(path, sizeof(path), dir, e->d_name);
                if (set_flag_immutable(path, on) < 0 && on)
                        rc = -1;
        }
        if (d)
                closedir(d);
        return d ? rc : -1;
}

/* Place the case in DIR as -I and -O say. */
static int place_case(const char *dir)
{
        if (opt.dir_owner >= 0 && chown(dir, (uid_t)opt.dir_owner, (gid_t)opt.dir_owner) < 0)
                return -1;
        return opt.immutable ? dir_immutable(dir, true) : 0;
}

static int mode_cases(void)
{
        struct tally per[NCLASSES] = { 0 }, prot = { 0 }, fixed = { 0 };
        struct snap s = { .base = { 0 } };
        struct buf out = { 0 };
        char err_path[PATH_MAX], desc[1024], details[4096], why[256];
        double end = now_ms() + opt.seconds * 1e3;
        size_t only = NCLASSES;
        unsigned long i = opt.only_case >= 0 ? (unsigned long)opt.only_case : 0, done = 0;
        int rc = 0;

        if (opt.only_class) {
                for (only = 0; only < NCLASSES && strcmp(classes[only].name, opt.only_class) != 0; only++)
                        ;
                if (only == NCLASSES) {
                        fprintf(stderr, "snapfuzz: no class %s\n", opt.only_class);
                        return 2;
                }
        }
        for (size_t ci = 0; ci < NCLASSES && !class_allowed(ci); ci++)
                if (ci == NCLASSES - 1) {
                        fprintf(stderr, "snapfuzz: -c and -x leave no class\n");
                        return 2;
                }
        if (!opt.cases && opt.seconds <= 0)
                opt.cases = 1000;
        if (opt.only_case >= 0)
                opt.cases = 1;
        path_join(err_path, sizeof(err_path), work, "stderr.txt");
        printf("snapfuzz cases: module %s, seed %" PRIu64 ", %s\n", opt.module, opt.seed,
               opt.only_case >= 0 ? "one case" : opt.cases ? "case count" : "time limit");
        for (; !out_of_time(end, done); i++) {
                size_t ci = only < NCLASSES ? only : i % NCLASSES;

                if (!class_allowed(ci))
                        continue;
                const struct mclass *c = &classes[ci];
                struct rng r = rng_for_case(opt.seed, i);
                struct tally *t = &per[ci], *sum = c->fix ? &fixed : &prot;
                struct run run;
                enum verdict worst;
                size_t n;
                bool fail;

                done++;
                make_case(c, &r, &s, desc, sizeof(desc));
                if (opt.immutable)
                        dir_immutable(case_dir, false);
                if (empty_dir(case_dir) < 0 || snap_write(case_dir, &s) < 0 || place_case(case_dir) < 0) {
                        fprintf(stderr, "snapfuzz: cannot place a case in %s: %s\n", case_dir, strerror(errno));
                        return 2;
                }
                if (resolve_dir(case_dir, err_path, &out, &run) < 0) {
                        fprintf(stderr, "snapfuzz: cannot start a child: %s\n", strerror(errno));
                        return 2;
                }
                run_classify(&run, err_path);
                n = out.len / sizeof(struct answer);
                t->cases++;
                sum->cases++;
                t->run[run.result]++;
                sum->run[run.result]++;
                if (run.result == RUN_SIGNAL && run.code < 65) {
                        t->sig[run.code]++;
                        sum->sig[run.code]++;
                }
                worst = judge((const struct answer *)out.p, n, t, details, sizeof(details));
                judge((const struct answer *)out.p, n, sum, details, sizeof(details));
                if (run.result == RUN_OK && n != qs.n) {
                        run.result = RUN_EXIT;          /* answered less than asked: count it */
                        run.code = -1;
                }
                fail = run.result != RUN_OK || worst == V_WRONG || (!c->fix && worst == V_PARTIAL);
                if (!fail)
                        continue;
                t->failed++;
                sum->failed++;
                /* Behind the checksum, what only our own decoder reads
                 * (answers records) must not crash or hang either. */
                bool fatal = !c->fix || (c->fn == m_synth_answers && run.result != RUN_OK);

                if (fatal)
                        rc = 1;
                if (t->failed > 3 && !fatal)
                        continue;       /* counted; the first three of a class are shown, and every failure */
                run_describe(&run, why, sizeof(why));
                printf("%s %s case %lu (seed %" PRIu64 "): %s; worst answer %s\n    mutation: %s\n",
                       fatal ? "FAIL" : "BYPASS", c->name, i, opt.seed, why, verdict_name(worst), desc);
                if (details[0])
                        printf("%s", details);
                if (run.result == RUN_EXIT || run.result == RUN_SIGNAL) {
                        char rep[4096];

                        report_summary(err_path, rep, sizeof(rep));
                        if (rep[0])
                                printf("%s", rep);
                }
                keep_case(ci, opt.seed, i, desc, why, details, err_path);
        }
        printf("per class (seed %" PRIu64 "):\n", opt.seed);
        for (size_t ci = 0; ci < NCLASSES; ci++)
                if (per[ci].cases)
                        print_tally(classes[ci].name, &per[ci]);
        print_tally("total checksummed", &prot);
        print_tally("total fix:/synth-", &fixed);
        printf("snapfuzz cases: %lu cases, %lu failed (checksummed classes), %lu behind the checksum "
               "(fix:/synth-, not failing the run)\n", prot.cases + fixed.cases, prot.failed, fixed.failed);
        if (opt.immutable)
                dir_immutable(case_dir, false);
        buf_free(&out);
        return rc;
}

/* --- the seal mode ---------------------------------------------------------------------- */

/* Bytes this process has read (rchar in /proc/self/io). */
static uint64_t bytes_read(void)
{
        char line[128];
        uint64_t v = 0;
        FILE *f = fopen("/proc/self/io", "re");

        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "rchar: %" SCNu64, &v) == 1)
                        break;
        if (f)
                fclose(f);
        return v;
}

/* In a child: every question against DIR, then what it read for them. */
static int ask_counted(void *ctx, int out_fd)
{
        uint64_t before = bytes_read(), used;
        int rc = ask_all(ctx, out_fd);

        used = bytes_read() - before;
        return rc ? rc : write_all(out_fd, &used, sizeof(used)) < 0 ? 3 : 0;
}

/* Ask everything of DIR in a child: 0 when every answer is the good one,
 * with the bytes the child read into *USED. */
static int ask_sealed(const char *dir, uint64_t *used)
{
        struct ask_ctx a = { dir };
        struct buf out = { 0 };
        struct run r;
        size_t bad = 0;
        int rc;

        rc = run_child(ask_counted, &a, NULL, opt.timeout_ms, &out, &r);
        if (rc == 0 && (r.result != RUN_OK || out.len != qs.n * sizeof(struct answer) + sizeof(*used)))
                rc = -1;
        for (size_t i = 0; rc == 0 && i < qs.n; i++)
                bad += answer_compare(&good[i], (const struct answer *)out.p + i) != V_SAME;
        if (rc == 0)
                memcpy(used, out.p + qs.n * sizeof(struct answer), sizeof(*used));
        buf_free(&out);
        return rc < 0 ? -1 : bad ? -1 : 0;
}

/* Open PATH with FLAGS and close it again: 0, or -1 with errno. */
static int open_close(const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC);

        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

/* Try to change the sealed file DIR/NAME in place or replace it, as
 * root: every way must fail with EPERM.  Returns the number that did
 * not. */
static int tamper(const char *dir, const char *name)
{
        char path[PATH_MAX], other[PATH_MAX], link_path[PATH_MAX];
        struct timespec times[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
        const char *what[12];
        int err[12], failed = 0;
        size_t n = 0;

        path_join(path, sizeof(path), dir, name);
        path_join(other, sizeof(other), dir, ".snapfuzz-other");
        path_join(link_path, sizeof(link_path), dir, ".snapfuzz-link");
        if (write_file_renamed(dir, ".snapfuzz-other", "x", 1) < 0)
                return 1;
        what[n] = "open for writing";
        err[n++] = open_close(path, O_WRONLY) < 0 ? errno : 0;
        what[n] = "open read-write";
        err[n++] = open_close(path, O_RDWR) < 0 ? errno : 0;
        what[n] = "open to truncate";
        err[n++] = open_close(path, O_WRONLY | O_TRUNC) < 0 ? errno : 0;
        what[n] = "open to append";
        err[n++] = open_close(path, O_WRONLY | O_APPEND) < 0 ? errno : 0;
        what[n] = "truncate";
        err[n++] = truncate(path, 0) < 0 ? errno : 0;
        what[n] = "rename another file over it";
        err[n++] = rename(other, path) < 0 ? errno : 0;
        what[n] = "rename it away";
        err[n++] = rename(path, other) < 0 ? errno : 0;
        what[n] = "unlink";
        err[n++] = unlink(path) < 0 ? errno : 0;
        what[n] = "hard link";
        err[n++] = link(path, link_path) < 0 ? errno : 0;
        what[n] = "chmod";
        err[n++] = chmod(path, 0666) < 0 ? errno : 0;
        what[n] = "chown";
        err[n++] = chown(path, 65534, 65534) < 0 ? errno : 0;
        what[n] = "utimes";
        err[n++] = utimensat(AT_FDCWD, path, times, 0) < 0 ? errno : 0;
        for (size_t i = 0; i < n; i++) {
                if (err[i] == EPERM)
                        continue;
                printf("FAIL seal: %s of sealed %s: %s\n", what[i], name, err[i] ? strerror(err[i]) : "it worked");
                failed++;
        }
        unlink(other);
        unlink(link_path);
        return failed;
}

static int mode_seal(void)
{
        uint64_t used = 0, base_size = good_snap.base.len;
        int failed = 0;
        struct {
                const char *what;
                bool immutable;
                long owner;
                bool sealed;
        } places[] = {
                { "sealed (root's, root's directory, immutable, this file system)", true, -1, true },
                { "not immutable", false, -1, false },
                { "immutable, the directory not root's", true, 65534, false },
        };

        printf("snapfuzz seal: the good snapshot in %s, base %" PRIu64 " bytes\n", case_dir, base_size);
        for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
                bool whole;

                dir_immutable(case_dir, false);
                if (chown(case_dir, 0, 0) < 0 || empty_dir(case_dir) < 0 || snap_write(case_dir, &good_snap) < 0)
                        return 2;
                opt.immutable = places[i].immutable;
                opt.dir_owner = places[i].owner;
                if (place_case(case_dir) < 0) {
                        fprintf(stderr, "snapfuzz: cannot place the snapshot (%s): %s\n", places[i].what,
                                strerror(errno));
                        return 2;
                }
                if (ask_sealed(case_dir, &used) < 0) {
                        printf("FAIL seal: %s: answers differ from the good snapshot's\n", places[i].what);
                        failed++;
                        continue;
                }
                whole = used >= base_size;
                printf("%s %s: every answer right, the reader read %" PRIu64 " bytes (the base %s)\n",
                       whole == !places[i].sealed ? "ok  " : "FAIL", places[i].what, used,
                       whole ? "whole" : "not whole");
                failed += whole != !places[i].sealed;
                if (places[i].sealed) {
                        int t = tamper(case_dir, base_name) + tamper(case_dir, VIRTNAME_DELTA_NAME);

                        printf("%s root cannot change or replace the sealed base or delta (12 ways each: "
                               "EPERM)\n", t ? "FAIL" : "ok  ");
                        failed += t;
                        if (ask_sealed(case_dir, &used) < 0) {
                                printf("FAIL seal: answers differ after the attempts\n");
                                failed++;
                        }
                }
        }
        dir_immutable(case_dir, false);
        if (chown(case_dir, 0, 0) < 0)
                failed++;
        opt.immutable = false;
        opt.dir_owner = -1;
        printf("snapfuzz seal: %d failed\n", failed);
        return failed ? 1 : 0;
}

/* --- long-running readers ----------------------------------------------------------------- */

struct reader_ctx {
        const char *dir;
        double end;             /* loop until then (ms, monotonic) ... */
        int ctl;                /* ... or, if >= 0, one round per byte read from it */
};

struct reader_result {
        unsigned long lookups, rounds;
        unsigned long verdict[V_COUNT];
};

/* The readers' totals, in memory shared with the parent: a reader that
 * crashes has counted its lookups all the same. */
static struct reader_result *shared;

/* In a child: one process resolving again and again, like a daemon that
 * keeps the module loaded.  Differences from the good answers go to
 * standard error; the totals to OUT_FD at the end. */
static int reader(void *vctx, int out_fd)
{
        const struct reader_ctx *c = vctx;
        struct reader_result res = { 0 };
        struct answer a;
        unsigned long reported = 0;

        setenv(VIRTNAME_DIR_ENV, c->dir, 1);
        for (;;) {
                bool bad = false, none = false;

                if (c->ctl >= 0) {
                        char cmd;
                        ssize_t n = read(c->ctl, &cmd, 1);

                        if (n <= 0 || cmd == 'q')
                                break;
                } else if (now_ms() >= c->end) {
                        break;
                }
                for (size_t i = 0; i < qs.n; i++) {
                        enum verdict v;

                        answer_query(mod, &qs.q[i], &a);
                        v = answer_compare(&good[i], &a);
                        res.verdict[v]++;
                        res.lookups++;
                        shared->verdict[v]++;
                        shared->lookups++;
                        none |= v == V_NONE;
                        if ((v == V_WRONG || v == V_PARTIAL) && reported++ < 20) {
                                fprintf(stderr, "reader: %s %s %s: good [%s], got [%s]\n", verdict_name(v),
                                        qkind_name(qs.q[i].kind), qs.q[i].text, good[i].text, a.text);
                                bad = true;
                        }
                }
                res.rounds++;
                if (c->ctl >= 0 && write_all(out_fd, bad ? "x" : none ? "n" : "d", 1) < 0)
                        return 3;
        }
        write_all(out_fd, &res, sizeof(res));
        return 0;
}

/* A reader child running while its parent works on the files. */
struct live {
        pid_t pid;
        int out;                /* its results */
        int ctl;                /* its commands (-1: free-running) */
        double start;
};

static int live_start(struct live *l, struct reader_ctx *c, const char *err_path, bool stepped)
{
        int o[2], k[2] = { -1, -1 };

        if (pipe2(o, O_CLOEXEC) < 0 || (stepped && pipe2(k, O_CLOEXEC) < 0))
                return -1;
        c->ctl = stepped ? k[0] : -1;
        fflush(NULL);
        l->start = now_ms();
        l->pid = fork();
        if (l->pid < 0)
                return -1;
        if (l->pid == 0) {
                int fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

                if (fd >= 0)
                        dup2(fd, STDERR_FILENO);
                close(o[0]);
                if (stepped)
                        close(k[1]);
                _exit(reader(c, o[1]));
        }
        close(o[1]);
        if (stepped)
                close(k[0]);
        l->out = o[0];
        l->ctl = stepped ? k[1] : -1;
        return 0;
}

/* Read one byte from the reader within TIMEOUT_MS: the byte, 0 on EOF, -1
 * on timeout. */
static int live_step(struct live *l, unsigned timeout_ms)
{
        struct pollfd p = { .fd = l->out, .events = POLLIN };
        char b;
        int rc;

        if (write_all(l->ctl, "g", 1) < 0)
                return 0;
        do
                rc = poll(&p, 1, (int)timeout_ms);
        while (rc < 0 && errno == EINTR);
        if (rc == 0)
                return -1;
        return read(l->out, &b, 1) == 1 ? b : 0;
}

/* Stop the reader (or reap it if it died) and collect its result. */
static void live_finish(struct live *l, struct reader_result *res, struct run *r, unsigned timeout_ms)
{
        struct buf out = { 0 };
        int status = 0;
        double start = now_ms();
        bool killed = false;

        if (l->ctl >= 0) {
                (void)!write(l->ctl, "q", 1);
                close(l->ctl);
                l->ctl = -1;
        }
        for (;;) {
                struct pollfd p = { .fd = l->out, .events = POLLIN };
                char chunk[4096];
                ssize_t n;

                if (now_ms() - start > timeout_ms) {
                        kill(l->pid, SIGKILL);
                        killed = true;
                        break;
                }
                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = read(l->out, chunk, sizeof(chunk));
                if (n <= 0)
                        break;
                buf_append(&out, chunk, (size_t)n);
        }
        while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
                ;
        close(l->out);
        memset(res, 0, sizeof(*res));
        /* The totals are the last bytes it wrote. */
        if (out.len >= sizeof(*res))
                memcpy(res, out.p + out.len - sizeof(*res), sizeof(*res));
        r->ms = now_ms() - l->start;
        r->result = killed ? RUN_HANG : WIFSIGNALED(status) ? RUN_SIGNAL : WEXITSTATUS(status) ? RUN_EXIT : RUN_OK;
        r->code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
        buf_free(&out);
}

/* Has the free-running reader died? */
static bool live_dead(struct live *l)
{
        struct pollfd p = { .fd = l->out, .events = POLLIN };

        return poll(&p, 1, 0) == 1;     /* it writes only when it ends */
}

static void keep_live(const char *mode, unsigned long step, const char *desc, const char *err_path)
{
        char dir[PATH_MAX], path[PATH_MAX];
        struct buf e = { 0 };
        FILE *f;

        if (!opt.keep)
                return;
        snprintf(dir, sizeof(dir), "%s/%s-%" PRIu64 "-%lu", opt.keep, mode, opt.seed, step);
        if (copy_dir_files(case_dir, dir) < 0)
                return;
        if (buf_read_file(&e, err_path) == 0 && e.len)
                write_file_renamed(dir, "stderr.txt", e.p, e.len);
        buf_free(&e);
        path_join(path, sizeof(path), dir, "what.txt");
        f = fopen(path, "we");
        if (f) {
                fprintf(f, "mode %s, seed %" PRIu64 ", step %lu\nlast change: %s\n"
                        "the files are as they were when the failure was seen\n", mode, opt.seed, step, desc);
                fclose(f);
        }
        printf("    kept in %s\n", dir);
}

/* A random checksummed class (-c, -x respected): damage a reader must
 * refuse. */
static const struct mclass *random_damage(struct rng *r)
{
        size_t ok[NCLASSES], n = 0;

        for (size_t i = 0; i < NCLASSES; i++)
                if (!classes[i].fix && class_allowed(i))
                        ok[n++] = i;
        if (n == 0)
                return &classes[0];
        return &classes[ok[rng_below(r, n)]];
}

static int mode_rename(void)
{
        struct reader_ctx c = { case_dir, 0, -1 };
        struct reader_result res, total;
        struct snap s = { .base = { 0 } };
        struct live l;
        struct run run;
        char err_path[PATH_MAX], desc[1024] = "(none yet)", why[128];
        double end = now_ms() + (opt.seconds > 0 ? opt.seconds : 10) * 1e3;
        unsigned long swaps = 0, crashes = 0, hangs = 0, sanitizer = 0, readers = 0;
        struct rng r = rng_for_case(opt.seed, 0);
        int rc = 0;

        path_join(err_path, sizeof(err_path), work, "reader-stderr.txt");
        unlink(err_path);
        if (empty_dir(case_dir) < 0 || snap_write(case_dir, &good_snap) < 0)
                return 2;
        printf("snapfuzz rename: module %s, seed %" PRIu64 ", %.0f s\n", opt.module, opt.seed,
               opt.seconds > 0 ? opt.seconds : 10);
        while (now_ms() < end) {
                c.end = end;
                if (live_start(&l, &c, err_path, false) < 0)
                        return 2;
                readers++;
                while (now_ms() < end && !live_dead(&l)) {
                        const struct mclass *m = random_damage(&r);

                        make_case(m, &r, &s, desc, sizeof(desc));
                        /* The damaged files, by rename, for a moment; then good ones, new inodes. */
                        if (m->target != T_DELTA || rng_chance(&r, 50))
                                write_file_renamed(case_dir, base_name, s.base.p, s.base.len);
                        if (m->target != T_BASE)
                                write_file_renamed(case_dir, VIRTNAME_DELTA_NAME, s.delta.p, s.delta.len);
                        usleep((useconds_t)rng_below(&r, 3000));
                        snap_write(case_dir, &good_snap);
                        usleep((useconds_t)rng_below(&r, 1000));
                        swaps++;
                }
                live_finish(&l, &res, &run, opt.timeout_ms + 5000);
                run_classify(&run, err_path);
                if (run.result != RUN_OK || res.verdict[V_WRONG] || res.verdict[V_PARTIAL]) {
                        printf("FAIL rename: reader %s after %.0f ms, %lu wrong, %lu partial answers; last "
                               "damage: %s\n", run_describe(&run, why, sizeof(why)), run.ms,
                               res.verdict[V_WRONG], res.verdict[V_PARTIAL], desc);
                        keep_live("rename", swaps, desc, err_path);
                        rc = 1;
                }
                crashes += run.result == RUN_SIGNAL;
                sanitizer += run.result == RUN_EXIT;
                hangs += run.result == RUN_HANG;
        }
        total = *shared;
        printf("snapfuzz rename: %lu damaged snapshots renamed in and out under %lu reader process(es); "
               "%lu lookups: same %lu none %lu partial %lu wrong %lu; reader crashes %lu, sanitizer "
               "reports %lu, hangs %lu\n", swaps, readers, total.lookups, total.verdict[V_SAME],
               total.verdict[V_NONE], total.verdict[V_PARTIAL], total.verdict[V_WRONG], crashes, sanitizer,
               hangs);
        return rc;
}

/* In place, same inode: the changes "size changes under a running reader"
 * means.  *GOOD[0] (the base) and *GOOD[1] (the delta) say whether the
 * files hold the good snapshot afterwards. */
static void change_in_place(struct rng *r, struct snap *s, char *desc, size_t cap, bool good_now[2])
{
        char path[PATH_MAX], what[512];
        unsigned op = (unsigned)rng_below(r, 9);
        bool delta = op >= 5 && op != 8;
        const struct buf *g = delta ? &good_snap.delta : &good_snap.base;
        struct stat st;
        int fd;

        path_join(path, sizeof(path), case_dir, delta ? VIRTNAME_DELTA_NAME : base_name);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                snprintf(desc, cap, "cannot open the %s: %s", delta ? "delta" : "base", strerror(errno));
                if (fd >= 0)
                        close(fd);
                return;
        }
        good_now[delta] = false;
        switch (op) {
        case 0:
        case 5: {               /* shrink */
                off_t n = !delta && rng_chance(r, 50) ? (off_t)(psize * rng_below(r, g->len / psize))
                                                      : (off_t)rng_below(r, g->len);

                (void)!ftruncate(fd, n);
                snprintf(desc, cap, "%s truncated in place from %lld to %lld bytes", delta ? "delta" : "base",
                         (long long)st.st_size, (long long)n);
                break;
        }
        case 1:
        case 6: {               /* extend */
                off_t n = (off_t)(1 + rng_below(r, 3 * psize));

                (void)!ftruncate(fd, st.st_size + n);
                snprintf(desc, cap, "%s extended in place by %lld bytes", delta ? "delta" : "base", (long long)n);
                break;
        }
        case 2:
        case 7:
        case 8:                 /* the good content again */
                (void)!ftruncate(fd, 0);
                (void)!pwrite(fd, g->p, g->len, 0);
                snprintf(desc, cap, "%s restored in place", delta ? "delta" : "base");
                good_now[delta] = true;
                break;
        case 3: {               /* same size, damaged bytes: only the mtime tells */
                const struct mclass *m;

                do
                        m = random_damage(r);
                while (m->target != T_BASE || m->fn == m_base_trunc || m->fn == m_base_extend);
                make_case(m, r, s, what, sizeof(what));
                (void)!pwrite(fd, s->base.p, s->base.len, 0);
                snprintf(desc, cap, "base rewritten in place, same size: %s", what);
                break;
        }
        default: {              /* 4: truncated, then extended back to its size */
                off_t cut = (off_t)(psize * (2 + rng_below(r, 3)));

                if (cut >= st.st_size)
                        cut = st.st_size / 2;
                (void)!ftruncate(fd, cut);
                (void)!ftruncate(fd, st.st_size);
                snprintf(desc, cap, "base truncated to %lld and extended back to %lld bytes in place",
                         (long long)cut, (long long)st.st_size);
                break;
        }
        }
        close(fd);
}

static int mode_resize(void)
{
        struct reader_ctx c = { case_dir, 0, -1 };
        struct reader_result res;
        struct snap s = { .base = { 0 } };
        struct live l;
        struct run run;
        char err_path[PATH_MAX], desc[1024] = "(none yet)", why[128];
        double end = now_ms() + (opt.seconds > 0 ? opt.seconds : 10) * 1e3;
        unsigned long steps = 0, good_steps = 0, bad_steps = 0, stuck = 0, failures = 0, readers = 0;
        struct rng r = rng_for_case(opt.seed, 1);
        bool good_now[2] = { true, true };
        int rc = 0;

        path_join(err_path, sizeof(err_path), work, "reader-stderr.txt");
        unlink(err_path);
        if (empty_dir(case_dir) < 0 || snap_write(case_dir, &good_snap) < 0)
                return 2;
        printf("snapfuzz resize: module %s, seed %" PRIu64 ", %.0f s\n", opt.module, opt.seed,
               opt.seconds > 0 ? opt.seconds : 10);
        while (now_ms() < end) {
                bool dead = false;

                if (live_start(&l, &c, err_path, true) < 0)
                        return 2;
                readers++;
                while (now_ms() < end) {
                        int b = live_step(&l, opt.timeout_ms);

                        if (b <= 0) {
                                dead = true;
                                break;
                        }
                        steps++;
                        if (b == 'x') {
                                bad_steps++;
                                printf("FAIL resize: a wrong or partial answer after: %s\n", desc);
                                keep_live("resize", steps, desc, err_path);
                                rc = 1;
                        } else if (good_now[0] && good_now[1]) {
                                good_steps++;
                                /* Both files good again: the reader must answer as before. */
                                if (b != 'd' && stuck++ < 5) {
                                        printf("FAIL resize: the files are good again but the reader "
                                               "does not answer (after: %s)\n", desc);
                                        rc = 1;
                                }
                        }
                        change_in_place(&r, &s, desc, sizeof(desc), good_now);
                }
                live_finish(&l, &res, &run, opt.timeout_ms + 5000);
                run_classify(&run, err_path);
                if (dead || run.result != RUN_OK) {
                        failures++;
                        printf("FAIL resize: reader %s after the change: %s\n",
                               dead && run.result == RUN_OK ? "stopped answering"
                                                            : run_describe(&run, why, sizeof(why)),
                               desc);
                        keep_live("resize", steps, desc, err_path);
                        rc = 1;
                        if (empty_dir(case_dir) < 0 || snap_write(case_dir, &good_snap) < 0)
                                return 2;
                        good_now[0] = good_now[1] = true;
                }
        }
        printf("snapfuzz resize: %lu rounds of all %zu questions under %lu reader process(es), each "
               "round followed by an in-place change of the base or the delta; rounds with a wrong or "
               "partial answer %lu; rounds on good files %lu, of which not answering %lu; reader "
               "failures %lu\n", steps, qs.n, readers, bad_steps, good_steps, stuck, failures);
        return rc;
}

/* Measurement: root truncating the mapped base in place while lookups run. */
static int mode_window(void)
{
        struct reader_ctx c = { case_dir, 0, -1 };
        struct reader_result res;
        struct live l;
        struct run run;
        char base[PATH_MAX], err_path[PATH_MAX], why[128];
        double end = now_ms() + (opt.seconds > 0 ? opt.seconds : 10) * 1e3;
        unsigned long truncs = 0, lookups = 0, readers = 0, sigs[65] = { 0 }, other = 0, wrong = 0;
        struct rng r = rng_for_case(opt.seed, 2);

        path_join(err_path, sizeof(err_path), work, "reader-stderr.txt");
        path_join(base, sizeof(base), case_dir, base_name);
        if (empty_dir(case_dir) < 0 || snap_write(case_dir, &good_snap) < 0)
                return 2;
        printf("snapfuzz window: module %s, %.0f s of in-place truncations during lookups\n", opt.module,
               opt.seconds > 0 ? opt.seconds : 10);
        while (now_ms() < end) {
                c.end = end;
                unlink(err_path);
                if (live_start(&l, &c, err_path, false) < 0)
                        return 2;
                readers++;
                while (now_ms() < end && !live_dead(&l)) {
                        int fd = open(base, O_RDWR | O_CLOEXEC);

                        if (fd < 0)
                                break;
                        (void)!ftruncate(fd, 2 * psize);
                        usleep((useconds_t)rng_below(&r, 500));
                        (void)!ftruncate(fd, 0);
                        (void)!pwrite(fd, good_snap.base.p, good_snap.base.len, 0);
                        close(fd);
                        truncs++;
                        usleep((useconds_t)rng_below(&r, 500));
                }
                live_finish(&l, &res, &run, opt.timeout_ms + 5000);
                run_classify(&run, err_path);
                if (run.result == RUN_SIGNAL && run.code < 65)
                        sigs[run.code]++;
                else if (run.result != RUN_OK) {
                        other++;
                        printf("window: reader %s\n", run_describe(&run, why, sizeof(why)));
                }
        }
        lookups = shared->lookups;
        wrong = shared->verdict[V_WRONG] + shared->verdict[V_PARTIAL];
        printf("snapfuzz window: %lu in-place truncations of the base during lookups, %lu reader "
               "processes, %lu lookups; reader faults:", truncs, readers, lookups);
        for (int s = 1; s < 65; s++)
                if (sigs[s])
                        printf(" %s %lu", sigabbrev_np(s), sigs[s]);
        printf(" (other failures %lu, wrong or partial answers %lu)\n", other, wrong);
        return 0;
}

static int mode_check(const char *dir)
{
        struct buf out = { 0 };
        struct run run;
        char why[128];
        size_t n;
        int rc = 0;

        if (resolve_dir(dir, NULL, &out, &run) < 0)
                return 2;
        n = out.len / sizeof(struct answer);
        printf("%s: %s, %zu of %zu answers\n", dir, run_describe(&run, why, sizeof(why)), n, qs.n);
        for (size_t i = 0; i < n; i++) {
                const struct answer *a = (const struct answer *)out.p + i;
                enum verdict v = answer_compare(&good[i], a);

                printf("%-8s %-9s %-22s good %-8s [%s] got %-8s [%s]\n", verdict_name(v),
                       qkind_name(qs.q[i].kind), qs.q[i].text, status_name(good[i].status), good[i].text,
                       status_name(a->status), a->text);
                if (v == V_WRONG || v == V_PARTIAL)
                        rc = 1;
        }
        buf_free(&out);
        return run.result != RUN_OK || n != qs.n ? 1 : rc;
}

/* --- main ---------------------------------------------------------------------------- */

static void usage(void)
{
        fprintf(stderr, "usage: snapfuzz [-m MODULE] [-s SEED] [-n CASES] [-t SECONDS] [-c CLASS] [-x CLASS,...] [-i CASE]\n"
                        "                [-k KEEP-DIR] [-T TIMEOUT-MS] [-I] [-O UID] "
                        "cases|rename|resize|window|seal|check|resum "
                        "GOOD-DIR WORK-DIR\n"
                        "classes:");
        for (size_t i = 0; i < NCLASSES; i++)
                fprintf(stderr, " %s", classes[i].name);
        fprintf(stderr, "\n");
        exit(2);
}

/* ASan and UBSan: a report ends the child with a status of its own; no
 * leak check (children end with _exit). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
        return "detect_leaks=0:exitcode=86:handle_segv=1:handle_sigbus=1";
}

int main(int argc, char **argv)
{
        const char *mode, *good_dir, *work_dir;
        struct buf out = { 0 };
        struct run run;
        char why[128], err_path[PATH_MAX];
        size_t ok = 0;
        int c, rc;

        setvbuf(stdout, NULL, _IOLBF, 0);
        while ((c = getopt(argc, argv, "m:s:n:t:c:x:i:k:T:IO:")) != -1) {
                switch (c) {
                case 'I':
                        opt.immutable = true;
                        break;
                case 'O':
                        opt.dir_owner = strtol(optarg, NULL, 0);
                        break;
                case 'm':
                        opt.module = optarg;
                        break;
                case 's':
                        opt.seed = strtoull(optarg, NULL, 0);
                        break;
                case 'n':
                        opt.cases = strtoul(optarg, NULL, 0);
                        break;
                case 't':
                        opt.seconds = atof(optarg);
                        break;
                case 'c':
                        opt.only_class = optarg;
                        break;
                case 'x':
                        opt.exclude = optarg;
                        break;
                case 'i':
                        opt.only_case = strtol(optarg, NULL, 0);
                        break;
                case 'k':
                        opt.keep = optarg;
                        break;
                case 'T':
                        opt.timeout_ms = (unsigned)strtoul(optarg, NULL, 0);
                        break;
                default:
                        usage();
                }
        }
        if (argc - optind != 3)
                usage();
        mode = argv[optind];
        good_dir = argv[optind + 1];
        work_dir = argv[optind + 2];
        /* Everything the children inherit is sane: no store from the caller. */
        signal(SIGPIPE, SIG_IGN);
        setup_queries();
        shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) {
                perror("snapfuzz: mmap");
                return 2;
        }
        memset(shared, 0, sizeof(*shared));
        if (!(mod = nss_module_open(opt.module)) || load_good(good_dir) < 0)
                return 2;
        if (strcmp(mode, "resum") == 0) {
                struct snap x = { .base = { 0 } };

                /* WORK-DIR names a delta file: give it a right checksum,
                 * made the way the good delta's is. */
                if (buf_read_file(&x.delta, work_dir) < 0 ||
                    x.delta.len < VIRTNAME_DELTA_HEADER) {
                        fprintf(stderr, "snapfuzz: cannot read a delta in %s\n", work_dir);
                        return 2;
                }
                fix_delta(&x);
                return write_file_in_place(work_dir, x.delta.p, x.delta.len) < 0 ? 2 : 0;
        }
        if (strcmp(mode, "check") == 0) {
                snprintf(work, sizeof(work), "%s", good_dir);
        } else {
                snprintf(work, sizeof(work), "%s", work_dir);
                path_join(case_dir, sizeof(case_dir), work, "case");
                if (make_dirs(case_dir) < 0 || (opt.keep && make_dirs(opt.keep) < 0)) {
                        fprintf(stderr, "snapfuzz: cannot make %s: %s\n", case_dir, strerror(errno));
                        return 2;
                }
        }
        /* The good answers, through the module, from the good directory. */
        snprintf(err_path, sizeof(err_path), "/dev/null");
        if (resolve_dir(good_dir, NULL, &out, &run) < 0 || run.result != RUN_OK ||
            out.len != qs.n * sizeof(struct answer)) {
                fprintf(stderr, "snapfuzz: the good snapshot in %s does not answer: %s\n", good_dir,
                        run_describe(&run, why, sizeof(why)));
                return 2;
        }
        good = (struct answer *)out.p;
        for (size_t i = 0; i < qs.n; i++)
                ok += answer_ok(&good[i]);
        if (ok < qs.n / 3) {
                fprintf(stderr, "snapfuzz: the good snapshot answers only %zu of %zu questions: not the "
                                "fixture?\n", ok, qs.n);
                return 2;
        }
        if (strcmp(mode, "check") == 0)
                return mode_check(work_dir);
        printf("good snapshot %s: base %s (%zu bytes, page size %u), delta %zu bytes, %zu older base(s); "
               "%zu questions, %zu answered\n", good_dir, base_name, good_snap.base.len, psize,
               good_snap.delta.len, n_others, qs.n, ok);
        if (strcmp(mode, "cases") == 0) {
                if (load_records() < 0)
                        return 2;
                rc = mode_cases();
        } else if (strcmp(mode, "rename") == 0) {
                rc = mode_rename();
        } else if (strcmp(mode, "resize") == 0) {
                rc = mode_resize();
        } else if (strcmp(mode, "window") == 0) {
                rc = mode_window();
        } else if (strcmp(mode, "seal") == 0) {
                rc = mode_seal();
        } else {
                usage();
                rc = 2;
        }
        (void)err_path;
        return rc;
}
