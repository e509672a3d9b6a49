/* ssh-config.c - doctor's ssh check (see ssh-config.h): ssh -G for our
 * snippet alone, for ssh's whole configuration and for every snippet
 * that sorts before ours. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/ssh-config.h"
#include "cache/read/paths.h"

/* ssh -G only prints what a host would get: nothing is resolved or
 * connected to.  A Match exec in someone's configuration could still run
 * a while, hence the deadline. */
#define PROBE_HOST "qemu/virt-name-cache-doctor"
#define SSH_TIMEOUT_MS 5000
#define MAX_OUTPUT (256 * 1024)
#define MAX_OPTIONS 512
#define MAX_SNIPPETS 128

extern char **environ;

/* What ssh -G printed: "option value" lines, split in place. */
struct ssh_options {
        char *text;
        int n;
        const char *option[MAX_OPTIONS], *value[MAX_OPTIONS];
};

static long long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ssh -G's output into BUF (NUL-terminated, malloc'd).  Returns 0, or -1
 * with a reason in WHY (ssh missing, refusing FILE, or too slow). */
static int run_ssh_G(const char *file, char **buf, char *why, size_t why_cap)
{
        const char *argv[] = { "ssh", "-G", "-F", file, PROBE_HOST, NULL };
        posix_spawn_file_actions_t fa;
        long long deadline = now_ms() + SSH_TIMEOUT_MS;
        bool timed_out = false;
        size_t len = 0;
        int fds[2], status, err;
        pid_t pid;

        *buf = malloc(MAX_OUTPUT + 1);
        if (!*buf || pipe2(fds, O_CLOEXEC) < 0) {
                snprintf(why, why_cap, "%s", strerror(errno));
                free(*buf);
                return -1;
        }
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        err = posix_spawnp(&pid, "ssh", &fa, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (err) {
                close(fds[0]);
                if (err == ENOENT)
                        snprintf(why, why_cap, "ssh is not installed");
                else
                        snprintf(why, why_cap, "cannot run ssh: %s", strerror(err));
                free(*buf);
                return -1;
        }
        for (;;) {
                struct pollfd p = { fds[0], POLLIN, 0 };
                long long left = deadline - now_ms();
                ssize_t n;

                if (left <= 0 || poll(&p, 1, (int)left) == 0) {
                        kill(pid, SIGKILL);
                        timed_out = true;
                        break;
                }
                n = read(fds[0], *buf + len, MAX_OUTPUT - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
                if (len == MAX_OUTPUT)
                        break;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                if (timed_out)
                        snprintf(why, why_cap, "ssh -G -F %s took more than %d ms", file, SSH_TIMEOUT_MS);
                else if (WEXITSTATUS(status) == 127)
                        snprintf(why, why_cap, "ssh is not installed");
                else
                        snprintf(why, why_cap, "ssh -G -F %s fails (run it to see why)", file);
                free(*buf);
                return -1;
        }
        (*buf)[len] = '\0';
        return 0;
}

static int ssh_options(const char *file, struct ssh_options *o, char *why, size_t why_cap)
{
        char *line, *save = NULL;

        o->n = 0;
        if (run_ssh_G(file, &o->text, why, why_cap) < 0)
                return -1;
        for (line = strtok_r(o->text, "\n", &save); line && o->n < MAX_OPTIONS;
             line = strtok_r(NULL, "\n", &save)) {
                char *space = strchr(line, ' ');

                if (!space)
                        continue;
                *space = '\0';
                o->option[o->n] = line;
                o->value[o->n++] = space + 1;
        }
        return 0;
}

/* OPTION's value (its first line: sendenv and the like repeat), or NULL. */
static const char *option_value(const struct ssh_options *o, const char *option)
{
        for (int i = 0; i < o->n; i++)
                if (strcmp(o->option[i], option) == 0)
                        return o->value[i];
        return NULL;
}

static bool same(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first snippet in DIR, in the order ssh reads them (glob(3): byte
 * order in ssh's C collation), sorting before OURS, that sets one of the
 * SHADOWED options of EFFECTIVE to the value ssh ended up with (and not
 * to ssh's default); its name into FOUND.  Returns 1 if found. */
static int first_taker(const char *dir, const char *ours, const struct ssh_options *defaults,
                       const struct ssh_options *effective, const char *const *shadowed, int n_shadowed,
                       char *found, size_t found_cap)
{
        char *names[MAX_SNIPPETS], path[PATH_MAX], why[256];
        struct dirent *e;
        int n = 0, hit = 0;
        DIR *d = opendir(dir);

        if (!d)
                return 0;
        while ((e = readdir(d)) && n < MAX_SNIPPETS) {
                size_t len = strlen(e->d_name);

                if (len > 5 && strcmp(e->d_name + len - 5, ".conf") == 0 && strcmp(e->d_name, ours) < 0 &&
                    (names[n] = strdup(e->d_name)))
                        n++;
        }
        closedir(d);
        qsort(names, n, sizeof(names[0]), by_name);
        for (int i = 0; i < n && !hit; i++) {
                struct ssh_options s;

                if (virtname_path(path, sizeof(path), dir, names[i]) < 0 ||
                    ssh_options(path, &s, why, sizeof(why)) < 0)
                        continue;
                for (int k = 0; k < n_shadowed && !hit; k++) {
                        const char *v = option_value(&s, shadowed[k]);

                        if (v && same(v, option_value(effective, shadowed[k])) &&
                            !same(v, option_value(defaults, shadowed[k]))) {
                                snprintf(found, found_cap, "%s", path);
                                hit = 1;
                        }
                }
                free(s.text);
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        return hit;
}

void ssh_config_check(virtname_lsm_report_fn report, void *ctx, const char *config)
{
        const char *name = strrchr(VIRTNAME_SSH_SNIPPET, '/') + 1;
        struct ssh_options defaults = { 0 }, ours = { 0 }, effective = { 0 };
        const char *shadowed[MAX_OPTIONS];
        char dir[PATH_MAX], snippet[PATH_MAX], list[512] = "", taker[PATH_MAX], why[256];
        const char *slash = strrchr(config, '/'), *proxy;
        int n_shadowed = 0;
        size_t used = 0;

        if (snprintf(dir, sizeof(dir), "%.*s/ssh_config.d", slash ? (int)(slash - config) : 1,
                     slash ? config : ".") >= (int)sizeof(dir) ||
            virtname_path(snippet, sizeof(snippet), dir, name) < 0) {
                report(ctx, "warning", "ssh: %s: %s", config, strerror(ENAMETOOLONG));
                return;
        }
        if (access(snippet, R_OK) < 0) {
                report(ctx, "info", "ssh: %s: %s: ssh user@qemu/GUEST does not use the proxy", snippet,
                       strerror(errno));
                return;
        }
        if (ssh_options("/dev/null", &defaults, why, sizeof(why)) < 0) {
                report(ctx, "info", "ssh: %s: the ssh set-up is not checked", why);
                return;
        }
        if (ssh_options(snippet, &ours, why, sizeof(why)) < 0 ||
            ssh_options(config, &effective, why, sizeof(why)) < 0) {
                report(ctx, "warning", "ssh: %s", why);
                goto out;
        }
        /* The options our snippet sets, and those ssh takes from elsewhere. */
        for (int i = 0; i < ours.n; i++) {
                const char *option = ours.option[i];

                /* First lines only (identityfile and the like repeat). */
                if (option_value(&ours, option) != ours.value[i] ||
                    same(ours.value[i], option_value(&defaults, option)) ||
                    same(ours.value[i], option_value(&effective, option)))
                        continue;
                shadowed[n_shadowed++] = option;
                used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
                                         "%s%s", n_shadowed > 1 ? ", " : "", option);
        }
        proxy = option_value(&ours, "proxycommand");
        if (n_shadowed == 0) {
                report(ctx, "ok", "ssh: qemu/GUEST goes through %s (%s)", proxy ? proxy : "?", snippet);
        } else {
                const char *theirs = option_value(&effective, "proxycommand");

                if (first_taker(dir, name, &defaults, &effective, shadowed, n_shadowed, taker,
                                sizeof(taker)))
                        report(ctx, "warning", "ssh: %s sorts before %s and sets qemu/*'s %s first (ssh "
                               "keeps the first value): ssh user@qemu/GUEST runs %s; remove it (or its "
                               "package) for virt-name-cache's proxy", taker, name, list,
                               theirs ? theirs : "no ProxyCommand");
                else
                        report(ctx, "warning", "ssh: %s gives qemu/* its own %s before %s, or does not "
                               "include it: ssh user@qemu/GUEST runs %s", config, list, snippet,
                               theirs ? theirs : "no ProxyCommand");
        }
out:
        free(defaults.text);
        free(ours.text);
        free(effective.text);
}
