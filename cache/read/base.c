/* base.c - writing and checking base snapshot files (base.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/read/base.h"
#include "cache/read/wire.h"
#include "cache/read/xxh3.h"

static const char magic[8] = { 'V', 'N', 'A', 'M', 'E', 'B', 'A', 'S' };
#define VERSION 1u
#define CHUNK ((size_t)1 << 16)

/* LMDB's on-disk meta page (data format version 1, 64-bit): a 16-byte
 * page header (page number, pad, flags, lower, upper), then the meta:
 * magic, version, fixed-map address, map size, two database records
 * (48 bytes each; the first one's pad field is the page size), the last
 * used page and the transaction id. */
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_VERSION 1u
#define LMDB_P_META 0x08u
#define PAGE_FLAGS 10
#define META 16
#define META_MAGIC (META + 0)
#define META_VERSION (META + 4)
#define META_PSIZE (META + 24)
#define META_LAST_PG (META + 24 + 2 * 48)
#define META_SIZE (META_LAST_PG + 16)

static int read_full(int fd, void *buf, size_t len, uint64_t off)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EBADMSG;       /* shorter than it says */
                done += (size_t)n;
        }
        return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = write(fd, (const char *)buf + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t)n;
        }
        return 0;
}

int virtname_base_write(int src_fd, uint64_t data_size, uint32_t page_size, uint64_t generation,
                        int dst_fd)
{
        uint8_t trailer[VIRTNAME_BASE_TRAILER] = { 0 };
        XXH3_state_t *st = XXH3_createState();
        uint8_t *buf = malloc(CHUNK);
        int rc = st && buf ? 0 : -ENOMEM;

        if (rc == 0 && XXH3_64bits_reset(st) != XXH_OK)
                rc = -EINVAL;
        for (uint64_t off = 0; rc == 0 && off < data_size; off += CHUNK) {
                size_t n = data_size - off < CHUNK ? (size_t)(data_size - off) : CHUNK;

                rc = read_full(src_fd, buf, n, off);
                if (rc == 0 && XXH3_64bits_update(st, buf, n) != XXH_OK)
                        rc = -EINVAL;
                if (rc == 0)
                        rc = write_full(dst_fd, buf, n);
        }
        if (rc == 0) {
                memcpy(trailer, magic, sizeof(magic));
                virtname_le_put(trailer + 8, VERSION, 4);
                virtname_le_put(trailer + 12, page_size, 4);
                virtname_le_put(trailer + 16, generation, 8);
                virtname_le_put(trailer + 24, data_size, 8);
                virtname_le_put(trailer + 32, XXH3_64bits_digest(st), 8);
                rc = write_full(dst_fd, trailer, sizeof(trailer));
        }
        XXH3_freeState(st);
        free(buf);
        return rc;
}

/* One of LMDB's two meta pages, at OFF. */
static int check_meta(int fd, uint64_t off, uint32_t page_size, uint64_t data_size)
{
        uint8_t m[META_SIZE];
        int rc = read_full(fd, m, sizeof(m), off);

        if (rc < 0)
                return rc;
        if (!(virtname_le_get(m + PAGE_FLAGS, 2) & LMDB_P_META) || virtname_le_get(m + META_MAGIC, 4) != LMDB_MAGIC ||
            virtname_le_get(m + META_VERSION, 4) != LMDB_VERSION || virtname_le_get(m + META_PSIZE, 4) != page_size ||
            virtname_le_get(m + META_LAST_PG, 8) >= data_size / page_size)
                return -EBADMSG;
        return 0;
}

int virtname_base_check_shape(int fd, uint64_t size, struct virtname_base_info *info)
{
        uint8_t t[VIRTNAME_BASE_TRAILER];
        int rc;

        if (size < VIRTNAME_BASE_TRAILER)
                return -EBADMSG;
        rc = read_full(fd, t, sizeof(t), size - VIRTNAME_BASE_TRAILER);
        if (rc < 0)
                return rc;
        info->page_size = (uint32_t)virtname_le_get(t + 12, 4);
        info->generation = virtname_le_get(t + 16, 8);
        info->data_size = virtname_le_get(t + 24, 8);
        info->sum = virtname_le_get(t + 32, 8);
        /* The page size the writer used: a power of two LMDB accepts. */
        if (memcmp(t, magic, sizeof(magic)) != 0 || virtname_le_get(t + 8, 4) != VERSION ||
            info->page_size < 512 || info->page_size > 65536 ||
            (info->page_size & (info->page_size - 1)) != 0 ||
            info->data_size != size - VIRTNAME_BASE_TRAILER ||
            info->data_size % info->page_size != 0 || info->data_size < 2 * (uint64_t)info->page_size)
                return -EBADMSG;
        rc = check_meta(fd, 0, info->page_size, info->data_size);
        if (rc == 0)
                rc = check_meta(fd, info->page_size, info->page_size, info->data_size);
        return rc;
}

int virtname_base_check(int fd, uint64_t size, struct virtname_base_info *info)
{
        XXH3_state_t *st;
        uint8_t *buf;
        int rc = virtname_base_check_shape(fd, size, info);

        if (rc < 0)
                return rc;
        st = XXH3_createState();
        buf = malloc(CHUNK);
        rc = st && buf && XXH3_64bits_reset(st) == XXH_OK ? 0 : -ENOMEM;
        for (uint64_t off = 0; rc == 0 && off < info->data_size; off += CHUNK) {
                size_t n = info->data_size - off < CHUNK ? (size_t)(info->data_size - off) : CHUNK;

                rc = read_full(fd, buf, n, off);
                if (rc == 0 && XXH3_64bits_update(st, buf, n) != XXH_OK)
                        rc = -ENOMEM;
        }
        if (rc == 0 && XXH3_64bits_digest(st) != info->sum)
                rc = -EBADMSG;
        XXH3_freeState(st);
        free(buf);
        return rc;
}
