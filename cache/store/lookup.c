/* lookup.c - name, address and domain lookups inside one transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "store/lookup.h"
#include "store/names.h"

bool virtname_lease_current(const struct virtname_lease_view *l, int64_t now)
{
        return l->expiry == 0 || l->expiry > now;
}

static int get(const struct virtname_view *v, enum virtname_db db, MDB_val *key, MDB_val *data)
{
        int rc = mdb_get(v->txn, v->dbi[db], key, data);

        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        return rc == 0 ? 0 : -EIO;
}

int virtname_get_domain(const struct virtname_view *v, const MDB_val *key,
                   struct virtname_domain_view *out)
{
        MDB_val k = *key, d;
        int rc = get(v, VIRTNAME_DB_DOMAINS, &k, &d);

        return rc < 0 ? rc : virtname_domain_decode(d.mv_data, d.mv_size, out);
}

/* Call CB for each current lease whose key is a duplicate of KEY in DB
 * (hosts or mac-leases). */
static int walk_lease_keys(const struct virtname_view *v, enum virtname_db db, MDB_val key,
                           int64_t now, virtname_lease_cb cb, void *ctx)
{
        MDB_cursor *cur;
        MDB_val k = key, lkey, ldata;
        struct virtname_lease_view lease;
        int rc;

        if (mdb_cursor_open(v->txn, v->dbi[db], &cur) != 0)
                return -EIO;
        rc = mdb_cursor_get(cur, &k, &lkey, MDB_SET);
        for (; rc == 0; rc = mdb_cursor_get(cur, &k, &lkey, MDB_NEXT_DUP)) {
                int r = get(v, VIRTNAME_DB_LEASES, &lkey, &ldata);

                if (r == -ENOENT)
                        continue;       /* index ahead of a deletion: ignore */
                if (r == 0)
                        r = virtname_lease_decode(ldata.mv_data, ldata.mv_size, &lease);
                if (r == 0 && virtname_lease_current(&lease, now))
                        r = cb(&lease, ctx);
                if (r != 0) {
                        mdb_cursor_close(cur);
                        return r;
                }
        }
        mdb_cursor_close(cur);
        return rc == MDB_NOTFOUND ? 0 : -EIO;
}

int virtname_leases_of_mac(const struct virtname_view *v, const uint8_t mac[VIRTNAME_MAC_LEN],
                      int64_t now, virtname_lease_cb cb, void *ctx)
{
        MDB_val key = { VIRTNAME_MAC_LEN, (void *)mac };

        return walk_lease_keys(v, VIRTNAME_DB_MAC_LEASES, key, now, cb, ctx);
}

struct collect {
        struct virtname_answer *answer;
        int family;
        const char *suffix;            /* keep only leases with this suffix */
        const uint8_t *mac;            /* keep only leases of this MAC */
};

static int collect_lease(const struct virtname_lease_view *l, void *ctx)
{
        struct collect *c = ctx;
        struct virtname_answer *a = c->answer;
        struct virtname_addr *slot;

        if (c->mac && ((l->flags & VIRTNAME_LEASE_HAS_MAC) == 0 ||
                       memcmp(l->mac, c->mac, VIRTNAME_MAC_LEN) != 0))
                return 0;
        if (c->suffix && !virtname_str_eq(l->suffix, c->suffix))
                return 0;
        a->known = true;
        if (c->family != AF_UNSPEC && l->family != c->family)
                return 0;
        for (size_t i = 0; i < a->n; i++)
                if (a->addr[i].family == l->family &&
                    memcmp(a->addr[i].addr, l->addr, 16) == 0)
                        return 0;
        if (a->n == VIRTNAME_ANSWER_MAX) {
                a->dropped++;
                return 0;
        }
        slot = &a->addr[a->n++];
        slot->family = l->family;
        memcpy(slot->addr, l->addr, 16);
        slot->expiry = l->expiry;
        return 0;
}

/* Rules 1 and 2 of virtname_resolve() for one normalised key. */
static int resolve_key(const struct virtname_view *v, const char *key, size_t len,
                       struct collect *c, int64_t now)
{
        MDB_val k = { len, (void *)key };
        struct virtname_domain_view dom;
        int rc = virtname_get_domain(v, &k, &dom);

        if (rc == 0) {
                const uint8_t *mac;
                struct virtname_str net;
                size_t pos = 0;

                c->answer->is_domain = true;
                if (!c->suffix)
                        c->answer->known = true;
                while (rc == 0 && virtname_domain_iface_next(&dom, &pos, &mac, &net)) {
                        c->mac = mac;
                        rc = virtname_leases_of_mac(v, mac, now, collect_lease, c);
                }
                c->mac = NULL;
                return rc;
        }
        if (rc != -ENOENT)
                return rc;
        return walk_lease_keys(v, VIRTNAME_DB_HOSTS, k, now, collect_lease, c);
}

int virtname_resolve(const struct virtname_view *v, const char *name, int family,
                int64_t now, struct virtname_answer *answer)
{
        char key[VIRTNAME_NAME_MAX + 1];
        struct collect c = { answer, family, NULL, NULL };
        const char *suffix;
        size_t base_len;
        int len = virtname_name_normalise(name, key);
        int rc;

        memset(answer, 0, offsetof(struct virtname_answer, addr));
        if (len < 0)
                return 0;
        rc = resolve_key(v, key, (size_t)len, &c, now);
        if (rc < 0 || answer->known || answer->is_domain)
                return rc;
        if (!virtname_name_split(key, &base_len, &suffix))
                return 0;
        c.suffix = suffix;
        return resolve_key(v, key, base_len, &c, now);
}

static void copy_str(char *dst, size_t cap, struct virtname_str s)
{
        size_t n = s.len < cap - 1 ? s.len : cap - 1;

        memcpy(dst, s.p, n);
        dst[n] = '\0';
}

/* The domain owning MAC, if any. */
static int domain_of_mac(const struct virtname_view *v, const uint8_t *mac,
                         struct virtname_domain_view *dom)
{
        MDB_val k = { VIRTNAME_MAC_LEN, (void *)mac }, name;
        int rc = get(v, VIRTNAME_DB_MAC_DOMAIN, &k, &name);

        return rc < 0 ? rc : virtname_get_domain(v, &name, dom);
}

int virtname_reverse(const struct virtname_view *v, int family, const void *addr,
                int64_t now, struct virtname_reverse *out)
{
        uint8_t key[VIRTNAME_LEASE_KEY_LEN], full[16] = { 0 };
        MDB_val k = { sizeof(key), key }, d;
        struct virtname_lease_view lease;
        struct virtname_domain_view dom;
        int rc;

        memcpy(full, addr, family == AF_INET6 ? 16 : 4);
        virtname_lease_key(family, full, key);
        rc = get(v, VIRTNAME_DB_LEASES, &k, &d);
        if (rc == 0)
                rc = virtname_lease_decode(d.mv_data, d.mv_size, &lease);
        if (rc < 0)
                return rc;
        if (!virtname_lease_current(&lease, now))
                return -ENOENT;

        rc = -ENOENT;
        if (lease.flags & VIRTNAME_LEASE_HAS_MAC)
                rc = domain_of_mac(v, lease.mac, &dom);
        if (rc == 0) {
                copy_str(out->name, sizeof(out->name), dom.name);
        } else if (rc == -ENOENT && lease.hostname.len > 0) {
                char hkey[VIRTNAME_NAME_MAX + 1];
                MDB_val hk;

                copy_str(out->name, sizeof(out->name), lease.hostname);
                if (virtname_name_normalise(out->name, hkey) < 0)
                        return -ENOENT;
                hk = (MDB_val){ strlen(hkey), hkey };
                /* Another domain's name: the guest does not get to claim it. */
                rc = virtname_get_domain(v, &hk, &dom);
                if (rc == 0)
                        return -ENOENT;
                if (rc != -ENOENT)
                        return rc;
        } else {
                return rc;
        }
        out->fqdn[0] = '\0';
        size_t nlen = strlen(out->name);
        if (lease.suffix.len > 0 && nlen + 1 + lease.suffix.len <= VIRTNAME_NAME_MAX) {
                memcpy(out->fqdn, out->name, nlen);
                out->fqdn[nlen] = '.';
                memcpy(out->fqdn + nlen + 1, lease.suffix.p, lease.suffix.len);
                out->fqdn[nlen + 1 + lease.suffix.len] = '\0';
        }
        out->expiry = lease.expiry;
        return 0;
}

static bool parse_id(const char *s, uint32_t *id)
{
        uint64_t v = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > INT32_MAX)
                        return false;
        }
        *id = (uint32_t)v;
        return true;
}

int virtname_find_domain(const struct virtname_view *v, const char *what,
                    struct virtname_domain_view *out)
{
        char key[VIRTNAME_NAME_MAX + 1];
        uint8_t uuid[VIRTNAME_UUID_LEN], idkey[4];
        enum virtname_db index;
        uint32_t id;
        MDB_val k, name;
        int len = virtname_name_normalise(what, key), rc;

        if (len > 0) {
                k = (MDB_val){ (size_t)len, key };
                rc = virtname_get_domain(v, &k, out);
                if (rc != -ENOENT)
                        return rc;
        }
        if (virtname_uuid_parse(what, uuid)) {
                index = VIRTNAME_DB_UUIDS;
                k = (MDB_val){ sizeof(uuid), uuid };
        } else if (parse_id(what, &id)) {
                index = VIRTNAME_DB_IDS;
                virtname_id_key(id, idkey);
                k = (MDB_val){ sizeof(idkey), idkey };
        } else {
                return -ENOENT;
        }
        rc = get(v, index, &k, &name);
        return rc < 0 ? rc : virtname_get_domain(v, &name, out);
}

static uint64_t meta_uint(const struct virtname_view *v, const char *name, size_t n, int *rc)
{
        MDB_val k = { strlen(name), (void *)name }, d;
        uint64_t val = 0;
        int r = get(v, VIRTNAME_DB_META, &k, &d);

        if (r == 0 && d.mv_size != n)
                r = -EBADMSG;
        for (size_t i = 0; r == 0 && i < n; i++)
                val |= (uint64_t)((const uint8_t *)d.mv_data)[i] << (8 * i);
        if (r < 0 && *rc == 0)
                *rc = r;
        return val;
}

int virtname_get_meta(const struct virtname_view *v, struct virtname_meta *out)
{
        int rc = 0;

        out->schema = (uint32_t)meta_uint(v, "schema", 4, &rc);
        out->generation = meta_uint(v, "generation", 8, &rc);
        out->updated = (int64_t)meta_uint(v, "updated", 8, &rc);
        return rc;
}
