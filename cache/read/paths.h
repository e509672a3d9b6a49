/* paths.h - where the store lives.
 *
 * Readers need only the store directory: the published snapshot, on
 * tmpfs by default (it is rewritten at every change and costs no disk
 * writes; after a reboot the first writer, the libvirt daemon hook or
 * `virt-name-cache publish` writes it again).  Writers also use the
 * state directory: the private LMDB store, the writer lock, the spool of
 * events waiting for the lock, and the log of missed events.
 *
 * VIRT_NAME_CACHE_DIR (or the commands' --db-dir) moves the store
 * directory, and then the state directory to DIR/private, so that one
 * variable points every program at a scratch store.
 * VIRT_NAME_CACHE_STATE_DIR moves only the state directory.  Both are
 * read with secure_getenv: setuid programs ignore them.
 */
#ifndef VIRTNAME_PATHS_H
#define VIRTNAME_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* The default directories, VIRTNAME_STORE_DIR (the snapshot),
 * VIRTNAME_STATE_DIR (the private store) and VIRTNAME_CONF_DIR (the
 * administrator's configuration, the fleet DNS: dns.conf), are install
 * paths: the build's config.h has them (GNUmakefile). */
#define VIRTNAME_DIR_ENV "VIRT_NAME_CACHE_DIR"
#define VIRTNAME_CONF_ENV "VIRT_NAME_CACHE_CONF"
#define VIRTNAME_DNS_CONF_NAME "dns.conf"
#define VIRTNAME_STATE_ENV "VIRT_NAME_CACHE_STATE_DIR"

/* In the store directory. */
#define VIRTNAME_DELTA_NAME "names.delta"
#define VIRTNAME_BASE_PREFIX "names."
#define VIRTNAME_BASE_SUFFIX ".mdb"
/* In the state directory. */
#define VIRTNAME_PRIVATE_NAME "store.mdb"
#define VIRTNAME_LOCK_NAME "writer.lock"
#define VIRTNAME_SPOOL_NAME "spool"
#define VIRTNAME_REPLAY_NAME "replay.cdb"  /* cache/ingest/replay.h */
#define VIRTNAME_WATCH_LOCK_NAME "watch.lock"   /* held while the watcher runs */

/* The store directory: DIR if given, else $VIRT_NAME_CACHE_DIR, else
 * VIRTNAME_STORE_DIR. */
const char *virtname_store_dir(const char *dir);

/* The state directory for store directory DIR (NULL: the default) into
 * BUF.  Returns 0 or -ENAMETOOLONG. */
int virtname_state_dir(const char *dir, char *buf, size_t cap);

/* DIR/NAME into BUF.  Returns 0 or -ENAMETOOLONG. */
int virtname_path(char *buf, size_t cap, const char *dir, const char *name);

/* The configuration directory: DIR if given, else $VIRT_NAME_CACHE_CONF,
 * else VIRTNAME_CONF_DIR. */
const char *virtname_conf_dir(const char *dir);

/* Is the fleet DNS configured (its dns.conf there)?  Writers then queue
 * the names a change touched for it (writer.h). */
bool virtname_dns_configured(void);

/* The file name of the base snapshot of GENERATION ("names.<16 hex>.mdb")
 * into BUF (at least 32 bytes). */
void virtname_base_name(char *buf, size_t cap, unsigned long long generation);

#endif
