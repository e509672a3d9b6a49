/* unit-hostsdir - the hosts directory's blocks (cache/derive/hostsdir.h)
 * under random changes, checked against the whole truth after each batch:
 * every file is named after an aligned block of 64 to 1,024 addresses and
 * holds, in address order, exactly the lines of the addresses in it; no
 * two files overlap; every line is in a file; no file is empty, and none
 * holds more than a page but a block of 64.  Addresses cluster (dense
 * stretches, sparse ones), names are 1 to 60 bytes long, IPv4 and IPv6.
 *
 *   unit-hostsdir DIR [ROUNDS [SEED]]      DIR must not exist yet
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/derive/hostsdir.h"
#include "selftest/unit/unit.h"

#define NET "net0"
#define SPACE 4096u                    /* addresses per family: 198.18.0.0/20, 2001:db8::/116 */
#define PAGE 4096

static char truth[2][SPACE][160];      /* each address's line, "" for none */

static void addr_of(int fam, unsigned i, uint8_t *a)
{
        memset(a, 0, 16);
        if (fam == 0) {
                a[0] = 198, a[1] = 18, a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
        } else {
                a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
                a[14] = (uint8_t)(i >> 8), a[15] = (uint8_t)i;
        }
}

/* The line dnsmasq gets for the names in L, as hostsdir.c writes it. */
static void expect_line(struct virtname_line *l, unsigned fam, unsigned i)
{
        char *t = truth[fam][i], a[INET6_ADDRSTRLEN];

        if (l->n) {
                virtname_line_format(l, t, sizeof(truth[0][0]));
        } else if (l->leased && l->family == AF_INET && t[0]) {
                inet_ntop(AF_INET, l->addr, a, sizeof(a));
                snprintf(t, sizeof(truth[0][0]), "%s vnc-gone-%s\n", a, a);
                for (char *p = t + strlen(a) + 1; *p; p++)
                        if (*p == '.')
                                *p = '-';
        } else {
                t[0] = '\0';
        }
}

/* A random change of address I of family FAM into L. */
static void change(struct virtname_line *l, unsigned fam, unsigned i)
{
        memset(l, 0, sizeof(*l));
        l->family = fam ? AF_INET6 : AF_INET;
        addr_of(fam, i, l->addr);
        snprintf(l->network, sizeof(l->network), NET);
        l->leased = rand() % 2;
        l->n = rand() % 3 == 0 ? 0 : 1 + (unsigned)(rand() % 2);
        for (unsigned k = 0; k < l->n; k++) {
                size_t len = 1 + (size_t)(rand() % 60);

                for (size_t c = 0; c < len; c++)
                        l->names[k][c] = (char)('a' + rand() % 26);
                l->names[k][len] = '\0';
        }
        expect_line(l, fam, i);
}

/* Parse "ADDRESS_PREFIX" into the block's family, first index and span. */
static bool parse_name(const char *name, unsigned *fam, unsigned *first, unsigned *span)
{
        char a[INET6_ADDRSTRLEN];
        const char *us = strrchr(name, '_');
        uint8_t addr[16] = { 0 }, want[16];
        unsigned prefix;

        if (!us || (size_t)(us - name) >= sizeof(a) || sscanf(us + 1, "%u", &prefix) != 1)
                return false;
        memcpy(a, name, (size_t)(us - name));
        a[us - name] = '\0';
        if (inet_pton(AF_INET, a, addr) == 1)
                *fam = 0, *span = 32 - prefix;
        else if (inet_pton(AF_INET6, a, addr) == 1)
                *fam = 1, *span = 128 - prefix;
        else
                return false;
        if (*span < 6 || *span > 10)
                return false;
        *first = *fam ? (unsigned)(addr[14] << 8 | addr[15]) : (unsigned)(addr[2] << 8 | addr[3]);
        addr_of(*fam, *first, want);
        return *first < SPACE && *first % (1u << *span) == 0 && memcmp(addr, want, 16) == 0;
}

/* What the last check_dir() saw: files per span, bytes of text. */
static unsigned spans[11];
static size_t bytes;

/* The directory against TRUTH. */
static void check_dir(const char *dir)
{
        static unsigned char owner[2][SPACE];  /* 1 + the file index holding it, 0: none */
        static char text[64 * 1024], want[64 * 1024];
        char path[PATH_MAX];
        struct dirent *de;
        DIR *d = opendir(dir);
        unsigned files = 0;

        memset(owner, 0, sizeof(owner));
        memset(spans, 0, sizeof(spans));
        bytes = 0;
        CHECK(d != NULL);
        while (d && (de = readdir(d))) {
                unsigned fam, first, span;
                size_t len = 0, wlen = 0;
                FILE *f;

                if (de->d_name[0] == '.')
                        continue;
                files++;
                CHECK(parse_name(de->d_name, &fam, &first, &span));
                if (!parse_name(de->d_name, &fam, &first, &span)) {
                        fprintf(stderr, "  a file not named after a block: %s\n", de->d_name);
                        continue;
                }
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if ((f = fopen(path, "r"))) {
                        len = fread(text, 1, sizeof(text) - 1, f);
                        fclose(f);
                }
                text[len] = '\0';
                for (unsigned i = first; i < first + (1u << span); i++) {
                        CHECK(owner[fam][i] == 0);      /* no two files overlap */
                        owner[fam][i] = (unsigned char)(1 + files % 250);
                        if (wlen < sizeof(want))
                                wlen += (size_t)snprintf(want + wlen, sizeof(want) - wlen, "%s", truth[fam][i]);
                }
                CHECK(len > 0);
                CHECK(len <= PAGE || span == 6);
                spans[span]++;
                bytes += len;
                CHECK(strcmp(text, want) == 0);
                if (strcmp(text, want) != 0)
                        fprintf(stderr, "  %s holds\n%s  wants\n%s", de->d_name, text, want);
        }
        if (d)
                closedir(d);
        for (unsigned fam = 0; fam < 2; fam++)
                for (unsigned i = 0; i < SPACE; i++)
                        if (truth[fam][i][0] && !owner[fam][i]) {
                                CHECK(!"a line in no file");
                                fprintf(stderr, "  missing: %s", truth[fam][i]);
                        }
}

int main(int argc, char **argv)
{
        const char *store = argc > 1 ? argv[1] : NULL;
        unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 300, seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
        static struct virtname_line lines[64];
        char dir[PATH_MAX], err[512];
        size_t total_files = 0;

        if (!store) {
                fprintf(stderr, "usage: unit-hostsdir DIR [ROUNDS [SEED]]\n");
                return 2;
        }
        srand(seed);
        CHECK(mkdir(store, 0700) == 0);
        CHECK(virtname_hostsdir_create(store, NET) == 0);
        CHECK(virtname_hostsdir_path(store, NET, dir, sizeof(dir)) == 0);
        for (unsigned r = 0; r < rounds; r++) {
                /* A batch around one spot: a dense stretch (a few dozen
                 * addresses) or anywhere in the space (sparse). */
                unsigned fam = (unsigned)(rand() % 4 == 0), n = 1 + (unsigned)(rand() % 40);
                unsigned spot = (unsigned)rand() % SPACE, width = rand() % 2 ? 96 : SPACE;
                bool seen[2][SPACE] = { { false } };
                size_t k = 0;

                for (unsigned j = 0; j < n && k < sizeof(lines) / sizeof(lines[0]); j++) {
                        unsigned i = (spot + (unsigned)rand() % width) % SPACE;

                        if (seen[fam][i])        /* one line per address and batch, as a commit gives */
                                continue;
                        seen[fam][i] = true;
                        change(&lines[k++], fam, i);
                }
                CHECK(virtname_hostsdir_update(store, lines, k, r, r + 1, NULL, 0, err, sizeof(err)) == 0);
                check_dir(dir);
                if (r == rounds - 1) {
                        unsigned f = 0;

                        for (unsigned sp = 6; sp <= 10; sp++)
                                f += spans[sp];
                        printf("unit-hostsdir: after %u rounds, files of 64..1,024 addresses: %u %u %u %u %u; "
                               "%zu bytes of text in %u files (tmpfs %.2fx the text)\n",
                               rounds, spans[6], spans[7], spans[8], spans[9], spans[10], bytes, f,
                               (double)f * PAGE / (double)(bytes ? bytes : 1));
                }
                if (unit_failed) {
                        fprintf(stderr, "round %u (seed %u) failed\n", r, seed);
                        break;
                }
        }
        /* Everything released: no file left. */
        for (unsigned fam = 0; fam < 2; fam++)
                for (unsigned i = 0; i < SPACE; i++) {
                        if (!truth[fam][i][0])
                                continue;
                        memset(&lines[0], 0, sizeof(lines[0]));
                        lines[0].family = fam ? AF_INET6 : AF_INET;
                        addr_of(fam, i, lines[0].addr);
                        snprintf(lines[0].network, sizeof(lines[0].network), NET);
                        truth[fam][i][0] = '\0';
                        CHECK(virtname_hostsdir_update(store, lines, 1, rounds, rounds, NULL, 0, err, sizeof(err)) ==
                              0);
                        total_files++;
                }
        check_dir(dir);
        CHECK(rmdir(dir) == 0);     /* empty: no file, no temporary one */
        printf("unit-hostsdir: %u rounds, %zu lines released at the end\n", rounds, total_files);
        return unit_done("unit-hostsdir");
}
