/* lsm.c - doctor's AppArmor and SELinux check (see lsm.h): the
 * nameservice.d snippet and the libvirtd and dnsmasq includes under
 * AppArmor; the policy module and the snapshot's label under SELinux. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmd/lsm.h"
#include "cache/write/fileio.h"

#define AA_DIR "/etc/apparmor.d"
#define AA_SNIPPET "abstractions/nameservice.d/virt-name-cache"
#define SNAPSHOT_DEFAULT "/run/virt-name-cache"
#define SELINUX_MODULE "virt-name-cache"

struct lsm {
        virtname_lsm_report_fn report;
        void *ctx;
        const char *root;       /* "" or the test's stand-in for "/" */
};

/* The confined daemons that run our programs, and what their profiles
 * must include (through the local/ file the profile includes). */
static const struct aa_daemon {
        const char *what;       /* for messages */
        const char *profiles[3];        /* names it loads under */
        const char *file;       /* its profile in /etc/apparmor.d */
        const char *abstraction;
        const char *runs;       /* what it cannot run without it */
} aa_daemons[] = {
        { "libvirtd", { "libvirtd", "/usr/sbin/libvirtd", NULL }, "usr.sbin.libvirtd",
          "virt-name-cache-libvirtd", "the hooks" },
        { "virtqemud", { "virtqemud", "/usr/sbin/virtqemud", NULL }, "usr.sbin.virtqemud",
          "virt-name-cache-libvirtd", "the qemu and daemon hooks" },
        { "dnsmasq", { "dnsmasq", "/usr/sbin/dnsmasq", NULL }, "usr.sbin.dnsmasq",
          "virt-name-cache-dnsmasq", "the lease helper" },
};

/* ROOT + PATH into BUF; false if it does not fit. */
static bool lsm_path(const struct lsm *l, char *buf, size_t cap, const char *path)
{
        int n = snprintf(buf, cap, "%s%s", l->root, path);

        return n >= 0 && (size_t)n < cap;
}

/* The first line of a small file (a /sys or /proc value), without its
 * newline.  Returns 0 or -errno. */
static int read_line(const char *path, char *buf, size_t cap)
{
        char *text;
        size_t len;
        int rc = virtname_read_file(path, 65536, &text, &len);

        if (rc < 0)
                return rc;
        snprintf(buf, cap, "%.*s", (int)strcspn(text, "\n"), text);
        free(text);
        return 0;
}

/* SRC into DST of CAP bytes; false (DST untouched) if it does not fit. */
static bool copy_str(char *dst, size_t cap, const char *src)
{
        size_t len = strlen(src);

        if (len >= cap)
                return false;
        memcpy(dst, src, len + 1);
        return true;
}

static bool is_file(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Does the AppArmor policy file PATH include <abstractions/NAME>?  Both
 * "include" and the older "#include" count, "include if exists" too; any
 * other line starting with '#' is a comment.  Returns 1, 0, or -errno. */
static int aa_includes(const char *path, const char *name)
{
        char want[PATH_MAX], line[4096];
        bool found = false;
        FILE *f;

        if (snprintf(want, sizeof(want), "<abstractions/%s>", name) >= (int)sizeof(want))
                return -ENAMETOOLONG;
        f = virtname_open_file(path, (size_t)1 << 20, 0);
        if (!f)
                return -errno;
        while (!found && fgets(line, sizeof(line), f)) {
                const char *p = line;

                while (isspace((unsigned char)*p))
                        p++;
                if (*p == '#' && strncmp(p + 1, "include", 7) == 0)
                        p++;
                if (strncmp(p, "include", 7) != 0 || !(isspace((unsigned char)p[7]) || p[7] == '<'))
                        continue;
                found = strstr(p, want) != NULL;
        }
        if (ferror(f)) {
                fclose(f);
                return -EIO;
        }
        fclose(f);
        return found;
}

/* The mode ("enforce", "complain", ...) under which one of NAMES is
 * loaded, according to the kernel's list of profiles (lines "NAME
 * (MODE)") in LIST; NULL if none is loaded. */
static const char *aa_loaded(const char *list, const char *const *names, char *mode, size_t cap)
{
        const char *line = list;

        while (line && *line) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                const char *open = memchr(line, '(', len);

                for (int i = 0; open && open > line + 1 && names[i]; i++) {
                        size_t nlen = strlen(names[i]);
                        const char *close;

                        if ((size_t)(open - 1 - line) != nlen || memcmp(line, names[i], nlen) != 0 ||
                            open[-1] != ' ')
                                continue;
                        close = memchr(open, ')', len - (size_t)(open - line));
                        if (!close || (size_t)(close - open - 1) >= cap)
                                continue;
                        memcpy(mode, open + 1, (size_t)(close - open - 1));
                        mode[close - open - 1] = '\0';
                        return mode;
                }
                line = end ? end + 1 : NULL;
        }
        return NULL;
}

/* The kernel's list of loaded profiles (root only), malloc'd; NULL with
 * errno set when it cannot be read. */
static char *aa_profiles(const struct lsm *l)
{
        char path[PATH_MAX], *buf;
        size_t len;
        int rc;

        if (!lsm_path(l, path, sizeof(path), "/sys/kernel/security/apparmor/profiles")) {
                errno = ENAMETOOLONG;
                return NULL;
        }
        rc = virtname_read_file(path, (size_t)64 << 20, &buf, &len);
        if (rc < 0)
                errno = -rc;
        return rc < 0 ? NULL : buf;
}

/* One confined daemon: is it loaded, and does its profile include our
 * abstraction?  PROFILES is the kernel's list, or NULL if unreadable. */
static void aa_check_daemon(const struct lsm *l, const struct aa_daemon *d, const char *profiles)
{
        char profile[PATH_MAX], local[PATH_MAX], abstraction[PATH_MAX], mode[32];
        const char *loaded = NULL;
        bool enforce;
        int inc;

        if (!lsm_path(l, profile, sizeof(profile), AA_DIR "/") ||
            strlen(profile) + strlen(d->file) >= sizeof(profile))
                return;
        strcat(profile, d->file);
        if (profiles) {
                loaded = aa_loaded(profiles, d->profiles, mode, sizeof(mode));
                if (!loaded)
                        return;         /* not confined: nothing to do */
        } else if (!is_file(profile)) {
                return;
        }
        if (!lsm_path(l, local, sizeof(local), AA_DIR "/local/") ||
            strlen(local) + strlen(d->file) >= sizeof(local) ||
            !lsm_path(l, abstraction, sizeof(abstraction), AA_DIR "/abstractions/") ||
            strlen(abstraction) + strlen(d->abstraction) >= sizeof(abstraction))
                return;
        strcat(local, d->file);
        strcat(abstraction, d->abstraction);

        inc = aa_includes(local, d->abstraction);
        if (inc < 0 && inc != -ENOENT) {
                l->report(l->ctx, "warning", "AppArmor: " AA_DIR "/local/%s: %s", d->file, strerror(-inc));
                return;
        }
        if (inc == 1 && !is_file(abstraction)) {
                l->report(l->ctx, "problem", "AppArmor: " AA_DIR "/local/%s includes abstractions/%s, "
                          "which is missing: %s cannot run %s (reinstall virt-name-cache)", d->file,
                          d->abstraction, d->what, d->runs);
                return;
        }
        if (inc == 1) {
                l->report(l->ctx, "ok", "AppArmor: %s's profile includes abstractions/%s (%s may run)",
                          d->what, d->abstraction, d->runs);
                return;
        }
        /* Enforce mode denies what the profile does not allow; complain
         * mode allows and logs it. */
        if (!loaded) {
                l->report(l->ctx, "warning", "AppArmor: " AA_DIR "/local/%s does not include "
                          "abstractions/%s: if its profile is loaded, %s cannot run %s; add the line "
                          "'include if exists <abstractions/%s>' to it and run 'apparmor_parser -r "
                          AA_DIR "/%s'", d->file, d->abstraction, d->what, d->runs, d->abstraction,
                          d->file);
                return;
        }
        enforce = strcmp(loaded, "enforce") == 0;
        l->report(l->ctx, enforce ? "problem" : "warning",
                  "AppArmor confines %s (%s mode) and its profile does not include abstractions/%s: "
                  "%s %s; add the line 'include if exists <abstractions/%s>' to " AA_DIR "/local/%s "
                  "and run 'apparmor_parser -r " AA_DIR "/%s'", d->what, loaded, d->abstraction,
                  enforce ? "it cannot run" : "AppArmor logs every access of", d->runs,
                  d->abstraction, d->file, d->file);
}

static void check_apparmor(const struct lsm *l, const char *snapshot_dir)
{
        char path[PATH_MAX];
        char *profiles;
        int inc;

        /* The readers: every profile that includes abstractions/nameservice. */
        if (!lsm_path(l, path, sizeof(path), AA_DIR "/" AA_SNIPPET))
                return;
        if (!is_file(path)) {
                l->report(l->ctx, "problem", "AppArmor is active and " AA_DIR "/" AA_SNIPPET " is missing: "
                          "confined programs (libvirtd, dhclient, man, ...) cannot read the snapshot "
                          "and get \"not found\" for guests (reinstall libnss-virtname, then "
                          "'systemctl reload apparmor', without systemd 'service apparmor reload')");
        } else if (!lsm_path(l, path, sizeof(path), AA_DIR "/abstractions/nameservice")) {
                return;
        } else if ((inc = aa_includes(path, "nameservice.d")) == 1) {
                l->report(l->ctx, "ok", "AppArmor: confined programs that resolve names may read "
                          "the snapshot (" AA_SNIPPET ")");
        } else if (inc == 0) {
                l->report(l->ctx, "problem", "AppArmor: " AA_DIR "/abstractions/nameservice does not "
                          "include abstractions/nameservice.d (AppArmor before 3.0), so confined "
                          "programs cannot read the snapshot; add the rules of " AA_DIR "/" AA_SNIPPET
                          " to the profiles of the programs that resolve guests");
        } else {
                l->report(l->ctx, "warning", "AppArmor: " AA_DIR "/abstractions/nameservice: %s",
                          strerror(-inc));
        }
        if (strcmp(snapshot_dir, SNAPSHOT_DEFAULT) != 0 &&
            strcmp(snapshot_dir, "/var" SNAPSHOT_DEFAULT) != 0)
                l->report(l->ctx, "info", "AppArmor: the snippet allows reading " SNAPSHOT_DEFAULT
                          " only; confined programs cannot read %s", snapshot_dir);

        /* The writers: what libvirt's daemons and dnsmasq run. */
        profiles = aa_profiles(l);
        if (!profiles)
                l->report(l->ctx, "info", "AppArmor: cannot read the loaded profiles (%s)%s; judging "
                          "by the profiles in " AA_DIR, strerror(errno),
                          errno == EACCES ? ", run as root" : "");
        for (size_t i = 0; i < sizeof(aa_daemons) / sizeof(aa_daemons[0]); i++)
                aa_check_daemon(l, &aa_daemons[i], profiles);
        free(profiles);
}

/* The type field of an SELinux context "user:role:type:level" into BUF. */
static const char *context_type(const char *context, char *buf, size_t cap)
{
        const char *p = strchr(context, ':');
        size_t len;

        if (!p || !(p = strchr(p + 1, ':')))
                return context;
        p++;
        len = strcspn(p, ":");
        if (len >= cap)
                len = cap - 1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        return buf;
}

/* PATH's SELinux type into TYPE; 0, or -errno (-ENODATA: no label). */
static int selinux_type(const char *path, char *type, size_t cap)
{
        char context[256], buf[256];
        ssize_t n = getxattr(path, "security.selinux", context, sizeof(context) - 1);

        if (n < 0)
                return -errno;
        context[n] = '\0';
        return copy_str(type, cap, context_type(context, buf, sizeof(buf))) ? 0 : -ERANGE;
}

/* Is our policy module in the store of the policy the system loads?
 * 1 yes, 0 no, -errno when the store cannot be read (not root). */
static int selinux_module_installed(const struct lsm *l, char *policy, size_t cap)
{
        char path[PATH_MAX], line[256];
        FILE *f;
        DIR *d;
        struct dirent *de;
        int found = 0;

        if (!copy_str(policy, cap, "targeted"))
                return -ENAMETOOLONG;
        if (lsm_path(l, path, sizeof(path), "/etc/selinux/config") && (f = virtname_open_file(path, (size_t)1 << 20, 0))) {
                while (fgets(line, sizeof(line), f)) {
                        if (strncmp(line, "SELINUXTYPE=", 12) == 0) {
                                line[strcspn(line, " \t\r\n")] = '\0';
                                if (line[12] && !copy_str(policy, cap, line + 12)) {
                                        fclose(f);
                                        return -ENAMETOOLONG;
                                }
                        }
                }
                fclose(f);
        }
        if (strchr(policy, '/'))
                return -EINVAL;
        if (!lsm_path(l, path, sizeof(path), "/var/lib/selinux/") ||
            strlen(path) + strlen(policy) + sizeof("/active/modules") > sizeof(path))
                return -ENAMETOOLONG;
        strcat(path, policy);
        strcat(path, "/active/modules");
        d = opendir(path);
        if (!d)
                return -errno;
        /* One directory per priority (100 the distribution, 200 packages, 400 local). */
        while (!found && (de = readdir(d))) {
                char mod[PATH_MAX + 300];
                struct stat st;

                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                snprintf(mod, sizeof(mod), "%s/%s/" SELINUX_MODULE, path, de->d_name);
                found = stat(mod, &st) == 0;
        }
        closedir(d);
        return found;
}

static void check_selinux(const struct lsm *l, bool enforcing, const char *snapshot_dir)
{
        const char *mode = enforcing ? "enforcing" : "permissive";
        const char *bad = enforcing ? "problem" : "warning";
        char policy[64], type[256];
        int rc = selinux_module_installed(l, policy, sizeof(policy));
        bool labelled = true;
        DIR *d;
        struct dirent *de;

        if (rc == 0)
                l->report(l->ctx, bad, "SELinux (%s): the policy module " SELINUX_MODULE " is not "
                          "installed in the %s policy, so confined programs cannot read the snapshot "
                          "(install the virt-name-cache-selinux package)", mode, policy);
        else if (rc == 1)
                l->report(l->ctx, "ok", "SELinux (%s): the policy module " SELINUX_MODULE
                          " is installed (%s policy)", mode, policy);
        else
                l->report(l->ctx, "info", "SELinux (%s): cannot read the %s policy store (%s)%s",
                          mode, policy, strerror(-rc), rc == -EACCES ? ", run as root" : "");

        rc = selinux_type(snapshot_dir, type, sizeof(type));
        if (rc == -ENOENT) {
                l->report(l->ctx, "info", "SELinux: %s does not exist yet: its label was not checked",
                          snapshot_dir);
                return;
        }
        if (rc < 0 && rc != -ENODATA) {
                l->report(l->ctx, "warning", "SELinux: %s: %s", snapshot_dir, strerror(-rc));
                return;
        }
        if (rc == -ENODATA || strcmp(type, VIRTNAME_SELINUX_SNAPSHOT_TYPE) != 0) {
                l->report(l->ctx, bad, "SELinux (%s): %s is labelled %s, not "
                          VIRTNAME_SELINUX_SNAPSHOT_TYPE ", so confined programs cannot read the "
                          "snapshot; run 'restorecon -R %s'", mode, snapshot_dir,
                          rc == -ENODATA ? "nothing" : type, snapshot_dir);
                return;
        }
        /* A file renamed in from elsewhere keeps the label it had there. */
        d = opendir(snapshot_dir);
        while (d && labelled && (de = readdir(d))) {
                char path[PATH_MAX];

                if (strncmp(de->d_name, "names.", 6) != 0 ||
                    snprintf(path, sizeof(path), "%s/%s", snapshot_dir, de->d_name) >= (int)sizeof(path))
                        continue;
                rc = selinux_type(path, type, sizeof(type));
                if (rc == -ENOENT)
                        continue;       /* replaced meanwhile */
                if (rc < 0 || strcmp(type, VIRTNAME_SELINUX_SNAPSHOT_TYPE) != 0) {
                        labelled = false;
                        l->report(l->ctx, bad, "SELinux (%s): %s is labelled %s, not "
                                  VIRTNAME_SELINUX_SNAPSHOT_TYPE "; run 'restorecon -R %s'", mode,
                                  path, rc < 0 ? "nothing" : type, snapshot_dir);
                }
        }
        if (d)
                closedir(d);
        if (labelled)
                l->report(l->ctx, "ok", "SELinux (%s): %s is labelled " VIRTNAME_SELINUX_SNAPSHOT_TYPE,
                          mode, snapshot_dir);
}

void lsm_check(virtname_lsm_report_fn report, void *ctx, const char *snapshot_dir)
{
        struct lsm l = { report, ctx, secure_getenv(VIRTNAME_LSM_ROOT_ENV) };
        char path[PATH_MAX], value[16];
        bool apparmor = false, selinux = false, enforcing = false;

        if (!l.root || strcmp(l.root, "/") == 0)
                l.root = "";
        if (lsm_path(&l, path, sizeof(path), "/sys/module/apparmor/parameters/enabled") &&
            read_line(path, value, sizeof(value)) == 0)
                apparmor = value[0] == 'Y';
        if (lsm_path(&l, path, sizeof(path), "/sys/fs/selinux/enforce") &&
            read_line(path, value, sizeof(value)) == 0) {
                selinux = true;
                enforcing = value[0] == '1';
        }
        if (!apparmor && !selinux) {
                report(ctx, "info", "no Linux security module (AppArmor, SELinux) is active: "
                       "nothing to check");
                return;
        }
        if (apparmor)
                check_apparmor(&l, snapshot_dir);
        if (selinux)
                check_selinux(&l, enforcing, snapshot_dir);
}
