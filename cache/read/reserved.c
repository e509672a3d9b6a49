/* reserved.c - the names guests never get (reserved.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cache/read/names.h"
#include "cache/read/reserved.h"
#include "cache/read/xxh3.h"

#define HOSTS_FILE "/etc/hosts"
/* Lines longer than this are skipped (as they always were: the scanner
 * had a fixed buffer). */
#define LINE_MAX_LEN 1023
/* Reads of the hosts file. */
#define CHUNK ((size_t)64 << 10)
/* Names of a hosts file past this many bytes are not kept in memory:
 * every check reads the file instead. */
#define POOL_MAX ((size_t)64 << 20)

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);

        return n > m && strcmp(s + n - m, suffix) == 0;
}

/* A first label of digits only: "127" or "10.0.0.1" as a name reads as an
 * address to anyone who sees it (inet_aton takes "127"). */
static bool numeric_label(const char *key)
{
        size_t n = strcspn(key, ".");

        return n > 0 && strspn(key, "0123456789") >= n;
}

bool virtname_name_reserved_fixed(const char *key)
{
        return strcmp(key, "localhost") == 0 || ends_with(key, ".localhost") ||
               strcmp(key, "localhost.localdomain") == 0 || ends_with(key, ".localhost.localdomain") ||
               strcmp(key, "localhost4") == 0 || strcmp(key, "localhost6") == 0 ||
               strcmp(key, "localhost4.localdomain4") == 0 || strcmp(key, "localhost6.localdomain6") == 0 ||
               strncmp(key, "ip6-", 4) == 0 || key[0] == '_' || strcmp(key, "wpad") == 0 || numeric_label(key) ||
               /* what a network's DNS calls an address whose guest left (hostsdir.c) */
               strncmp(key, "vnc-gone-", 9) == 0;
}

/* --- the names of a hosts file, as a set --------------------------------- */

/* Every name and alias of a hosts file, each as a lookup key would spell
 * it (ASCII lower case, one trailing dot dropped), in an open-addressing
 * hash table of offsets into one string pool. */
struct name_set {
        char *pool;                    /* the keys, each NUL-terminated */
        size_t pool_len, pool_cap;
        uint32_t *slot;                /* offset + 1 into POOL, 0: empty */
        size_t mask;                   /* slots - 1 (a power of two) */
        size_t n;
};

static void set_free(struct name_set *s)
{
        free(s->pool);
        free(s->slot);
        memset(s, 0, sizeof(*s));
}

static uint64_t key_hash(const char *key, size_t len)
{
        return XXH3_64bits(key, len);
}

/* The slot of KEY (LEN bytes) in S: where it is, or the empty one where
 * it would go. */
static uint32_t *set_find(const struct name_set *s, const char *key, size_t len)
{
        for (size_t i = (size_t)key_hash(key, len) & s->mask;; i = (i + 1) & s->mask) {
                uint32_t *at = &s->slot[i];

                if (*at == 0 || (strncmp(s->pool + *at - 1, key, len) == 0 && s->pool[*at - 1 + len] == '\0'))
                        return at;
        }
}

static bool set_has(const struct name_set *s, const char *key)
{
        return s->slot && *set_find(s, key, strlen(key)) != 0;
}

/* Grow S's table to hold at least twice WANT entries. */
static int set_grow(struct name_set *s, size_t want)
{
        struct name_set bigger = *s;
        size_t slots = 64;

        while (slots < 2 * want)
                slots *= 2;
        if (s->slot && slots <= s->mask + 1)
                return 0;
        if (!(bigger.slot = calloc(slots, sizeof(*bigger.slot))))
                return -ENOMEM;
        bigger.mask = slots - 1;
        for (size_t i = 0; s->slot && i <= s->mask; i++)
                if (s->slot[i]) {
                        const char *k = s->pool + s->slot[i] - 1;

                        *set_find(&bigger, k, strlen(k)) = s->slot[i];
                }
        free(s->slot);
        *s = bigger;
        return 0;
}

/* Add the hosts-file token TOK (LEN bytes) to S. */
static int set_add(struct name_set *s, const char *tok, size_t len)
{
        char key[VIRTNAME_NAME_MAX + 1];
        uint32_t *at;
        int rc;

        if (len > 1 && tok[len - 1] == '.')
                len--;
        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return 0;       /* no lookup key is that long */
        for (size_t i = 0; i < len; i++)
                key[i] = tok[i] >= 'A' && tok[i] <= 'Z' ? (char)(tok[i] - 'A' + 'a') : tok[i];
        if ((rc = set_grow(s, s->n + 1)) < 0)
                return rc;
        at = set_find(s, key, len);
        if (*at)
                return 0;
        if (s->pool_len + len + 1 > s->pool_cap) {
                size_t cap = s->pool_cap ? 2 * s->pool_cap : 4096;
                char *more;

                while (cap < s->pool_len + len + 1)
                        cap *= 2;
                if (cap > POOL_MAX)
                        return -EFBIG;
                if (!(more = realloc(s->pool, cap)))
                        return -ENOMEM;
                s->pool = more;
                s->pool_cap = cap;
        }
        memcpy(s->pool + s->pool_len, key, len);
        s->pool[s->pool_len + len] = '\0';
        *at = (uint32_t)s->pool_len + 1;
        s->pool_len += len + 1;
        s->n++;
        return 0;
}

/* Call FN for each name on the hosts-file line LINE (LEN bytes, no
 * newline): the tokens after the address, up to a '#' (or a NUL byte).
 * Stops at the first non-zero return and returns it. */
typedef int (*token_fn)(const char *tok, size_t len, void *ctx);

static int line_names(const char *line, size_t len, token_fn fn, void *ctx)
{
        const char *end = line;
        bool address = true;
        int rc = 0;

        while (end < line + len && *end != '#' && *end != '\0')
                end++;
        for (const char *p = line; rc == 0 && p < end;) {
                size_t n;

                while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                        p++;
                for (n = 0; p + n < end && p[n] != ' ' && p[n] != '\t' && p[n] != '\r'; n++)
                        ;
                if (n && !address)
                        rc = fn(p, n, ctx);
                address = address && n == 0;
                p += n;
        }
        return rc;
}

/* Call FN for each name in the hosts file FD, read in chunks: any size,
 * memory bounded; a line longer than LINE_MAX_LEN is skipped.  Returns
 * what FN stopped with, 0, or a negative errno. */
static int scan_hosts(int fd, token_fn fn, void *ctx)
{
        char *buf = malloc(LINE_MAX_LEN + 1 + CHUNK);
        size_t have = 0;                /* bytes of the current line at BUF */
        bool skipping = false;          /* the current line is too long */
        int rc = 0;

        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + have, CHUNK);
                size_t end, start = 0;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        n = 0;          /* unreadable from here: the names so far */
                end = have + (size_t)n;
                for (size_t i = have; rc == 0 && i < end; i++) {
                        if (buf[i] != '\n')
                                continue;
                        if (!skipping && i - start <= LINE_MAX_LEN)
                                rc = line_names(buf + start, i - start, fn, ctx);
                        skipping = false;
                        start = i + 1;
                }
                if (rc != 0)
                        break;
                if (n == 0) {           /* a last line without a newline */
                        if (!skipping && end - start <= LINE_MAX_LEN)
                                rc = line_names(buf + start, end - start, fn, ctx);
                        break;
                }
                have = end - start;
                if (have > LINE_MAX_LEN) {
                        skipping = true;
                        have = 0;
                } else {
                        memmove(buf, buf + start, have);
                }
        }
        free(buf);
        return rc;
}

static int add_name(const char *tok, size_t len, void *ctx)
{
        return set_add(ctx, tok, len);
}

struct match {
        const char *key;
        size_t len;
};

/* 1 when TOK names the key (any case, one trailing dot). */
static int match_name(const char *tok, size_t len, void *ctx)
{
        const struct match *m = ctx;

        if (len == m->len + 1 && tok[m->len] == '.')
                len--;
        return len == m->len && strncasecmp(tok, m->key, len) == 0;
}

static int open_hosts(const char *path, struct stat *st)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
                close(fd);
                errno = EINVAL;
                return -1;
        }
        return fd;
}

/* The names of the hosts file PATH into S (empty when it cannot be
 * read), and the file's identity into ST.  Returns 0, or -EFBIG when the
 * names would take more memory than a hosts file should, -ENOMEM. */
static int load_hosts(const char *path, struct name_set *s, struct stat *st)
{
        int fd = open_hosts(path, st), rc;

        memset(s, 0, sizeof(*s));
        if (fd < 0) {
                memset(st, 0, sizeof(*st));
                return 0;
        }
        rc = scan_hosts(fd, add_name, s);
        close(fd);
        if (rc < 0)
                set_free(s);
        return rc;
}

bool virtname_hosts_file_names(const char *path, const char *key)
{
        struct match m = { key, strlen(key) };
        struct stat st;
        int fd = open_hosts(path, &st), rc;

        if (fd < 0)
                return false;
        rc = scan_hosts(fd, match_name, &m);
        close(fd);
        return rc == 1;
}

/* --- the host's name and /etc/hosts, as this process last saw them ------- */

/* The host name and /etc/hosts are looked at again when the kernel's
 * coarse clock has moved since they were (one tick, 1-4 ms; reading the
 * clock is no system call), not at every check: a warm hit then costs
 * one system call of ours (the snapshot's), not three.  /etc/hosts is
 * parsed again only when its stat() says it changed.  The only global
 * state of the read layer, behind a lock that is only ever tried: a
 * thread that finds it busy (or a child forked while it was held) reads
 * the host name and the file itself, so nobody waits. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
        bool seen_valid;               /* UTS and NAMES were refreshed at SEEN */
        struct timespec seen;          /* CLOCK_MONOTONIC_COARSE */
        struct utsname uts;
        bool uts_ok;
        bool hosts_read;               /* NAMES is /etc/hosts as identified below */
        bool hosts_ok;                 /* ... and could be kept (else: read it at each check) */
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
        struct name_set names;
} state;        /* guarded by state_lock */

static bool same_time(const struct timespec *a, const struct timespec *b)
{
        return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* STATE's names of /etc/hosts, as the file is now. */
static void refresh_hosts(void)
{
        struct stat st;
        bool exists = stat(HOSTS_FILE, &st) == 0;

        if (state.hosts_read && exists == (state.size >= 0) &&
            (!exists || (state.dev == st.st_dev && state.ino == st.st_ino && state.size == st.st_size &&
                         same_time(&state.mtime, &st.st_mtim) && same_time(&state.ctime, &st.st_ctim))))
                return;
        set_free(&state.names);
        state.hosts_read = true;
        /* Not kept (too large, no memory): every check reads the file. */
        state.hosts_ok = load_hosts(HOSTS_FILE, &state.names, &st) == 0;
        state.dev = st.st_dev;
        state.ino = st.st_ino;
        state.size = st.st_mode ? st.st_size : -1;
        state.mtime = st.st_mtim;
        state.ctime = st.st_ctim;
}

/* STATE's host name and /etc/hosts, looked at again when the coarse
 * clock has moved (or cannot be read). */
static void refresh(void)
{
        struct timespec now;
        bool clock = clock_gettime(CLOCK_MONOTONIC_COARSE, &now) == 0;

        if (clock && state.seen_valid && same_time(&now, &state.seen))
                return;
        state.uts_ok = uname(&state.uts) == 0;
        refresh_hosts();
        state.seen_valid = clock;
        state.seen = now;
}

/* Is KEY the host name UTS gives, whole or its first label? */
static bool names_host(const struct utsname *uts, const char *key)
{
        size_t first = strcspn(uts->nodename, ".");

        return uts->nodename[0] && (strcasecmp(key, uts->nodename) == 0 ||
                                    (strlen(key) == first && strncasecmp(key, uts->nodename, first) == 0));
}

bool virtname_name_reserved(const char *key)
{
        int saved = errno;
        bool reserved = virtname_name_reserved_fixed(key);
        struct utsname uts;

        if (!reserved && pthread_mutex_trylock(&state_lock) == 0) {
                refresh();
                reserved = (state.uts_ok && names_host(&state.uts, key)) ||
                           (state.hosts_ok ? set_has(&state.names, key) : virtname_hosts_file_names(HOSTS_FILE, key));
                pthread_mutex_unlock(&state_lock);
        } else if (!reserved) {
                reserved = (uname(&uts) == 0 && names_host(&uts, key)) || virtname_hosts_file_names(HOSTS_FILE, key);
        }
        errno = saved;
        return reserved;
}

bool virtname_hostname_reserved(const char *hostname)
{
        char key[VIRTNAME_NAME_MAX + 1];

        if (!virtname_hostname_valid(hostname) || virtname_name_normalise(hostname, key) < 0)
                return true;
        if (virtname_name_reserved(key))
                return true;
        if (!strchr(key, '.'))
                return false;
        key[strcspn(key, ".")] = '\0';
        return virtname_name_reserved(key);
}
