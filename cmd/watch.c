/* watch.c - `virt-name-cache enable-watch` and `disable-watch`: switch
 * the optional watcher (hooks/watch.c, virt-name-cache-watch.service)
 * on and off.  It is off by default: the hooks need no daemon, and the
 * watcher only adds what no hook sees (virt-name-cache(1), WATCHER). */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <systemd/sd-daemon.h>

#include "cmd/cmd.h"

#ifndef VIRTNAME_LIBEXECDIR
#define VIRTNAME_LIBEXECDIR "/usr/libexec/virt-name-cache"
#endif
#define UNIT "virt-name-cache-watch.service"

extern char **environ;

static void usage(FILE *out, const char *name)
{
        fprintf(out,
                "Usage: virt-name-cache %s\n"
                "\n"
                "%s the watcher (%s): it records the addresses the host sees\n"
                "bridged and static guests use, and the ones guest agents report, as they appear.\n"
                "On a host without systemd it says what to run instead.\n"
                "\n"
                "  -h, --help  this text\n",
                name, strcmp(name, "enable-watch") == 0 ? "Enable and start" : "Stop and disable", UNIT);
}

/* systemctl VERB --now UNIT: its exit status, or -1 when it cannot run. */
static int systemctl(const char *verb)
{
        char *argv[] = { (char *)"systemctl", (char *)verb, (char *)"--now", (char *)UNIT, NULL };
        pid_t pid;
        int status;

        if (posix_spawnp(&pid, "systemctl", NULL, NULL, argv, environ) != 0)
                return -1;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(int argc, char **argv, bool enable)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                if (c == 'h') {
                        usage(stdout, argv[0]);
                        return EXIT_OK;
                }
                usage(stderr, argv[0]);
                return EXIT_USAGE;
        }
        if (cmd_extra_args(argc, argv))
                return EXIT_USAGE;
        if (sd_booted() <= 0) {
                cmd_error("this host does not run systemd: %s, as root, %s", enable ? "run" : "stop",
                          enable ? VIRTNAME_LIBEXECDIR "/watch under your service manager (started after "
                                   "libvirtd, restarted when it exits); 'virt-name-cache doctor' says whether "
                                   "it runs"
                                 : "the " VIRTNAME_LIBEXECDIR "/watch your service manager runs");
                return EXIT_SYSTEM;
        }
        rc = systemctl(enable ? "enable" : "disable");
        if (rc != 0) {
                cmd_error("systemctl %s --now %s %s", enable ? "enable" : "disable", UNIT,
                          rc < 0 ? "could not run" : "failed (above)");
                return EXIT_SYSTEM;
        }
        printf("%s %s\n", UNIT, enable ? "enabled and started" : "stopped and disabled");
        return EXIT_OK;
}

int cmd_enable_watch(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, true);
}

int cmd_disable_watch(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, false);
}
