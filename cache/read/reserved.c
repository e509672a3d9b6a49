/* reserved.c - the names guests never get (reserved.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cache/read/names.h"
#include "cache/read/reserved.h"

#define HOSTS_FILE "/etc/hosts"
/* /etc/hosts files up to this size are kept in memory between lookups. */
#define HOSTS_CACHE_MAX ((size_t)64 << 10)

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

/* While a writer pins (reserved.h): the host name it read first, and
 * whether /etc/hosts has been read since the pin. */
static unsigned pins;
static bool pinned_uts_valid, pinned_hosts_read;
static struct utsname pinned_uts;

void virtname_reserved_pin(void)
{
        if (pins++ == 0)
                pinned_uts_valid = pinned_hosts_read = false;
}

void virtname_reserved_unpin(void)
{
        if (pins > 0)
                pins--;
}

/* The host's name as uname() gives it, whole or its first label. */
static bool is_host_name(const char *key)
{
        struct utsname now, *u = pins && pinned_uts_valid ? &pinned_uts : &now;
        size_t first;

        if (u == &now) {
                if (uname(&now) < 0)
                        return false;
                if (pins) {
                        pinned_uts = now;
                        pinned_uts_valid = true;
                }
        }
        if (!u->nodename[0])
                return false;
        first = strcspn(u->nodename, ".");
        return strcasecmp(key, u->nodename) == 0 ||
               (strlen(key) == first && strncasecmp(key, u->nodename, first) == 0);
}

/* Does the hosts-file line LINE (NUL-terminated) list KEY after its
 * address? */
static bool line_names(char *line, const char *key)
{
        char *save = NULL, *tok;

        line[strcspn(line, "#")] = '\0';
        tok = strtok_r(line, " \t\r", &save);           /* the address */
        while (tok && (tok = strtok_r(NULL, " \t\r", &save)))
                if (strcasecmp(tok, key) == 0 ||
                    (strlen(tok) == strlen(key) + 1 && tok[strlen(key)] == '.' &&
                     strncasecmp(tok, key, strlen(key)) == 0))
                        return true;
        return false;
}

/* Lines through a fixed buffer, a byte at a time: no allocation, any
 * size; an over-long line is skipped. */
struct line_scan {
        char line[1024];
        size_t used;
        bool skipping;
};

/* The line so far ends: does it name KEY? */
static bool scan_end(struct line_scan *s, const char *key)
{
        bool found;

        s->line[s->used] = '\0';
        found = !s->skipping && s->used && line_names(s->line, key);
        s->used = 0;
        s->skipping = false;
        return found;
}

/* One more byte: true when it ends a line that names KEY. */
static bool scan_byte(struct line_scan *s, char c, const char *key)
{
        if (c == '\n')
                return scan_end(s, key);
        if (s->used < sizeof(s->line) - 1)
                s->line[s->used++] = c;
        else
                s->skipping = true;
        return false;
}

bool virtname_hosts_file_names(const char *path, const char *key)
{
        struct line_scan scan = { .used = 0 };
        char buf[4096];
        bool found = false;
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return false;
        /* Only a regular file: a FIFO or device there is no hosts file. */
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return false;
        }
        while (!found && ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
                for (ssize_t i = 0; i < n && !found; i++)
                        found = scan_byte(&scan, buf[i], key);
        if (!found)
                found = scan_end(&scan, key);
        close(fd);
        return found;
}

/* Does the hosts-file text BUF (LEN bytes) name KEY? */
static bool text_names(const char *buf, size_t len, const char *key)
{
        struct line_scan scan = { .used = 0 };

        for (size_t i = 0; i < len; i++)
                if (scan_byte(&scan, buf[i], key))
                        return true;
        return scan_end(&scan, key);
}

/* /etc/hosts as it was at its last change: a lookup that answers costs
 * one stat() instead of reading the file (none while a writer pins).
 * With the pins above, the only global state here; a thread that finds
 * it busy reads the file itself, so nobody waits. */
static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
        bool valid;
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        char *text;
} hosts;        /* guarded by hosts_lock */

static bool hosts_names(const char *key)
{
        struct stat st;
        bool found;
        int fd;

        /* Pinned and read already: the copy in memory. */
        if (pins && pinned_hosts_read && pthread_mutex_trylock(&hosts_lock) == 0) {
                if (hosts.valid) {
                        found = text_names(hosts.text, (size_t)hosts.size, key);
                        pthread_mutex_unlock(&hosts_lock);
                        return found;
                }
                pthread_mutex_unlock(&hosts_lock);
        }
        if (stat(HOSTS_FILE, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > HOSTS_CACHE_MAX ||
            pthread_mutex_trylock(&hosts_lock) != 0)
                return virtname_hosts_file_names(HOSTS_FILE, key);
        if (!hosts.valid || hosts.dev != st.st_dev || hosts.ino != st.st_ino ||
            hosts.size != st.st_size || hosts.mtime.tv_sec != st.st_mtim.tv_sec ||
            hosts.mtime.tv_nsec != st.st_mtim.tv_nsec) {
                char *text = malloc((size_t)st.st_size + 1);
                ssize_t n = -1;

                hosts.valid = false;
                fd = text ? open(HOSTS_FILE, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) : -1;
                if (fd >= 0) {
                        do
                                n = pread(fd, text, (size_t)st.st_size, 0);
                        while (n < 0 && errno == EINTR);
                        close(fd);
                }
                if (n != st.st_size) {
                        /* Changed while we read it, or unreadable. */
                        free(text);
                        pthread_mutex_unlock(&hosts_lock);
                        return virtname_hosts_file_names(HOSTS_FILE, key);
                }
                free(hosts.text);
                hosts.text = text;
                hosts.dev = st.st_dev;
                hosts.ino = st.st_ino;
                hosts.size = st.st_size;
                hosts.mtime = st.st_mtim;
                hosts.valid = true;
        }
        found = text_names(hosts.text, (size_t)hosts.size, key);
        pinned_hosts_read = pins > 0;
        pthread_mutex_unlock(&hosts_lock);
        return found;
}

bool virtname_name_reserved(const char *key)
{
        int saved = errno;
        bool reserved = virtname_name_reserved_fixed(key) || is_host_name(key) || hosts_names(key);

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
