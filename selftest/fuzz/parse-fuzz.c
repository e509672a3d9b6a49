/* parse-fuzz - libFuzzer target for the snapshot parsers a reader runs
 * before anything else: virtname_delta_parse() (and the record access a
 * lookup does on a parsed delta) and virtname_base_check(); and for the
 * decoder of answers records (virtname_answers_eval()), which a lookup
 * runs on what the checksum let through.
 *
 * The first input byte chooses: 0 a delta as is, 1 a delta whose header
 * length and checksum the harness sets right (so the fuzzer explores what
 * lies behind the checksum), 2 a base file as is, 3 a base whose trailer
 * size and checksum the harness sets right, 4 to 7 an answers record,
 * asked for the name itself and three suffixes, each family, at times
 * from 0 to the end of time.  Modes 0 and 2 skip inputs
 * whose checksum is right anyway: a crash there is one the integrity check
 * should have stopped.  Built and run by `make fuzz`
 * (selftest/fuzz.mk). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cache/read/answers.h"
#include "cache/read/base.h"
#include "cache/read/delta.h"
#include "cache/read/xxh3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

static void delta(uint8_t *buf, size_t len, int fix)
{
        struct virtname_delta d;

        /* Raw input with a right checksum (libFuzzer solves the comparison)
         * is mode 1's: mode 0 keeps to what the checksum must catch. */
        if (!fix && len >= VIRTNAME_DELTA_HEADER && get_le(buf + 32, 8) == len - VIRTNAME_DELTA_HEADER &&
            get_le(buf + 40, 8) == virtname_delta_checksum(buf, len))
                return;
        if (fix && len >= VIRTNAME_DELTA_HEADER) {
                put_le(buf + 32, len - VIRTNAME_DELTA_HEADER, 8);
                put_le(buf + 40, virtname_delta_checksum(buf, len), 8);
        }
        if (virtname_delta_parse(buf, len, &d) != 0)
                return;
        /* What a lookup does with a delta the parser accepted. */
        for (uint32_t i = 0; i < d.count; i++) {
                struct virtname_delta_rec r;
                volatile uint8_t sink = 0;

                virtname_delta_rec(&d, i, &r);
                if (r.key.mv_size)
                        sink ^= ((const uint8_t *)r.key.mv_data)[r.key.mv_size - 1];
                if (r.value.mv_size)
                        sink ^= ((const uint8_t *)r.value.mv_data)[r.value.mv_size - 1];
                if (virtname_delta_seek(&d, r.db, &r.key) != i)
                        abort();        /* accepted, yet not in order */
                (void)sink;
        }
}

static void base(uint8_t *buf, size_t len, int fix)
{
        struct virtname_base_info info;
        int fd;

        if (!fix && len >= VIRTNAME_BASE_TRAILER &&
            get_le(buf + len - VIRTNAME_BASE_TRAILER + 32, 8) == XXH3_64bits(buf, len - VIRTNAME_BASE_TRAILER))
                return;         /* mode 3's, as above */
        if (fix && len >= VIRTNAME_BASE_TRAILER) {
                uint8_t *t = buf + len - VIRTNAME_BASE_TRAILER;

                put_le(t + 24, len - VIRTNAME_BASE_TRAILER, 8);
                put_le(t + 32, XXH3_64bits(buf, len - VIRTNAME_BASE_TRAILER), 8);
        }
        fd = memfd_create("base", MFD_CLOEXEC);
        if (fd < 0)
                return;
        if (write(fd, buf, len) == (ssize_t)len)
                (void)virtname_base_check(fd, len, &info);
        close(fd);
}

static void answers(const uint8_t *buf, size_t len)
{
        static const char *const suffixes[] = { NULL, "lab.test", "x", "" };
        static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
        static const int64_t times[] = { INT64_MIN, 0, 1, 2000000000, INT64_MAX };
        static struct virtname_answer a;

        for (size_t s = 0; s < 4; s++)
                for (size_t f = 0; f < 3; f++)
                        for (size_t t = 0; t < 5; t++)
                                if (virtname_answers_eval(buf, len, suffixes[s], families[f], times[t], &a) == 0 &&
                                    (a.n > VIRTNAME_ANSWER_MAX || a.dropped))
                                        abort();        /* more than an answer holds */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *buf;

        if (size < 1)
                return 0;
        /* A private copy of exactly the input's size: ASan sees any read past it. */
        buf = malloc(size - 1 ? size - 1 : 1);
        if (!buf)
                return 0;
        memcpy(buf, data + 1, size - 1);
        switch (data[0] & 7) {
        case 0:
        case 1:
                delta(buf, size - 1, data[0] & 1);
                break;
        case 2:
        case 3:
                base(buf, size - 1, data[0] & 1);
                break;
        default:
                answers(buf, size - 1);
                break;
        }
        free(buf);
        return 0;
}
