/* snapshot.h - the NSS module's access to the current snapshot. */
#ifndef VNC_NSS_SNAPSHOT_H
#define VNC_NSS_SNAPSHOT_H

#include "schema.h"

typedef int (*nss_view_fn)(const struct vnc_view *view, void *ctx);

/* Call FN with a read view of the snapshot that is current now and
 * return what it returns, or the -errno of vnc_reader_open() (-ENOENT
 * when there is no snapshot). */
int nss_with_snapshot(nss_view_fn fn, void *ctx);

#endif
