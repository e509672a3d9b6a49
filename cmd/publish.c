/* publish.c - `virt-name-cache publish`: write the snapshot readers use
 * again from the private store (after a reboot emptied /run), or remove
 * it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cache/read/paths.h"
#include "cache/write/publish.h"
#include "cache/ingest/update.h"

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache publish [--if-needed] [--remove]\n"
                "\n"
                "Write the snapshot that the NSS module, the ssh proxy, list and query read\n"
                "again, from the private store, and apply events waiting in the spool.  The\n"
                "snapshot lives on tmpfs (" VIRTNAME_STORE_DIR "): after a reboot it is\n"
                "written again by the first libvirt event, by libvirtd's start (the daemon\n"
                "hook), or by this command.\n"
                "\n"
                "  --if-needed  only when it is missing or behind the private store\n"
                "  --remove     remove the published snapshot (guests no longer resolve\n"
                "               until the next publish)\n"
                "  -h, --help   this text\n");
}

int cmd_publish(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "if-needed", no_argument, NULL, 'n' },
                { "remove", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *dir = virtname_store_dir(ctx->db_dir);
        bool if_needed = false, remove_it = false;
        struct virtname_update *u;
        char err[512];
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'n':
                        if_needed = true;
                        break;
                case 'r':
                        remove_it = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (cmd_extra_args(argc, argv))
                return EXIT_USAGE;
        if (remove_it) {
                rc = virtname_unpublish(dir);
                if (rc < 0) {
                        cmd_error("cannot remove the snapshot in %s: %s", dir, strerror(-rc));
                        return EXIT_SYSTEM;
                }
                printf("removed the snapshot in %s\n", dir);
                return EXIT_OK;
        }
        rc = virtname_update_open(ctx->db_dir, 30000, VIRTNAME_WRITER_RECREATE, &u, err, sizeof(err));
        if (rc < 0)
                return cmd_store_failed(ctx, "publish", rc, err);
        if (virtname_writer_recreated(virtname_update_writer(u)))
                cmd_warn("the private store was damaged and is started anew (the damaged one is kept "
                         "beside it); run 'virt-name-cache rebuild'");
        rc = virtname_update_commit(u, if_needed ? 0 : VIRTNAME_WRITER_REPUBLISH, NULL, err, sizeof(err));
        virtname_update_close(u);
        if (rc < 0) {
                cmd_error("%s", err);
                return EXIT_STORE;
        }
        printf("published the snapshot in %s\n", dir);
        return EXIT_OK;
}
