/* cmd.h - what the virt-name-cache subcommands share.
 *
 * A subcommand is a function
 *      int cmd_NAME(int argc, char **argv, const struct cmd_ctx *ctx);
 * in cmd/ (rebuild.c, list.c, query.c, doctor.c, publish.c; network.c:
 * enable and disable; nss.c: enable-nss and disable-nss; dns.c: export
 * and dns-sync), listed in virt-name-cache.c's table and returning one
 * of the exit codes below.  argv[0] is the subcommand name; parse the
 * rest with getopt_long (optind is reset for you).
 */
#ifndef VIRTNAME_CMD_H
#define VIRTNAME_CMD_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes (documented in virt-name-cache.1). */
enum {
        EXIT_OK = 0,
        EXIT_NOTFOUND = 1,     /* query found nothing; doctor found problems */
        EXIT_USAGE = 2,        /* bad command line */
        EXIT_STORE = 3,        /* store missing, unreadable, corrupt or locked */
        EXIT_INPUT = 4,        /* unreadable or malformed input files */
        EXIT_LIBVIRT = 5,      /* libvirt unreachable or refused */
        EXIT_SYSTEM = 6,       /* other system error (files, memory) */
};

struct cmd_ctx {
        const char *db_dir;    /* --db-dir, else NULL (virtname_store_dir() decides) */
        bool verbose;
};

/* "virt-name-cache: " + message + newline on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* After a command's getopt loop: true (and an error naming ARGV[0], the
 * command) when operands are left that the command does not take. */
bool cmd_extra_args(int argc, char **argv);

/* Opening the store for writing failed with RC (ERR says how): say so,
 * and that COMMAND needs root when permissions are why.  Returns the
 * exit code. */
int cmd_store_failed(const struct cmd_ctx *ctx, const char *command, int rc, const char *err);

/* The rebuild (rebuild.c) from libvirt at URI, or only the lease files
 * in LEASES_DIR, or (both NULL) libvirt at qemu:///system with the lease
 * files as the fallback.  Returns the exit code. */
int cmd_rebuild_run(const struct cmd_ctx *ctx, const char *uri, const char *leases_dir, bool partial);

/* Note in the state directory's CMD_REMEMBER_NAME file one line (printf
 * FMT) of what a package removal turned off (remember.c).  Returns 0 or
 * a negative errno. */
#define CMD_REMEMBER_NAME "disabled-at-removal"
int cmd_remember(const struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How to ACTION (start, restart) SERVICE on this host: "systemctl ACTION
 * SERVICE" under systemd, else "service SERVICE ACTION", into BUF. */
const char *cmd_service(const char *action, const char *service, char *buf, size_t cap);

int cmd_rebuild(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_list(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_query(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_doctor(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_publish(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_enable(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_disable(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_enable_nss(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_export(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_dns_sync(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_disable_nss(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_enable_watch(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_disable_watch(int argc, char **argv, const struct cmd_ctx *ctx);

#endif
