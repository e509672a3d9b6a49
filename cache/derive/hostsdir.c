/* hostsdir.c - dnsmasq hosts directories, one file per block of
 * addresses (hostsdir.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/derive/hostsdir.h"
#include "cache/read/paths.h"
#include "cache/write/errmsg.h"

/* What .generation says after the number: the directories are in this
 * layout.  Anything else (one file per address, before) is rewritten
 * whole. */
#define LAYOUT "blocks-64-1024"
#define TMP_SUFFIX ".tmp"
#define GONE_PREFIX "vnc-gone-"
/* Longest line: an address and two names. */
#define LINE_MAX_BYTES (INET6_ADDRSTRLEN + VIRTNAME_LINE_NAMES * (VIRTNAME_NAME_MAX + 1) + 2)
/* A file of ours is at most this long (64 lines; a file of more
 * addresses holds at most SPLIT_ABOVE bytes); a longer one is not read
 * past it (and is rewritten). */
#define FILE_MAX (64 * LINE_MAX_BYTES)
/* "ADDRESS_PREFIX" */
#define BLOCK_NAME_MAX (INET6_ADDRSTRLEN + 5)

bool virtname_hostsdir_network_ok(const char *network)
{
        return network && network[0] && network[0] != '.' && !strchr(network, '/') &&
               strlen(network) <= VIRTNAME_NETWORK_MAX;
}

int virtname_hostsdir_path(const char *store_dir, const char *network, char *out, size_t cap)
{
        int n;

        if (network && !virtname_hostsdir_network_ok(network))
                return -EINVAL;
        n = network ? snprintf(out, cap, "%s/" VIRTNAME_HOSTSDIR_NAME "/%s", store_dir, network)
                    : snprintf(out, cap, "%s/" VIRTNAME_HOSTSDIR_NAME, store_dir);
        return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

bool virtname_hostsdir_active(const char *store_dir)
{
        char path[PATH_MAX];
        struct stat st;

        return virtname_hostsdir_path(store_dir, NULL, path, sizeof(path)) == 0 && stat(path, &st) == 0 &&
               S_ISDIR(st.st_mode);
}

/* Up to CAP bytes of NAME in directory DFD into BUF: its length, or -1
 * when it cannot be read (missing). */
static ssize_t read_file(int dfd, const char *name, char *buf, size_t cap)
{
        ssize_t got = 0, n;
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
                return -1;
        while ((size_t)got < cap && ((n = read(fd, buf + got, cap - (size_t)got)) > 0 || (n < 0 && errno == EINTR)))
                got += n > 0 ? n : 0;
        close(fd);
        return got;
}

/* Replace NAME in directory DFD with LEN bytes of TEXT (0644): a
 * temporary dot file (dnsmasq ignores those) renamed into place. */
static int write_file(int dfd, const char *name, const char *text, size_t len)
{
        char tmp[NAME_MAX + 1];
        int fd, rc = 0;

        if (snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, name) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        /* dnsmasq reads it as nobody, whatever our umask. */
        if (fchmod(fd, 0644) < 0) {
                rc = -errno;
        } else {
                ssize_t n = write(fd, text, len);

                rc = n < 0 ? -errno : n != (ssize_t)len ? -EIO : 0;
        }
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        if (rc == 0 && renameat(dfd, tmp, dfd, name) < 0)
                rc = -errno;
        if (rc < 0)
                unlinkat(dfd, tmp, 0);
        return rc;
}

/* --- one block's file ------------------------------------------------------ */

/* A file holds the lines of an aligned block of 2^SPAN addresses.  Its
 * size is kept near a tmpfs page, so that the directory takes about
 * twice its text in memory or less (where the addresses are not too
 * sparse for blocks of 1,024 to fill half a page), and dnsmasq re-reads
 * about a page of lines per change at most: a block whose text outgrows
 * a page splits in two, one that shrinks to half a page merges with its
 * buddy when the two fit in three quarters of one (or alone, when its
 * buddy's half holds no file).  The files are the layout's only record:
 * a writer finds the file of an address by trying each span. */
#define SPAN_MIN 6u                    /* 64 addresses: IPv4 /26, IPv6 /122 */
#define SPAN_MAX 10u                   /* 1,024: IPv4 /22, IPv6 /118 */
#define SPLIT_ABOVE 4096u
#define MERGE_BELOW 2048u
#define MERGE_UPTO 3072u

/* One line of a block: its address's last 16 bits, its text. */
struct entry {
        uint16_t key;
        uint16_t len;
        char text[LINE_MAX_BYTES];
};

/* The lines of one block of addresses, in address order. */
struct block {
        int family;
        uint8_t start[16];
        unsigned span;
        char name[BLOCK_NAME_MAX];
        char *old;                     /* the file as it was (FILE_MAX + 1 bytes) */
        ssize_t old_len;               /* -1: there was none */
        struct entry *e;
        size_t n, cap;
        size_t text;                   /* bytes of its lines */
};

static size_t last_byte(int family)
{
        return family == AF_INET ? 3 : 15;
}

static uint16_t key_of(int family, const uint8_t *addr)
{
        size_t last = last_byte(family);

        return (uint16_t)(addr[last - 1] << 8 | addr[last]);
}

static uint16_t span_mask(unsigned span)
{
        return (uint16_t)((1u << span) - 1);
}

/* Is (FAMILY, ADDR) in the block of FAMILY, START and SPAN? */
static bool in_span(int family, const uint8_t *start, unsigned span, int bfamily, const uint8_t *addr)
{
        size_t last = last_byte(bfamily);

        return family == bfamily && memcmp(addr, start, last - 1) == 0 &&
               (key_of(family, addr) & ~span_mask(span)) == key_of(family, start);
}

static bool in_block(const struct block *b, int family, const uint8_t *addr)
{
        return in_span(family, b->start, b->span, b->family, addr);
}

/* ADDR with its last 16 bits K into OUT. */
static void with_key(int family, const uint8_t *addr, uint16_t k, uint8_t *out)
{
        size_t last = last_byte(family);

        memcpy(out, addr, 16);
        out[last - 1] = (uint8_t)(k >> 8);
        out[last] = (uint8_t)k;
}

/* The first address of the block of (FAMILY, ADDR) and SPAN into OUT. */
static void span_start(int family, const uint8_t *addr, unsigned span, uint8_t *out)
{
        with_key(family, addr, key_of(family, addr) & (uint16_t)~span_mask(span), out);
}

/* "ADDRESS_PREFIX" of the block of (FAMILY, ADDR) and SPAN into NAME. */
static int span_name(int family, const uint8_t *addr, unsigned span, char *name)
{
        char a[INET6_ADDRSTRLEN];
        uint8_t start[16];

        span_start(family, addr, span, start);
        if (!inet_ntop(family, start, a, sizeof(a)))
                return -EINVAL;
        snprintf(name, BLOCK_NAME_MAX, "%s_%u", a, (family == AF_INET ? 32 : 128) - span);
        return 0;
}

/* Make B the empty block of (FAMILY, ADDR) and SPAN. */
static int block_init(struct block *b, int family, const uint8_t *addr, unsigned span)
{
        b->family = family;
        b->span = span;
        span_start(family, addr, span, b->start);
        b->old_len = -1;
        b->n = 0;
        b->text = 0;
        return span_name(family, addr, span, b->name);
}

/* Where the line of KEY is or would go in B. */
static size_t entry_at(const struct block *b, uint16_t key)
{
        size_t lo = 0, hi = b->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (b->e[mid].key < key)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* KEY's line in B: LEN bytes of TEXT (0: none). */
static int entry_set(struct block *b, uint16_t key, const char *text, size_t len)
{
        size_t i = entry_at(b, key);
        bool there = i < b->n && b->e[i].key == key;

        if (there) {
                b->text -= b->e[i].len;
                if (len == 0) {
                        memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof(b->e[0]));
                        b->n--;
                        return 0;
                }
        } else if (len == 0) {
                return 0;
        } else {
                if (b->n == b->cap) {
                        size_t cap = b->cap ? 2 * b->cap : 64;
                        void *more = reallocarray(b->e, cap, sizeof(b->e[0]));

                        if (!more)
                                return -ENOMEM;
                        b->e = more;
                        b->cap = cap;
                }
                memmove(&b->e[i + 1], &b->e[i], (b->n - i) * sizeof(b->e[0]));
                b->n++;
                b->e[i].key = key;
        }
        memcpy(b->e[i].text, text, len);
        b->e[i].len = (uint16_t)len;
        b->text += len;
        return 0;
}

/* Read B's file from DFD, keeping its lines (ours: "ADDRESS NAME...");
 * anything else in it is dropped at the next write. */
static int block_load(struct block *b, int dfd)
{
        int rc = 0;

        b->old_len = read_file(dfd, b->name, b->old, FILE_MAX + 1);
        for (ssize_t pos = 0; rc == 0 && pos < b->old_len;) {
                char *line = b->old + pos, *nl = memchr(line, '\n', (size_t)(b->old_len - pos));
                size_t len = nl ? (size_t)(nl - line) + 1 : (size_t)(b->old_len - pos), alen = strcspn(line, " \n");
                char a[INET6_ADDRSTRLEN];
                uint8_t addr[16] = { 0 };

                pos += (ssize_t)len;
                if (!nl || alen >= sizeof(a) || len >= LINE_MAX_BYTES)
                        continue;
                memcpy(a, line, alen);
                a[alen] = '\0';
                if (inet_pton(b->family, a, addr) == 1 && in_block(b, b->family, addr))
                        rc = entry_set(b, key_of(b->family, addr), line, len);
        }
        return rc;
}

/* The name a leased IPv4 address gets when it loses its names (see
 * block_put), "ADDR vnc-gone-198-18-0-10\n", into TEXT. */
static size_t gone_line(int family, const uint8_t *addr, char *text, size_t cap)
{
        char a[INET6_ADDRSTRLEN];
        int n;

        if (!inet_ntop(family, addr, a, sizeof(a)))
                return 0;
        n = snprintf(text, cap, "%s " GONE_PREFIX "%s\n", a, a);
        for (char *p = text + strlen(a) + 1; n > 0 && (size_t)n < cap && *p; p++)
                if (*p == '.')
                        *p = '-';
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Put line L into block B (it is in B): its text, or none when it has no
 * names.
 *
 * dnsmasq (with dhcp-ignore-names) gives an IPv4 lease the name our file
 * has for its address, and keeps it when the line goes, until the lease
 * ends or gets another name.  So when an address that is still leased
 * loses its names (its domain was shut off, the name was taken away), its
 * line says "vnc-gone-ADDR" instead of going: dnsmasq then renames the
 * lease, and the old name stops answering at once. */
static int block_put(struct block *b, const struct virtname_line *l)
{
        char text[LINE_MAX_BYTES];
        uint16_t key = key_of(l->family, l->addr);
        size_t i = entry_at(b, key), len = virtname_line_format(l, text, sizeof(text));

        if (len == 0 && l->leased && l->family == AF_INET && i < b->n && b->e[i].key == key)
                len = gone_line(l->family, l->addr, text, sizeof(text));
        return entry_set(b, key, text, len);
}

/* The text of B's lines [FROM, TO) into TEXT (FILE_MAX bytes at most:
 * a block is split before it grows past that). */
static size_t entries_text(const struct block *b, size_t from, size_t to, char *text)
{
        size_t len = 0;

        for (size_t i = from; i < to && len + b->e[i].len <= FILE_MAX; i++) {
                memcpy(text + len, b->e[i].text, b->e[i].len);
                len += b->e[i].len;
        }
        return len;
}

/* NAME in DFD holds LEN bytes of TEXT (none: no file), unless it does. */
static int put_file(int dfd, const char *name, const char *text, size_t len, char *scratch)
{
        ssize_t old = read_file(dfd, name, scratch, FILE_MAX + 1);

        if (len == 0)
                return old >= 0 && unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (old == (ssize_t)len && memcmp(scratch, text, len) == 0)
                return 0;
        return write_file(dfd, name, text, len);
}

static int remove_file(int dfd, const char *name)
{
        return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

/* A layout: the files of one block's lines, split until each holds at
 * most SPLIT_ABOVE bytes (or is of SPAN_MIN). */
struct piece {
        char name[BLOCK_NAME_MAX];
        size_t from, to;               /* B's lines */
};

static size_t entries_bytes(const struct block *b, size_t from, size_t to)
{
        size_t n = 0;

        for (size_t i = from; i < to; i++)
                n += b->e[i].len;
        return n;
}

/* The start of the lower or UPPER half of the block of FAMILY, START and
 * SPAN into OUT. */
static void span_half(int family, const uint8_t *start, unsigned span, bool upper, uint8_t *out)
{
        uint16_t k = key_of(family, start);

        with_key(family, start, upper ? (uint16_t)(k | 1u << (span - 1)) : k, out);
}

/* The pieces of B's lines [FROM, TO), all within the block of B's family,
 * START and SPAN, appended to OUT (room for 2^(SPAN_MAX - SPAN_MIN)). */
static int layout(const struct block *b, const uint8_t *start, unsigned span, size_t from, size_t to,
                  struct piece *out, size_t *n)
{
        uint8_t half[16];
        size_t mid = from;
        int rc;

        if (from == to)
                return 0;
        if (span == SPAN_MIN || entries_bytes(b, from, to) <= SPLIT_ABOVE) {
                out[*n].from = from;
                out[*n].to = to;
                return span_name(b->family, start, span, out[(*n)++].name);
        }
        while (mid < to && !(b->e[mid].key & (1u << (span - 1))))
                mid++;
        span_half(b->family, start, span, false, half);
        if ((rc = layout(b, half, span - 1, from, mid, out, n)) < 0)
                return rc;
        span_half(b->family, start, span, true, half);
        return layout(b, half, span - 1, mid, to, out, n);
}

/* Write B's lines into DFD as layout() splits them (their file names
 * into P, N), after removing those of FILES (NFILES) that are not among
 * them: dnsmasq drops a line it reads from one file while another still
 * has it, and then loses it with the other, so a line's old file goes
 * before its new one comes. */
static int write_layout(const struct block *b, int dfd, char (*files)[BLOCK_NAME_MAX], size_t nfiles,
                        struct piece *p, size_t *n, char *text, char *scratch)
{
        int rc;

        *n = 0;
        rc = layout(b, b->start, b->span, 0, b->n, p, n);
        for (size_t f = 0; rc == 0 && f < nfiles; f++) {
                bool kept = false;

                for (size_t i = 0; i < *n && !kept; i++)
                        kept = strcmp(files[f], p[i].name) == 0;
                if (!kept)
                        rc = remove_file(dfd, files[f]);
        }
        for (size_t i = 0; rc == 0 && i < *n; i++)
                rc = put_file(dfd, p[i].name, text, entries_text(b, p[i].from, p[i].to, text), scratch);
        return rc;
}

/* The files in DFD within the block of FAMILY, START and SPAN (of any
 * span from SPAN_MIN up to SPAN) into FILES, MAX at most; their
 * number. */
static size_t files_within(int dfd, int family, const uint8_t *start, unsigned span,
                           char (*files)[BLOCK_NAME_MAX], size_t max)
{
        size_t n = 0;
        struct stat st;

        for (unsigned s = SPAN_MIN; s <= span && n < max; s++)
                for (unsigned i = 0; i < 1u << (span - s) && n < max; i++) {
                        uint8_t a[16];

                        with_key(family, start, (uint16_t)(key_of(family, start) + (i << s)), a);
                        if (span_name(family, a, s, files[n]) == 0 &&
                            fstatat(dfd, files[n], &st, AT_SYMLINK_NOFOLLOW) == 0)
                                n++;
                }
        return n;
}

/* The file of (FAMILY, ADDR) in DFD, read into B: of the span whose file
 * is there, else an empty block of SPAN_MIN. */
static int block_find(struct block *b, int dfd, int family, const uint8_t *addr)
{
        int rc;

        for (unsigned span = SPAN_MIN; span <= SPAN_MAX; span++) {
                if ((rc = block_init(b, family, addr, span)) < 0 || (rc = block_load(b, dfd)) < 0)
                        return rc;
                if (b->old_len >= 0)
                        return 0;
        }
        return block_init(b, family, addr, SPAN_MIN);
}

/* Write B (found by block_find, then changed), merged with its buddies
 * while it is under half a page and the two fit in MERGE_UPTO (or the
 * buddy's half holds no file), and split if it outgrew a page.  BUDDY is
 * scratch. */
static int block_settle(struct block *b, struct block *buddy, int dfd, char *text, char *scratch)
{
        char files[2 + SPAN_MAX - SPAN_MIN][BLOCK_NAME_MAX], none[1][BLOCK_NAME_MAX];
        struct piece p[1u << (SPAN_MAX - SPAN_MIN)];
        size_t nfiles = 0, n;
        int rc = 0;

        if (b->old_len >= 0)
                memcpy(files[nfiles++], b->name, BLOCK_NAME_MAX);
        while (rc == 0 && b->text > 0 && b->text <= MERGE_BELOW && b->span < SPAN_MAX) {
                uint8_t up[16], other[16];

                span_start(b->family, b->start, b->span + 1, up);
                span_half(b->family, up, b->span + 1, key_of(b->family, up) == key_of(b->family, b->start), other);
                if ((rc = block_init(buddy, b->family, other, b->span)) < 0 || (rc = block_load(buddy, dfd)) < 0)
                        break;
                if (buddy->old_len >= 0 ? b->text + buddy->text > MERGE_UPTO
                                        : files_within(dfd, b->family, other, b->span, none, 1) > 0)
                        break;
                for (size_t i = 0; rc == 0 && i < buddy->n; i++)
                        rc = entry_set(b, buddy->e[i].key, buddy->e[i].text, buddy->e[i].len);
                if (buddy->old_len >= 0)
                        memcpy(files[nfiles++], buddy->name, BLOCK_NAME_MAX);
                b->span++;
                memcpy(b->start, up, 16);
                if (rc == 0)
                        rc = span_name(b->family, b->start, b->span, b->name);
        }
        return rc < 0 ? rc : write_layout(b, dfd, files, nfiles, p, &n, text, scratch);
}

static struct block *block_new(void)
{
        struct block *b = calloc(1, sizeof(*b));

        if (b && !(b->old = malloc(FILE_MAX + 1))) {
                free(b);
                b = NULL;
        }
        return b;
}

static void block_free(struct block *b)
{
        if (b) {
                free(b->old);
                free(b->e);
        }
        free(b);
}

/* --- the directories -------------------------------------------------------- */

static int open_dir(const char *path)
{
        return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int mkdir_0755(const char *path)
{
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        /* dnsmasq (as nobody) must search it, whatever our umask. */
        return chmod(path, 0755) < 0 ? -errno : 0;
}

/* The generation the directories show (0: none, or another layout). */
static uint64_t read_generation(int root)
{
        char buf[64];
        ssize_t n = read_file(root, VIRTNAME_HOSTSDIR_GENERATION, buf, sizeof(buf) - 1);
        char *end;
        uint64_t gen;

        buf[n > 0 ? n : 0] = '\0';
        gen = strtoull(buf, &end, 10);
        return strcmp(end, " " LAYOUT "\n") == 0 ? gen : 0;
}

static int write_generation(int root, uint64_t gen)
{
        char text[64], old[64];
        int n = snprintf(text, sizeof(text), "%llu " LAYOUT "\n", (unsigned long long)gen);
        ssize_t got = read_file(root, VIRTNAME_HOSTSDIR_GENERATION, old, sizeof(old));

        if (got == n && memcmp(old, text, (size_t)n) == 0)
                return 0;
        return write_file(root, VIRTNAME_HOSTSDIR_GENERATION, text, (size_t)n);
}

int virtname_hostsdir_create(const char *store_dir, const char *network)
{
        char path[PATH_MAX];
        int rc = virtname_hostsdir_path(store_dir, NULL, path, sizeof(path));

        if (rc == 0)
                rc = mkdir_0755(path);
        if (rc == 0)
                rc = virtname_hostsdir_path(store_dir, network, path, sizeof(path));
        return rc < 0 ? rc : mkdir_0755(path);
}

/* A sync: the largest block being filled, the scratch buffers, and the
 * file names it keeps. */
struct sync {
        int dfd;
        struct block *b;
        bool open;                     /* B holds lines not written yet */
        char *text, *scratch;
        char (*names)[BLOCK_NAME_MAX];
        size_t n, cap;
};

/* Write the block being filled as layout() splits it, in place of the
 * files it had, and keep their names. */
static int sync_flush(struct sync *s)
{
        char files[(2u << (SPAN_MAX - SPAN_MIN)) - 1][BLOCK_NAME_MAX];
        struct piece p[1u << (SPAN_MAX - SPAN_MIN)];
        size_t nfiles, n;
        int rc;

        if (!s->open)
                return 0;
        s->open = false;
        nfiles = files_within(s->dfd, s->b->family, s->b->start, SPAN_MAX, files, sizeof(files) / sizeof(files[0]));
        if ((rc = write_layout(s->b, s->dfd, files, nfiles, p, &n, s->text, s->scratch)) < 0)
                return rc;
        if (s->n + n > s->cap) {
                size_t cap = s->cap ? 2 * s->cap + n : 64 + n;
                void *more = reallocarray(s->names, cap, sizeof(*s->names));

                if (!more)
                        return -ENOMEM;
                s->names = more;
                s->cap = cap;
        }
        for (size_t i = 0; i < n; i++)
                memcpy(s->names[s->n++], p[i].name, BLOCK_NAME_MAX);
        return 0;
}

/* The lines come in address order (export.h), so a block's lines come
 * together: a line outside the block being filled ends it. */
static int sync_line(const struct virtname_line *l, void *ctx)
{
        struct sync *s = ctx;
        int rc;

        if (!s->open || !in_block(s->b, l->family, l->addr)) {
                if ((rc = sync_flush(s)) < 0 || (rc = block_init(s->b, l->family, l->addr, SPAN_MAX)) < 0)
                        return rc;
                s->open = true;
        }
        return block_put(s->b, l);
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(a, b);
}

int virtname_hostsdir_sync(const char *store_dir, const char *network, const struct virtname_view *v,
                           int64_t now, char *err, size_t errlen)
{
        char root[PATH_MAX], path[PATH_MAX];
        struct sync s = { .dfd = -1, .b = block_new(), .text = malloc(FILE_MAX), .scratch = malloc(FILE_MAX + 1) };
        struct dirent *de;
        DIR *d;
        int rc = 0;

        if (!s.b || !s.text || !s.scratch)
                rc = virtname_errf(err, errlen, -ENOMEM, "out of memory");
        else if ((rc = virtname_hostsdir_path(store_dir, NULL, root, sizeof(root))) < 0 ||
                 (rc = virtname_hostsdir_path(store_dir, network, path, sizeof(path))) < 0)
                rc = virtname_errf(err, errlen, rc, "network '%.64s': no hosts directory can be named after it",
                                   network);
        else if ((rc = mkdir_0755(root)) < 0 || (rc = mkdir_0755(path)) < 0)
                rc = virtname_errf(err, errlen, rc, "cannot create %s: %s", path, strerror(-rc));
        else if ((s.dfd = open_dir(path)) < 0)
                rc = virtname_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
        if (rc < 0)
                goto out;
        rc = virtname_export_lines(v, network, now, sync_line, &s);
        if (rc == 0)
                rc = sync_flush(&s);
        if (rc < 0) {
                virtname_errf(err, errlen, rc, "cannot write the hosts files of network %s in %s: %s", network, path,
                              strerror(-rc));
        } else if (!(d = fdopendir(dup(s.dfd)))) {
                rc = virtname_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
        } else {
                /* What is not wanted goes (the files of another layout
                 * too), and so do the temporary files of a writer that was
                 * killed. */
                if (s.n)        /* none wanted: no array at all */
                        qsort(s.names, s.n, sizeof(s.names[0]), cmp_name);
                while ((de = readdir(d))) {
                        size_t len = strlen(de->d_name);
                        bool tmp = de->d_name[0] == '.' && len > strlen(TMP_SUFFIX) &&
                                   strcmp(de->d_name + len - strlen(TMP_SUFFIX), TMP_SUFFIX) == 0;

                        if ((de->d_name[0] == '.' && !tmp) ||
                            (!tmp && s.n && bsearch(de->d_name, s.names, s.n, sizeof(s.names[0]), cmp_name)))
                                continue;
                        if (unlinkat(s.dfd, de->d_name, 0) < 0 && errno != ENOENT && rc == 0)
                                rc = virtname_errf(err, errlen, -errno, "cannot remove %s/%s: %s", path, de->d_name,
                                                   strerror(errno));
                }
                closedir(d);
        }
        close(s.dfd);
out:
        free(s.names);
        free(s.text);
        free(s.scratch);
        block_free(s.b);
        return rc;
}

/* Make every network's directory hold exactly V's lines. */
static int sync_all(const char *store_dir, int root, const struct virtname_view *v, int64_t now, char *err,
                    size_t errlen)
{
        struct dirent *de;
        DIR *d = fdopendir(dup(root));
        int rc = 0;

        if (!d)
                return virtname_errf(err, errlen, -errno, "%s/" VIRTNAME_HOSTSDIR_NAME ": %s", store_dir,
                                     strerror(errno));
        while ((de = readdir(d))) {
                int r;

                if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                        continue;
                r = virtname_hostsdir_sync(store_dir, de->d_name, v, now, rc == 0 ? err : NULL, errlen);
                if (r < 0 && rc == 0)
                        rc = r;
        }
        closedir(d);
        return rc;
}

/* Line order for writing them block by block: network, then address. */
static int cmp_line(const void *a, const void *b)
{
        const struct virtname_line *x = *(const struct virtname_line *const *)a;
        const struct virtname_line *y = *(const struct virtname_line *const *)b;
        int c = strcmp(x->network, y->network);

        if (c == 0)
                c = x->family - y->family;
        return c ? c : memcmp(x->addr, y->addr, 16);
}

/* Write the N changed LINES, each block's file once. */
static int put_lines(const char *store_dir, const struct virtname_line *lines, size_t n, char *err, size_t errlen)
{
        const struct virtname_line **order = malloc((n ? n : 1) * sizeof(*order));
        char path[PATH_MAX] = "", open_net[VIRTNAME_NETWORK_MAX + 1] = "";
        struct block *b = block_new(), *buddy = block_new();
        char *text = malloc(FILE_MAX), *scratch = malloc(FILE_MAX + 1);
        int dfd = -1, rc = 0;

        if (!order || !b || !buddy || !text || !scratch) {
                rc = virtname_errf(err, errlen, -ENOMEM, "out of memory");
                n = 0;
        }
        for (size_t i = 0; i < n; i++)
                order[i] = &lines[i];
        if (n)
                qsort(order, n, sizeof(*order), cmp_line);
        for (size_t i = 0; i < n;) {
                const struct virtname_line *l = order[i];
                int r;

                if (strcmp(l->network, open_net) != 0) {
                        if (dfd >= 0)
                                close(dfd);
                        snprintf(open_net, sizeof(open_net), "%s", l->network);
                        dfd = virtname_hostsdir_path(store_dir, open_net, path, sizeof(path)) == 0 ? open_dir(path)
                                                                                                  : -1;
                }
                /* Not a network dnsmasq serves our names on: next network. */
                if (dfd < 0) {
                        while (i < n && strcmp(order[i]->network, open_net) == 0)
                                i++;
                        continue;
                }
                r = block_find(b, dfd, l->family, l->addr);
                if (r == 0) {
                        while (r == 0 && i < n && strcmp(order[i]->network, open_net) == 0 &&
                               in_block(b, order[i]->family, order[i]->addr))
                                r = block_put(b, order[i++]);
                        if (r == 0)
                                r = block_settle(b, buddy, dfd, text, scratch);
                } else {
                        i++;
                }
                if (r < 0 && rc == 0)
                        rc = virtname_errf(err, errlen, r, "cannot write %s/%s: %s", path, b->name, strerror(-r));
        }
        if (dfd >= 0)
                close(dfd);
        free(order);
        free(text);
        free(scratch);
        block_free(b);
        block_free(buddy);
        return rc;
}

/* Bring the directories of STORE_DIR to generation TO: the changed LINES
 * (WHOLE: every line) when they show FROM, else everything. */
static int update(const char *store_dir, const struct virtname_line *lines, size_t n, bool whole, uint64_t from,
                  uint64_t to, const struct virtname_view *v, int64_t now, char *err, size_t errlen)
{
        char path[PATH_MAX];
        uint64_t shown;
        int root, rc = virtname_hostsdir_path(store_dir, NULL, path, sizeof(path));

        if (rc < 0 || (root = open_dir(path)) < 0)
                return 0;       /* no network has a hosts directory */
        shown = read_generation(root);
        if (!whole && shown == from && from == to && n == 0) {
                close(root);    /* nothing changed, nothing behind */
                return 0;
        }
        if (whole || shown != from)
                rc = sync_all(store_dir, root, v, now, err, errlen);
        else
                rc = put_lines(store_dir, lines, n, err, errlen);
        /* Only a complete update moves the generation on: otherwise the
         * next writer rewrites everything. */
        if (rc == 0 && (rc = write_generation(root, to)) < 0)
                virtname_errf(err, errlen, rc, "cannot write %s/" VIRTNAME_HOSTSDIR_GENERATION ": %s", path, strerror(-rc));
        close(root);
        return rc;
}

int virtname_hostsdir_update(const char *store_dir, const struct virtname_line *lines, size_t n, uint64_t from,
                             uint64_t to, const struct virtname_view *v, int64_t now, char *err, size_t errlen)
{
        return update(store_dir, lines, n, false, from, to, v, now, err, errlen);
}

int virtname_hostsdir_update_all(const char *store_dir, uint64_t to, const struct virtname_view *v, int64_t now,
                                 char *err, size_t errlen)
{
        return update(store_dir, NULL, 0, true, 0, to, v, now, err, errlen);
}

int virtname_hostsdir_remove(const char *store_dir, const char *network)
{
        char path[PATH_MAX];
        struct dirent *de;
        int rc = virtname_hostsdir_path(store_dir, network, path, sizeof(path)), dfd;
        DIR *d;

        if (rc < 0)
                return rc;
        if ((dfd = open_dir(path)) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!(d = fdopendir(dfd))) {
                close(dfd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && rc == 0)
                        rc = -errno;
        closedir(d);
        if (rc == 0 && rmdir(path) < 0 && errno != ENOENT)
                rc = -errno;
        return rc;
}
