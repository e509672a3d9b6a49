/* sources.h - where a rebuild gets its data: libvirt's lease files
 * (from-leasefiles.c) and the live libvirt API (from-libvirt.c), with
 * the warnings both give (warn.c).  Both fill an open writer, normally
 * that of an update opened with VIRTNAME_WRITER_FRESH (update.h), so a
 * rebuild replaces the whole store at its commit; neither commits. */
#ifndef VIRTNAME_SOURCES_H
#define VIRTNAME_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/write/writer.h"

/* libvirt's dnsmasq state directory. */
#define VIRTNAME_LEASES_DIR "/var/lib/libvirt/dnsmasq"

/* Where an import reports each rejected entry or bad file: one line. */
typedef void (*virtname_warn_fn)(const char *msg);

/* Format a warning and hand it to WARN (nothing when WARN is NULL). */
void virtname_import_warn(virtname_warn_fn warn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct virtname_import_stats {
        size_t networks;      /* networks recorded */
        size_t domains;       /* domains recorded */
        size_t leases;        /* leases recorded */
        size_t skipped;       /* entries rejected (bad MAC, address, host name...) */
        size_t bad_files;     /* files that could not be read or parsed */
};

/* Import DIR (libvirt's dnsmasq directory): NETWORK.conf (dnsmasq
 * configuration: interface= gives the bridge, domain= the DNS suffix),
 * BRIDGE.status (the lease list as JSON) and BRIDGE.macs (domain name to
 * MACs, JSON).  Every rejected entry or bad file is reported through
 * WARN (one line each, may be NULL) and counted; a bad file never stops
 * the others.  Returns 0, or a negative errno when DIR itself cannot be
 * read or the writer failed (ERR says why). */
int virtname_import_lease_dir(struct virtname_writer *w, const char *dir,
                         virtname_warn_fn warn,
                         struct virtname_import_stats *st, char *err, size_t errlen);

/* Import the live state from libvirt at URI (NULL: qemu:///system):
 * networks with their XML (bridge, domain, static hosts), their DHCP
 * leases, and every domain with its live XML (UUID, ID, state, MACs per
 * network, VSOCK CID).  Returns 0, -ECONNREFUSED when libvirt cannot be
 * reached (ERR says why; the caller falls back to the lease files), or
 * another negative errno. */
int virtname_import_libvirt(struct virtname_writer *w, const char *uri,
                       virtname_warn_fn warn,
                       struct virtname_import_stats *st, char *err, size_t errlen);

#endif
