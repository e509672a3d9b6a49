/* reserved.c - the names guests never get (reserved.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "store/names.h"
#include "store/reserved.h"

#define HOSTS_FILE "/etc/hosts"

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);

        return n > m && strcmp(s + n - m, suffix) == 0;
}

bool virtname_name_reserved_fixed(const char *key)
{
        return strcmp(key, "localhost") == 0 || ends_with(key, ".localhost") ||
               strcmp(key, "localhost.localdomain") == 0 || strncmp(key, "ip6-", 4) == 0 ||
               key[0] == '_' || strcmp(key, "wpad") == 0;
}

/* The host's name as uname() gives it, whole or its first label. */
static bool is_host_name(const char *key)
{
        struct utsname u;
        size_t first;

        if (uname(&u) < 0 || !u.nodename[0])
                return false;
        first = strcspn(u.nodename, ".");
        return strcasecmp(key, u.nodename) == 0 ||
               (strlen(key) == first && strncasecmp(key, u.nodename, first) == 0);
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

bool virtname_hosts_file_names(const char *path, const char *key)
{
        char buf[4096], line[1024];
        size_t used = 0;
        bool found = false, skipping = false;
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd < 0)
                return false;
        /* Line by line through a fixed buffer: no allocation, any size;
         * an over-long line is skipped. */
        while (!found && ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))) {
                for (ssize_t i = 0; i < n && !found; i++) {
                        if (buf[i] != '\n') {
                                if (used < sizeof(line) - 1)
                                        line[used++] = buf[i];
                                else
                                        skipping = true;
                                continue;
                        }
                        line[used] = '\0';
                        found = !skipping && line_names(line, key);
                        used = 0;
                        skipping = false;
                }
        }
        if (!found && used && !skipping) {
                line[used] = '\0';
                found = line_names(line, key);
        }
        close(fd);
        return found;
}

bool virtname_name_reserved(const char *key)
{
        return virtname_name_reserved_fixed(key) || is_host_name(key) ||
               virtname_hosts_file_names(HOSTS_FILE, key);
}

bool virtname_hostname_reserved(const char *hostname)
{
        char key[VIRTNAME_NAME_MAX + 1];

        if (virtname_name_normalise(hostname, key) < 0)
                return true;
        if (virtname_name_reserved(key))
                return true;
        key[strcspn(key, ".")] = '\0';
        return virtname_name_reserved(key);
}
