/* fileio.h - reading a whole small file, replacing one atomically, and
 * making a directory with its parents: the one way every part of the
 * tree does each. */
#ifndef VIRTNAME_FILEIO_H
#define VIRTNAME_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read the regular file PATH, at most MAX bytes, into a new buffer *BUF
 * (NUL-terminated; *LEN bytes without the NUL; free() it).  Returns 0, or
 * a negative errno: -EINVAL when PATH is not a regular file (a directory,
 * FIFO or device: opening never blocks), -EFBIG when it holds more than
 * MAX bytes, else what open or read failed with.  On failure *BUF is
 * NULL. */
int virtname_read_file(const char *path, size_t max, char **buf, size_t *len);

/* Replace PATH with LEN bytes of DATA, mode MODE, owner UID:GID ((uid_t)-1,
 * (gid_t)-1: the caller's): written to a temporary file in the same
 * directory, fsync'ed, renamed over PATH, and the directory fsync'ed, so
 * a reader sees the old file or the new one, never a mix.
 *
 * When PATH is a mount point (a bind-mounted file, a container's
 * /etc/nsswitch.conf) no rename can replace it (EBUSY, EXDEV, or EROFS
 * for a temporary file in a read-only directory): then the file is
 * rewritten in place (write, truncate, fsync), keeping its own mode and
 * owner, and put back as it was if that fails.
 *
 * Returns 0 or a negative errno; on failure no temporary file is left. */
int virtname_replace_file(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
                          gid_t gid);

/* Write LEN bytes of DATA at the start of FD (pwrite: the file offset
 * stays), through short writes and EINTR.  Returns 0 or a negative
 * errno. */
int virtname_write_at_start(int fd, const void *data, size_t len);

/* mkdir -p DIR: the missing parents 0755, DIR itself MODE.  Returns 0 or
 * a negative errno. */
int virtname_make_path(const char *dir, mode_t mode);

#endif
