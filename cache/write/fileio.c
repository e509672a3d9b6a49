/* fileio.c - whole-file read and atomic replace (see fileio.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/write/fileio.h"

/* Read FD from offset 0 to its end, at most MAX bytes; SIZE is what fstat
 * said (a hint: the file may change while it is read). */
static int read_fd(int fd, off_t size, size_t max, char **out, size_t *len)
{
        size_t cap, n = 0;
        char *buf;

        if (max > SIZE_MAX / 4)
                max = SIZE_MAX / 4;
        /* One byte more than the size, to see the end without a realloc. */
        cap = (size_t)size < max ? (size_t)size + 1 : max + 1;
        buf = malloc(cap + 1);

        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t r;

                if (n == cap) {
                        char *bigger;

                        if (cap > max)
                                break;  /* more than MAX bytes */
                        cap = cap > max / 2 ? max + 1 : cap * 2;
                        bigger = realloc(buf, cap + 1);
                        if (!bigger) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = bigger;
                }
                r = pread(fd, buf + n, cap - n, (off_t)n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int e = errno;

                        free(buf);
                        return -e;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (n > max) {
                free(buf);
                return -EFBIG;
        }
        buf[n] = '\0';
        *out = buf;
        *len = n;
        return 0;
}

/* Open PATH for reading without blocking, and check that it is a regular
 * file of at most MAX bytes.  The descriptor (blocking again), or a
 * negative errno. */
static int open_regular(const char *path, size_t max, unsigned flags)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                            (flags & VIRTNAME_READ_NOFOLLOW ? O_NOFOLLOW : 0)), rc;
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                rc = -errno;
        else if (!S_ISREG(st.st_mode))
                rc = -EINVAL;
        else if ((unsigned long long)st.st_size > max)
                rc = -EFBIG;
        else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                rc = -errno;
        else
                return fd;
        close(fd);
        return rc;
}

int virtname_read_fd(int fd, size_t max, char **buf, size_t *len)
{
        struct stat st;

        *buf = NULL;
        *len = 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((unsigned long long)st.st_size > max)
                return -EFBIG;
        return read_fd(fd, st.st_size, max, buf, len);
}

int virtname_read_file_flags(const char *path, size_t max, unsigned flags, char **buf, size_t *len)
{
        int fd = open_regular(path, max, flags), rc;

        *buf = NULL;
        *len = 0;
        if (fd < 0)
                return fd;
        rc = virtname_read_fd(fd, max, buf, len);
        close(fd);
        return rc;
}

int virtname_read_file(const char *path, size_t max, char **buf, size_t *len)
{
        return virtname_read_file_flags(path, max, 0, buf, len);
}

FILE *virtname_open_file(const char *path, size_t max, unsigned flags)
{
        int fd = open_regular(path, max, flags);
        FILE *f;

        if (fd < 0) {
                errno = -fd;
                return NULL;
        }
        f = fdopen(fd, "re");
        if (!f) {
                int e = errno;

                close(fd);
                errno = e;
        }
        return f;
}

const char *virtname_read_strerror(int rc)
{
        switch (rc) {
        case -EINVAL:
                return "not a regular file";
        case -EFBIG:
                return "larger than expected";
        case -ELOOP:
                return "a symbolic link";
        default:
                return strerror(-rc);
        }
}

int virtname_write_at_start(int fd, const void *data, size_t len)
{
        const char *p = data;
        size_t n = 0;

        while (n < len) {
                ssize_t w = pwrite(fd, p + n, len - n, (off_t)n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                if (w == 0)
                        return -EIO;
                n += (size_t)w;
        }
        return 0;
}

static int write_contents(int fd, const void *data, size_t len)
{
        int rc = virtname_write_at_start(fd, data, len);

        if (rc == 0 && ftruncate(fd, (off_t)len) < 0)
                rc = -errno;
        if (rc == 0 && fsync(fd) < 0)
                rc = -errno;
        return rc;
}

/* The largest file rewritten in place: its old contents are held in
 * memory to put them back should the rewrite fail. */
#define IN_PLACE_MAX (64u << 20)

/* PATH cannot be renamed over: overwrite the file itself. */
static int rewrite_in_place(const char *path, const void *data, size_t len)
{
        char *old = NULL;
        size_t old_len = 0;
        int fd, rc;

        fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        rc = virtname_read_fd(fd, IN_PLACE_MAX, &old, &old_len);
        if (rc == 0) {
                rc = write_contents(fd, data, len);
                /* Half a new file is worse than the old one. */
                if (rc < 0)
                        (void)write_contents(fd, old, old_len);
        }
        free(old);
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        return rc;
}

/* Make a rename in PATH's directory durable.  The rename has happened
 * whatever this returns, so a failure here is not reported. */
static void sync_dir(const char *path)
{
        char dir[PATH_MAX];
        int dfd;

        if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
                return;
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
        }
}

int virtname_replace_file(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
                          gid_t gid)
{
        char tmp[PATH_MAX];
        int fd, rc;

        if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                rc = -errno;
                /* A writable file mounted into a read-only directory. */
                return rc == -EROFS ? rewrite_in_place(path, data, len) : rc;
        }
        rc = virtname_write_at_start(fd, data, len);
        if (rc == 0 && fchmod(fd, mode & 07777) < 0)
                rc = -errno;
        if (rc == 0 && fchown(fd, uid, gid) < 0)
                rc = -errno;
        if (rc == 0 && fsync(fd) < 0)
                rc = -errno;
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        if (rc == 0 && rename(tmp, path) < 0) {
                rc = -errno;
                unlink(tmp);
                /* PATH is a mount point: nothing can be renamed over it. */
                return rc == -EBUSY || rc == -EXDEV ? rewrite_in_place(path, data, len) : rc;
        }
        if (rc < 0) {
                unlink(tmp);
                return rc;
        }
        sync_dir(path);
        return 0;
}

/* mkdir DIR with MODE exactly (the umask takes bits away); EEXIST is
 * not an error, and leaves the mode alone. */
static int make_dir(const char *dir, mode_t mode)
{
        if (mkdir(dir, mode) < 0)
                return errno == EEXIST ? 0 : -errno;
        return chmod(dir, mode) < 0 ? -errno : 0;
}

int virtname_make_path(const char *dir, mode_t mode)
{
        char buf[PATH_MAX];
        int n = snprintf(buf, sizeof(buf), "%s", dir), rc;
        struct stat st;

        if (n < 0 || (size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        /* Nearly always there (every event comes here): one stat, not a
         * mkdir per component; each would say EEXIST and change nothing. */
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if ((rc = make_dir(buf, 0755)) < 0)
                        return rc;
                *p = '/';
        }
        return make_dir(buf, mode);
}
