/* lsm.h - doctor's check of the Linux security modules: may programs
 * that AppArmor or SELinux confine read the snapshot, and may the
 * confined libvirt daemons and dnsmasq run our hooks and lease helper?
 *
 * lsm_check() says what it finds through REPORT (LEVEL is "ok", "info",
 * "warning" or "problem", FMT a printf format for one line without a
 * newline), passing CTX through.  SNAPSHOT_DIR is the directory the
 * readers open (/run/virt-name-cache).  With no LSM active it reports a
 * single "info" line.
 *
 * For tests only, the environment variable VIRT_NAME_CACHE_LSM_ROOT
 * (read with secure_getenv) names a directory that stands in for "/"
 * when reading /sys, /etc/apparmor.d, /etc/selinux and /var/lib/selinux,
 * so a fake tree can simulate an active LSM.  SNAPSHOT_DIR is used as
 * given.
 */
#ifndef VIRTNAME_CMD_LSM_H
#define VIRTNAME_CMD_LSM_H

#define VIRTNAME_LSM_ROOT_ENV "VIRT_NAME_CACHE_LSM_ROOT"

/* The SELinux type the policy module gives /run/virt-name-cache. */
#define VIRTNAME_SELINUX_SNAPSHOT_TYPE "virt_name_cache_var_run_t"

typedef void (*virtname_lsm_report_fn)(void *ctx, const char *level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

void lsm_check(virtname_lsm_report_fn report, void *ctx, const char *snapshot_dir);

#endif
