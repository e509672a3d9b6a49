/* nss-entry - call every hosts entry point of one NSS module directly,
 * as glibc does, and check each answer against the contract glibc
 * relies on (the idea of systemd's test-nss-hosts, with expected answers).
 *
 *   nss-entry [--allow DEVIATION]... LIBRARY MODULE CASE...
 *
 * LIBRARY is a libnss_MODULE.so.2 to dlopen(); every _nss_MODULE_* hosts
 * function it exports is called.  The cases:
 *
 *   name QUERY CANON V4 V6    QUERY resolves to exactly the addresses V4
 *                             and V6 (comma lists, "-" for none), named
 *                             CANON; "name QUERY - - -" means unknown
 *   gone QUERY                known, but no current address (NOTFOUND with
 *                             HOST_NOT_FOUND or NO_DATA)
 *   addr ADDRESS NAME ALIASES reverse lookup answers NAME and the comma
 *                             list ALIASES ("-": none); NAME "-": not found
 *   unavail QUERY ADDRESS     the module cannot answer: UNAVAIL everywhere
 *
 * What is checked, per entry point, family and case: the status, *errnop
 * and *herrnop (SUCCESS resets *herrnop to NETDB_SUCCESS as glibc's
 * nss_dns, systemd's modules and libnss-libvirt do; NOTFOUND carries
 * HOST_NOT_FOUND or NO_DATA; a buffer too small gives TRYAGAIN with
 * ERANGE and NETDB_INTERNAL, the only triple glibc retries with a bigger
 * buffer; an unsupported family gives UNAVAIL with EAFNOSUPPORT); the
 * hostent (h_name, NULL-terminated h_aliases and h_addr_list, h_addrtype
 * and h_length of the family asked for, AF_UNSPEC meaning AF_INET as in
 * glibc's files module and libnss-libvirt); the gaih_addrtuple list; and
 * that every pointer returned lies inside the caller's buffer, aligned,
 * with nothing written outside it (guard bytes, poisoned for ASan and
 * valgrind).  Buffers start aligned and misaligned, and every size below
 * the one that fits must ask for a bigger buffer.
 *
 * --allow names a known deviation of a reference module that is reported
 * but not counted as a failure:
 *   nodata-unavail   known name, no address of the family: UNAVAIL/NO_DATA
 *   notfound-unavail unknown name: UNAVAIL/NO_RECOVERY instead of NOTFOUND
 *   erange-enomem    buffer too small: ENOMEM/TRY_AGAIN instead of ERANGE
 *   unaligned        pointers in a misaligned buffer are left misaligned
 *
 * Prints "ok:" and "FAIL:" lines; exits 1 if anything failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define GUARD_OFF(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define GUARD_ON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#elif __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define GUARD_OFF(p, n) VALGRIND_MAKE_MEM_NOACCESS(p, n)
#define GUARD_ON(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#else
#define GUARD_OFF(p, n) ((void)(p), (void)(n))
#define GUARD_ON(p, n) ((void)(p), (void)(n))
#endif

#define MAX_ADDRS 64
#define GUARD 64
#define BIG 65536
#define STALE 999       /* what *errnop and *herrnop hold before a call */

typedef enum nss_status (*byname4_fn)(const char *, struct gaih_addrtuple **, char *, size_t,
                                      int *, int *, int32_t *);
typedef enum nss_status (*byname3_fn)(const char *, int, struct hostent *, char *, size_t,
                                      int *, int *, int32_t *, char **);
typedef enum nss_status (*byname2_fn)(const char *, int, struct hostent *, char *, size_t,
                                      int *, int *);
typedef enum nss_status (*byname_fn)(const char *, struct hostent *, char *, size_t, int *,
                                     int *);
typedef enum nss_status (*byaddr2_fn)(const void *, socklen_t, int, struct hostent *, char *,
                                      size_t, int *, int *, int32_t *);
typedef enum nss_status (*byaddr_fn)(const void *, socklen_t, int, struct hostent *, char *,
                                     size_t, int *, int *);

static struct {
        byname4_fn byname4;
        byname3_fn byname3;
        byname2_fn byname2;
        byname_fn byname;
        byaddr2_fn byaddr2;
        byaddr_fn byaddr;
} fn;

static const char *module;
static bool allow_nodata_unavail, allow_notfound_unavail, allow_erange_enomem, allow_unaligned;
static int failures, checks, deviations;

#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } while (0)
#define CHECK(cond, ...) do { checks++; if (!(cond)) FAIL(__VA_ARGS__); } while (0)

struct addr {
        int family;
        uint8_t a[16];
};

struct addrset {
        size_t n;
        struct addr v[MAX_ADDRS];
};

/* --- names for messages -------------------------------------------------- */

static const char *status_name(enum nss_status s)
{
        switch (s) {
        case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
        case NSS_STATUS_UNAVAIL: return "UNAVAIL";
        case NSS_STATUS_NOTFOUND: return "NOTFOUND";
        case NSS_STATUS_SUCCESS: return "SUCCESS";
        case NSS_STATUS_RETURN: return "RETURN";
        }
        return "?";
}

static const char *family_name(int af)
{
        switch (af) {
        case AF_INET: return "AF_INET";
        case AF_INET6: return "AF_INET6";
        case AF_UNSPEC: return "AF_UNSPEC";
        case AF_LOCAL: return "AF_LOCAL";
        }
        return "?";
}

static const char *herrno_name(int h)
{
        switch (h) {
        case NETDB_INTERNAL: return "NETDB_INTERNAL";
        case NETDB_SUCCESS: return "NETDB_SUCCESS";
        case HOST_NOT_FOUND: return "HOST_NOT_FOUND";
        case TRY_AGAIN: return "TRY_AGAIN";
        case NO_RECOVERY: return "NO_RECOVERY";
        case NO_DATA: return "NO_DATA";
        case STALE: return "unchanged";
        }
        return "?";
}

static const char *errno_name(int e)
{
        return e == STALE ? "unchanged" : e == 0 ? "0" : strerrorname_np(e) ? strerrorname_np(e) : "?";
}

static size_t addr_len(int af)
{
        return af == AF_INET6 ? 16 : 4;
}

static const char *text(int af, const void *a, char *buf)
{
        return inet_ntop(af, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

/* --- a caller's buffer with guard bytes on both sides ------------------- */

struct buffer {
        unsigned char *block;
        char *p;
        size_t len;
        size_t lead;            /* guard bytes in front (GUARD + misalignment) */
};

static void buffer_get(struct buffer *b, size_t len, size_t misalign)
{
        b->len = len;
        b->lead = GUARD + misalign;
        b->block = aligned_alloc(16, (b->lead + len + GUARD + 15) / 16 * 16);
        if (!b->block) {
                perror("nss-entry: aligned_alloc");
                exit(2);
        }
        memset(b->block, 0xa5, b->lead + len + GUARD);
        b->p = (char *)b->block + b->lead;
        GUARD_OFF(b->block, b->lead);
        GUARD_OFF(b->p + len, GUARD);
}

/* True if nothing outside the buffer was written. */
static bool buffer_put(struct buffer *b)
{
        bool clean = true;

        GUARD_ON(b->block, b->lead);
        GUARD_ON(b->p + b->len, GUARD);
        for (size_t i = 0; i < b->lead; i++)
                clean &= b->block[i] == 0xa5;
        for (size_t i = 0; i < GUARD; i++)
                clean &= (unsigned char)b->p[b->len + i] == 0xa5;
        free(b->block);
        return clean;
}

static bool inside(const struct buffer *b, const void *p, size_t n)
{
        const char *c = p;

        return c >= b->p && n <= b->len && c - b->p <= (ptrdiff_t)(b->len - n);
}

static bool aligned(const void *p, size_t align)
{
        return (uintptr_t)p % align == 0;
}

/* A NUL-terminated string entirely inside the buffer. */
static bool string_inside(const struct buffer *b, const char *s)
{
        if (!inside(b, s, 1))
                return false;
        return memchr(s, '\0', b->len - (size_t)(s - b->p)) != NULL;
}

/* --- parsing the expectations ------------------------------------------- */

static void parse_list(const char *list, int af, struct addrset *set)
{
        char *copy, *item, *save;

        set->n = 0;
        if (strcmp(list, "-") == 0)
                return;
        copy = strdup(list);
        for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                if (set->n == MAX_ADDRS || inet_pton(af, item, set->v[set->n].a) != 1) {
                        fprintf(stderr, "nss-entry: bad %s address '%s'\n", family_name(af), item);
                        exit(2);
                }
                set->v[set->n++].family = af;
        }
        free(copy);
}

static bool addr_parse(const char *s, struct addr *a)
{
        a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
        return inet_pton(a->family, s, a->a) == 1;
}

/* Compare the addresses found with the ones expected: same set, no
 * duplicates.  Returns a description of the difference, or NULL. */
static const char *compare(const struct addrset *want, const struct addrset *got, char *why,
                           size_t whylen)
{
        char t[INET6_ADDRSTRLEN];

        for (size_t i = 0; i < got->n; i++) {
                bool expected = false;

                for (size_t j = 0; j < i; j++)
                        if (got->v[j].family == got->v[i].family &&
                            memcmp(got->v[j].a, got->v[i].a, addr_len(got->v[i].family)) == 0) {
                                snprintf(why, whylen, "%s twice",
                                         text(got->v[i].family, got->v[i].a, t));
                                return why;
                        }
                for (size_t j = 0; j < want->n; j++)
                        expected |= want->v[j].family == got->v[i].family &&
                                    memcmp(want->v[j].a, got->v[i].a, addr_len(got->v[i].family)) == 0;
                if (!expected) {
                        snprintf(why, whylen, "unexpected %s", text(got->v[i].family, got->v[i].a, t));
                        return why;
                }
        }
        if (got->n != want->n) {
                snprintf(why, whylen, "%zu addresses instead of %zu", got->n, want->n);
                return why;
        }
        return NULL;
}

static void describe(const struct addrset *s, char *out, size_t len)
{
        char t[INET6_ADDRSTRLEN];
        size_t used = 0;

        out[0] = '\0';
        for (size_t i = 0; i < s->n && used < len; i++)
                used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "",
                                         text(s->v[i].family, s->v[i].a, t));
        if (s->n == 0)
                snprintf(out, len, "-");
}

/* --- the status/errno/h_errno triple ------------------------------------ */

enum want {
        W_SUCCESS,
        W_NOTFOUND,             /* HOST_NOT_FOUND */
        W_NODATA,               /* NOTFOUND, NO_DATA (known name, no address of the family) */
        W_GONE,                 /* NOTFOUND, HOST_NOT_FOUND or NO_DATA */
        W_UNAVAIL,
        W_NOFAMILY,             /* UNAVAIL, EAFNOSUPPORT */
        W_BADLEN,               /* UNAVAIL, EAFNOSUPPORT or EINVAL */
};

/* Check the triple of one call; returns true if it is the one wanted. */
static bool triple(const char *what, enum want want, enum nss_status st, int err, int herr)
{
        bool ok;

        switch (want) {
        case W_SUCCESS:
                /* A stale *herrnop is its own failure: the answer is still checked. */
                ok = st == NSS_STATUS_SUCCESS;
                CHECK(!ok || herr == NETDB_SUCCESS, "%s: SUCCESS left h_errno %s, not NETDB_SUCCESS",
                      what, herrno_name(herr));
                break;
        case W_NOTFOUND:
                ok = st == NSS_STATUS_NOTFOUND && herr == HOST_NOT_FOUND && err != ERANGE;
                if (!ok && allow_notfound_unavail && st == NSS_STATUS_UNAVAIL) {
                        static bool said;

                        if (!said)
                                printf("deviation (allowed, notfound-unavail): %s: UNAVAIL errno %s "
                                       "h_errno %s for an unknown name\n", what, errno_name(err),
                                       herrno_name(herr));
                        said = true;
                        deviations++;
                        return true;
                }
                break;
        case W_NODATA:
                ok = st == NSS_STATUS_NOTFOUND && herr == NO_DATA && err != ERANGE;
                if (!ok && allow_nodata_unavail && st == NSS_STATUS_UNAVAIL && herr == NO_DATA) {
                        static bool said;

                        if (!said)
                                printf("deviation (allowed, nodata-unavail): %s: UNAVAIL errno %s h_errno "
                                       "NO_DATA for a known name without an address of the family\n",
                                       what, errno_name(err));
                        said = true;
                        deviations++;
                        return true;
                }
                break;
        case W_GONE:
                ok = st == NSS_STATUS_NOTFOUND && (herr == HOST_NOT_FOUND || herr == NO_DATA) &&
                     err != ERANGE;
                break;
        case W_UNAVAIL:
                ok = st == NSS_STATUS_UNAVAIL && (herr == NO_RECOVERY || herr == NETDB_INTERNAL) &&
                     err != 0 && err != STALE && err != ERANGE;
                break;
        case W_NOFAMILY:
                ok = st == NSS_STATUS_UNAVAIL && err == EAFNOSUPPORT && herr != NETDB_SUCCESS &&
                     herr != STALE;
                break;
        case W_BADLEN:
                ok = st == NSS_STATUS_UNAVAIL && (err == EAFNOSUPPORT || err == EINVAL) &&
                     herr != NETDB_SUCCESS && herr != STALE;
                break;
        default:
                ok = false;
        }
        checks++;
        if (!ok) {
                static const char *const wanted[] = {
                        [W_SUCCESS] = "SUCCESS",
                        [W_NOTFOUND] = "NOTFOUND, h_errno HOST_NOT_FOUND",
                        [W_NODATA] = "NOTFOUND, h_errno NO_DATA",
                        [W_GONE] = "NOTFOUND, h_errno HOST_NOT_FOUND or NO_DATA",
                        [W_UNAVAIL] = "UNAVAIL, errno set, h_errno NO_RECOVERY",
                        [W_NOFAMILY] = "UNAVAIL, errno EAFNOSUPPORT",
                        [W_BADLEN] = "UNAVAIL, errno EAFNOSUPPORT or EINVAL",
                };

                FAIL("%s: %s errno %s h_errno %s; expected %s", what, status_name(st),
                     errno_name(err), herrno_name(herr), wanted[want]);
        }
        return ok;
}

/* A buffer too small must ask for a bigger one, and only that way. */
static bool too_small(const char *what, size_t len, enum nss_status st, int err, int herr)
{
        checks++;
        if (st == NSS_STATUS_TRYAGAIN && err == ERANGE && herr == NETDB_INTERNAL)
                return true;
        if (allow_erange_enomem && st == NSS_STATUS_TRYAGAIN && herr == TRY_AGAIN) {
                static bool said;

                if (!said)
                        printf("deviation (allowed, erange-enomem): %s at %zu bytes: TRYAGAIN errno "
                               "%s h_errno TRY_AGAIN (glibc only grows its buffer on ERANGE with "
                               "NETDB_INTERNAL)\n", what, len, errno_name(err));
                said = true;
                deviations++;
                return true;
        }
        FAIL("%s with %zu bytes: %s errno %s h_errno %s; expected TRYAGAIN, errno ERANGE, "
             "h_errno NETDB_INTERNAL", what, len, status_name(st), errno_name(err), herrno_name(herr));
        return false;
}

/* WHICH is not aligned; only a misaligned buffer (MIS) may excuse it. */
static void misaligned(const char *what, const char *which, bool mis)
{
        if (mis && allow_unaligned) {
                static bool said;

                if (!said)
                        printf("deviation (allowed, unaligned): %s: %s misaligned in a misaligned "
                               "buffer\n", what, which);
                said = true;
                deviations++;
                return;
        }
        FAIL("%s: %s is not aligned", what, which);
}

/* --- hostent results ----------------------------------------------------- */

/* Check the layout of a SUCCESS hostent of family AF in buffer B and
 * collect its addresses. */
static void check_hostent(const char *what, const struct hostent *h, const struct buffer *b,
                          int af, bool misalign, struct addrset *got)
{
        size_t n;

        got->n = 0;
        CHECK(h->h_addrtype == af, "%s: h_addrtype %d, expected %s", what, h->h_addrtype,
              family_name(af));
        CHECK(h->h_length == (int)addr_len(af), "%s: h_length %d for %s", what, h->h_length,
              family_name(af));
        CHECK(h->h_name && string_inside(b, h->h_name), "%s: h_name outside the buffer", what);
        CHECK(h->h_aliases && inside(b, h->h_aliases, sizeof(char *)),
              "%s: h_aliases outside the buffer", what);
        if (h->h_aliases && inside(b, h->h_aliases, sizeof(char *))) {
                if (!aligned(h->h_aliases, alignof(char *)))
                        misaligned(what, "h_aliases", misalign);
                for (n = 0; inside(b, &h->h_aliases[n], sizeof(char *)) && h->h_aliases[n]; n++)
                        CHECK(string_inside(b, h->h_aliases[n]), "%s: alias %zu outside the buffer",
                              what, n);
                CHECK(inside(b, &h->h_aliases[n], sizeof(char *)),
                      "%s: h_aliases not NULL-terminated inside the buffer", what);
        }
        CHECK(h->h_addr_list && inside(b, h->h_addr_list, sizeof(char *)),
              "%s: h_addr_list outside the buffer", what);
        if (!h->h_addr_list || !inside(b, h->h_addr_list, sizeof(char *)))
                return;
        if (!aligned(h->h_addr_list, alignof(char *)))
                misaligned(what, "h_addr_list", misalign);
        for (n = 0; inside(b, &h->h_addr_list[n], sizeof(char *)) && h->h_addr_list[n]; n++) {
                CHECK(inside(b, h->h_addr_list[n], addr_len(af)), "%s: address %zu outside the buffer",
                      what, n);
                if (got->n < MAX_ADDRS && inside(b, h->h_addr_list[n], addr_len(af))) {
                        got->v[got->n].family = af;
                        memcpy(got->v[got->n].a, h->h_addr_list[n], addr_len(af));
                        got->n++;
                }
        }
        CHECK(inside(b, &h->h_addr_list[n], sizeof(char *)),
              "%s: h_addr_list not NULL-terminated inside the buffer", what);
        CHECK(n > 0, "%s: SUCCESS with no address", what);
}

/* One hostent-returning call: which entry point, with which family. */
enum kind { K_BYNAME3, K_BYNAME2, K_BYNAME, K_BYADDR2, K_BYADDR };

struct call {
        enum kind kind;
        const char *name;       /* by name */
        const void *addr;       /* by address */
        socklen_t alen;
        int af;
        struct hostent host;
        int err, herr;
        int32_t ttl;
        char *canon;
};

static enum nss_status run(struct call *c, struct buffer *b)
{
        memset(&c->host, 0x5a, sizeof(c->host));        /* junk: every field must be set */
        c->err = c->herr = STALE;
        c->ttl = INT32_MIN;
        c->canon = (char *)"junk";
        switch (c->kind) {
        case K_BYNAME3:
                return fn.byname3(c->name, c->af, &c->host, b->p, b->len, &c->err, &c->herr, &c->ttl,
                                  &c->canon);
        case K_BYNAME2:
                return fn.byname2(c->name, c->af, &c->host, b->p, b->len, &c->err, &c->herr);
        case K_BYNAME:
                return fn.byname(c->name, &c->host, b->p, b->len, &c->err, &c->herr);
        case K_BYADDR2:
                return fn.byaddr2(c->addr, c->alen, c->af, &c->host, b->p, b->len, &c->err, &c->herr,
                                  &c->ttl);
        case K_BYADDR:
                return fn.byaddr(c->addr, c->alen, c->af, &c->host, b->p, b->len, &c->err, &c->herr);
        }
        return NSS_STATUS_RETURN;
}

static const char *kind_name(enum kind k)
{
        static const char *const names[] = { "gethostbyname3_r", "gethostbyname2_r", "gethostbyname_r",
                                             "gethostbyaddr2_r", "gethostbyaddr_r" };
        return names[k];
}

/* Call C with a big buffer (aligned and misaligned) and with every
 * smaller size down to 0; check everything.  Fills GOT on success. */
static void exercise(struct call *c, const char *what, enum want want, struct addrset *got,
                     char *h_name, size_t h_name_len, char *aliases, size_t aliases_len)
{
        struct buffer b;
        enum nss_status st;
        bool fits = false;
        bool ok = true;

        got->n = 0;
        for (size_t mis = 0; mis < 2; mis++) {
                char w[300];

                snprintf(w, sizeof(w), "%s%s", what, mis ? " [misaligned buffer]" : "");
                buffer_get(&b, BIG, mis);
                st = run(c, &b);
                ok = triple(w, want, st, c->err, c->herr);
                if (ok && st == NSS_STATUS_SUCCESS) {
                        int af = c->kind == K_BYNAME ? AF_INET
                                 : c->af == AF_UNSPEC ? AF_INET : c->af;

                        check_hostent(w, &c->host, &b, af, mis, got);
                        if (c->kind == K_BYNAME3 || c->kind == K_BYADDR2)
                                CHECK(c->ttl >= 0, "%s: ttl %d not set", w, c->ttl);
                        if (c->kind == K_BYNAME3)
                                CHECK(c->canon == c->host.h_name, "%s: *canonp is not h_name", w);
                        if (mis == 0 && c->host.h_name && string_inside(&b, c->host.h_name)) {
                                snprintf(h_name, h_name_len, "%s", c->host.h_name);
                                aliases[0] = '\0';
                                for (size_t i = 0; c->host.h_aliases && c->host.h_aliases[i]; i++)
                                        snprintf(aliases + strlen(aliases), aliases_len - strlen(aliases),
                                                 "%s%s", i ? "," : "", c->host.h_aliases[i]);
                                fits = true;
                        }
                }
                CHECK(buffer_put(&b), "%s: wrote outside the buffer", w);
                if (!ok)
                        return;
        }
        if (!fits)
                return;
        /* The smallest size that works; everything below must ask for more. */
        for (size_t len = 0; len < BIG; len++) {
                struct addrset again;
                char w[300];

                snprintf(w, sizeof(w), "%s", what);
                buffer_get(&b, len, 0);
                st = run(c, &b);
                if (st == NSS_STATUS_SUCCESS) {
                        ok = triple(w, want, st, c->err, c->herr);
                        check_hostent(w, &c->host, &b, c->host.h_addrtype, false, &again);
                        CHECK(again.n == got->n, "%s: %zu addresses at %zu bytes, %zu with a big buffer",
                              w, again.n, len, got->n);
                        CHECK(buffer_put(&b), "%s: wrote outside a %zu-byte buffer", w, len);
                        printf("ok: %s: fits in %zu bytes; TRYAGAIN below\n", what, len);
                        return;
                }
                ok = too_small(w, len, st, c->err, c->herr);
                CHECK(buffer_put(&b), "%s: wrote outside a %zu-byte buffer", w, len);
                if (!ok)
                        return;
        }
        FAIL("%s: never fits below %d bytes", what, BIG);
}

/* --- gethostbyname4_r ------------------------------------------------------ */

static void check_byname4(const char *query, const char *canon, enum want want,
                          const struct addrset *want_all)
{
        char what[300], why[200], list[2000];

        snprintf(what, sizeof(what), "_nss_%s_gethostbyname4_r(%s)", module, query);
        if (!fn.byname4) {
                printf("note: %s not exported\n", what);
                return;
        }
        /* glibc passes *pat == NULL, or (nscd, older glibc) a tuple of its own. */
        for (int own = 0; own < 2; own++) {
                for (size_t mis = 0; mis < 2; mis++) {
                        struct gaih_addrtuple mine, *pat = own ? &mine : NULL;
                        struct addrset got = { 0 };
                        struct buffer b;
                        enum nss_status st;
                        int err = STALE, herr = STALE;
                        int32_t ttl = INT32_MIN;
                        char w[340];
                        size_t n = 0;

                        snprintf(w, sizeof(w), "%s%s%s", what, own ? " [*pat given]" : "",
                                 mis ? " [misaligned buffer]" : "");
                        memset(&mine, 0x5a, sizeof(mine));
                        buffer_get(&b, BIG, mis);
                        st = fn.byname4(query, &pat, b.p, b.len, &err, &herr, &ttl);
                        if (triple(w, want, st, err, herr) && st == NSS_STATUS_SUCCESS) {
                                CHECK(pat != NULL, "%s: *pat is NULL", w);
                                CHECK(!own || pat == &mine, "%s: *pat replaced", w);
                                CHECK(ttl >= 0, "%s: ttl %d not set", w, ttl);
                                for (struct gaih_addrtuple *t = pat; t && n < MAX_ADDRS; t = t->next, n++) {
                                        if (t != &mine && !inside(&b, t, sizeof(*t))) {
                                                FAIL("%s: tuple %zu outside the buffer", w, n);
                                                break;
                                        }
                                        if (t != &mine && !aligned(t, alignof(struct gaih_addrtuple)))
                                                misaligned(w, "a gaih_addrtuple", mis);
                                        CHECK(t->family == AF_INET || t->family == AF_INET6,
                                              "%s: tuple %zu family %d", w, n, t->family);
                                        CHECK(t->scopeid == 0, "%s: tuple %zu scope id %u", w, n,
                                              t->scopeid);
                                        if (n == 0)
                                                CHECK(t->name && string_inside(&b, t->name) &&
                                                      strcmp(t->name, canon) == 0,
                                                      "%s: first tuple's name is not \"%s\"", w, canon);
                                        else
                                                CHECK(!t->name || (string_inside(&b, t->name) &&
                                                                   strcmp(t->name, canon) == 0),
                                                      "%s: tuple %zu has another name", w, n);
                                        got.v[got.n].family = t->family;
                                        memcpy(got.v[got.n].a, t->addr, addr_len(t->family));
                                        got.n++;
                                }
                                CHECK(n < MAX_ADDRS, "%s: list not terminated", w);
                                CHECK(!compare(want_all, &got, why, sizeof(why)), "%s: %s", w, why);
                                if (!own && !mis) {
                                        describe(&got, list, sizeof(list));
                                        printf("ok: %s: SUCCESS [%s]\n", what, list);
                                }
                        } else if (!own && !mis && st != NSS_STATUS_SUCCESS) {
                                printf("ok: %s: %s h_errno %s\n", what, status_name(st), herrno_name(herr));
                        }
                        CHECK(buffer_put(&b), "%s: wrote outside the buffer", w);
                }
        }
        if (want != W_SUCCESS)
                return;
        /* Every size too small asks for more. */
        for (size_t len = 0; len < BIG; len++) {
                struct gaih_addrtuple *pat = NULL;
                struct buffer b;
                int err = STALE, herr = STALE;
                int32_t ttl;
                enum nss_status st;
                bool ok;

                buffer_get(&b, len, 0);
                st = fn.byname4(query, &pat, b.p, b.len, &err, &herr, &ttl);
                ok = st == NSS_STATUS_SUCCESS ? triple(what, want, st, err, herr)
                                              : too_small(what, len, st, err, herr);
                CHECK(buffer_put(&b), "%s: wrote outside a %zu-byte buffer", what, len);
                if (st == NSS_STATUS_SUCCESS)
                        printf("ok: %s: fits in %zu bytes; TRYAGAIN below\n", what, len);
                if (!ok || st == NSS_STATUS_SUCCESS)
                        return;
        }
}

/* --- the cases ----------------------------------------------------------- */

/* A forward case: every by-name entry point, every family. */
static void case_name(const char *query, const char *canon, const struct addrset *v4,
                      const struct addrset *v6, bool gone)
{
        static const int families[] = { AF_INET, AF_INET6, AF_UNSPEC, AF_LOCAL };
        struct addrset all = *v4;
        bool known = v4->n || v6->n;

        for (size_t i = 0; i < v6->n; i++)
                all.v[all.n++] = v6->v[i];
        check_byname4(query, canon, gone ? W_GONE : known ? W_SUCCESS : W_NOTFOUND, &all);

        for (enum kind k = K_BYNAME3; k <= K_BYNAME; k++) {
                bool exported = k == K_BYNAME3 ? !!fn.byname3 : k == K_BYNAME2 ? !!fn.byname2 : !!fn.byname;

                if (!exported) {
                        printf("note: _nss_%s_%s not exported\n", module, kind_name(k));
                        continue;
                }
                for (size_t f = 0; f < (k == K_BYNAME ? 1 : 4); f++) {
                        int af = k == K_BYNAME ? AF_INET : families[f];
                        /* AF_UNSPEC: AF_INET, as glibc's files module, libnss-libvirt
                         * and systemd's modules answer it. */
                        const struct addrset *want_set = af == AF_INET6 ? v6 : v4;
                        struct call c = { .kind = k, .name = query, .af = af };
                        struct addrset got;
                        enum want want;
                        char what[300], h_name[1100], aliases[1100], why[200], list[2000];

                        if (af == AF_LOCAL)
                                want = W_NOFAMILY;
                        else if (gone)
                                want = W_GONE;
                        else if (want_set->n)
                                want = W_SUCCESS;
                        else
                                want = known ? W_NODATA : W_NOTFOUND;
                        snprintf(what, sizeof(what), "_nss_%s_%s(%s%s%s)", module, kind_name(k), query,
                                 k == K_BYNAME ? "" : ", ", k == K_BYNAME ? "" : family_name(af));
                        int before = failures;

                        exercise(&c, what, want, &got, h_name, sizeof(h_name), aliases, sizeof(aliases));
                        if (want != W_SUCCESS && failures == before)
                                printf("ok: %s: %s errno %s h_errno %s\n", what,
                                       want == W_NOFAMILY ? "UNAVAIL" : "NOTFOUND", errno_name(c.err),
                                       herrno_name(c.herr));
                        if (want != W_SUCCESS || got.n == 0)
                                continue;
                        CHECK(!compare(want_set, &got, why, sizeof(why)), "%s: %s", what, why);
                        CHECK(strcmp(h_name, canon) == 0, "%s: h_name \"%s\", expected \"%s\"", what,
                              h_name, canon);
                        describe(&got, list, sizeof(list));
                        printf("ok: %s: SUCCESS %s [%s]\n", what, h_name, list);
                }
        }
}

/* A reverse case: both by-address entry points, right and wrong families. */
static void case_addr(const char *address, const char *name, const char *aliases)
{
        struct addr a;
        struct { int af; socklen_t len; enum want want; } tries[4];
        size_t ntries = 0;

        if (!addr_parse(address, &a)) {
                fprintf(stderr, "nss-entry: bad address '%s'\n", address);
                exit(2);
        }
        tries[ntries++] = (typeof(tries[0])){ a.family, addr_len(a.family),
                                              strcmp(name, "-") ? W_SUCCESS : W_NOTFOUND };
        tries[ntries++] = (typeof(tries[0])){ AF_UNSPEC, addr_len(a.family), W_NOFAMILY };
        tries[ntries++] = (typeof(tries[0])){ AF_LOCAL, addr_len(a.family), W_NOFAMILY };
        tries[ntries++] = (typeof(tries[0])){ a.family, a.family == AF_INET ? 16 : 4, W_BADLEN };
        for (enum kind k = K_BYADDR2; k <= K_BYADDR; k++) {
                if (!(k == K_BYADDR2 ? !!fn.byaddr2 : !!fn.byaddr)) {
                        printf("note: _nss_%s_%s not exported\n", module, kind_name(k));
                        continue;
                }
                for (size_t i = 0; i < ntries; i++) {
                        uint8_t bytes[16] = { 0 };
                        struct call c = { .kind = k, .addr = bytes, .alen = tries[i].len, .af = tries[i].af };
                        struct addrset got, want_set = { 1, { a } };
                        char what[300], h_name[1100], got_aliases[1100], why[200];

                        memcpy(bytes, a.a, addr_len(a.family));
                        snprintf(what, sizeof(what), "_nss_%s_%s(%s, %u, %s)", module, kind_name(k),
                                 address, tries[i].len, family_name(tries[i].af));
                        int before = failures;

                        exercise(&c, what, tries[i].want, &got, h_name, sizeof(h_name), got_aliases,
                                 sizeof(got_aliases));
                        if (tries[i].want != W_SUCCESS && failures == before)
                                printf("ok: %s: %s errno %s h_errno %s\n", what,
                                       tries[i].want == W_NOTFOUND ? "NOTFOUND" : "UNAVAIL",
                                       errno_name(c.err), herrno_name(c.herr));
                        if (tries[i].want != W_SUCCESS || got.n == 0)
                                continue;
                        CHECK(!compare(&want_set, &got, why, sizeof(why)), "%s: %s", what, why);
                        CHECK(strcmp(h_name, name) == 0, "%s: h_name \"%s\", expected \"%s\"", what, h_name,
                              name);
                        CHECK(strcmp(got_aliases, strcmp(aliases, "-") ? aliases : "") == 0,
                              "%s: aliases [%s], expected [%s]", what, got_aliases, aliases);
                        printf("ok: %s: SUCCESS %s aliases [%s]\n", what, h_name, got_aliases);
                }
        }
}

/* The module cannot answer at all. */
static void case_unavail(const char *query, const char *address)
{
        static const int families[] = { AF_INET, AF_INET6, AF_UNSPEC };
        struct addrset none = { 0 }, got;
        struct addr a;
        char what[300], h_name[1100], aliases[1100];

        if (!addr_parse(address, &a)) {
                fprintf(stderr, "nss-entry: bad address '%s'\n", address);
                exit(2);
        }
        check_byname4(query, query, W_UNAVAIL, &none);
        for (enum kind k = K_BYNAME3; k <= K_BYADDR; k++) {
                void *f = k == K_BYNAME3 ? (void *)fn.byname3 : k == K_BYNAME2 ? (void *)fn.byname2
                        : k == K_BYNAME ? (void *)fn.byname : k == K_BYADDR2 ? (void *)fn.byaddr2
                        : (void *)fn.byaddr;

                if (!f)
                        continue;
                for (size_t i = 0; i < (k == K_BYNAME3 || k == K_BYNAME2 ? 3 : 1); i++) {
                        struct call c = { .kind = k, .name = query, .addr = a.a,
                                          .alen = addr_len(a.family),
                                          .af = k >= K_BYADDR2 ? a.family : families[i] };

                        snprintf(what, sizeof(what), "_nss_%s_%s(%s, %s)", module, kind_name(k),
                                 k >= K_BYADDR2 ? address : query, family_name(c.af));
                        int before = failures;

                        exercise(&c, what, W_UNAVAIL, &got, h_name, sizeof(h_name), aliases,
                                 sizeof(aliases));
                        if (failures == before)
                                printf("ok: %s: UNAVAIL h_errno %s errno %s\n", what, herrno_name(c.herr),
                               errno_name(c.err));
                }
        }
}

static void *sym(void *h, const char *what)
{
        char name[200];

        snprintf(name, sizeof(name), "_nss_%s_%s", module, what);
        return dlsym(h, name);
}

static void usage(void)
{
        fprintf(stderr, "usage: nss-entry [--allow nodata-unavail|notfound-unavail|erange-enomem|unaligned]... "
                        "LIBRARY MODULE CASE...\n"
                        "  name QUERY CANON V4 V6 | gone QUERY | addr ADDRESS NAME ALIASES | "
                        "unavail QUERY ADDRESS\n");
        exit(2);
}

int main(int argc, char **argv)
{
        void *h;
        int i = 1;

        for (; i + 1 < argc && strcmp(argv[i], "--allow") == 0; i += 2) {
                if (strcmp(argv[i + 1], "nodata-unavail") == 0)
                        allow_nodata_unavail = true;
                else if (strcmp(argv[i + 1], "notfound-unavail") == 0)
                        allow_notfound_unavail = true;
                else if (strcmp(argv[i + 1], "erange-enomem") == 0)
                        allow_erange_enomem = true;
                else if (strcmp(argv[i + 1], "unaligned") == 0)
                        allow_unaligned = true;
                else
                        usage();
        }
        if (argc - i < 2)
                usage();
        h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                fprintf(stderr, "nss-entry: cannot load %s: %s\n", argv[i], dlerror());
                return 2;
        }
        module = argv[i + 1];
        fn.byname4 = (byname4_fn)sym(h, "gethostbyname4_r");
        fn.byname3 = (byname3_fn)sym(h, "gethostbyname3_r");
        fn.byname2 = (byname2_fn)sym(h, "gethostbyname2_r");
        fn.byname = (byname_fn)sym(h, "gethostbyname_r");
        fn.byaddr2 = (byaddr2_fn)sym(h, "gethostbyaddr2_r");
        fn.byaddr = (byaddr_fn)sym(h, "gethostbyaddr_r");
        if (!fn.byname4 && !fn.byname3 && !fn.byname2 && !fn.byname) {
                fprintf(stderr, "nss-entry: %s exports no _nss_%s_gethostbyname*_r\n", argv[i], module);
                return 2;
        }
        for (i += 2; i < argc;) {
                const char *c = argv[i];

                if (strcmp(c, "name") == 0 && i + 4 < argc) {
                        struct addrset v4, v6;
                        const char *canon = strcmp(argv[i + 2], "-") ? argv[i + 2] : argv[i + 1];

                        parse_list(argv[i + 3], AF_INET, &v4);
                        parse_list(argv[i + 4], AF_INET6, &v6);
                        case_name(argv[i + 1], canon, &v4, &v6, false);
                        i += 5;
                } else if (strcmp(c, "gone") == 0 && i + 1 < argc) {
                        struct addrset none = { 0 };

                        case_name(argv[i + 1], argv[i + 1], &none, &none, true);
                        i += 2;
                } else if (strcmp(c, "addr") == 0 && i + 3 < argc) {
                        case_addr(argv[i + 1], argv[i + 2], argv[i + 3]);
                        i += 4;
                } else if (strcmp(c, "unavail") == 0 && i + 2 < argc) {
                        case_unavail(argv[i + 1], argv[i + 2]);
                        i += 3;
                } else {
                        usage();
                }
        }
        printf("%s: %d checks, %d failed, %d allowed deviations (each kind shown once)\n", module, checks, failures,
               deviations);
        /* No dlclose: glibc never unloads a module mid-process either. */
        return failures ? 1 : 0;
}
