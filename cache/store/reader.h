/* reader.h - opening the published snapshot (names.mdb) for reading.
 *
 * The snapshot is immutable once published: the writer replaces it by
 * rename, so an open reader keeps a consistent view of the file it opened.
 * Readers need no write access anywhere (MDB_RDONLY | MDB_NOLOCK).
 */
#ifndef VIRTNAME_READER_H
#define VIRTNAME_READER_H

#include <stddef.h>

#include "store/schema.h"

struct virtname_reader {
        MDB_env *env;
        struct virtname_view view;
};

/* The store directory: DIR if given, else $VIRT_NAME_CACHE_DIR (ignored
 * in setuid programs), else VIRTNAME_DEFAULT_DIR. */
const char *virtname_store_dir(const char *dir);

/* Write DIR/NAME into BUF.  Returns 0 or -ENAMETOOLONG. */
int virtname_store_path(char *buf, size_t cap, const char *dir, const char *name);

/* Open snapshot file PATH and begin its read transaction.  Returns 0,
 * -ENOENT (no snapshot yet), -EACCES, -EBADMSG (not a valid snapshot:
 * truncated, corrupt or another schema version) or another -errno.  On
 * failure nothing is left open. */
int virtname_reader_open(struct virtname_reader *r, const char *path);

void virtname_reader_close(struct virtname_reader *r);

#endif
