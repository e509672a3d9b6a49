/* export.c - the store's answers as DNS records and hosts lines
 * (export.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/derive/export.h"
#include "cache/read/names.h"

bool virtname_export_name_ok(const char *key)
{
        /* What a zone file may hold (BIND's check-names, RFC 952 and
         * 1123): labels of letters, digits and inner hyphens. */
        size_t label = 0;

        if (!virtname_hostname_valid(key))
                return false;
        for (const char *p = key;; p++) {
                if (*p == '.' || *p == '\0') {
                        if (label == 0 || p[-1] == '-')
                                return false;
                        if (*p == '\0')
                                return true;
                        label = 0;
                } else if (*p == '_' || (*p == '-' && label == 0)) {
                        return false;
                } else {
                        label++;
                }
        }
}

/* May KEY go to DNS: a name a zone may hold, and not the name of several
 * domains in different cases (DNS has no case to tell them apart). */
static bool exportable(const struct virtname_view *v, const char *key)
{
        return virtname_export_name_ok(key) && !virtname_name_ambiguous(v, key);
}

/* The lookup key of a name as a reverse answer gives it: a domain's name
 * whole, any other name by its first label (the host key). */
static int reverse_key(const struct virtname_reverse *r, char key[VIRTNAME_NAME_MAX + 1])
{
        char label[VIRTNAME_NAME_MAX + 1];
        size_t n;

        if (r->source == VIRTNAME_SRC_DOMAIN)
                return virtname_name_normalise(r->name, key);
        n = strcspn(r->name, ".");
        memcpy(label, r->name, n);
        label[n] = '\0';
        return n ? virtname_name_normalise(label, key) : -EINVAL;
}

static bool answer_has(const struct virtname_answer *a, int family, const uint8_t *addr)
{
        for (size_t i = 0; i < a->n; i++)
                if (a->addr[i].family == family && memcmp(a->addr[i].addr, addr, 16) == 0)
                        return true;
        return false;
}

/* Add KEY to L when it is exportable, resolves to L's address, and is not
 * there yet. */
static int line_add(const struct virtname_view *v, struct virtname_line *l, const char *key, int64_t now)
{
        struct virtname_answer a;
        int rc;

        if (!key[0] || !exportable(v, key))
                return 0;
        for (unsigned i = 0; i < l->n; i++)
                if (strcmp(l->names[i], key) == 0)
                        return 0;
        rc = virtname_resolve(v, key, l->family, now, &a);
        if (rc < 0)
                return rc;
        if (answer_has(&a, l->family, l->addr) && l->n < VIRTNAME_LINE_NAMES)
                snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", key);
        return 0;
}

static int line_of(const struct virtname_view *v, const struct virtname_lease_view *lease, int64_t now,
                   struct virtname_line *out)
{
        char dkey[VIRTNAME_NAME_MAX + 1] = "", hkey[VIRTNAME_NAME_MAX + 1] = "", rkey[VIRTNAME_NAME_MAX + 1] = "";
        struct virtname_domain_view dom;
        struct virtname_reverse rev;
        char name[VIRTNAME_NAME_MAX + 1];
        int rc = virtname_lease_answering(v, lease, now);

        out->leased = virtname_lease_current(lease, now);
        if (rc <= 0)
                return rc;
        if ((lease->flags & VIRTNAME_LEASE_HAS_MAC) && lease->network.len) {
                rc = virtname_iface_owner(v, lease->network, lease->mac, &dom);
                if (rc < 0 && rc != -ENOENT)
                        return rc;
                if (rc == 0 && dom.name.len <= VIRTNAME_NAME_MAX) {
                        memcpy(name, dom.name.p, dom.name.len);
                        name[dom.name.len] = '\0';
                        if (virtname_name_normalise(name, dkey) < 0)
                                dkey[0] = '\0';
                }
        }
        if (lease->hostname.len) {
                size_t n = 0;

                while (n < lease->hostname.len && n < VIRTNAME_NAME_MAX && lease->hostname.p[n] != '.')
                        n++;
                memcpy(name, lease->hostname.p, n);
                name[n] = '\0';
                if (n == 0 || virtname_name_normalise(name, hkey) < 0)
                        hkey[0] = '\0';
        }
        rc = virtname_lease_name(v, lease, now, &rev);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        if (rc == 0 && reverse_key(&rev, rkey) < 0)
                rkey[0] = '\0';
        /* The reverse name first: dnsmasq answers a PTR query with the
         * first name of an address. */
        if ((rc = line_add(v, out, rkey, now)) < 0 || (rc = line_add(v, out, dkey, now)) < 0 ||
            (rc = line_add(v, out, hkey, now)) < 0)
                return rc;
        return 0;
}

static void line_init(struct virtname_line *out, int family, const uint8_t addr[16], struct virtname_str network)
{
        size_t n = network.len < VIRTNAME_NETWORK_MAX ? network.len : VIRTNAME_NETWORK_MAX;

        memset(out, 0, sizeof(*out));
        out->family = family;
        memcpy(out->addr, addr, 16);
        memcpy(out->network, network.p, n);
}

int virtname_export_line(const struct virtname_view *v, int family, const uint8_t addr[16],
                         struct virtname_str network, int64_t now, struct virtname_line *out)
{
        struct virtname_lease_view lease;
        int rc;

        line_init(out, family, addr, network);
        rc = virtname_get_lease(v, family, addr, network, &lease);
        if (rc == -ENOENT)
                return 0;
        return rc < 0 ? rc : line_of(v, &lease, now, out);
}

bool virtname_line_equal(const struct virtname_line *a, const struct virtname_line *b)
{
        if (a->n != b->n || a->leased != b->leased)
                return false;
        for (unsigned i = 0; i < a->n; i++)
                if (strcmp(a->names[i], b->names[i]) != 0)
                        return false;
        return true;
}

size_t virtname_line_format(const struct virtname_line *l, char *buf, size_t cap)
{
        char a[INET6_ADDRSTRLEN];
        size_t len;
        int n;

        if (l->n == 0 || !inet_ntop(l->family, l->addr, a, sizeof(a)))
                return 0;
        n = snprintf(buf, cap, "%s", a);
        for (unsigned i = 0; n >= 0 && (size_t)n < cap && i < l->n; i++)
                n += snprintf(buf + n, cap - (size_t)n, " %s", l->names[i]);
        if (n < 0 || (size_t)n + 1 >= cap)
                return 0;
        len = (size_t)n;
        buf[len++] = '\n';
        buf[len] = '\0';
        return len;
}

int virtname_export_lines(const struct virtname_view *v, const char *network, int64_t now,
                          virtname_line_fn fn, void *ctx)
{
        struct virtname_lease_view lease;
        struct virtname_iter it;
        struct virtname_line line;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, NULL, 0);

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                if (virtname_lease_decode(d.mv_data, d.mv_size, &lease) < 0 ||
                    (network && !virtname_str_eq(lease.network, network)))
                        continue;
                line_init(&line, lease.family, lease.addr, lease.network);
                if ((rc = line_of(v, &lease, now, &line)) < 0)
                        break;
                if (line.n && (rc = fn(&line, ctx)) != 0)
                        break;
        }
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : rc;
}

int virtname_export_name(const struct virtname_view *v, const char *name, int64_t now,
                         struct virtname_named *out)
{
        char rkey[VIRTNAME_NAME_MAX + 1];
        int rc;

        out->name = name;
        memset(out->reverse, 0, sizeof(out->reverse));
        if (!exportable(v, name)) {
                memset(&out->answer, 0, offsetof(struct virtname_answer, addr));
                return 0;
        }
        rc = virtname_resolve(v, name, AF_UNSPEC, now, &out->answer);
        for (size_t i = 0; rc == 0 && i < out->answer.n; i++) {
                const struct virtname_addr *a = &out->answer.addr[i];
                struct virtname_reverse rev;

                rc = virtname_reverse(v, a->family, a->addr, now, &rev);
                if (rc == -ENOENT) {
                        rc = 0;
                        continue;
                }
                if (rc == 0 && reverse_key(&rev, rkey) > 0)
                        out->reverse[i] = strcmp(rkey, name) == 0;
        }
        return rc;
}

/* Walking the candidate names: the domains' names (normalised) and the
 * distinct host keys, each a sorted stream of "name NUL ..." keys;
 * merged, each name once. */
struct stream {
        struct virtname_iter it;
        int rc;                        /* 0: cur holds the next name */
        char cur[VIRTNAME_NAME_MAX + 1];
};

static void stream_next(struct stream *s)
{
        char prev[VIRTNAME_NAME_MAX + 1];
        MDB_val k, d;

        snprintf(prev, sizeof(prev), "%s", s->rc == 0 ? s->cur : "");
        while ((s->rc = virtname_iter_next(&s->it, &k, &d)) == 0) {
                size_t n = strnlen(k.mv_data, k.mv_size);

                if (n == 0 || n > VIRTNAME_NAME_MAX)
                        continue;
                memcpy(s->cur, k.mv_data, n);
                s->cur[n] = '\0';
                if (strcmp(s->cur, prev) != 0)
                        return;
        }
}

int virtname_export_names(const struct virtname_view *v, int64_t now, virtname_named_fn fn, void *ctx)
{
        struct stream s[2] = { { .rc = 0 }, { .rc = 0 } };
        struct virtname_named named;
        char name[VIRTNAME_NAME_MAX + 1];
        int rc = 0;

        s[0].rc = virtname_iter_start(&s[0].it, v, VIRTNAME_DB_DNAMES, NULL, 0);
        s[1].rc = virtname_iter_start(&s[1].it, v, VIRTNAME_DB_HOSTIDX, NULL, 0);
        for (int i = 0; i < 2; i++)
                if (s[i].rc == 0) {
                        s[i].rc = -ENOENT;      /* no previous name */
                        stream_next(&s[i]);
                }
        while (rc == 0 && (s[0].rc == 0 || s[1].rc == 0)) {
                int c = s[0].rc != 0 ? 1 : s[1].rc != 0 ? -1 : strcmp(s[0].cur, s[1].cur);

                snprintf(name, sizeof(name), "%s", c <= 0 ? s[0].cur : s[1].cur);
                if (c <= 0)
                        stream_next(&s[0]);
                if (c >= 0)
                        stream_next(&s[1]);
                rc = virtname_export_name(v, name, now, &named);
                if (rc == 0 && named.answer.n > 0)
                        rc = fn(&named, ctx);
        }
        for (int i = 0; i < 2; i++) {
                if (rc == 0 && s[i].rc != -ENOENT)
                        rc = s[i].rc;
                virtname_iter_end(&s[i].it);
        }
        return rc;
}
