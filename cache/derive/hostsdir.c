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

#define GENERATION_NAME ".generation"
/* What .generation says after the number: the directories are in this
 * layout.  Anything else (one file per address, before) is rewritten
 * whole. */
#define LAYOUT "blocks-64"
#define TMP_SUFFIX ".tmp"
#define GONE_PREFIX "vnc-gone-"
/* Addresses per file: an aligned block of 64 (IPv4 /26, IPv6 /122). */
#define BLOCK 64u
#define BLOCK_PREFIX_V4 26
#define BLOCK_PREFIX_V6 122
/* Longest line: an address and two names. */
#define LINE_MAX_BYTES (INET6_ADDRSTRLEN + VIRTNAME_LINE_NAMES * (VIRTNAME_NAME_MAX + 1) + 2)
/* A file of ours is at most this long; a longer one is not read past it
 * (and is rewritten). */
#define FILE_MAX (BLOCK * LINE_MAX_BYTES)
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

/* The lines of one block of addresses, by their place in it. */
struct block {
        int family;
        uint8_t start[16];
        char name[BLOCK_NAME_MAX];
        char *old;                     /* the file as it was (FILE_MAX + 1 bytes) */
        ssize_t old_len;               /* -1: there was none */
        struct {
                size_t len;            /* 0: no line */
                char text[LINE_MAX_BYTES];
        } line[BLOCK];
};

static size_t last_byte(int family)
{
        return family == AF_INET ? 3 : 15;
}

/* Is (FAMILY, ADDR) in block B?  Its place there into *AT. */
static bool in_block(const struct block *b, int family, const uint8_t *addr, unsigned *at)
{
        size_t last = last_byte(family);

        if (family != b->family || memcmp(addr, b->start, last) != 0 ||
            (addr[last] & ~(BLOCK - 1)) != b->start[last])
                return false;
        *at = addr[last] & (BLOCK - 1);
        return true;
}

/* Make B the empty block of (FAMILY, ADDR). */
static int block_init(struct block *b, int family, const uint8_t *addr)
{
        char a[INET6_ADDRSTRLEN];
        size_t last = last_byte(family);

        memset(b->line, 0, sizeof(b->line));
        b->family = family;
        memset(b->start, 0, sizeof(b->start));
        memcpy(b->start, addr, last + 1);
        b->start[last] &= (uint8_t)~(BLOCK - 1);
        b->old_len = -1;
        if (!inet_ntop(family, b->start, a, sizeof(a)))
                return -EINVAL;
        snprintf(b->name, sizeof(b->name), "%s_%d", a, family == AF_INET ? BLOCK_PREFIX_V4 : BLOCK_PREFIX_V6);
        return 0;
}

/* Read B's file from DFD, keeping its lines (ours: "ADDRESS NAME...");
 * anything else in it is dropped at the next write. */
static void block_load(struct block *b, int dfd)
{
        b->old_len = read_file(dfd, b->name, b->old, FILE_MAX + 1);
        for (ssize_t pos = 0; pos < b->old_len;) {
                char *line = b->old + pos, *nl = memchr(line, '\n', (size_t)(b->old_len - pos));
                size_t len = nl ? (size_t)(nl - line) + 1 : (size_t)(b->old_len - pos), alen = strcspn(line, " \n");
                char a[INET6_ADDRSTRLEN];
                uint8_t addr[16] = { 0 };
                unsigned at;

                pos += (ssize_t)len;
                if (!nl || alen >= sizeof(a) || len >= LINE_MAX_BYTES)
                        continue;
                memcpy(a, line, alen);
                a[alen] = '\0';
                if (inet_pton(b->family, a, addr) == 1 && in_block(b, b->family, addr, &at)) {
                        memcpy(b->line[at].text, line, len);
                        b->line[at].len = len;
                }
        }
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
static void block_put(struct block *b, const struct virtname_line *l)
{
        unsigned at;
        size_t len;

        if (!in_block(b, l->family, l->addr, &at))
                return;
        len = virtname_line_format(l, b->line[at].text, sizeof(b->line[at].text));
        if (len == 0 && l->leased && l->family == AF_INET && b->line[at].len > 0)
                len = gone_line(l->family, l->addr, b->line[at].text, sizeof(b->line[at].text));
        b->line[at].len = len;
}

/* Write B's lines into its file in DFD (none: no file), unless it holds
 * them already. */
static int block_write(struct block *b, int dfd)
{
        char *text = malloc(FILE_MAX);
        size_t len = 0;
        int rc = 0;

        if (!text)
                return -ENOMEM;
        for (unsigned i = 0; i < BLOCK; i++) {
                memcpy(text + len, b->line[i].text, b->line[i].len);
                len += b->line[i].len;
        }
        if (len == 0 && b->old_len >= 0)
                rc = unlinkat(dfd, b->name, 0) < 0 && errno != ENOENT ? -errno : 0;
        else if (len > 0 && (b->old_len != (ssize_t)len || memcmp(b->old, text, len) != 0))
                rc = write_file(dfd, b->name, text, len);
        free(text);
        return rc;
}

static struct block *block_new(void)
{
        struct block *b = malloc(sizeof(*b));

        if (b && !(b->old = malloc(FILE_MAX + 1))) {
                free(b);
                b = NULL;
        }
        return b;
}

static void block_free(struct block *b)
{
        if (b)
                free(b->old);
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
        ssize_t n = read_file(root, GENERATION_NAME, buf, sizeof(buf) - 1);
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
        ssize_t got = read_file(root, GENERATION_NAME, old, sizeof(old));

        if (got == n && memcmp(old, text, (size_t)n) == 0)
                return 0;
        return write_file(root, GENERATION_NAME, text, (size_t)n);
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

/* A sync: the block being filled, and the file names it keeps. */
struct sync {
        int dfd;
        struct block *b;
        bool open;                     /* B holds lines not written yet */
        char (*names)[BLOCK_NAME_MAX];
        size_t n, cap;
};

/* Write the block being filled, and keep its name. */
static int sync_flush(struct sync *s)
{
        if (!s->open)
                return 0;
        s->open = false;
        if (s->n == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 64;
                void *more = reallocarray(s->names, cap, sizeof(*s->names));

                if (!more)
                        return -ENOMEM;
                s->names = more;
                s->cap = cap;
        }
        memcpy(s->names[s->n++], s->b->name, sizeof(s->b->name));
        return block_write(s->b, s->dfd);
}

/* The lines come in address order (export.h), so a block's lines come
 * together: a line outside the block being filled ends it. */
static int sync_line(const struct virtname_line *l, void *ctx)
{
        struct sync *s = ctx;
        unsigned at;
        int rc;

        if (s->open && in_block(s->b, l->family, l->addr, &at)) {
                block_put(s->b, l);
                return 0;
        }
        if ((rc = sync_flush(s)) < 0 || (rc = block_init(s->b, l->family, l->addr)) < 0)
                return rc;
        /* Only the old text, to leave an unchanged file alone: the lines
         * are V's. */
        s->b->old_len = read_file(s->dfd, s->b->name, s->b->old, FILE_MAX + 1);
        s->open = true;
        block_put(s->b, l);
        return 0;
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(a, b);
}

int virtname_hostsdir_sync(const char *store_dir, const char *network, const struct virtname_view *v,
                           int64_t now, char *err, size_t errlen)
{
        char root[PATH_MAX], path[PATH_MAX];
        struct sync s = { .dfd = -1, .b = block_new() };
        struct dirent *de;
        DIR *d;
        int rc;

        if (!s.b)
                return virtname_errf(err, errlen, -ENOMEM, "out of memory");
        if ((rc = virtname_hostsdir_path(store_dir, NULL, root, sizeof(root))) < 0 ||
            (rc = virtname_hostsdir_path(store_dir, network, path, sizeof(path))) < 0)
                rc = virtname_errf(err, errlen, rc, "network '%.64s': no hosts directory can be named after it",
                                   network);
        else if ((rc = mkdir_0755(root)) < 0 || (rc = mkdir_0755(path)) < 0)
                rc = virtname_errf(err, errlen, rc, "cannot create %s: %s", path, strerror(-rc));
        else if ((s.dfd = open_dir(path)) < 0)
                rc = virtname_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
        if (rc < 0) {
                block_free(s.b);
                return rc;
        }
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
        free(s.names);
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
        struct block *b = block_new();
        int dfd = -1, rc = 0;

        if (!order || !b) {
                free(order);
                block_free(b);
                return virtname_errf(err, errlen, -ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
                order[i] = &lines[i];
        qsort(order, n, sizeof(*order), cmp_line);
        for (size_t i = 0; i < n;) {
                const struct virtname_line *l = order[i];
                unsigned at;
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
                r = block_init(b, l->family, l->addr);
                if (r == 0) {
                        block_load(b, dfd);
                        while (i < n && strcmp(order[i]->network, open_net) == 0 &&
                               in_block(b, order[i]->family, order[i]->addr, &at))
                                block_put(b, order[i++]);
                        r = block_write(b, dfd);
                } else {
                        i++;
                }
                if (r < 0 && rc == 0)
                        rc = virtname_errf(err, errlen, r, "cannot write %s/%s: %s", path, b->name, strerror(-r));
        }
        if (dfd >= 0)
                close(dfd);
        free(order);
        block_free(b);
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
                virtname_errf(err, errlen, rc, "cannot write %s/" GENERATION_NAME ": %s", path, strerror(-rc));
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
