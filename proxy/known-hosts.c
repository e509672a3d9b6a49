/* known-hosts.c - one guest, one host key: ssh's KnownHostsCommand.
 *
 *   KnownHostsCommand ssh-proxy --known-hosts %I %H %t %f %K
 *   ssh-proxy --forget HOST|UUID
 *
 * A guest has many names (qemu/NAME, qemu:system/NAME, its UUID with and
 * without dashes, its ID) but one UUID, which libvirt gives no other
 * domain.  Its host keys are kept under that UUID, as lines
 *
 *     virt-name-cache:UUID TYPE KEY COMMENT
 *
 * of an ordinary known_hosts file (~/.ssh/known_hosts.virt-name-cache),
 * and printed to ssh under the name ssh asked about (%H); ssh compares
 * them with the key the guest offers.  The first key seen for a UUID is
 * recorded (trust on first use); a different key of that type is then
 * refused by ssh as a changed host key, and a recreated guest (new UUID)
 * is a new host.  The guest only offers a key: the UUID it is checked
 * against comes from libvirt (guest.c).
 *
 * The file is replaced whole (write, fsync, rename) while the current
 * file is flock()ed, so concurrent ssh sessions neither lose nor double a
 * key, and a reader never sees half a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proxy/proxy.h"
#include "cache/read/names.h"
#include "cache/write/fileio.h"

#define KH_PREFIX "virt-name-cache:"
#define KH_FILE_MAX (8 << 20)          /* far above any real number of guests */
#define KH_TYPE_MAX 64
#define KH_KEY_MAX 16384               /* base64 of a 16384-bit RSA key is ~2.8 KB */

/* One key line of the file. */
struct kh_key {
        const char *type, *key;
        size_t type_len, key_len;
};

/* The file's path: $VIRT_NAME_CACHE_KNOWN_HOSTS, else in ~/.ssh (the home
 * ssh expands ~ to), with a symbolic link followed so that replacing
 * the file keeps the link. */
static const char *kh_path(char *buf, size_t cap)
{
        const char *env = getenv("VIRT_NAME_CACHE_KNOWN_HOSTS"), *home;
        struct passwd *pw = getpwuid(getuid());
        char real[PATH_MAX];
        struct stat st;
        int n;

        home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : getenv("HOME");
        if (env && *env)
                n = snprintf(buf, cap, "%s", env);
        else if (home && *home)
                n = snprintf(buf, cap, "%s/.ssh/known_hosts.virt-name-cache", home);
        else
                return proxy_die("known hosts: no home directory to keep host keys in"), NULL;
        if (n < 0 || (size_t)n >= cap)
                return proxy_die("known hosts: path too long"), NULL;
        if (lstat(buf, &st) == 0 && S_ISLNK(st.st_mode) && realpath(buf, real) &&
            strlen(real) < cap)
                strcpy(buf, real);
        return buf;
}

/* Host keys steer ssh: trust only a file of ours that nobody else can
 * write. */
static int kh_check(int fd, const char *path)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return proxy_die("%s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return proxy_die("%s: not a regular file", path);
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return proxy_die("%s: owned by another user or writable by others: refusing "
                                 "to trust the host keys in it", path);
        return 0;
}

/* Read all of FD (checked by kh_check()) into *TEXT (NUL-terminated,
 * malloc'ed). */
static int kh_read(int fd, const char *path, char **text, size_t *len)
{
        int rc = virtname_read_fd(fd, KH_FILE_MAX, text, len);

        if (rc == -EFBIG)
                return proxy_die("%s: larger than %d bytes", path, KH_FILE_MAX);
        if (rc < 0)
                return proxy_die("%s: %s", path, virtname_read_strerror(rc));
        return 0;
}

/* The file's text without a lock ("" when there is no file yet). */
static int kh_load(const char *path, char **text, size_t *len)
{
        /* O_NONBLOCK: a FIFO in its place must not hang ssh. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

        if (fd < 0 && errno == ENOENT) {
                *text = strdup("");
                *len = 0;
                return *text ? 0 : proxy_die("out of memory");
        }
        if (fd < 0)
                return proxy_die("%s: %s", path, strerror(errno));
        rc = kh_check(fd, path);
        if (rc == 0)
                rc = kh_read(fd, path, text, len);
        close(fd);
        return rc;
}

static size_t field(const char *s, size_t len, size_t *pos, const char **start)
{
        size_t n;

        while (*pos < len && (s[*pos] == ' ' || s[*pos] == '\t'))
                (*pos)++;
        *start = s + *pos;
        for (n = 0; *pos < len && s[*pos] != ' ' && s[*pos] != '\t'; n++)
                (*pos)++;
        return n;
}

static bool all_of(const char *s, size_t n, const char *set)
{
        for (size_t i = 0; i < n; i++)
                if (!s[i] || !strchr(set, s[i]))
                        return false;
        return true;
}

#define TYPE_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.-_"
#define BASE64_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/="

static bool valid_type(const char *s, size_t n)
{
        return n > 0 && n <= KH_TYPE_MAX && all_of(s, n, TYPE_CHARS);
}

static bool valid_key(const char *s, size_t n)
{
        return n > 0 && n <= KH_KEY_MAX && all_of(s, n, BASE64_CHARS);
}

/* Is LINE (LEN bytes, no newline) a key line of UUID?  Fills *K. */
static bool line_key(const char *line, size_t len, const char *uuid, struct kh_key *k)
{
        size_t pos = 0, n;
        const char *host;

        n = field(line, len, &pos, &host);
        if (n != strlen(KH_PREFIX) + strlen(uuid) ||
            strncasecmp(host, KH_PREFIX, strlen(KH_PREFIX)) != 0 ||
            strncasecmp(host + strlen(KH_PREFIX), uuid, strlen(uuid)) != 0)
                return false;
        k->type_len = field(line, len, &pos, &k->type);
        k->key_len = field(line, len, &pos, &k->key);
        return valid_type(k->type, k->type_len) && valid_key(k->key, k->key_len);
}

/* Call CB for every key of UUID in TEXT; returns how many there are. */
static size_t kh_keys(const char *text, const char *uuid,
                      void (*cb)(const struct kh_key *k, void *ctx), void *ctx)
{
        size_t count = 0;
        struct kh_key k;

        for (const char *line = text; *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);

                if (line_key(line, len, uuid, &k)) {
                        count++;
                        if (cb)
                                cb(&k, ctx);
                }
                line += len + (nl ? 1 : 0);
        }
        return count;
}

static bool write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return false;
                p += w;
                n -= (size_t)w;
        }
        return true;
}

/* Replace PATH by TEXT, atomically: a temporary file (0600) beside it,
 * fsync, rename, fsync of the directory. */
static int kh_replace(const char *path, const char *text, size_t len)
{
        char tmp[PATH_MAX], dir[PATH_MAX];
        int fd, dfd, err = 0;

        if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
                return proxy_die("%s: path too long", path);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return proxy_die("cannot create a file beside %s: %s", path, strerror(errno));
        if (!write_all(fd, text, len) || fsync(fd) < 0)
                err = errno ? errno : EIO;
        if (close(fd) < 0 && !err)
                err = errno;
        if (!err && rename(tmp, path) < 0)
                err = errno;
        if (err) {
                unlink(tmp);
                return proxy_die("cannot write %s: %s", path, strerror(err));
        }
        snprintf(dir, sizeof(dir), "%s", path);
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
        }
        return 0;
}

/* Lock the file at PATH into *FD: flock() it, and make sure it is still
 * the file at PATH (another writer may have renamed a new one into place
 * while we waited).  CREATE: make an empty one (and ~/.ssh) if there is
 * none.  Returns 0, -ENOENT (none, nothing said), or EXIT_FAILURE
 * (said). */
static int kh_lock(const char *path, bool create, int *fd)
{
        char dir[PATH_MAX];
        struct stat a, b;
        int rc;

        for (int tries = 0; tries < 100; tries++) {
                *fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (create ? O_CREAT : 0), 0600);
                if (*fd < 0 && errno == ENOENT && create && tries == 0) {
                        /* ~/.ssh itself may not exist yet: ssh makes it 0700 too. */
                        snprintf(dir, sizeof(dir), "%s", path);
                        if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
                                return proxy_die("cannot create %s: %s", dir, strerror(errno));
                        continue;
                }
                if (*fd < 0 && errno == ENOENT && !create)
                        return -ENOENT;
                if (*fd < 0)
                        return proxy_die("%s: %s", path, strerror(errno));
                if (flock(*fd, LOCK_EX) < 0) {
                        rc = proxy_die("cannot lock %s: %s", path, strerror(errno));
                        close(*fd);
                        return rc;
                }
                if (fstat(*fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
                    a.st_ino == b.st_ino) {
                        if ((rc = kh_check(*fd, path)))
                                close(*fd);
                        return rc;
                }
                close(*fd);
        }
        return proxy_die("cannot lock %s: it keeps being replaced", path);
}

/* Change PATH under its lock: with ADD, append the line ADD unless UUID
 * has a key by now (another ssh session may have recorded one); without,
 * drop UUID's lines.  *CHANGED: the number of lines added or dropped.
 * Returns 0 or EXIT_FAILURE (said). */
static int kh_change(const char *path, const char *uuid, const char *add, int *changed)
{
        char *text = NULL, *out = NULL;
        size_t len = 0, n = 0;
        int fd, rc = kh_lock(path, add != NULL, &fd);
        struct kh_key k;

        *changed = 0;
        if (rc == -ENOENT)
                return 0;
        if (rc)
                return rc;
        if ((rc = kh_read(fd, path, &text, &len)))
                goto done;
        if (add) {
                if (kh_keys(text, uuid, NULL, NULL) > 0)
                        goto done;
                out = malloc(len + strlen(add) + 3);   /* '\n', ADD, '\n', NUL */
                if (!out) {
                        rc = proxy_die("out of memory");
                        goto done;
                }
                memcpy(out, text, len);
                n = len;
                if (n > 0 && out[n - 1] != '\n')
                        out[n++] = '\n';
                n += (size_t)sprintf(out + n, "%s\n", add);
                *changed = 1;
        } else {
                out = malloc(len + 1);
                if (!out) {
                        rc = proxy_die("out of memory");
                        goto done;
                }
                for (const char *line = text; *line;) {
                        const char *nl = strchr(line, '\n');
                        size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);

                        if (line_key(line, nl ? l - 1 : l, uuid, &k)) {
                                (*changed)++;
                        } else {
                                memcpy(out + n, line, l);
                                n += l;
                        }
                        line += l;
                }
                if (!*changed)
                        goto done;
        }
        rc = kh_replace(path, out, n);
done:
        if (rc)
                *changed = 0;
        free(out);
        free(text);
        close(fd);
        return rc;
}

struct print_ctx {
        const char *host;              /* ssh's %H */
        const char *type, *key;        /* the offered key, or NULL */
        bool same_type, same_key;
        int err;
};

static void print_key(const struct kh_key *k, void *ctx)
{
        struct print_ctx *p = ctx;

        if (printf("%s %.*s %.*s\n", p->host, (int)k->type_len, k->type, (int)k->key_len,
                   k->key) < 0)
                p->err = errno;
        if (p->type && strlen(p->type) == k->type_len &&
            memcmp(p->type, k->type, k->type_len) == 0) {
                p->same_type = true;
                if (strlen(p->key) == k->key_len && memcmp(p->key, k->key, k->key_len) == 0)
                        p->same_key = true;
        }
}

/* A domain name as a comment: printable ASCII without blanks. */
static void comment_name(const char *name, char *out, size_t cap)
{
        size_t i;

        for (i = 0; name[i] && i + 1 < cap; i++)
                out[i] = name[i] > ' ' && name[i] < 0x7f ? name[i] : '_';
        out[i] = '\0';
}

/* ssh's %H: qemu/GUEST, or [qemu/GUEST]:PORT when the port is not 22.
 * Copies the qemu/GUEST part into OUT. */
static int split_host(const char *h, char *out, size_t cap)
{
        const char *end;
        size_t n;

        if (strpbrk(h, " \t\r\n,") || !*h)
                return proxy_usage("known hosts: cannot list keys for host '%s' (blank or comma "
                                   "in it)", h);
        if (h[0] != '[') {
                n = strlen(h);
        } else {
                end = strstr(h, "]:");
                if (!end || !end[2] || strspn(end + 2, "0123456789") != strlen(end + 2))
                        return proxy_usage("known hosts: bad host '%s'", h);
                h++;
                n = (size_t)(end - h);
        }
        if (n >= cap)
                return proxy_usage("known hosts: host name too long");
        memcpy(out, h, n);
        out[n] = '\0';
        return 0;
}

int known_hosts_command(const char *invocation, const char *host, const char *type,
                        const char *fingerprint, const char *key)
{
        struct print_ctx p = { .host = host };
        char name[VIRTNAME_NAME_MAX + 64], uuid[GUEST_UUID_TEXT], path[PATH_MAX];
        char line[KH_KEY_MAX + VIRTNAME_NAME_MAX + 256], cname[VIRTNAME_NAME_MAX + 1], day[16];
        bool offered, recorded = false;
        char *text = NULL;
        size_t len, n;
        struct guest g;
        time_t now = time(NULL);
        struct tm tm;
        int rc, changed;

        /* Guests are known by name: an address says nothing about them
         * (ssh asks only with CheckHostIP, which ProxyCommand turns off). */
        if (strcmp(invocation, "ADDRESS") == 0)
                return 0;
        if (strcmp(invocation, "ORDER") != 0 && strcmp(invocation, "HOSTNAME") != 0)
                return proxy_usage("known hosts: unknown invocation '%s' (ORDER, HOSTNAME or ADDRESS)",
                                   invocation);
        if ((rc = split_host(host, name, sizeof(name))))
                return rc;
        offered = strcmp(invocation, "HOSTNAME") == 0 && strcmp(key, "NONE") != 0;
        if (offered && (!valid_type(type, strlen(type)) || !valid_key(key, strlen(key))))
                return proxy_usage("known hosts: bad key from ssh (type '%.64s')", type);
        rc = guest_find(name, &g);
        if (rc)
                return rc;
        if (!g.has_uuid)
                return proxy_die("guest %s: %s knows no UUID for it, so its host key cannot "
                                 "be checked", g.domain, g.where);
        guest_uuid_text(&g, uuid);
        if (!kh_path(path, sizeof(path)) || kh_load(path, &text, &len))
                return EXIT_FAILURE;
        n = kh_keys(text, uuid, NULL, NULL);
        if (offered && n == 0 && strstr(type, "-cert-v01@")) {
                proxy_die("guest %s (UUID %s) offers a host certificate; record its plain key "
                          "first: ssh -o HostKeyAlgorithms=-*-cert-v01@openssh.com ...", g.domain,
                          uuid);
        } else if (offered && n == 0 && !guest_pinnable(&g)) {
                /* The connection went to an address only the guest's
                 * agent or DHCP says is its: whoever answered there is
                 * not recorded as it. */
                proxy_die("guest %s (UUID %s): its port has answered for no address, no administrator gave it "
                          "one, and it has no VSOCK "
                          "device, so the host key %s %s is not recorded.  Check that fingerprint on the "
                          "guest's console (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add this line "
                          "to %s: " KH_PREFIX "%s %s %s", g.domain, uuid, type, fingerprint, path, uuid, type,
                          key);
        } else if (offered && n == 0) {
                /* First use: record the offered key (trust on first use). */
                comment_name(g.domain, cname, sizeof(cname));
                localtime_r(&now, &tm);
                strftime(day, sizeof(day), "%Y-%m-%d", &tm);
                snprintf(line, sizeof(line), KH_PREFIX "%s %s %s %s %s", uuid, type, key, cname, day);
                rc = kh_change(path, uuid, line, &changed);
                free(text);
                if (rc)
                        return rc;
                recorded = changed > 0;
                if ((rc = kh_load(path, &text, &len)))
                        return rc;
        }
        if (offered) {
                p.type = type;
                p.key = key;
        }
        kh_keys(text, uuid, print_key, &p);
        free(text);
        if (fflush(stdout) != 0 || p.err)
                return proxy_die("known hosts: cannot write to ssh: %s", strerror(p.err ? p.err : errno));
        if (recorded && p.same_key)
                fprintf(stderr, PROG ": first connection to guest %s (UUID %s): recorded its "
                        "host key %s %s in %s\n", g.domain, uuid, type, fingerprint, path);
        else if (offered && p.same_type && !p.same_key)
                fprintf(stderr, PROG ": guest %s (UUID %s) offers host key %s %s, not the one "
                        "recorded in %s; if its key really changed: " PROG " --forget %s\n",
                        g.domain, uuid, type, fingerprint, path, uuid);
        else if (offered && !p.same_type && n > 0)
                fprintf(stderr, PROG ": guest %s (UUID %s) offers host key %s %s, but %s "
                        "holds only keys of other types for it: refusing\n", g.domain, uuid, type,
                        fingerprint, path);
        return 0;
}

int known_hosts_forget(const char *what)
{
        char uuid[GUEST_UUID_TEXT], path[PATH_MAX], label[VIRTNAME_NAME_MAX + 64];
        uint8_t u[VIRTNAME_UUID_LEN];
        struct guest g;
        int rc, forgot;

        if (virtname_uuid_parse(what, u)) {
                /* The guest may be long gone: the UUID is all we need. */
                memcpy(g.uuid, u, sizeof(u));
                guest_uuid_text(&g, uuid);
                snprintf(label, sizeof(label), "UUID %s", uuid);
        } else {
                rc = guest_find(what, &g);
                if (rc)
                        return rc;
                if (!g.has_uuid)
                        return proxy_die("guest %s: %s knows no UUID for it", g.domain, g.where);
                guest_uuid_text(&g, uuid);
                snprintf(label, sizeof(label), "guest %s (UUID %s)", g.domain, uuid);
        }
        if (!kh_path(path, sizeof(path)))
                return EXIT_FAILURE;
        if ((rc = kh_change(path, uuid, NULL, &forgot)))
                return rc;
        if (forgot == 0)
                printf("no host keys recorded for %s in %s\n", label, path);
        else
                printf("forgot %d host key%s of %s in %s\n", forgot, forgot == 1 ? "" : "s", label, path);
        return EXIT_SUCCESS;
}
