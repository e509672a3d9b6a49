/* nss-virtname.c - glibc NSS "hosts" module answering from the
 * virt-name-cache snapshot.
 *
 * Loaded into every process that resolves a name, so it keeps to: libc
 * and liblmdb only (XXH3 is compiled in, cache/read/xxh3.h), no threads,
 * no global state but the open snapshot (snapshot.c) and what the
 * reserved names remember of the host name and /etc/hosts
 * (cache/read/reserved.c), each behind a lock that is only ever tried,
 * every descriptor close-on-exec, and errno preserved unless we report
 * through *errnop.  Each lookup runs in one view of the snapshot current
 * when it starts; a published change is seen by the next lookup.  The
 * name rules are in cache/read/lookup.c and reserved.c, shared with every
 * other program that answers names; forward lookups take what they give
 * from the answers database the writer derives with them
 * (cache/read/answers.h), reverse lookups ask them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/read/answers.h"
#include "nss/snapshot.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_TTL 3600

EXPORT enum nss_status _nss_virtname_gethostbyname4_r(
        const char *name, struct gaih_addrtuple **pat, char *buffer, size_t buflen,
        int *errnop, int *herrnop, int32_t *ttlp);
EXPORT enum nss_status _nss_virtname_gethostbyname3_r(
        const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop, int32_t *ttlp, char **canonp);
EXPORT enum nss_status _nss_virtname_gethostbyname2_r(
        const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop);
EXPORT enum nss_status _nss_virtname_gethostbyname_r(
        const char *name, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop);
EXPORT enum nss_status _nss_virtname_gethostbyaddr2_r(
        const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
        size_t buflen, int *errnop, int *herrnop, int32_t *ttlp);
EXPORT enum nss_status _nss_virtname_gethostbyaddr_r(
        const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
        size_t buflen, int *errnop, int *herrnop);

/* --- status helpers: the errno/h_errno pairs glibc expects ----------- */

static enum nss_status not_found(int *errnop, int *herrnop, int herr)
{
        *errnop = ENOENT;
        *herrnop = herr;
        return NSS_STATUS_NOTFOUND;
}

static enum nss_status unavailable(int *errnop, int *herrnop, int err)
{
        *errnop = err;
        *herrnop = NO_RECOVERY;
        return NSS_STATUS_UNAVAIL;
}

static enum nss_status too_small(int *errnop, int *herrnop)
{
        *errnop = ERANGE;
        *herrnop = NETDB_INTERNAL;
        return NSS_STATUS_TRYAGAIN;
}

static enum nss_status found(int *herrnop)
{
        *herrnop = NETDB_SUCCESS;
        return NSS_STATUS_SUCCESS;
}

/* No snapshot means no guests, not a broken service: the next source
 * (DNS) answers. */
static enum nss_status open_failed(int rc, int *errnop, int *herrnop)
{
        return rc == -ENOENT || rc == -ENOTDIR ? not_found(errnop, herrnop, HOST_NOT_FOUND)
                                               : unavailable(errnop, herrnop, -rc);
}

static int32_t ttl_of(const struct virtname_addr *addr, size_t n, int64_t now)
{
        int64_t ttl = MAX_TTL;

        /* An expiry already past gives 0 (a damaged record may say
         * anything: no subtraction that can overflow). */
        for (size_t i = 0; i < n; i++)
                if (addr[i].expiry != 0 && addr[i].expiry <= now)
                        ttl = 0;
                else if (addr[i].expiry != 0 && addr[i].expiry - now < ttl)
                        ttl = addr[i].expiry - now;
        return (int32_t)(ttl > 0 ? ttl : 0);
}

struct resolve_args {
        const char *name;
        int af;
        int64_t now;
        struct virtname_answer *answer;
};

static int resolve_in(const struct virtname_view *view, void *ctx)
{
        struct resolve_args *a = ctx;

        return virtname_answers_resolve(view, a->name, a->af, a->now, a->answer);
}

/* Resolve NAME into ANSWER; on anything but success with addresses the
 * status to return is in *status. */
static bool resolve(const char *name, int af, struct virtname_answer *answer, int64_t now,
                    enum nss_status *status, int *errnop, int *herrnop)
{
        struct resolve_args args = { name, af, now, answer };
        int rc = nss_with_snapshot(resolve_in, &args);

        if (rc < 0)
                *status = open_failed(rc, errnop, herrnop);
        else if (answer->n == 0)
                *status = not_found(errnop, herrnop, answer->known ? NO_DATA : HOST_NOT_FOUND);
        return rc == 0 && answer->n > 0;
}

/* --- carving results out of the caller's buffer ---------------------- */

struct area {
        char *p;
        size_t left;
};

static void *take(struct area *a, size_t n, size_t align)
{
        size_t pad = (align - (uintptr_t)a->p % align) % align;
        void *r;

        if (pad > a->left || n > a->left - pad)
                return NULL;
        r = a->p + pad;
        a->p += pad + n;
        a->left -= pad + n;
        return r;
}

static char *take_str(struct area *a, const char *s)
{
        size_t n = strlen(s) + 1;
        char *d = take(a, n, 1);

        return d ? memcpy(d, s, n) : NULL;
}

/* The name we answer with: the query, without a trailing dot. */
static char *take_name(struct area *a, const char *name)
{
        char *d = take_str(a, name);
        size_t n = d ? strlen(d) : 0;

        if (n > 1 && d[n - 1] == '.')
                d[n - 1] = '\0';
        return d;
}

static size_t addr_len(int af)
{
        return af == AF_INET6 ? 16 : 4;
}

/* Fill HOST with NAME, ALIAS (may be NULL) and the N addresses of family
 * AF given as 16-byte arrays at ADDRS with stride STRIDE. */
static bool fill_hostent(struct area *a, struct hostent *host, const char *name,
                         const char *alias, int af, const uint8_t *addrs, size_t stride,
                         size_t n)
{
        size_t alen = addr_len(af);
        char **aliases, **list, *h_name = take_name(a, name), *data;

        aliases = take(a, (alias ? 2 : 1) * sizeof(char *), alignof(char *));
        list = take(a, (n + 1) * sizeof(char *), alignof(char *));
        data = take(a, n * alen, alignof(uint32_t));
        if (!h_name || !aliases || !list || (n && !data))
                return false;
        aliases[0] = NULL;
        if (alias && !(aliases[0] = take_str(a, alias)))
                return false;
        if (alias)
                aliases[1] = NULL;
        for (size_t i = 0; i < n; i++) {
                list[i] = memcpy(data + i * alen, addrs + i * stride, alen);
        }
        list[n] = NULL;
        host->h_name = h_name;
        host->h_aliases = aliases;
        host->h_addrtype = af;
        host->h_length = (int)alen;
        host->h_addr_list = list;
        return true;
}

/* --- entry points -------------------------------------------------------- */

enum nss_status _nss_virtname_gethostbyname4_r(
        const char *name, struct gaih_addrtuple **pat, char *buffer, size_t buflen,
        int *errnop, int *herrnop, int32_t *ttlp)
{
        int saved = errno;
        int64_t now = time(NULL);
        struct virtname_answer answer;
        enum nss_status status;
        struct area a = { buffer, buflen };
        struct gaih_addrtuple *first = NULL, **next = &first;
        char *r_name;

        if (!resolve(name, AF_UNSPEC, &answer, now, &status, errnop, herrnop)) {
                errno = saved;
                return status;
        }
        r_name = take_name(&a, name);
        for (size_t i = 0; r_name && i < answer.n; i++) {
                struct gaih_addrtuple *t = take(&a, sizeof(*t), alignof(struct gaih_addrtuple));

                if (!t) {
                        r_name = NULL;
                        break;
                }
                memset(t, 0, sizeof(*t));
                t->name = i == 0 ? r_name : NULL;
                t->family = answer.addr[i].family;
                memcpy(t->addr, answer.addr[i].addr, addr_len(t->family));
                *next = t;
                next = &t->next;
        }
        errno = saved;
        if (!r_name)
                return too_small(errnop, herrnop);
        /* glibc may hand in a tuple of its own: the list goes in front. */
        if (*pat)
                **pat = *first;
        else
                *pat = first;
        if (ttlp)
                *ttlp = ttl_of(answer.addr, answer.n, now);
        return found(herrnop);
}

enum nss_status _nss_virtname_gethostbyname3_r(
        const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop, int32_t *ttlp, char **canonp)
{
        int saved = errno;
        int64_t now = time(NULL);
        struct virtname_answer answer;
        enum nss_status status;
        struct area a = { buffer, buflen };

        /* glibc's own callers pass AF_UNSPEC; like the files module, a
         * hostent of IPv4 addresses answers it. */
        if (af == AF_UNSPEC)
                af = AF_INET;
        if (af != AF_INET && af != AF_INET6) {
                *errnop = EAFNOSUPPORT;
                *herrnop = NO_DATA;
                return NSS_STATUS_UNAVAIL;
        }
        if (!resolve(name, af, &answer, now, &status, errnop, herrnop)) {
                errno = saved;
                return status;
        }
        errno = saved;
        if (!fill_hostent(&a, host, name, NULL, af, answer.addr[0].addr,
                          sizeof(answer.addr[0]), answer.n))
                return too_small(errnop, herrnop);
        if (ttlp)
                *ttlp = ttl_of(answer.addr, answer.n, now);
        if (canonp)
                *canonp = host->h_name;
        return found(herrnop);
}

enum nss_status _nss_virtname_gethostbyname2_r(
        const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop)
{
        return _nss_virtname_gethostbyname3_r(name, af, host, buffer, buflen, errnop,
                                              herrnop, NULL, NULL);
}

enum nss_status _nss_virtname_gethostbyname_r(
        const char *name, struct hostent *host, char *buffer, size_t buflen,
        int *errnop, int *herrnop)
{
        return _nss_virtname_gethostbyname3_r(name, AF_INET, host, buffer, buflen,
                                              errnop, herrnop, NULL, NULL);
}

struct reverse_args {
        int af;
        const void *addr;
        int64_t now;
        struct virtname_reverse *out;
};

static int reverse_in(const struct virtname_view *view, void *ctx)
{
        struct reverse_args *a = ctx;

        return virtname_reverse(view, a->af, a->addr, a->now, a->out);
}

enum nss_status _nss_virtname_gethostbyaddr2_r(
        const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
        size_t buflen, int *errnop, int *herrnop, int32_t *ttlp)
{
        int saved = errno;
        int64_t now = time(NULL);
        struct virtname_reverse rev;
        struct reverse_args args = { af, addr, now, &rev };
        struct area a = { buffer, buflen };
        uint8_t full[16] = { 0 };
        int rc;

        if ((af != AF_INET && af != AF_INET6) || len != addr_len(af)) {
                *errnop = EAFNOSUPPORT;
                *herrnop = NO_RECOVERY;
                return NSS_STATUS_UNAVAIL;
        }
        rc = nss_with_snapshot(reverse_in, &args);
        errno = saved;
        if (rc == -ENOENT)
                return not_found(errnop, herrnop, HOST_NOT_FOUND);
        if (rc < 0)
                return open_failed(rc, errnop, herrnop);
        memcpy(full, addr, len);
        if (!fill_hostent(&a, host, rev.fqdn[0] ? rev.fqdn : rev.name,
                          rev.fqdn[0] ? rev.name : NULL, af, full, 16, 1))
                return too_small(errnop, herrnop);
        if (ttlp)
                *ttlp = rev.expiry ? (int32_t)(rev.expiry - now < MAX_TTL ? rev.expiry - now
                                                                          : MAX_TTL)
                                   : MAX_TTL;
        return found(herrnop);
}

enum nss_status _nss_virtname_gethostbyaddr_r(
        const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
        size_t buflen, int *errnop, int *herrnop)
{
        return _nss_virtname_gethostbyaddr2_r(addr, len, af, host, buffer, buflen,
                                              errnop, herrnop, NULL);
}
