/* fileio.h - reading a whole small file, replacing one atomically, and
 * making a directory with its parents.
 *
 * Every file the writer side and the programs read that someone else
 * writes goes through the readers below.  What does not, and why: the
 * read layer (cache/read: the snapshot, /etc/hosts), which the NSS
 * module links alone, checks and reads its own files by the same rules;
 * our own files of a format of their own (the spool's events, the
 * snapshot's delta, dnsmasq's hosts blocks) are read beside the code
 * that writes them.  Configuration and state files are replaced through
 * virtname_replace_file(); the snapshot (publish.c: tmpfs, sealed), the
 * spool's events (spool.c: a new name each), the hosts blocks
 * (hostsdir.c: relative to the directory's descriptor) and known_hosts
 * (proxy/known-hosts.c, which says which step failed) are renamed into
 * place by their own code. */
#ifndef VIRTNAME_FILEIO_H
#define VIRTNAME_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Every file we read that someone else writes (libvirt's lease files and
 * configuration, our configuration, known_hosts, /sys values) is read
 * through these: opening never blocks (a FIFO or a device in its place),
 * only a regular file is read, and only up to a size.  */

/* Flags for the readers. */
#define VIRTNAME_READ_NOFOLLOW 0x1u     /* PATH itself may not be a symbolic link (-ELOOP) */

/* Read the regular file PATH, at most MAX bytes, into a new buffer *BUF
 * (NUL-terminated; *LEN bytes without the NUL; free() it).  Returns 0, or
 * a negative errno: -EINVAL when PATH is not a regular file (a directory,
 * FIFO or device: opening never blocks), -EFBIG when it holds more than
 * MAX bytes, -ELOOP for a link with VIRTNAME_READ_NOFOLLOW, else what
 * open or read failed with.  On failure *BUF is NULL. */
int virtname_read_file(const char *path, size_t max, char **buf, size_t *len);
int virtname_read_file_flags(const char *path, size_t max, unsigned flags, char **buf, size_t *len);

/* The same for an open descriptor (checked as above: fstat says a
 * regular file of at most MAX bytes), read from its start. */
int virtname_read_fd(int fd, size_t max, char **buf, size_t *len);

/* PATH for reading line by line (fgets): opened and checked as
 * virtname_read_file_flags() does, at most MAX bytes when opened.  NULL
 * with errno set (EINVAL: not a regular file, EFBIG: too large). */
FILE *virtname_open_file(const char *path, size_t max, unsigned flags);

/* Explain a reader's error: "not a regular file" for -EINVAL, "larger
 * than expected" for -EFBIG, "a symbolic link" for -ELOOP, else
 * strerror. */
const char *virtname_read_strerror(int rc);

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

/* mkdir -p DIR: the missing parents 0755, DIR itself MODE, whatever the
 * umask (readers and dnsmasq must search what we create).  A directory
 * that exists keeps its mode.  Returns 0 or a negative errno. */
int virtname_make_path(const char *dir, mode_t mode);

#endif
