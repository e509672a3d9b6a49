/* paths.c - the store and state directories and the files in them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cache/read/paths.h"

const char *virtname_store_dir(const char *dir)
{
        const char *env;

        if (dir && *dir)
                return dir;
        env = secure_getenv(VIRTNAME_DIR_ENV);
        return env && *env ? env : VIRTNAME_STORE_DIR;
}

int virtname_path(char *buf, size_t cap, const char *dir, const char *name)
{
        int n = snprintf(buf, cap, "%s/%s", dir, name);

        return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int virtname_state_dir(const char *dir, char *buf, size_t cap)
{
        const char *env;
        int n;

        if (!(dir && *dir)) {
                env = secure_getenv(VIRTNAME_STATE_ENV);
                if (env && *env) {
                        n = snprintf(buf, cap, "%s", env);
                        return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
                }
                dir = secure_getenv(VIRTNAME_DIR_ENV);
        }
        if (dir && *dir)
                return virtname_path(buf, cap, dir, "private");
        n = snprintf(buf, cap, "%s", VIRTNAME_STATE_DIR);
        return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

const char *virtname_conf_dir(const char *dir)
{
        const char *env;

        if (dir && *dir)
                return dir;
        env = secure_getenv(VIRTNAME_CONF_ENV);
        return env && *env ? env : VIRTNAME_CONF_DIR;
}

bool virtname_dns_configured(void)
{
        char path[4096];

        return virtname_path(path, sizeof(path), virtname_conf_dir(NULL), VIRTNAME_DNS_CONF_NAME) == 0 &&
               access(path, F_OK) == 0;
}

void virtname_base_name(char *buf, size_t cap, unsigned long long generation)
{
        snprintf(buf, cap, VIRTNAME_BASE_PREFIX "%016llx" VIRTNAME_BASE_SUFFIX, generation);
}
