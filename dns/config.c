/* config.c - read dns.conf and the TSIG key file it names (see config.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/sha2.h>

#include "dns/config.h"
#include "cache/write/errmsg.h"
#include "cache/write/fileio.h"

static char *trim(char *s)
{
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
        return s;
}

/* One label: 1-63 of letters, digits, '-' (not first or last); '_' too
 * when UNDERSCORE (zone names may hold them, host names may not). */
static bool label_ok(const char *s, size_t n, bool underscore)
{
        if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)s[i];
                if (!isalnum(ch) && ch != '-' && !(underscore && ch == '_'))
                        return false;
        }
        return true;
}

/* NAME as dot-separated labels (one trailing dot allowed) into OUT,
 * lower case, absolute.  false when not a name. */
static bool name_norm(const char *name, bool underscore, char *out, size_t outlen)
{
        size_t n = strlen(name), start = 0;

        if (n && name[n - 1] == '.')
                n--;
        if (n == 0 || n > 253 || n + 2 > outlen)
                return false;
        for (size_t i = 0; i <= n; i++) {
                if (i == n || name[i] == '.') {
                        if (!label_ok(name + start, i - start, underscore))
                                return false;
                        start = i + 1;
                }
        }
        for (size_t i = 0; i < n; i++)
                out[i] = (char)tolower((unsigned char)name[i]);
        out[n] = '.';
        out[n + 1] = '\0';
        return true;
}

static bool b64_ok(const char *s)
{
        size_t n = strlen(s), pad = 0;

        if (n == 0 || n % 4)
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)s[i];
                if (ch == '=') {
                        pad++;
                        continue;
                }
                if (pad || !(isalnum(ch) || ch == '+' || ch == '/'))
                        return false;
        }
        return pad <= 2;
}

/* The algorithms ldns 1.8 signs with, by the names key files use.
 * (ldns misspells hmac-sha384, so it cannot be used.) */
static const char *alg_ldns(const char *alg)
{
        static const char *const ok[][2] = {
                { "hmac-sha256", "hmac-sha256." },
                { "hmac-sha512", "hmac-sha512." },
                { "hmac-sha1", "hmac-sha1." },
                { "hmac-md5", "hmac-md5.sig-alg.reg.int." },
                { "hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int." },
        };
        char a[64];
        size_t n = strlen(alg);

        if (n == 0 || n >= sizeof(a))
                return NULL;
        for (size_t i = 0; i < n; i++)
                a[i] = (char)tolower((unsigned char)alg[i]);
        if (a[n - 1] == '.')
                n--;
        a[n] = '\0';
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                if (strcmp(a, ok[i][0]) == 0)
                        return ok[i][1];
        return NULL;
}

static int key_set(struct virtname_dns_key *k, const char *name, const char *alg,
                   const char *secret, const char *where, char *err, size_t errlen)
{
        const char *la = alg_ldns(alg);

        if (!name_norm(name, true, k->name, sizeof(k->name))) {
                virtname_errf(err, errlen, 0, "%s: key name '%s' is not a DNS name", where, name);
                return VIRTNAME_DNS_EINPUT;
        }
        if (!la) {
                virtname_errf(err, errlen, 0, "%s: TSIG algorithm '%s' not supported "
                       "(hmac-sha256, hmac-sha512, hmac-sha1, hmac-md5)", where, alg);
                return VIRTNAME_DNS_EINPUT;
        }
        if (!b64_ok(secret) || strlen(secret) >= sizeof(k->secret)) {
                virtname_errf(err, errlen, 0, "%s: the secret of key '%s' is not base64", where, name);
                return VIRTNAME_DNS_EINPUT;
        }
        snprintf(k->algorithm, sizeof(k->algorithm), "%s", la);
        snprintf(k->secret, sizeof(k->secret), "%s", secret);
        return VIRTNAME_DNS_OK;
}

static bool key_wanted(const char *want, const char *name)
{
        char a[256], b[256];

        if (!want)
                return true;
        return name_norm(want, true, a, sizeof(a)) && name_norm(name, true, b, sizeof(b)) &&
               strcmp(a, b) == 0;
}

/* A tokenizer for BIND's key statement: words, quoted strings, and the
 * punctuation { } ; with #, // and C comments skipped. */
struct toks {
        const char *p;
        int line;
};

static bool tok_next(struct toks *t, char *out, size_t outlen, int *line)
{
        for (;;) {
                while (*t->p && isspace((unsigned char)*t->p)) {
                        if (*t->p == '\n')
                                t->line++;
                        t->p++;
                }
                if (*t->p == '#' || (t->p[0] == '/' && t->p[1] == '/')) {
                        while (*t->p && *t->p != '\n')
                                t->p++;
                        continue;
                }
                if (t->p[0] == '/' && t->p[1] == '*') {
                        const char *e = strstr(t->p + 2, "*/");
                        for (const char *q = t->p; q < (e ? e : t->p + strlen(t->p)); q++)
                                if (*q == '\n')
                                        t->line++;
                        t->p = e ? e + 2 : t->p + strlen(t->p);
                        continue;
                }
                break;
        }
        *line = t->line;
        if (!*t->p)
                return false;
        size_t n = 0;
        if (*t->p == '{' || *t->p == '}' || *t->p == ';') {
                out[n++] = *t->p++;
        } else if (*t->p == '"') {
                t->p++;
                while (*t->p && *t->p != '"' && *t->p != '\n')
                        if (n + 1 < outlen)
                                out[n++] = *t->p++;
                        else
                                t->p++;
                if (*t->p == '"')
                        t->p++;
        } else {
                while (*t->p && !isspace((unsigned char)*t->p) && !strchr("{};\"", *t->p))
                        if (n + 1 < outlen)
                                out[n++] = *t->p++;
                        else
                                t->p++;
        }
        out[n] = '\0';
        return true;
}

/* key "NAME" { algorithm ALG; secret "S"; }; - anything outside key
 * statements (ddns-confgen's advice, update-policy examples) is skipped. */
static int key_bind(const char *path, const char *text, const char *want,
                    struct virtname_dns_key *k, char *err, size_t errlen)
{
        struct toks t = { text, 1 };
        char tok[512], name[256], alg[64], secret[512], where[PATH_MAX + 32];
        int line, keyline;

        while (tok_next(&t, tok, sizeof(tok), &line)) {
                if (strcmp(tok, "key") != 0)
                        continue;
                keyline = line;
                snprintf(where, sizeof(where), "%s:%d", path, keyline);
                if (!tok_next(&t, name, sizeof(name), &line) || !tok_next(&t, tok, sizeof(tok), &line) ||
                    strcmp(tok, "{") != 0) {
                        virtname_errf(err, errlen, 0, "%s: expected key \"NAME\" {", where);
                        return VIRTNAME_DNS_EINPUT;
                }
                alg[0] = secret[0] = '\0';
                for (;;) {
                        char word[64];
                        if (!tok_next(&t, word, sizeof(word), &line)) {
                                virtname_errf(err, errlen, 0, "%s: key \"%s\" is not closed with };", where, name);
                                return VIRTNAME_DNS_EINPUT;
                        }
                        if (strcmp(word, "}") == 0)
                                break;
                        char *dst = strcmp(word, "algorithm") == 0 ? alg :
                                    strcmp(word, "secret") == 0 ? secret : NULL;
                        size_t dstlen = dst == alg ? sizeof(alg) : sizeof(secret);
                        if (!dst) {
                                virtname_errf(err, errlen, 0, "%s:%d: unknown '%s' in key \"%s\"", path, line,
                                       word, name);
                                return VIRTNAME_DNS_EINPUT;
                        }
                        if (!tok_next(&t, tok, sizeof(tok), &line) || !tok_next(&t, word, sizeof(word), &line) ||
                            strcmp(word, ";") != 0) {
                                virtname_errf(err, errlen, 0, "%s:%d: expected VALUE; in key \"%s\"", path, line, name);
                                return VIRTNAME_DNS_EINPUT;
                        }
                        snprintf(dst, dstlen, "%s", tok);
                }
                if (!alg[0] || !secret[0]) {
                        virtname_errf(err, errlen, 0, "%s: key \"%s\" lacks %s", where, name,
                               alg[0] ? "a secret" : "an algorithm");
                        return VIRTNAME_DNS_EINPUT;
                }
                if (!key_wanted(want, name))
                        continue;
                return key_set(k, name, alg, secret, where, err, errlen);
        }
        return VIRTNAME_DNS_EABSENT;
}

/* knot (keymgr -t):  key:\n  - id: NAME\n    algorithm: ALG\n    secret: S
 * and the one-line ALG:NAME:SECRET (also keymgr's comment line). */
static int key_knot(const char *path, char *text, const char *want,
                    struct virtname_dns_key *k, char *err, size_t errlen)
{
        char name[256] = "", alg[64] = "", secret[512] = "", where[PATH_MAX + 32];
        int line = 0, start = 0;
        bool inkey = false;

        for (char *s = text, *nl; s && *s; s = nl) {
                nl = strchr(s, '\n');
                if (nl)
                        *nl++ = '\0';
                line++;
                char *l = trim(s);
                if (!*l || *l == '#')
                        continue;
                if (strcmp(l, "key:") == 0) {
                        inkey = true;
                        continue;
                }
                if (!inkey) {
                        /* ALG:NAME:SECRET */
                        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                        if (!c2) {
                                virtname_errf(err, errlen, 0, "%s:%d: not a TSIG key line", path, line);
                                return VIRTNAME_DNS_EINPUT;
                        }
                        *c1 = *c2 = '\0';
                        snprintf(where, sizeof(where), "%s:%d", path, line);
                        if (!key_wanted(want, c1 + 1))
                                continue;
                        return key_set(k, c1 + 1, l, c2 + 1, where, err, errlen);
                }
                if (l[0] == '-') {
                        if (name[0] && key_wanted(want, name))
                                break;
                        name[0] = alg[0] = secret[0] = '\0';
                        start = line;
                        l = trim(l + 1);
                }
                char *colon = strchr(l, ':');
                if (!colon) {
                        virtname_errf(err, errlen, 0, "%s:%d: expected 'id:', 'algorithm:' or 'secret:'", path, line);
                        return VIRTNAME_DNS_EINPUT;
                }
                *colon = '\0';
                char *v = trim(colon + 1), *key = trim(l);
                char *dst = strcmp(key, "id") == 0 ? name : strcmp(key, "algorithm") == 0 ? alg :
                            strcmp(key, "secret") == 0 ? secret : NULL;
                size_t dstlen = dst == name ? sizeof(name) : dst == alg ? sizeof(alg) : sizeof(secret);
                if (!dst) {
                        virtname_errf(err, errlen, 0, "%s:%d: unknown '%s' in a knot key", path, line, key);
                        return VIRTNAME_DNS_EINPUT;
                }
                if (*v == '"' || *v == '\'') {
                        size_t n = strlen(v);
                        if (n >= 2 && v[n - 1] == v[0]) {
                                v[n - 1] = '\0';
                                v++;
                        }
                }
                snprintf(dst, dstlen, "%s", v);
        }
        if (!name[0] || !key_wanted(want, name))
                return VIRTNAME_DNS_EABSENT;
        snprintf(where, sizeof(where), "%s:%d", path, start);
        if (!alg[0] || !secret[0]) {
                virtname_errf(err, errlen, 0, "%s: key '%s' lacks %s", where, name, alg[0] ? "a secret" : "an algorithm");
                return VIRTNAME_DNS_EINPUT;
        }
        return key_set(k, name, alg, secret, where, err, errlen);
}

/* A configuration or key file, at most 64 KiB, as text. */
static char *slurp(const char *path, char *err, size_t errlen)
{
        char *buf;
        size_t n;
        int rc = virtname_read_file(path, 65536, &buf, &n);

        if (rc < 0) {
                virtname_errf(err, errlen, 0, "%s: %s", path,
                              rc == -EFBIG ? "larger than 64 KiB" : virtname_read_strerror(rc));
                return NULL;
        }
        if (strlen(buf) != n) {
                virtname_errf(err, errlen, 0, "%s: holds a NUL byte", path);
                free(buf);
                return NULL;
        }
        return buf;
}

int virtname_dns_key_load(const char *path, const char *name,
                          struct virtname_dns_key *k, char *err, size_t errlen)
{
        char *text = slurp(path, err, errlen);
        int rc;

        if (!text)
                return VIRTNAME_DNS_EINPUT;
        /* BIND's statement form has "key" then a quoted name or a brace;
         * knot's YAML has "key:" on a line of its own. */
        bool yaml = false;
        for (char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                char *s = l;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (*s == '#' || *s == '\n' || !*s)
                        continue;
                yaml = strncmp(s, "key:", 4) == 0 || (!strstr(text, "{") && strchr(s, ':'));
                break;
        }
        rc = yaml ? key_knot(path, text, name, k, err, errlen) : key_bind(path, text, name, k, err, errlen);
        free(text);
        if (rc == VIRTNAME_DNS_EABSENT) {
                if (name)
                        virtname_errf(err, errlen, 0, "%s: no key named '%s'", path, name);
                else
                        virtname_errf(err, errlen, 0, "%s: no TSIG key found (expected tsig-keygen's "
                               "key \"NAME\" { ... }; or keymgr -t's key: list)", path);
                return VIRTNAME_DNS_EINPUT;
        }
        return rc;
}

static bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
        char *end;

        if (!isdigit((unsigned char)*s))
                return false;
        errno = 0;
        *out = strtoul(s, &end, 10);
        return !errno && !*end && *out >= lo && *out <= hi;
}

/* ADDRESS/PREFIX */
static bool parse_net(const char *v, struct virtname_dns_net *n)
{
        char a[64];
        const char *slash = strchr(v, '/');
        unsigned long p;

        if (!slash || (size_t)(slash - v) >= sizeof(a))
                return false;
        memcpy(a, v, (size_t)(slash - v));
        a[slash - v] = '\0';
        memset(n->addr, 0, sizeof(n->addr));
        n->family = strchr(a, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(n->family, a, n->addr) != 1 ||
            !parse_uint(slash + 1, 0, n->family == AF_INET ? 32 : 128, &p))
                return false;
        n->prefix = (unsigned)p;
        return true;
}

/* This machine's tag in ownership records (config.h): 16 hex digits of
 * SHA-256 over /etc/machine-id and the full host name.  Never the
 * machine-id itself (systemd asks applications not to publish it). */
static void machine_tag(char out[17])
{
        unsigned char in[512], d[32];
        size_t n = 0;
        FILE *f = virtname_open_file("/etc/machine-id", 4096, 0);

        if (!f)
                f = virtname_open_file("/var/lib/dbus/machine-id", 4096, 0);
        if (f) {
                n = fread(in, 1, 64, f);
                fclose(f);
                while (n && (in[n - 1] == '\n' || in[n - 1] == ' '))
                        n--;
        }
        n += (size_t)snprintf((char *)in + n, sizeof(in) - n, "\nvirt-name-cache fleet dns\n");
        if (gethostname((char *)in + n, sizeof(in) - n - 1) == 0)
                n += strnlen((char *)in + n, sizeof(in) - n - 1);
        ldns_sha256(in, (unsigned)n, d);
        for (int i = 0; i < 8; i++)
                sprintf(out + 2 * i, "%02x", d[i]);
}

static void default_label(char *out, size_t outlen)
{
        char host[256] = "";

        if (gethostname(host, sizeof(host) - 1) < 0)
                host[0] = '\0';
        host[strcspn(host, ".")] = '\0';
        for (char *p = host; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        /* too long for a label: leave it empty, the caller says so */
        size_t n = strlen(host);
        if (n >= outlen)
                n = 0;
        memcpy(out, host, n);
        out[n] = '\0';
}

int virtname_dns_config_load(const char *dir, struct virtname_dns_config *c,
                             char *err, size_t errlen)
{
        char d[PATH_MAX], *text, keyname[256] = "", keyfile[PATH_MAX] = "";
        bool seen[16] = { false };
        static const char *const keys[] = { "server", "port", "zone", "key-file", "key-name", "names",
                                            "host-label", "owner", "reverse-zone", "ttl", "timeout-ms",
                                            "reverse-net", "reconcile-interval" };
        int line = 0;

        memset(c, 0, sizeof(*c));
        c->port = 53;
        c->ttl = 60;
        c->timeout_ms = 2000;
        c->names = VIRTNAME_DNS_NAMES_HOST;
        c->reconcile_s = 600;
        if (snprintf(d, sizeof(d), "%s", virtname_conf_dir(dir)) >= (int)sizeof(d) ||
            snprintf(c->path, sizeof(c->path), "%s/%s", d, VIRTNAME_DNS_CONF_NAME) >= (int)sizeof(c->path)) {
                virtname_errf(err, errlen, 0, "configuration directory name too long");
                return VIRTNAME_DNS_EINPUT;
        }
        if (access(c->path, F_OK) < 0 && errno == ENOENT) {
                virtname_errf(err, errlen, 0, "%s: not present (DNS updates are off)", c->path);
                return VIRTNAME_DNS_EABSENT;
        }
        if (!(text = slurp(c->path, err, errlen)))
                return VIRTNAME_DNS_EINPUT;
        for (char *s = text, *nl; s && *s; s = nl) {
                nl = strchr(s, '\n');
                if (nl)
                        *nl++ = '\0';
                line++;
                s[strcspn(s, "#")] = '\0';
                char *l = trim(s);
                if (!*l)
                        continue;
                char *eq = strchr(l, '=');
                if (!eq) {
                        virtname_errf(err, errlen, 0, "%s:%d: expected KEY = VALUE", c->path, line);
                        goto bad;
                }
                *eq = '\0';
                char *k = trim(l), *v = trim(eq + 1);
                size_t ki;
                unsigned long u;
                for (ki = 0; ki < sizeof(keys) / sizeof(keys[0]); ki++)
                        if (strcmp(k, keys[ki]) == 0)
                                break;
                if (ki == sizeof(keys) / sizeof(keys[0])) {
                        virtname_errf(err, errlen, 0, "%s:%d: unknown setting '%s'", c->path, line, k);
                        goto bad;
                }
                if (seen[ki] && strcmp(k, "reverse-zone") != 0 && strcmp(k, "reverse-net") != 0) {
                        virtname_errf(err, errlen, 0, "%s:%d: '%s' set twice", c->path, line, k);
                        goto bad;
                }
                seen[ki] = true;
                if (!*v) {
                        virtname_errf(err, errlen, 0, "%s:%d: '%s' has no value", c->path, line, k);
                        goto bad;
                }
                if (strcmp(k, "server") == 0) {
                        unsigned char a[16];
                        if ((inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1) ||
                            strlen(v) >= sizeof(c->server)) {
                                virtname_errf(err, errlen, 0, "%s:%d: server '%s' is not an IPv4 or IPv6 address",
                                       c->path, line, v);
                                goto bad;
                        }
                        snprintf(c->server, sizeof(c->server), "%s", v);
                } else if (strcmp(k, "port") == 0) {
                        if (!parse_uint(v, 1, 65535, &u)) {
                                virtname_errf(err, errlen, 0, "%s:%d: port '%s' is not 1-65535", c->path, line, v);
                                goto bad;
                        }
                        c->port = (uint16_t)u;
                } else if (strcmp(k, "zone") == 0) {
                        if (!name_norm(v, true, c->zone, sizeof(c->zone))) {
                                virtname_errf(err, errlen, 0, "%s:%d: zone '%s' is not a DNS name", c->path, line, v);
                                goto bad;
                        }
                } else if (strcmp(k, "key-file") == 0) {
                        int n = v[0] == '/' ? snprintf(keyfile, sizeof(keyfile), "%s", v)
                                            : snprintf(keyfile, sizeof(keyfile), "%s/%s", d, v);
                        if (n >= (int)sizeof(keyfile)) {
                                virtname_errf(err, errlen, 0, "%s:%d: key-file name too long", c->path, line);
                                goto bad;
                        }
                } else if (strcmp(k, "key-name") == 0) {
                        snprintf(keyname, sizeof(keyname), "%s", v);
                } else if (strcmp(k, "names") == 0) {
                        if (strcmp(v, "host") == 0)
                                c->names = VIRTNAME_DNS_NAMES_HOST;
                        else if (strcmp(v, "flat") == 0)
                                c->names = VIRTNAME_DNS_NAMES_FLAT;
                        else {
                                virtname_errf(err, errlen, 0, "%s:%d: names '%s': expected host or flat", c->path, line, v);
                                goto bad;
                        }
                } else if (strcmp(k, "host-label") == 0) {
                        if (!label_ok(v, strlen(v), false)) {
                                virtname_errf(err, errlen, 0, "%s:%d: host-label '%s' is not one DNS label "
                                       "(letters, digits, '-')", c->path, line, v);
                                goto bad;
                        }
                        for (size_t i = 0; v[i]; i++)
                                c->host_label[i] = (char)tolower((unsigned char)v[i]);
                } else if (strcmp(k, "owner") == 0) {
                        bool ok = strlen(v) < sizeof(c->owner);
                        for (const char *p = v; ok && *p; p++)
                                ok = isalnum((unsigned char)*p) || strchr(".-_", *p);
                        if (!ok) {
                                virtname_errf(err, errlen, 0, "%s:%d: owner '%s': 1-63 of letters, digits, '.', '-', '_'",
                                       c->path, line, v);
                                goto bad;
                        }
                        snprintf(c->owner, sizeof(c->owner), "%s", v);
                } else if (strcmp(k, "reverse-zone") == 0) {
                        char *r = c->reverse[c->nreverse];
                        size_t n;
                        if (c->nreverse == VIRTNAME_DNS_MAX_REVERSE) {
                                virtname_errf(err, errlen, 0, "%s:%d: more than %d reverse zones", c->path, line,
                                       VIRTNAME_DNS_MAX_REVERSE);
                                goto bad;
                        }
                        bool rev = name_norm(v, false, r, sizeof(c->reverse[0]));
                        n = strlen(r);
                        rev = rev && ((n >= 13 && strcmp(r + n - 13, "in-addr.arpa.") == 0) ||
                                      (n >= 9 && strcmp(r + n - 9, "ip6.arpa.") == 0));
                        if (!rev) {
                                virtname_errf(err, errlen, 0, "%s:%d: reverse-zone '%s' is not under in-addr.arpa "
                                       "or ip6.arpa", c->path, line, v);
                                goto bad;
                        }
                        c->nreverse++;
                } else if (strcmp(k, "reverse-net") == 0) {
                        if (c->nnets == VIRTNAME_DNS_MAX_REVERSE || !parse_net(v, &c->nets[c->nnets])) {
                                virtname_errf(err, errlen, 0, "%s:%d: reverse-net '%s': expected ADDRESS/PREFIX "
                                       "(at most %d)", c->path, line, v, VIRTNAME_DNS_MAX_REVERSE);
                                goto bad;
                        }
                        c->nnets++;
                } else if (strcmp(k, "reconcile-interval") == 0) {
                        if (!parse_uint(v, 1, 86400 * 7, &u)) {
                                virtname_errf(err, errlen, 0, "%s:%d: reconcile-interval '%s' is not 1-604800 seconds",
                                       c->path, line, v);
                                goto bad;
                        }
                        c->reconcile_s = (unsigned)u;
                } else if (strcmp(k, "ttl") == 0) {
                        if (!parse_uint(v, 0, 604800, &u)) {
                                virtname_errf(err, errlen, 0, "%s:%d: ttl '%s' is not 0-604800 seconds", c->path, line, v);
                                goto bad;
                        }
                        c->ttl = (uint32_t)u;
                } else if (strcmp(k, "timeout-ms") == 0) {
                        if (!parse_uint(v, 1, 60000, &u)) {
                                virtname_errf(err, errlen, 0, "%s:%d: timeout-ms '%s' is not 1-60000", c->path, line, v);
                                goto bad;
                        }
                        c->timeout_ms = (unsigned)u;
                }
        }
        free(text);
        text = NULL;
        if (!c->server[0] || !c->zone[0] || !keyfile[0]) {
                virtname_errf(err, errlen, 0, "%s: '%s' is required", c->path,
                       !c->server[0] ? "server" : !c->zone[0] ? "zone" : "key-file");
                return VIRTNAME_DNS_EINPUT;
        }
        if (!c->host_label[0])
                default_label(c->host_label, sizeof(c->host_label));
        if (!label_ok(c->host_label, strlen(c->host_label), false)) {
                virtname_errf(err, errlen, 0, "%s: this host's name '%s' is not a DNS label: set host-label",
                       c->path, c->host_label);
                return VIRTNAME_DNS_EINPUT;
        }
        if (!c->owner[0])
                snprintf(c->owner, sizeof(c->owner), "%s", c->host_label);
        machine_tag(c->owner_id);
        snprintf(c->key_file, sizeof(c->key_file), "%s", keyfile);
        return virtname_dns_key_load(c->key_file, keyname[0] ? keyname : NULL, &c->key, err, errlen);
bad:
        free(text);
        return VIRTNAME_DNS_EINPUT;
}

int virtname_dns_fqdn(const struct virtname_dns_config *c, const char *guest,
                      char *out, size_t outlen, char *err, size_t errlen)
{
        char g[256];
        int n;

        if (!name_norm(guest, false, g, sizeof(g))) {
                virtname_errf(err, errlen, 0, "'%s' is not a host name (letters, digits, '-', dots)", guest);
                return VIRTNAME_DNS_EINPUT;
        }
        g[strlen(g) - 1] = '\0';        /* relative to what follows */
        if (c->names == VIRTNAME_DNS_NAMES_HOST)
                n = snprintf(out, outlen, "%s.%s.%s", g, c->host_label, c->zone);
        else
                n = snprintf(out, outlen, "%s.%s", g, c->zone);
        if (n < 0 || (size_t)n >= outlen || n > 254) {
                virtname_errf(err, errlen, 0, "'%s' is too long under %s", guest, c->zone);
                return VIRTNAME_DNS_EINPUT;
        }
        return VIRTNAME_DNS_OK;
}

void virtname_dns_owner_text(const struct virtname_dns_config *c, char *out, size_t outlen)
{
        snprintf(out, outlen, "virt-name-cache owner=%s id=%s", c->owner, c->owner_id);
}

bool virtname_dns_reverse_wanted(const struct virtname_dns_config *c, int family, const unsigned char *addr)
{
        if (c->nnets == 0)
                return true;
        for (size_t i = 0; i < c->nnets; i++) {
                const struct virtname_dns_net *n = &c->nets[i];
                unsigned full = n->prefix / 8, rest = n->prefix % 8;

                if (n->family != family || memcmp(n->addr, addr, full) != 0)
                        continue;
                if (rest == 0 || ((n->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) == 0)
                        return true;
        }
        return false;
}

void virtname_dns_fingerprint(const struct virtname_dns_config *c, char *out, size_t outlen)
{
        int n = snprintf(out, outlen, "%s#%u %s %s %s %s %s", c->server, c->port, c->zone,
                         c->names == VIRTNAME_DNS_NAMES_HOST ? "host" : "flat", c->host_label, c->owner, c->owner_id);

        for (size_t i = 0; i < c->nreverse && n > 0 && (size_t)n < outlen; i++)
                n += snprintf(out + n, outlen - (size_t)n, " %s", c->reverse[i]);
        for (size_t i = 0; i < c->nnets && n > 0 && (size_t)n < outlen; i++) {
                char a[64];
                inet_ntop(c->nets[i].family, c->nets[i].addr, a, sizeof(a));
                n += snprintf(out + n, outlen - (size_t)n, " %s/%u", a, c->nets[i].prefix);
        }
}
