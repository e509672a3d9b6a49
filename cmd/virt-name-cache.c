/* virt-name-cache.c - the administrator's command: global options, then
 * one subcommand (cmd.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cache/read/paths.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv, const struct cmd_ctx *ctx);
        const char *summary;
} commands[] = {
        { "rebuild", cmd_rebuild, "recreate the store from libvirt and its lease files" },
        { "list", cmd_list, "list the guests, addresses and CIDs in the store" },
        { "query", cmd_query, "look up one name, address, UUID or ID" },
        { "doctor", cmd_doctor, "check that name resolution is set up and current" },
        { "publish", cmd_publish, "write the snapshot readers use again (after a reboot)" },
        { "enable", cmd_enable, "make a libvirt network report its leases to the store" },
        { "disable", cmd_disable, "undo 'enable' for a libvirt network" },
        { "export", cmd_export, "print the store's names as a hosts file or zone records" },
        { "dns-sync", cmd_dns_sync, "bring the fleet's DNS zone up to the store (RFC 2136)" },
        { "enable-nss", cmd_enable_nss, "add virtname to the hosts line of nsswitch.conf" },
        { "disable-nss", cmd_disable_nss, "remove virtname from nsswitch.conf" },
        { "enable-watch", cmd_enable_watch, "start the watcher of bridged, static and agent guests" },
        { "disable-watch", cmd_disable_watch, "stop and disable the watcher" },
};

static void vmsg(const char *kind, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
        fprintf(stderr, "virt-name-cache: %s", kind);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void cmd_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmsg("", fmt, ap);
        va_end(ap);
}

bool cmd_extra_args(int argc, char **argv)
{
        if (optind >= argc)
                return false;
        cmd_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
        return true;
}

int cmd_store_failed(const struct cmd_ctx *ctx, const char *command, int rc, const char *err)
{
        char state[PATH_MAX];

        if ((rc == -EACCES || rc == -EPERM) && virtname_state_dir(ctx->db_dir, state, sizeof(state)) == 0) {
                cmd_error("%s needs root (or write access to %s): %s", command, state, err);
                return EXIT_STORE;
        }
        cmd_error("cannot open the store of %s: %s%s", virtname_store_dir(ctx->db_dir), err,
                  rc == -ETIMEDOUT ? " (events that arrive meanwhile are spooled, not lost)" : "");
        return rc == -ENOMEM ? EXIT_SYSTEM : EXIT_STORE;
}

const char *cmd_service(const char *action, const char *service, char *buf, size_t cap)
{
        if (access("/run/systemd/system", F_OK) == 0)
                snprintf(buf, cap, "systemctl %s %s", action, service);
        else
                snprintf(buf, cap, "service %s %s", service, action);
        return buf;
}

void cmd_warn(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmsg("warning: ", fmt, ap);
        va_end(ap);
}

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache [--db-dir DIR] [-v] COMMAND [ARGS...]\n"
                "\n"
                "Keeps the cache of libvirt guest names, addresses and VSOCK CIDs that\n"
                "the virtname NSS module and the ssh proxy read.\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (commands[i].run)
                        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
        fprintf(out,
                "\n"
                "Options:\n"
                "  --db-dir DIR  the store directory readers use (default $VIRT_NAME_CACHE_DIR,\n"
                "                else /run/virt-name-cache); its private store is DIR/private\n"
                "                (default /var/lib/virt-name-cache)\n"
                "  -v, --verbose say more on stderr\n"
                "  -h, --help    this text; 'virt-name-cache COMMAND --help' for a command\n"
                "  --version     print the version\n"
                "\n"
                "Exit status: 0 success, 1 not found or problems found, 2 usage error,\n"
                "3 store error, 4 bad input files, 5 libvirt error, 6 system error.\n"
                "See virt-name-cache(1).\n");
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "db-dir", required_argument, NULL, 'd' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { NULL, 0, NULL, 0 },
        };
        struct cmd_ctx ctx = { NULL, false };
        int c;

        /* '+': stop at the subcommand; its options are its own. */
        while ((c = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
                switch (c) {
                case 'd':
                        ctx.db_dir = optarg;
                        break;
                case 'v':
                        ctx.verbose = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                case 'V':
                        printf("virt-name-cache %s\n", VIRTNAME_VERSION);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (strcmp(argv[optind], commands[i].name) == 0 && commands[i].run) {
                        char **sub = argv + optind;
                        int n = argc - optind;

                        optind = 0;     /* full getopt reset for the subcommand */
                        return commands[i].run(n, sub, &ctx);
                }
        }
        cmd_error("unknown command '%s'; try 'virt-name-cache --help'", argv[optind]);
        return EXIT_USAGE;
}
