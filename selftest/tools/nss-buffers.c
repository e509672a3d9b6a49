/* nss-buffers - glibc's resolver calls against the virtname module alone,
 * with every buffer size from 1 byte up: small buffers must give ERANGE
 * (so glibc retries with a bigger one), never a crash or a short answer.
 *
 *   nss-buffers MODULE.so NAME ADDRESS     a name and one of its addresses
 *   nss-buffers MODULE.so --unknown NAME   a name that must not resolve
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *db, const char *service);

typedef enum nss_status (*gethostbyname4_fn)(const char *name, struct gaih_addrtuple **pat,
                                              char *buf, size_t len, int *errnop,
                                              int *herrnop, int32_t *ttlp);

static int failures;

#define CHECK(cond, ...) do { \
        if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } \
} while (0)

/* gethostbyname2_r for FAMILY at every buffer size until it fits. */
static void by_name(const char *name, int family, const char *want)
{
        struct hostent he, *res;
        char text[INET6_ADDRSTRLEN];
        size_t ranges = 0;
        int herr, rc;

        for (size_t len = 1; len < 65536; len++) {
                char *buf = malloc(len);        /* exact size: ASan sees overruns */

                rc = gethostbyname2_r(name, family, &he, buf, len, &res, &herr);
                if (rc == ERANGE) {
                        CHECK(res == NULL, "%s: ERANGE with a result", name);
                        ranges++;
                        free(buf);
                        continue;
                }
                CHECK(rc == 0 && res, "%s family %d: rc %d h_errno %d at %zu bytes", name, family,
                      rc, herr, len);
                if (rc == 0 && res) {
                        bool found = false;

                        CHECK(res->h_addrtype == family, "%s: wrong family", name);
                        for (char **a = res->h_addr_list; *a; a++) {
                                inet_ntop(family, *a, text, sizeof(text));
                                found |= strcmp(text, want) == 0;
                        }
                        CHECK(found, "%s: %s not among the addresses", name, want);
                        printf("ok: gethostbyname2_r(%s, %s): ERANGE for %zu sizes, then %s at %zu bytes\n",
                               name, family == AF_INET ? "AF_INET" : "AF_INET6", ranges,
                               res->h_addr_list[0] ? inet_ntop(family, res->h_addr_list[0], text,
                                                                sizeof(text)) : "-", len);
                }
                free(buf);
                return;
        }
        CHECK(0, "%s: never fit", name);
}

static void by_addr(const char *addr, int family)
{
        unsigned char bin[16];
        struct hostent he, *res;
        int herr, rc;
        size_t ranges = 0;

        inet_pton(family, addr, bin);
        for (size_t len = 1; len < 65536; len++) {
                char *buf = malloc(len);

                rc = gethostbyaddr_r(bin, family == AF_INET ? 4 : 16, family, &he, buf, len, &res, &herr);
                if (rc == ERANGE) {
                        ranges++;
                        free(buf);
                        continue;
                }
                CHECK(rc == 0 && res && res->h_name, "reverse %s: rc %d h_errno %d", addr, rc, herr);
                if (rc == 0 && res)
                        printf("ok: gethostbyaddr_r(%s): ERANGE for %zu sizes, then %s\n", addr,
                               ranges, res->h_name);
                free(buf);
                return;
        }
}

/* The module's gethostbyname4_r called directly: the exact contract
 * glibc relies on for a small buffer. */
static void direct4(const char *module, const char *name, bool known)
{
        void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);
        gethostbyname4_fn fn = h ? (gethostbyname4_fn)dlsym(h, "_nss_virtname_gethostbyname4_r") : NULL;
        struct gaih_addrtuple *pat;
        char small[4], big[8192];
        int err, herr;
        int32_t ttl;
        enum nss_status st;

        CHECK(fn, "cannot load %s: %s", module, dlerror());
        if (!fn)
                return;
        pat = NULL;
        err = herr = 0;
        st = fn(name, &pat, small, sizeof(small), &err, &herr, &ttl);
        if (known) {
                CHECK(st == NSS_STATUS_TRYAGAIN && err == ERANGE && herr == NETDB_INTERNAL,
                      "gethostbyname4_r small buffer: status %d errno %d h_errno %d", st, err, herr);
                pat = NULL;
                st = fn(name, &pat, big, sizeof(big), &err, &herr, &ttl);
                CHECK(st == NSS_STATUS_SUCCESS && pat, "gethostbyname4_r: status %d", st);
                CHECK(ttl > 0, "gethostbyname4_r: ttl %d", ttl);
                printf("ok: _nss_virtname_gethostbyname4_r: TRYAGAIN/ERANGE/NETDB_INTERNAL at 4 bytes, "
                       "SUCCESS at 8192 (ttl %d)\n", ttl);
        } else {
                st = fn(name, &pat, big, sizeof(big), &err, &herr, &ttl);
                CHECK(st == NSS_STATUS_NOTFOUND && err == ENOENT && herr == HOST_NOT_FOUND,
                      "unknown %s: status %d errno %d h_errno %d", name, st, err, herr);
                printf("ok: unknown name: NOTFOUND, errno ENOENT, h_errno HOST_NOT_FOUND\n");
        }
        dlclose(h);
}

static void via_getaddrinfo(const char *name, const char *want)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
        char text[INET6_ADDRSTRLEN];
        int v4 = 0, v6 = 0, found = 0;
        int rc = getaddrinfo(name, NULL, &hints, &ai);

        CHECK(rc == 0, "getaddrinfo(%s): %s", name, gai_strerror(rc));
        if (rc != 0)
                return;
        for (struct addrinfo *p = ai; p; p = p->ai_next) {
                const void *a = p->ai_family == AF_INET
                        ? (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
                        : (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;

                inet_ntop(p->ai_family, a, text, sizeof(text));
                found |= strcmp(text, want) == 0;
                v4 += p->ai_family == AF_INET;
                v6 += p->ai_family == AF_INET6;
        }
        freeaddrinfo(ai);
        CHECK(found, "getaddrinfo(%s) lacks %s", name, want);
        printf("ok: getaddrinfo(%s, AF_UNSPEC): %d IPv4, %d IPv6\n", name, v4, v6);
}

/* No descriptor the module keeps open may leak into an exec'd program.
 * (LMDB opens the file without O_CLOEXEC; the module sets FD_CLOEXEC
 * right after mdb_env_open.) */
static bool inherited[4096];

/* Descriptors open at start are the caller's, not the module's. */
static void note_inherited_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        while (d && (de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (fd >= 0 && fd < 4096 && fd != dirfd(d))
                        inherited[fd] = true;
        }
        if (d)
                closedir(d);
}

static void check_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        CHECK(d, "cannot list /proc/self/fd");
        while (d && (de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) ||
                    (fd < 4096 && inherited[fd]))
                        continue;
                n++;
                CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "descriptor %d lacks FD_CLOEXEC", fd);
        }
        if (d)
                closedir(d);
        printf("ok: %d descriptor%s left open, all close-on-exec\n", n, n == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
        if (argc != 4) {
                fprintf(stderr, "usage: nss-buffers MODULE.so NAME ADDRESS | MODULE.so --unknown NAME\n");
                return 2;
        }
        note_inherited_fds();
        __nss_configure_lookup("hosts", "virtname");
        if (strcmp(argv[2], "--unknown") == 0) {
                struct hostent he, *res;
                char buf[1024];
                int herr, rc = gethostbyname2_r(argv[3], AF_INET, &he, buf, sizeof(buf), &res, &herr);

                CHECK(rc == 0 && res == NULL && herr == HOST_NOT_FOUND,
                      "unknown %s: rc %d res %p h_errno %d", argv[3], rc, (void *)res, herr);
                direct4(argv[1], argv[3], false);
                return failures ? 1 : 0;
        }
        int family = strchr(argv[3], ':') ? AF_INET6 : AF_INET;

        by_name(argv[2], family, argv[3]);
        by_addr(argv[3], family);
        via_getaddrinfo(argv[2], argv[3]);
        direct4(argv[1], argv[2], true);
        {
                struct hostent he, *res;
                char buf[4096];
                int herr, rc = gethostbyname_r(argv[2], &he, buf, sizeof(buf), &res, &herr);

                if (family == AF_INET)
                        CHECK(rc == 0 && res, "gethostbyname_r(%s): rc %d h_errno %d", argv[2], rc, herr);
        }
        check_fds();
        return failures ? 1 : 0;
}
