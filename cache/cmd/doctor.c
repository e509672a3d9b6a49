/* doctor.c - `virt-name-cache doctor`: is everything in place for
 * guests to resolve, and is the store current? */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/nsswitch.h"
#include "cmd/show.h"
#include "store/missed.h"
#include "store/lookup.h"
#include "import/sources.h"
#include "store/writer.h"
#include "store/fileio.h"

#ifndef VIRTNAME_LIBEXECDIR
#define VIRTNAME_LIBEXECDIR "/usr/libexec/virt-name-cache"
#endif
#define HOOKS_DIR "/etc/libvirt/hooks"
#define NSSWITCH "/etc/nsswitch.conf"
#define HOOK_NAME "virt-name-cache"

struct doctor {
        const struct cmd_ctx *ctx;
        const char *nsswitch, *hooks_dir, *leases_dir, *helper;
        int problems, warnings;
};

static void report(struct doctor *doc, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void report(struct doctor *doc, const char *level, const char *fmt, ...)
{
        va_list ap;

        if (strcmp(level, "problem") == 0)
                doc->problems++;
        else if (strcmp(level, "warning") == 0)
                doc->warnings++;
        printf("%-8s ", level);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
}

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: virt-name-cache doctor [--nsswitch FILE] [--hooks-dir DIR]\n"
                "                              [--leases-dir DIR] [--helper PATH]\n"
                "\n"
                "Check that guests resolve: nsswitch.conf names virtname, the NSS module\n"
                "loads, the snapshot is readable, current and complete, the libvirt hooks\n"
                "and the lease helper are installed and the networks use the helper.\n"
                "Each line starts with ok, warning or problem; exit status 1 when there is\n"
                "a problem.\n"
                "\n"
                "  --nsswitch FILE   default " NSSWITCH "\n"
                "  --hooks-dir DIR   libvirt's hook directory (default " HOOKS_DIR ")\n"
                "  --leases-dir DIR  libvirt's dnsmasq directory (default " VIRTNAME_LEASES_DIR ")\n"
                "  --helper PATH     the lease helper (default " VIRTNAME_LIBEXECDIR "/lease-helper)\n"
                "  -h, --help        this text\n");
}

/* The hosts line of nsswitch.conf that glibc uses (the same parser as
 * enable-nss): does it name virtname, and is virtname ever asked? */
static void check_nsswitch(struct doctor *doc)
{
        struct nsswitch_hosts h;
        const struct nsswitch_source *s;
        char *buf = NULL;
        size_t len;
        int rc = virtname_read_file(doc->nsswitch, 1 << 20, &buf, &len), ours, stop;

        if (rc == 0 && nsswitch_parse(buf, len, &h) < 0)
                rc = -EBADMSG;
        if (rc < 0) {
                report(doc, "problem", "%s: %s", doc->nsswitch,
                       rc == -EINVAL ? "not a regular file" : rc == -EFBIG || rc == -EBADMSG ?
                       "not a plausible nsswitch.conf" : strerror(-rc));
                free(buf);
                return;
        }
        if (!h.line) {
                report(doc, "problem", "%s has no hosts line", doc->nsswitch);
                free(buf);
                return;
        }
        if (h.count > 1)
                report(doc, "info", "%s has %u hosts lines; glibc uses the last, line %u",
                       doc->nsswitch, h.count, h.lineno);
        ours = nsswitch_find(&h, "virtname");
        if (h.unterminated)
                report(doc, "problem", "%s: the hosts line (line %u) is the last line and has no newline: "
                       "glibc 2.33 and later ignore it (run 'virt-name-cache enable-nss', which adds it)",
                       doc->nsswitch, h.lineno);
        else if (h.error[0])
                report(doc, "problem", "%s: the hosts line (line %u) is malformed (%s): "
                       "glibc does not read it as written", doc->nsswitch, h.lineno, h.error);
        else if (ours < 0)
                report(doc, "problem", "%s: the hosts line does not name virtname "
                       "(run 'virt-name-cache enable-nss')", doc->nsswitch);
        else if ((stop = nsswitch_stopper(&h, (size_t)ours, NSSWITCH_NOTFOUND)) >= 0)
                report(doc, "problem", "%s: virtname comes after '%.*s %.*s', which ends the lookup "
                       "when it finds nothing, so virtname is never asked (run 'virt-name-cache "
                       "disable-nss', then 'virt-name-cache enable-nss' to move it)", doc->nsswitch,
                       (int)h.src[stop].len, h.src[stop].name, (int)h.src[stop].action_len,
                       h.src[stop].action);
        else if ((stop = nsswitch_stopper(&h, (size_t)ours, NSSWITCH_UNAVAIL | NSSWITCH_TRYAGAIN)) >= 0)
                report(doc, "warning", "%s: virtname comes after '%.*s %.*s', which ends the lookup "
                       "when it %s, and virtname is then not asked", doc->nsswitch,
                       (int)h.src[stop].len, h.src[stop].name, (int)h.src[stop].action_len,
                       h.src[stop].action, h.src[stop].stops & NSSWITCH_UNAVAIL ? "is unavailable"
                       : "fails for now");
        else {
                for (stop = 0; stop < ours && !nsswitch_is_network(&h.src[stop]); stop++)
                        ;
                s = &h.src[stop];
                if (stop < ours)
                        report(doc, "warning", "%s: virtname comes after %.*s, so guest names go to "
                               "the network first", doc->nsswitch, (int)s->len, s->name);
                else
                        report(doc, "ok", "%s: hosts line names virtname", doc->nsswitch);
        }
        free(buf);
}

static void check_module(struct doctor *doc)
{
        void *h = dlopen("libnss_virtname.so.2", RTLD_LAZY | RTLD_LOCAL);

        if (!h) {
                report(doc, "problem", "the NSS module does not load: %s", dlerror());
                return;
        }
        if (!dlsym(h, "_nss_virtname_gethostbyname4_r"))
                report(doc, "problem", "libnss_virtname.so.2 lacks its entry points");
        else
                report(doc, "ok", "libnss_virtname.so.2 loads");
        dlclose(h);
}

static size_t entries(const struct virtname_view *v, enum virtname_db db)
{
        MDB_stat st;

        return mdb_stat(v->txn, v->dbi[db], &st) == 0 ? st.ms_entries : 0;
}

/* The snapshot; returns its generation, or 0 when it is unusable. */
static uint64_t check_snapshot(struct doctor *doc)
{
        const char *dir = virtname_store_dir(doc->ctx->db_dir);
        char path[PATH_MAX], when[32];
        struct virtname_reader r;
        struct virtname_meta meta;
        struct stat st;
        int rc;

        if (virtname_store_path(path, sizeof(path), dir, VIRTNAME_SNAPSHOT_NAME) < 0) {
                report(doc, "problem", "store path too long: %s", dir);
                return 0;
        }
        if (stat(path, &st) < 0) {
                report(doc, "problem", "%s: %s (run 'virt-name-cache rebuild' as root)", path,
                       strerror(errno));
                return 0;
        }
        if ((st.st_mode & 0004) == 0)
                report(doc, "problem", "%s is not world-readable: programs that are not root "
                       "cannot resolve guests", path);
        rc = virtname_reader_open(&r, path);
        if (rc < 0) {
                report(doc, "problem", "%s: %s (run 'virt-name-cache rebuild' as root)", path,
                       rc == -EBADMSG ? "not a valid snapshot" : strerror(-rc));
                return 0;
        }
        if (virtname_get_meta(&r.view, &meta) < 0) {
                report(doc, "problem", "%s: damaged meta data", path);
                virtname_reader_close(&r);
                return 0;
        }
        report(doc, "ok", "%s: generation %llu, written %s (%lld s ago): %zu networks, "
               "%zu domains, %zu leases", path, (unsigned long long)meta.generation,
               show_time(meta.updated, when, sizeof(when)),
               (long long)(time(NULL) - meta.updated), entries(&r.view, VIRTNAME_DB_NETWORKS),
               entries(&r.view, VIRTNAME_DB_DOMAINS), entries(&r.view, VIRTNAME_DB_LEASES));
        virtname_reader_close(&r);
        return meta.generation;
}

/* Root only: has every committed change been published? */
static void check_private(struct doctor *doc, uint64_t published)
{
        struct virtname_writer *w;
        struct virtname_meta meta;
        char err[512];
        int rc;

        if (geteuid() != 0) {
                report(doc, "info", "not root: the private store was not compared with the snapshot");
                return;
        }
        rc = virtname_writer_open(doc->ctx->db_dir, 2000, 0, &w, err, sizeof(err));
        if (rc < 0) {
                report(doc, rc == -ETIMEDOUT ? "warning" : "problem", "private store: %s", err);
                return;
        }
        rc = virtname_get_meta(virtname_writer_view(w), &meta);
        virtname_writer_abort(w);
        if (rc < 0)
                report(doc, "problem", "private store: damaged meta data (run 'virt-name-cache rebuild')");
        else if (meta.generation != published)
                report(doc, "problem", "the snapshot (generation %llu) is behind the store "
                       "(generation %llu): publishing failed; run 'virt-name-cache rebuild'",
                       (unsigned long long)published, (unsigned long long)meta.generation);
        else
                report(doc, "ok", "the snapshot matches the private store");
}

static void check_missed(struct doctor *doc)
{
        char last[1024];
        long n = virtname_missed_count(doc->ctx->db_dir, last, sizeof(last));

        if (n < 0)
                report(doc, "warning", "cannot read the missed-events log: %s", strerror((int)-n));
        else if (n > 0)
                report(doc, "problem", "%ld libvirt or DHCP event%s could not be recorded (last: %s); "
                       "run 'virt-name-cache rebuild'", n, n == 1 ? "" : "s", last);
        else
                report(doc, "ok", "no missed events");
}

static void check_executable(struct doctor *doc, const char *path, const char *what)
{
        if (access(path, X_OK) == 0)
                report(doc, "ok", "%s: %s", what, path);
        else
                report(doc, "problem", "%s: %s: %s", what, path, strerror(errno));
}

static void check_hooks(struct doctor *doc)
{
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/network.d/" HOOK_NAME, doc->hooks_dir);
        check_executable(doc, path, "network hook");
        snprintf(path, sizeof(path), "%s/qemu.d/" HOOK_NAME, doc->hooks_dir);
        check_executable(doc, path, "qemu hook");
        check_executable(doc, doc->helper, "lease helper");
}

/* Does dnsmasq's configuration of each network run our helper? */
static void check_networks(struct doctor *doc)
{
        char want[PATH_MAX + 16], path[PATH_MAX], line[PATH_MAX + 64];
        struct dirent *de;
        DIR *d = opendir(doc->leases_dir);
        int n = 0, unreadable = 0;

        if (!d) {
                if (errno == EACCES)
                        report(doc, "info", "%s: %s: the networks were not checked (run doctor as root)",
                               doc->leases_dir, strerror(errno));
                else
                        report(doc, "info", "%s: %s: no libvirt networks to check", doc->leases_dir,
                               strerror(errno));
                return;
        }
        snprintf(want, sizeof(want), "dhcp-script=%s", doc->helper);
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                bool ours = false;
                FILE *f;

                if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", doc->leases_dir, de->d_name);
                f = fopen(path, "re");
                if (!f && errno == EACCES) {
                        /* libvirt keeps these root-only: not a fault. */
                        report(doc, "info", "network %.*s: cannot read %s (%s): not checked "
                               "(run doctor as root)", (int)len - 5, de->d_name, path, strerror(errno));
                        unreadable++;
                        continue;
                }
                if (!f) {
                        report(doc, "warning", "%s: %s", path, strerror(errno));
                        unreadable++;
                        continue;
                }
                /* dnsmasq uses the last dhcp-script line. */
                while (fgets(line, sizeof(line), f)) {
                        line[strcspn(line, "\r\n")] = '\0';
                        if (strncmp(line, "dhcp-script=", 12) == 0)
                                ours = strcmp(line, want) == 0;
                }
                fclose(f);
                n++;
                if (ours)
                        report(doc, "ok", "network %.*s reports its leases", (int)len - 5, de->d_name);
                else
                        report(doc, "warning", "network %.*s does not report leases to the store "
                               "(run 'virt-name-cache enable %.*s', then restart the network)",
                               (int)len - 5, de->d_name, (int)len - 5, de->d_name);
        }
        closedir(d);
        if (n == 0 && unreadable == 0)
                report(doc, "info", "%s: no running libvirt networks", doc->leases_dir);
}

int cmd_doctor(int argc, char **argv, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "nsswitch", required_argument, NULL, 'n' },
                { "hooks-dir", required_argument, NULL, 'k' },
                { "leases-dir", required_argument, NULL, 'l' },
                { "helper", required_argument, NULL, 'H' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct doctor doc = { ctx, NSSWITCH, HOOKS_DIR, VIRTNAME_LEASES_DIR,
                              VIRTNAME_LIBEXECDIR "/lease-helper", 0, 0 };
        uint64_t generation;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'n':
                        doc.nsswitch = optarg;
                        break;
                case 'k':
                        doc.hooks_dir = optarg;
                        break;
                case 'l':
                        doc.leases_dir = optarg;
                        break;
                case 'H':
                        doc.helper = optarg;
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
        check_nsswitch(&doc);
        check_module(&doc);
        generation = check_snapshot(&doc);
        if (generation)
                check_private(&doc, generation);
        check_missed(&doc);
        check_hooks(&doc);
        check_networks(&doc);
        printf("%d problem%s, %d warning%s\n", doc.problems, doc.problems == 1 ? "" : "s",
               doc.warnings, doc.warnings == 1 ? "" : "s");
        return doc.problems ? EXIT_NOTFOUND : EXIT_OK;
}
