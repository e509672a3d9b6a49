/* remember.c - what a package removal turned off, for the next
 * installation to offer back (cmd.h): one line per thing in the state
 * directory's "disabled-at-removal",
 *      nss FILE
 *      network URI NAME [no-dns]
 * which the maintainer scripts read (packaging/debian/virt-name-cache.postinst). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cache/read/paths.h"
#include "cache/write/fileio.h"

int cmd_remember(const struct cmd_ctx *ctx, const char *fmt, ...)
{
        char state[PATH_MAX], path[PATH_MAX], line[1024], *old = NULL, *text;
        size_t len = 0;
        va_list ap;
        int rc, n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(line) - 1 || strchr(line, '\n'))
                return -EINVAL;
        strcat(line, "\n");
        if (virtname_state_dir(ctx->db_dir, state, sizeof(state)) < 0 ||
            virtname_path(path, sizeof(path), state, CMD_REMEMBER_NAME) < 0)
                return -ENAMETOOLONG;
        rc = virtname_read_file_flags(path, 1 << 20, VIRTNAME_READ_NOFOLLOW, &old, &len);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        /* Once is enough (a removal that failed and was tried again). */
        for (const char *p = old; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
                if (strncmp(p, line, strlen(line)) == 0) {
                        free(old);
                        return 0;
                }
        text = malloc(len + strlen(line) + 1);
        if (!text) {
                free(old);
                return -ENOMEM;
        }
        memcpy(text, old ? old : "", len);
        memcpy(text + len, line, strlen(line) + 1);
        free(old);
        rc = virtname_make_path(state, 0700);
        if (rc == 0)
                rc = virtname_replace_file(path, text, strlen(text), 0600, (uid_t)-1, (gid_t)-1);
        free(text);
        return rc;
}
