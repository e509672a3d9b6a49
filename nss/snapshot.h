/* snapshot.h - the NSS module's access to the current snapshot. */
#ifndef VIRTNAME_NSS_SNAPSHOT_H
#define VIRTNAME_NSS_SNAPSHOT_H

#include "cache/read/view.h"

typedef int (*nss_view_fn)(const struct virtname_view *view, void *ctx);

/* Call FN with a view of the snapshot that is current now and return what
 * it returns, or the error of virtname_snapshot_load() (-ENOENT when
 * nothing is published). */
int nss_with_snapshot(nss_view_fn fn, void *ctx);

#endif
