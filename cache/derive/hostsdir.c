/* hostsdir.c - dnsmasq hosts directories, one file per address
 * (hostsdir.h). */
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
#define TMP_SUFFIX ".tmp"
#define GONE_PREFIX "vnc-gone-"
/* Longest file: an address and two names. */
#define LINE_MAX_BYTES (INET6_ADDRSTRLEN + VIRTNAME_LINE_NAMES * (VIRTNAME_NAME_MAX + 1) + 2)

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

/* Replace NAME in directory DFD with LEN bytes of TEXT (0644), unless it
 * holds them already. */
static int put_file(int dfd, const char *name, const char *text, size_t len)
{
        char old[LINE_MAX_BYTES + 1], tmp[NAME_MAX + 1];
        ssize_t got = -1;
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rc = 0;

        if (fd >= 0) {
                got = read(fd, old, sizeof(old));
                close(fd);
        }
        if (got == (ssize_t)len && memcmp(old, text, len) == 0)
                return 0;
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

/* The name a leased IPv4 address gets when it loses its names (see
 * put_line), "ADDR vnc-gone-198-18-0-10\n", into TEXT. */
static size_t gone_line(const char *addr, char *text, size_t cap)
{
        int n = snprintf(text, cap, "%s " GONE_PREFIX "%s\n", addr, addr);

        for (char *p = text + strlen(addr) + 1; n > 0 && *p; p++)
                if (*p == '.')
                        *p = '-';
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Write line L into the directory DFD: its file, or none when it has no
 * names.
 *
 * dnsmasq (with dhcp-ignore-names) gives an IPv4 lease the name our file
 * has for its address, and keeps it when the file goes, until the lease
 * ends or gets another name.  So when an address that is still leased
 * loses its names (its domain was shut off, the name was taken away), the
 * file says "vnc-gone-ADDR" instead of going: dnsmasq then renames the
 * lease, and the old name stops answering at once. */
static int put_line(int dfd, const struct virtname_line *l)
{
        char name[INET6_ADDRSTRLEN], text[LINE_MAX_BYTES], old[LINE_MAX_BYTES];
        ssize_t got = -1;
        size_t len;
        int fd;

        if (!inet_ntop(l->family, l->addr, name, sizeof(name)))
                return -EINVAL;
        len = virtname_line_format(l, text, sizeof(text));
        if (len > 0)
                return put_file(dfd, name, text, len);
        if (l->leased && l->family == AF_INET) {
                fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                if (fd >= 0) {
                        got = read(fd, old, sizeof(old) - 1);
                        close(fd);
                }
                if (got > 0 && (len = gone_line(name, text, sizeof(text))) > 0)
                        return put_file(dfd, name, text, len);  /* it had names: replace them */
        }
        return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

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

static uint64_t read_generation(const char *store_dir)
{
        char path[PATH_MAX], buf[32] = "";
        ssize_t n = -1;
        int fd;

        if (virtname_hostsdir_path(store_dir, NULL, path, sizeof(path)) < 0 ||
            strlen(path) + sizeof("/" GENERATION_NAME) > sizeof(path))
                return 0;
        strcat(path, "/" GENERATION_NAME);
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
                n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
        }
        buf[n > 0 ? n : 0] = '\0';
        return strtoull(buf, NULL, 10);
}

static int write_generation(const char *store_dir, uint64_t gen)
{
        char path[PATH_MAX], text[32];
        int dfd, rc, n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)gen);

        if ((rc = virtname_hostsdir_path(store_dir, NULL, path, sizeof(path))) < 0)
                return rc;
        if ((dfd = open_dir(path)) < 0)
                return -errno;
        rc = put_file(dfd, GENERATION_NAME, text, (size_t)n);
        close(dfd);
        return rc;
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

/* The file names a sync keeps. */
struct wanted {
        char (*names)[INET6_ADDRSTRLEN];
        size_t n, cap;
        int dfd;
        int rc;
};

static int sync_line(const struct virtname_line *l, void *ctx)
{
        struct wanted *w = ctx;

        if (w->n == w->cap) {
                size_t cap = w->cap ? 2 * w->cap : 256;
                void *more = reallocarray(w->names, cap, sizeof(*w->names));

                if (!more)
                        return -ENOMEM;
                w->names = more;
                w->cap = cap;
        }
        if (!inet_ntop(l->family, l->addr, w->names[w->n], sizeof(w->names[0])))
                return -EINVAL;
        w->n++;
        return put_line(w->dfd, l);
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(a, b);
}

int virtname_hostsdir_sync(const char *store_dir, const char *network, const struct virtname_view *v,
                           int64_t now, char *err, size_t errlen)
{
        char root[PATH_MAX], path[PATH_MAX];
        struct wanted w = { .dfd = -1 };
        struct dirent *de;
        DIR *d;
        int rc;

        if ((rc = virtname_hostsdir_path(store_dir, NULL, root, sizeof(root))) < 0 ||
            (rc = virtname_hostsdir_path(store_dir, network, path, sizeof(path))) < 0)
                return virtname_errf(err, errlen, rc, "network '%.64s': no hosts directory can be named after it",
                            network);
        if ((rc = mkdir_0755(root)) < 0 || (rc = mkdir_0755(path)) < 0)
                return virtname_errf(err, errlen, rc, "cannot create %s: %s", path, strerror(-rc));
        if ((w.dfd = open_dir(path)) < 0)
                return virtname_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
        rc = virtname_export_lines(v, network, now, sync_line, &w);
        if (rc < 0) {
                virtname_errf(err, errlen, rc, "cannot write the hosts files of network %s in %s: %s", network, path,
                     strerror(-rc));
        } else if (!(d = fdopendir(dup(w.dfd)))) {
                rc = virtname_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
        } else {
                /* What is not wanted goes, and so do the temporary files
                 * of a writer that was killed. */
                if (w.n)        /* none wanted: no array at all */
                        qsort(w.names, w.n, sizeof(w.names[0]), cmp_name);
                while ((de = readdir(d))) {
                        size_t len = strlen(de->d_name);
                        bool tmp = de->d_name[0] == '.' && len > strlen(TMP_SUFFIX) &&
                                   strcmp(de->d_name + len - strlen(TMP_SUFFIX), TMP_SUFFIX) == 0;

                        if ((de->d_name[0] == '.' && !tmp) ||
                            (!tmp && w.n && bsearch(de->d_name, w.names, w.n, sizeof(w.names[0]), cmp_name)))
                                continue;
                        if (unlinkat(w.dfd, de->d_name, 0) < 0 && errno != ENOENT && rc == 0)
                                rc = virtname_errf(err, errlen, -errno, "cannot remove %s/%s: %s", path, de->d_name,
                                          strerror(errno));
                }
                closedir(d);
        }
        close(w.dfd);
        free(w.names);
        return rc;
}

/* Make every network's directory hold exactly V's lines. */
static int sync_all(const char *store_dir, const struct virtname_view *v, int64_t now, char *err, size_t errlen)
{
        char root[PATH_MAX];
        struct dirent *de;
        DIR *d;
        int rc = virtname_hostsdir_path(store_dir, NULL, root, sizeof(root));

        if (rc < 0)
                return virtname_errf(err, errlen, rc, "store path too long: %s", store_dir);
        if (!(d = opendir(root)))
                return errno == ENOENT ? 0 : virtname_errf(err, errlen, -errno, "%s: %s", root, strerror(errno));
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

int virtname_hostsdir_update(const char *store_dir, const struct virtname_line *lines, size_t n,
                             uint64_t from, uint64_t to, const struct virtname_view *v, int64_t now,
                             char *err, size_t errlen)
{
        char path[PATH_MAX], open_net[VIRTNAME_NETWORK_MAX + 1] = "";
        int dfd = -1, rc = 0;

        if (!virtname_hostsdir_active(store_dir))
                return 0;
        if (!lines || read_generation(store_dir) != from) {
                rc = sync_all(store_dir, v, now, err, errlen);
        } else {
                for (size_t i = 0; i < n; i++) {
                        int r;

                        if (strcmp(lines[i].network, open_net) != 0) {
                                if (dfd >= 0)
                                        close(dfd);
                                snprintf(open_net, sizeof(open_net), "%s", lines[i].network);
                                dfd = virtname_hostsdir_path(store_dir, open_net, path, sizeof(path)) == 0
                                              ? open_dir(path) : -1;
                        }
                        if (dfd < 0)
                                continue;       /* not a network dnsmasq serves our names on */
                        r = put_line(dfd, &lines[i]);
                        if (r < 0 && rc == 0)
                                rc = virtname_errf(err, errlen, r, "cannot write %s: %s", path, strerror(-r));
                }
                if (dfd >= 0)
                        close(dfd);
        }
        /* Only a complete update moves the generation on: otherwise the
         * next writer rewrites everything. */
        if (rc == 0 && (rc = write_generation(store_dir, to)) < 0)
                virtname_errf(err, errlen, rc, "cannot write %s/" VIRTNAME_HOSTSDIR_NAME "/" GENERATION_NAME ": %s",
                     store_dir, strerror(-rc));
        return rc;
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
