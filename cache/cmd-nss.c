/* cmd-nss.c - `virt-name-cache enable-nss|disable-nss`: put virtname on
 * the hosts line of nsswitch.conf right after `files`, or take it off.
 * Only that line changes, by exactly the inserted word, so disable-nss
 * after enable-nss gives back the same bytes.  The file is replaced
 * atomically (temporary file, fsync, rename) after a backup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define NSSWITCH "/etc/nsswitch.conf"
#define SOURCE "virtname"
#define BACKUP_SUFFIX ".virt-name-cache.bak"
#define MAX_SIZE (1 << 20)
/* With no hosts line glibc would use "dns [!UNAVAIL=return] files"; the
 * line we add puts virtname where enable-nss always puts it. */
#define NEW_HOSTS_LINE "hosts:          files " SOURCE " dns\n"

struct text {
        char *buf;
        size_t len;
};

static void usage(FILE *out, const char *cmd)
{
        fprintf(out,
                "Usage: virt-name-cache %s [--file PATH]\n"
                "\n"
                "%s on the hosts line of nsswitch.conf (right after 'files', before\n"
                "dns, resolve, mdns and myhostname).  Nothing else in the file changes;\n"
                "the file is replaced atomically and the previous one kept as\n"
                "PATH" BACKUP_SUFFIX ".  Running it again changes nothing.\n"
                "\n"
                "  --file PATH  the file to edit (default " NSSWITCH ")\n"
                "  -h, --help   this text\n",
                cmd, strcmp(cmd, "enable-nss") == 0 ? "Add virtname" : "Remove virtname");
}

static int read_all(const char *path, struct text *t, struct stat *st)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
        size_t n = 0;

        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_size > MAX_SIZE) {
                rc = errno && !S_ISREG(st->st_mode) ? -EINVAL : -EFBIG;
                goto out;
        }
        t->buf = malloc((size_t)st->st_size + sizeof(NEW_HOSTS_LINE) + 64);
        if (!t->buf) {
                rc = -ENOMEM;
                goto out;
        }
        while (n < (size_t)st->st_size) {
                ssize_t r = read(fd, t->buf + n, (size_t)st->st_size - n);

                if (r <= 0) {
                        rc = r < 0 ? -errno : -EIO;
                        goto out;
                }
                n += (size_t)r;
        }
        t->len = n;
        t->buf[n] = '\0';
out:
        close(fd);
        return rc;
}

/* The first active "hosts:" line: its start, and where its sources start. */
static char *hosts_line(struct text *t, char **sources)
{
        for (char *line = t->buf; line < t->buf + t->len;) {
                char *end = memchr(line, '\n', (size_t)(t->buf + t->len - line)), *p = line;

                p += strspn(p, " \t");
                if (strncmp(p, "hosts", 5) == 0) {
                        char *q = p + 5 + strspn(p + 5, " \t");

                        if (*q == ':') {
                                *sources = q + 1;
                                return line;
                        }
                }
                if (!end)
                        break;
                line = end + 1;
        }
        return NULL;
}

/* Next source word at or after P in the line (stops at '#' and the end of
 * the line); skips [action] blocks.  Returns NULL at the end. */
static char *next_word(char *p, size_t *len)
{
        for (;;) {
                p += strspn(p, " \t");
                if (*p == '[') {
                        char *close = p + strcspn(p, "]\n");

                        p = *close == ']' ? close + 1 : close;
                        continue;
                }
                if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
                        return NULL;
                *len = strcspn(p, " \t\r\n#[");
                return p;
        }
}

/* Just past a word and its [action], if it has one. */
static char *after_word(char *w, size_t len)
{
        char *p = w + len, *q = p + strspn(p, " \t");

        if (*q == '[') {
                char *close = q + strcspn(q, "]\n");

                if (*close == ']')
                        return close + 1;
        }
        return p;
}

static bool is_network_source(const char *w, size_t len)
{
        return (len == 3 && strncmp(w, "dns", 3) == 0) || (len == 7 && strncmp(w, "resolve", 7) == 0) ||
               (len >= 4 && strncmp(w, "mdns", 4) == 0) || (len == 3 && strncmp(w, "nis", 3) == 0) ||
               (len == 4 && strncmp(w, "ldap", 4) == 0) || (len == 4 && strncmp(w, "wins", 4) == 0);
}

static void insert(struct text *t, char *at, const char *s)
{
        size_t n = strlen(s), off = (size_t)(at - t->buf);

        memmove(at + n, at, t->len - off + 1);
        memcpy(at, s, n);
        t->len += n;
}

/* Edit T; 1 when it changed, 0 when there was nothing to do. */
static int edit(struct text *t, bool enable, const char **how)
{
        char *sources, *w, *files = NULL, *net = NULL, *ours = NULL, *last = NULL;
        size_t len, last_len = 0;

        if (!hosts_line(t, &sources)) {
                if (!enable)
                        return 0;
                if (t->len && t->buf[t->len - 1] != '\n')
                        insert(t, t->buf + t->len, "\n");
                insert(t, t->buf + t->len, NEW_HOSTS_LINE);
                *how = "the file had no hosts line; added one";
                return 1;
        }
        for (w = next_word(sources, &len); w; w = next_word(w + len, &len)) {
                if (len == 5 && strncmp(w, "files", 5) == 0 && !files)
                        files = w;
                if (!net && is_network_source(w, len))
                        net = w;
                if (len == strlen(SOURCE) && strncmp(w, SOURCE, len) == 0 && !ours)
                        ours = w;
                last = w;
                last_len = len;
        }
        if (enable) {
                if (ours)
                        return 0;
                /* Right after files, but never behind a source that asks
                 * the network (it may answer "not found" for good). */
                if (files && (!net || files < net))
                        insert(t, after_word(files, 5), " " SOURCE);
                else if (net)
                        insert(t, net, SOURCE " ");
                else if (last)
                        insert(t, after_word(last, last_len), " " SOURCE);
                else
                        insert(t, sources + strcspn(sources, "#\r\n"), " " SOURCE);
                return 1;
        }
        if (!ours)
                return 0;
        /* Remove the word, its [action] and the blank before it; when it
         * is the first word, the blank after it instead. */
        {
                char *from = ours, *to = after_word(ours, strlen(SOURCE)), *blank = ours;

                while (blank > sources && (blank[-1] == ' ' || blank[-1] == '\t'))
                        blank--;
                if (blank > sources)
                        from = blank;
                else
                        to += strspn(to, " \t");
                memmove(from, to, t->len - (size_t)(to - t->buf) + 1);
                t->len -= (size_t)(to - from);
        }
        return 1;
}

/* Write T over PATH atomically, with the mode and owner of ST. */
static int replace(const char *path, const struct text *t, const struct stat *st)
{
        char tmp[PATH_MAX], dir[PATH_MAX];
        int fd, dfd, rc = 0;

        if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, t->buf, t->len) != (ssize_t)t->len || fchmod(fd, st->st_mode & 07777) < 0 ||
            fchown(fd, st->st_uid, st->st_gid) < 0 || fsync(fd) < 0)
                rc = errno ? -errno : -EIO;
        if (close(fd) < 0 && rc == 0)
                rc = -errno;
        if (rc == 0 && rename(tmp, path) < 0)
                rc = -errno;
        if (rc < 0) {
                unlink(tmp);
                return rc;
        }
        snprintf(dir, sizeof(dir), "%s", path);
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
        }
        return 0;
}

static int backup(const char *path, const struct text *orig, const struct stat *st)
{
        char bak[PATH_MAX];

        if (snprintf(bak, sizeof(bak), "%s" BACKUP_SUFFIX, path) >= (int)sizeof(bak))
                return -ENAMETOOLONG;
        return replace(bak, orig, st);
}

static int run(int argc, char **argv, bool enable)
{
        static const struct option options[] = {
                { "file", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *file = NSSWITCH, *how = NULL;
        struct text t = { 0 }, orig = { 0 };
        char path[PATH_MAX];
        struct stat st;
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'f':
                        file = optarg;
                        break;
                case 'h':
                        usage(stdout, argv[0]);
                        return EXIT_OK;
                default:
                        usage(stderr, argv[0]);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                cmd_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
                return EXIT_USAGE;
        }
        /* A symlinked nsswitch.conf is edited where it really lives. */
        if (!realpath(file, path)) {
                cmd_error("%s: %s", file, strerror(errno));
                return errno == ENOENT ? EXIT_INPUT : EXIT_SYSTEM;
        }
        rc = read_all(path, &t, &st);
        if (rc < 0) {
                cmd_error("%s: %s", path, rc == -EFBIG ? "not a plausible nsswitch.conf (too large)"
                                          : rc == -EINVAL ? "not a regular file" : strerror(-rc));
                free(t.buf);
                return EXIT_INPUT;
        }
        orig.buf = strndup(t.buf, t.len);
        orig.len = t.len;
        if (!orig.buf) {
                free(t.buf);
                return EXIT_SYSTEM;
        }
        rc = edit(&t, enable, &how);
        if (rc == 0) {
                printf("%s: virtname already %s\n", file, enable ? "enabled" : "disabled");
                rc = EXIT_OK;
                goto out;
        }
        rc = backup(path, &orig, &st);
        if (rc == 0)
                rc = replace(path, &t, &st);
        if (rc < 0) {
                cmd_error("cannot write %s: %s (it is unchanged)", path, strerror(-rc));
                rc = EXIT_SYSTEM;
                goto out;
        }
        {
                char *sources, *line = hosts_line(&t, &sources);
                size_t n = line ? strcspn(line, "\n") : 0;

                printf("%s: virtname %s%s%s; now: %.*s\n(the previous file is %s" BACKUP_SUFFIX ")\n",
                       file, enable ? "enabled" : "disabled", how ? " - " : "", how ? how : "",
                       (int)n, line ? line : "", path);
        }
        rc = EXIT_OK;
out:
        free(t.buf);
        free(orig.buf);
        return rc;
}

int cmd_enable_nss(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, true);
}

int cmd_disable_nss(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, false);
}
