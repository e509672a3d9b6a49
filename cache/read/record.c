/* record.c - encoding and checked decoding of store records. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/read/record.h"
#include "cache/read/wire.h"

size_t virtname_lease_encode(const struct virtname_lease *l, uint8_t *buf, size_t cap)
{
        struct virtname_wout o = { buf, cap, 0, false };

        virtname_wout_uint(&o, VIRTNAME_RECORD_VERSION, 1);
        virtname_wout_uint(&o, l->family == AF_INET6 ? 6 : 4, 1);
        virtname_wout_uint(&o, l->flags, 1);
        virtname_wout_put(&o, l->addr, 16);
        virtname_wout_put(&o, l->mac, VIRTNAME_MAC_LEN);
        virtname_wout_uint(&o, (uint64_t)l->expiry, 8);
        virtname_wout_uint(&o, (uint64_t)l->seen, 8);
        virtname_wout_uint(&o, l->iaid, 4);
        virtname_wout_uint(&o, (uint64_t)l->evidence, 1);
        virtname_wout_uint(&o, (uint64_t)l->proved, 8);
        virtname_wout_uint(&o, (uint32_t)l->proved_id, 4);
        virtname_wout_str(&o, l->hostname);
        virtname_wout_str(&o, l->network);
        virtname_wout_str(&o, l->suffix);
        virtname_wout_str(&o, l->clientid);
        virtname_wout_str(&o, l->port);
        return virtname_wout_end(&o);
}

size_t virtname_domain_encode(const struct virtname_domain *d, uint8_t *buf, size_t cap)
{
        static const uint8_t no_uuid[VIRTNAME_UUID_LEN];
        struct virtname_wout o = { buf, cap, 0, false };

        virtname_wout_uint(&o, VIRTNAME_RECORD_VERSION, 1);
        virtname_wout_uint(&o, (uint64_t)d->state, 1);
        virtname_wout_uint(&o, d->has_uuid, 1);
        virtname_wout_put(&o, d->has_uuid ? d->uuid : no_uuid, VIRTNAME_UUID_LEN);
        virtname_wout_uint(&o, (uint32_t)d->id, 4);
        virtname_wout_uint(&o, d->cid, 4);
        virtname_wout_uint(&o, (uint64_t)d->updated, 8);
        virtname_wout_str(&o, d->name);
        if (d->n_ifaces > UINT16_MAX)
                o.bad = true;
        virtname_wout_uint(&o, d->n_ifaces, 2);
        for (size_t i = 0; i < d->n_ifaces && !o.bad; i++) {
                virtname_wout_put(&o, d->ifaces[i].mac, VIRTNAME_MAC_LEN);
                virtname_wout_str(&o, d->ifaces[i].network);
                virtname_wout_str(&o, d->ifaces[i].filter);
                virtname_wout_str(&o, d->ifaces[i].port);
        }
        return virtname_wout_end(&o);
}

size_t virtname_network_encode(const struct virtname_network *n, uint8_t *buf, size_t cap)
{
        struct virtname_wout o = { buf, cap, 0, false };

        virtname_wout_uint(&o, VIRTNAME_RECORD_VERSION, 1);
        virtname_wout_uint(&o, n->active, 1);
        virtname_wout_uint(&o, (uint64_t)n->updated, 8);
        virtname_wout_str(&o, n->name);
        virtname_wout_str(&o, n->bridge);
        virtname_wout_str(&o, n->suffix);
        return virtname_wout_end(&o);
}

/* The matching reader: cache/read/wire.h. */
static struct virtname_str take_str(struct virtname_wire *in)
{
        size_t n = (size_t)virtname_wire_uint(in, 2);
        const uint8_t *p = virtname_wire_take(in, n);

        return (struct virtname_str){ p ? (const char *)p : "", p ? n : 0 };
}

static int begin(struct virtname_wire *in, const void *data, size_t len)
{
        in->p = data;
        in->end = in->p + len;
        in->bad = false;
        return virtname_wire_uint(in, 1) == VIRTNAME_RECORD_VERSION && !in->bad ? 0 : -EBADMSG;
}

static int end(const struct virtname_wire *in)
{
        return in->bad || in->p != in->end ? -EBADMSG : 0;
}

int virtname_lease_decode(const void *data, size_t len, struct virtname_lease_view *v)
{
        struct virtname_wire in;
        unsigned fam;

        if (begin(&in, data, len) < 0)
                return -EBADMSG;
        fam = (unsigned)virtname_wire_uint(&in, 1);
        if (fam != 4 && fam != 6)
                return -EBADMSG;
        v->family = fam == 6 ? AF_INET6 : AF_INET;
        v->flags = (unsigned)virtname_wire_uint(&in, 1);
        v->addr = virtname_wire_take(&in, 16);
        v->mac = virtname_wire_take(&in, VIRTNAME_MAC_LEN);
        v->expiry = (int64_t)virtname_wire_uint(&in, 8);
        v->seen = (int64_t)virtname_wire_uint(&in, 8);
        v->iaid = (uint32_t)virtname_wire_uint(&in, 4);
        v->evidence = (enum virtname_evidence)virtname_wire_uint(&in, 1);
        v->proved = (int64_t)virtname_wire_uint(&in, 8);
        v->proved_id = (int32_t)(uint32_t)virtname_wire_uint(&in, 4);
        v->hostname = take_str(&in);
        v->network = take_str(&in);
        v->suffix = take_str(&in);
        v->clientid = take_str(&in);
        v->port = take_str(&in);
        if (v->evidence > VIRTNAME_EV_AGENT)
                return -EBADMSG;
        return end(&in);
}

int virtname_domain_decode(const void *data, size_t len, struct virtname_domain_view *v)
{
        struct virtname_wire in;

        if (begin(&in, data, len) < 0)
                return -EBADMSG;
        v->state = (enum virtname_domain_state)virtname_wire_uint(&in, 1);
        v->has_uuid = virtname_wire_uint(&in, 1) != 0;
        v->uuid = virtname_wire_take(&in, VIRTNAME_UUID_LEN);
        v->id = (int32_t)(uint32_t)virtname_wire_uint(&in, 4);
        v->cid = (uint32_t)virtname_wire_uint(&in, 4);
        v->updated = (int64_t)virtname_wire_uint(&in, 8);
        v->name = take_str(&in);
        v->n_ifaces = (size_t)virtname_wire_uint(&in, 2);
        v->ifaces = in.p;
        for (size_t i = 0; i < v->n_ifaces && !in.bad; i++) {
                virtname_wire_take(&in, VIRTNAME_MAC_LEN);
                take_str(&in);
                take_str(&in);
                take_str(&in);
        }
        v->end = in.p;
        return end(&in);
}

bool virtname_domain_iface_next(const struct virtname_domain_view *v, size_t *pos,
                                struct virtname_iface_view *iface)
{
        struct virtname_wire in = { v->ifaces + *pos, v->end, false };

        if (in.p >= in.end)
                return false;
        iface->mac = virtname_wire_take(&in, VIRTNAME_MAC_LEN);
        iface->network = take_str(&in);
        iface->filter = take_str(&in);
        iface->port = take_str(&in);
        if (in.bad)
                return false;
        *pos = (size_t)(in.p - v->ifaces);
        return true;
}

int virtname_network_decode(const void *data, size_t len, struct virtname_network_view *v)
{
        struct virtname_wire in;

        if (begin(&in, data, len) < 0)
                return -EBADMSG;
        v->active = virtname_wire_uint(&in, 1) != 0;
        v->updated = (int64_t)virtname_wire_uint(&in, 8);
        v->name = take_str(&in);
        v->bridge = take_str(&in);
        v->suffix = take_str(&in);
        return end(&in);
}

void virtname_addr_key(int family, const uint8_t addr[16], uint8_t key[VIRTNAME_ADDR_KEY_LEN])
{
        key[0] = family == AF_INET6 ? 6 : 4;
        memcpy(key + 1, addr, 16);
        if (family != AF_INET6)
                memset(key + 5, 0, 12);
}

size_t virtname_lease_key(int family, const uint8_t addr[16], struct virtname_str network,
                          uint8_t key[VIRTNAME_LEASE_KEY_MAX])
{
        if (network.len > VIRTNAME_NETWORK_MAX)
                return 0;
        virtname_addr_key(family, addr, key);
        if (network.len)
                memcpy(key + VIRTNAME_ADDR_KEY_LEN, network.p, network.len);
        return VIRTNAME_ADDR_KEY_LEN + network.len;
}

void virtname_id_key(uint32_t id, uint8_t key[4])
{
        virtname_be_put(key, id, 4);
}

bool virtname_str_eq(struct virtname_str s, const char *z)
{
        return strlen(z) == s.len && memcmp(s.p, z, s.len) == 0;
}

struct virtname_str virtname_str_of(const char *z)
{
        return (struct virtname_str){ z ? z : "", z ? strlen(z) : 0 };
}

/* A key part that may not hold NUL (it ends at the NUL after it), at
 * most MAX bytes. */
static size_t put_part(uint8_t *out, size_t at, struct virtname_str s, size_t max)
{
        if (s.len == 0 || s.len > max || memchr(s.p, '\0', s.len))
                return 0;
        memcpy(out + at, s.p, s.len);
        out[at + s.len] = '\0';
        return at + s.len + 1;
}

size_t virtname_hostidx_prefix(struct virtname_str hostkey, uint8_t *out)
{
        return put_part(out, 0, hostkey, VIRTNAME_LABEL_MAX);
}

size_t virtname_hostidx_key(struct virtname_str hostkey, const uint8_t *lease_key, size_t lease_len,
                            uint8_t *out)
{
        size_t n = put_part(out, 0, hostkey, VIRTNAME_LABEL_MAX);

        if (n == 0 || lease_len > VIRTNAME_LEASE_KEY_MAX)
                return 0;
        memcpy(out + n, lease_key, lease_len);
        return n + lease_len;
}

size_t virtname_iface_prefix(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             uint8_t *out)
{
        size_t n = put_part(out, 0, network, VIRTNAME_NETWORK_MAX);

        if (n == 0)
                return 0;
        memcpy(out + n, mac, VIRTNAME_MAC_LEN);
        return n + VIRTNAME_MAC_LEN;
}

size_t virtname_ifaceidx_key(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             const uint8_t *addr_key, uint8_t *out)
{
        size_t n = virtname_iface_prefix(network, mac, out);

        if (n == 0)
                return 0;
        memcpy(out + n, addr_key, VIRTNAME_ADDR_KEY_LEN);
        return n + VIRTNAME_ADDR_KEY_LEN;
}

size_t virtname_owner_key(struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          struct virtname_str domain_key, uint8_t *out)
{
        size_t n = virtname_iface_prefix(network, mac, out);

        if (n == 0 || domain_key.len == 0 || domain_key.len > VIRTNAME_NAME_MAX)
                return 0;
        memcpy(out + n, domain_key.p, domain_key.len);
        return n + domain_key.len;
}

bool virtname_iface_key_split(const uint8_t *k, size_t len, struct virtname_str *network, const uint8_t **mac,
                              const uint8_t **rest, size_t *rest_len)
{
        const uint8_t *nul = memchr(k, '\0', len);

        if (!nul || (size_t)(nul - k) + 1 + VIRTNAME_MAC_LEN > len)
                return false;
        *network = (struct virtname_str){ (const char *)k, (size_t)(nul - k) };
        *mac = nul + 1;
        *rest = nul + 1 + VIRTNAME_MAC_LEN;
        *rest_len = len - (size_t)(*rest - k);
        return true;
}

size_t virtname_host_key_len(struct virtname_str hostname)
{
        size_t n = 0;

        while (n < hostname.len && hostname.p[n] != '.')
                n++;
        return n;
}

/* The address of an address key (the first VIRTNAME_ADDR_KEY_LEN bytes
 * of K). */
static int addr_key_names(const uint8_t *k, const struct virtname_names_fn *fn, void *ctx)
{
        return fn->addr(ctx, k[0] == 6 ? AF_INET6 : AF_INET, k + 1);
}

int virtname_key_names(enum virtname_db db, const uint8_t *key, size_t klen, const struct virtname_names_fn *fn,
                       void *ctx)
{
        const uint8_t *mac, *rest, *nul;
        struct virtname_str network;
        size_t rest_len;
        int rc;

        switch (db) {
        case VIRTNAME_DB_LEASES:
                return klen >= VIRTNAME_ADDR_KEY_LEN ? addr_key_names(key, fn, ctx) : 0;
        case VIRTNAME_DB_DOMAINS:
                return fn->name(ctx, (const char *)key, klen);
        case VIRTNAME_DB_DNAMES:
                nul = memchr(key, '\0', klen);
                return nul ? fn->name(ctx, (const char *)key, (size_t)(nul - key)) : 0;
        case VIRTNAME_DB_OWNERS:
                if (!virtname_iface_key_split(key, klen, &network, &mac, &rest, &rest_len))
                        return 0;
                rc = fn->iface(ctx, network, mac);
                return rc < 0 ? rc : fn->name(ctx, (const char *)rest, rest_len);
        case VIRTNAME_DB_IFACEIDX:
                if (!virtname_iface_key_split(key, klen, &network, &mac, &rest, &rest_len))
                        return 0;
                rc = fn->iface(ctx, network, mac);
                return rc < 0 || rest_len < VIRTNAME_ADDR_KEY_LEN ? rc : addr_key_names(rest, fn, ctx);
        case VIRTNAME_DB_HOSTIDX:
                nul = memchr(key, '\0', klen);
                if (!nul || (size_t)(nul - key) + 1 + VIRTNAME_ADDR_KEY_LEN > klen)
                        return 0;
                rc = fn->name(ctx, (const char *)key, (size_t)(nul - key));
                return rc < 0 ? rc : addr_key_names(nul + 1, fn, ctx);
        default:
                return 0;
        }
}

int virtname_record_names(enum virtname_db db, const void *data, size_t len, const struct virtname_names_fn *fn,
                          void *ctx)
{
        struct virtname_lease_view l;
        struct virtname_domain_view d;
        struct virtname_iface_view f;
        size_t pos = 0;
        int rc = 0;

        if (db == VIRTNAME_DB_LEASES && virtname_lease_decode(data, len, &l) == 0) {
                if ((rc = fn->name(ctx, l.hostname.p, virtname_host_key_len(l.hostname))) < 0 ||
                    (rc = fn->addr(ctx, l.family, l.addr)) < 0)
                        return rc;
                return (l.flags & VIRTNAME_LEASE_HAS_MAC) ? fn->iface(ctx, l.network, l.mac) : 0;
        }
        if (db == VIRTNAME_DB_DOMAINS && virtname_domain_decode(data, len, &d) == 0)
                while (rc == 0 && virtname_domain_iface_next(&d, &pos, &f))
                        rc = fn->iface(ctx, f.network, f.mac);
        return rc;
}
