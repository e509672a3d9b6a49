/* base.h - the base snapshot: the private store's LMDB file as it was at
 * one generation, with a trailer a reader checks before LMDB touches it.
 *
 * LMDB trusts its file: a damaged page size or page number makes it read
 * outside its mapping (SIGBUS, SIGSEGV) in every process that resolves a
 * name.  So the writer appends a trailer with an XXH3-64 checksum of the
 * whole LMDB part, and a reader first checks the trailer, LMDB's two meta
 * pages (magic, version, page size equal to the writer's, last page
 * inside the file) and then the checksum, once per new base.
 *
 * Trailer (the last 64 bytes, integers little-endian): magic "VNAMEBAS",
 * u32 version, u32 page size, u64 generation, u64 data size (the LMDB
 * part: everything before the trailer), u64 XXH3-64 of the data, zeros.
 */
#ifndef VIRTNAME_BASE_H
#define VIRTNAME_BASE_H

#include <stdint.h>

#define VIRTNAME_BASE_TRAILER 64

struct virtname_base_info {
        uint64_t generation;
        uint64_t data_size;
        uint64_t sum;
        uint32_t page_size;
};

/* Copy the first DATA_SIZE bytes of the LMDB file SRC_FD (page size
 * PAGE_SIZE) to DST_FD, hashing them, and append the trailer for
 * GENERATION.  Returns 0 or a negative errno. */
int virtname_base_write(int src_fd, uint64_t data_size, uint32_t page_size, uint64_t generation,
                        int dst_fd);

/* Check the base file FD of SIZE bytes as described above.  Returns 0
 * with INFO filled in, or -EBADMSG (damaged, truncated, not a base) or
 * another negative errno (cannot read it). */
int virtname_base_check(int fd, uint64_t size, struct virtname_base_info *info);

/* The same without the checksum: the trailer and the meta pages only,
 * for a base nobody can have changed since a writer checked it whole
 * (reader.h, sealed bases). */
int virtname_base_check_shape(int fd, uint64_t size, struct virtname_base_info *info);

#endif
