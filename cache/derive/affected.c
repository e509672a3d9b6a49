/* affected.c - from the keys a transaction changed to the names and
 * hosts lines it changed (affected.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/derive/affected.h"
#include "cache/read/delta.h"
#include "cache/read/names.h"

/* Growing arrays of fixed-size items. */
struct vec {
        void *p;
        size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
        if (v->n == v->cap) {
                size_t cap = v->cap ? 2 * v->cap : 16;
                void *more = reallocarray(v->p, cap, v->size);

                if (!more)
                        return NULL;
                v->p = more;
                v->cap = cap;
        }
        return memset((char *)v->p + v->n++ * v->size, 0, v->size);
}

static void vec_unique(struct vec *v, int (*cmp)(const void *, const void *))
{
        size_t n = 0;

        if (v->n == 0)
                return;
        qsort(v->p, v->n, v->size, cmp);
        for (size_t i = 1; i < v->n; i++)
                if (cmp((char *)v->p + n * v->size, (char *)v->p + i * v->size) != 0)
                        memmove((char *)v->p + ++n * v->size, (char *)v->p + i * v->size, v->size);
        v->n = n + 1;
}

typedef char name_t[VIRTNAME_NAME_MAX + 1];

struct addr {
        int family;
        uint8_t addr[16];
};

struct iface {
        uint8_t mac[VIRTNAME_MAC_LEN];
        char network[VIRTNAME_NETWORK_MAX + 1];
};

static int cmp_name(const void *a, const void *b)
{
        return strcmp(a, b);
}

static int cmp_addr(const void *a, const void *b)
{
        const struct addr *x = a, *y = b;

        return x->family != y->family ? x->family - y->family : memcmp(x->addr, y->addr, 16);
}

static int cmp_iface(const void *a, const void *b)
{
        const struct iface *x = a, *y = b;
        int c = strcmp(x->network, y->network);

        return c ? c : memcmp(x->mac, y->mac, VIRTNAME_MAC_LEN);
}

struct work {
        const struct virtname_view *view[2];   /* before, after */
        int64_t now;
        struct vec names, addrs, ifaces;       /* candidates */
        struct vec out_names, out_lines;
};

static int add_name(struct vec *v, const char *s, size_t len)
{
        char raw[VIRTNAME_NAME_MAX + 1];
        char *slot;

        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return 0;
        memcpy(raw, s, len);
        raw[len] = '\0';
        if (!(slot = vec_push(v)))
                return -ENOMEM;
        if (virtname_name_normalise(raw, slot) < 0)
                v->n--;
        return 0;
}

static int add_addr(struct vec *v, int family, const uint8_t *addr)
{
        struct addr *a = vec_push(v);

        if (!a)
                return -ENOMEM;
        a->family = family;
        memcpy(a->addr, addr, 16);
        return 0;
}

static int add_iface(struct vec *v, struct virtname_str network, const uint8_t *mac)
{
        struct iface *f;

        if (network.len == 0 || network.len > VIRTNAME_NETWORK_MAX)
                return 0;
        if (!(f = vec_push(v)))
                return -ENOMEM;
        memcpy(f->mac, mac, VIRTNAME_MAC_LEN);
        memcpy(f->network, network.p, network.len);
        return 0;
}

/* What records name (record.h), into W's candidates. */
static int name_cb(void *ctx, const char *p, size_t len)
{
        return add_name(&((struct work *)ctx)->names, p, len);
}

static int addr_cb(void *ctx, int family, const uint8_t addr[16])
{
        return add_addr(&((struct work *)ctx)->addrs, family, addr);
}

static int iface_cb(void *ctx, struct virtname_str network, const uint8_t mac[VIRTNAME_MAC_LEN])
{
        return add_iface(&((struct work *)ctx)->ifaces, network, mac);
}

static const struct virtname_names_fn to_work = { name_cb, addr_cb, iface_cb };

/* What changed record C names, with VALUE (NULL: none).  (networks:
 * seed_network(); the rest holds no answers.) */
static int seed(struct work *w, const struct virtname_change *c, const MDB_val *value)
{
        int rc = virtname_key_names(c->db, c->key, c->klen, &to_work, w);

        return rc == 0 && value ? virtname_record_names(c->db, value->mv_data, value->mv_size, &to_work, w) : rc;
}

/* Whether network record DATA (LEN bytes; NULL: none) says it runs. */
static int network_active(const void *data, size_t len)
{
        struct virtname_network_view n;

        return !data ? -1 : virtname_network_decode(data, len, &n) < 0 ? -1 : n.active;
}

/* A network record changed: when the network started or stopped, every
 * address leased on it. */
static int seed_network(struct work *w, const struct virtname_change *c)
{
        MDB_val k = { c->klen, (void *)c->key }, now, lease;
        struct virtname_lease_view l;
        struct virtname_iter it;
        int rc = virtname_view_get(w->view[1], VIRTNAME_DB_NETWORKS, &k, &now);

        if (rc < 0 && rc != -ENOENT)
                return rc;
        if (network_active(c->had_old ? c->key + c->klen : NULL, c->old_len) ==
            network_active(rc == 0 ? now.mv_data : NULL, rc == 0 ? now.mv_size : 0))
                return 0;
        rc = virtname_iter_start(&it, w->view[1], VIRTNAME_DB_LEASES, NULL, 0);
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &lease)) == 0)
                if (virtname_lease_decode(lease.mv_data, lease.mv_size, &l) == 0 &&
                    l.network.len == c->klen && memcmp(l.network.p, c->key, c->klen) == 0)
                        rc = add_addr(&w->addrs, l.family, l.addr);
        virtname_iter_end(&it);
        return rc == -ENOENT ? 0 : rc;
}

static int iface_lease(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        return add_addr(ctx, l->family, l->addr);
}

/* Whether NAME's records changed, and every address either view gives
 * it (also for a name DNS cannot carry: its addresses may have other
 * PTRs now). */
static int follow_name(struct work *w, const char *name)
{
        struct virtname_named a[2];
        struct virtname_answer any;
        bool same;
        int rc = 0;

        for (int i = 0; i < 2 && rc == 0; i++)
                rc = virtname_export_name(w->view[i], name, w->now, &a[i]);
        if (rc < 0)
                return rc;
        same = a[0].answer.n == a[1].answer.n;
        for (size_t i = 0; same && i < a[0].answer.n; i++) {
                size_t j = 0;

                while (j < a[1].answer.n && (a[1].answer.addr[j].family != a[0].answer.addr[i].family ||
                                             memcmp(a[1].answer.addr[j].addr, a[0].answer.addr[i].addr, 16)))
                        j++;
                same = j < a[1].answer.n && a[1].reverse[j] == a[0].reverse[i];
        }
        if (!same && (rc = add_name(&w->out_names, name, strlen(name))) < 0)
                return rc;
        for (int i = 0; i < 2; i++) {
                if ((rc = virtname_resolve(w->view[i], name, AF_UNSPEC, w->now, &any)) < 0)
                        return rc;
                for (size_t j = 0; j < any.n; j++)
                        if ((rc = add_addr(&w->addrs, any.addr[j].family, any.addr[j].addr)) < 0)
                                return rc;
        }
        return 0;
}

/* The networks ADDR is leased on, in either view. */
static int networks_of(struct work *w, const struct addr *a, struct vec *nets)
{
        uint8_t key[VIRTNAME_ADDR_KEY_LEN];
        struct virtname_iter it;
        MDB_val k, d;
        int rc = 0;

        nets->n = 0;
        virtname_addr_key(a->family, a->addr, key);
        for (int i = 0; i < 2 && (rc == 0 || rc == -ENOENT); i++) {
                rc = virtname_iter_start(&it, w->view[i], VIRTNAME_DB_LEASES, key, sizeof(key));
                while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                        struct virtname_str net = { (const char *)k.mv_data + sizeof(key),
                                                    k.mv_size - sizeof(key) };
                        uint8_t mac[VIRTNAME_MAC_LEN] = { 0 };

                        if ((rc = add_iface(nets, net, mac)) < 0)
                                break;
                }
                virtname_iter_end(&it);
        }
        if (rc != 0 && rc != -ENOENT)
                return rc;
        vec_unique(nets, cmp_iface);
        return 0;
}

static bool same_reverse(int rc0, const struct virtname_reverse *r0, int rc1, const struct virtname_reverse *r1)
{
        return rc0 == rc1 && (rc0 != 0 || (r0->source == r1->source && strcmp(r0->name, r1->name) == 0));
}

/* Compare ADDR's lines in both views, and keep the changed ones.  When a
 * line or the address's reverse name changed, every name on its lines
 * (then and now, on any network) may have another PTR. */
static int follow_addr(struct work *w, const struct addr *a, struct vec *nets)
{
        struct virtname_line (*l)[2] = NULL;
        struct virtname_reverse r[2];
        int rc = networks_of(w, a, nets), rrc[2];
        bool changed;

        if (rc < 0 || nets->n == 0)
                return rc;
        if (!(l = calloc(nets->n, sizeof(*l))))
                return -ENOMEM;
        for (int v = 0; v < 2; v++) {
                rrc[v] = virtname_reverse(w->view[v], a->family, a->addr, w->now, &r[v]);
                if (rrc[v] < 0 && rrc[v] != -ENOENT)
                        rc = rrc[v];
        }
        changed = !same_reverse(rrc[0], &r[0], rrc[1], &r[1]);
        for (size_t i = 0; rc == 0 && i < nets->n; i++) {
                struct virtname_str ns = virtname_str_of(((const struct iface *)nets->p)[i].network);
                struct virtname_line *slot;

                for (int v = 0; v < 2 && rc == 0; v++)
                        rc = virtname_export_line(w->view[v], a->family, a->addr, ns, w->now, &l[i][v]);
                if (rc < 0 || virtname_line_equal(&l[i][0], &l[i][1]))
                        continue;
                changed = true;
                if (!(slot = vec_push(&w->out_lines)))
                        rc = -ENOMEM;
                else
                        *slot = l[i][1];
        }
        for (size_t i = 0; rc == 0 && changed && i < nets->n; i++)
                for (int v = 0; v < 2 && rc == 0; v++)
                        for (unsigned j = 0; j < l[i][v].n && rc == 0; j++)
                                rc = add_name(&w->out_names, l[i][v].names[j], strlen(l[i][v].names[j]));
        free(l);
        return rc;
}

/* The names on the lines of the addresses in W->addrs, then and now, as
 * candidates. */
static int line_names(struct work *w, struct vec *nets)
{
        int rc = 0;

        for (size_t i = 0; i < w->addrs.n && rc == 0; i++) {
                const struct addr *a = (const struct addr *)w->addrs.p + i;

                rc = networks_of(w, a, nets);
                for (size_t j = 0; rc == 0 && j < nets->n; j++) {
                        const struct iface *net = (const struct iface *)nets->p + j;
                        struct virtname_line l;

                        for (int v = 0; v < 2 && rc == 0; v++) {
                                rc = virtname_export_line(w->view[v], a->family, a->addr,
                                                          virtname_str_of(net->network), w->now, &l);
                                for (unsigned k = 0; rc == 0 && k < l.n; k++)
                                        rc = add_name(&w->names, l.names[k], strlen(l.names[k]));
                        }
                }
        }
        return rc;
}

int virtname_affected_compute(const struct virtname_view *after, struct virtname_change *const *changes,
                              size_t n, int64_t now, struct virtname_affected *out)
{
        struct work w = { .view = { NULL, after }, .now = now,
                          .names = { .size = sizeof(name_t) }, .addrs = { .size = sizeof(struct addr) },
                          .ifaces = { .size = sizeof(struct iface) }, .out_names = { .size = sizeof(name_t) },
                          .out_lines = { .size = sizeof(struct virtname_line) } };
        struct vec nets = { .size = sizeof(struct iface) };
        struct virtname_view before;
        struct virtname_delta delta;
        uint8_t *buf = NULL;
        int rc;

        memset(out, 0, sizeof(*out));
        if (n > VIRTNAME_AFFECTED_MAX)
                return -E2BIG;
        rc = virtname_changes_before(after, changes, n, &buf, &delta, &before);
        w.view[0] = &before;

        /* 1. What the changed records name, before and after. */
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const struct virtname_change *c = changes[i];
                MDB_val value, old = { c->old_len, (void *)(c->key + c->klen) };
                int r = virtname_view_get(after, c->db, &(MDB_val){ c->klen, (void *)c->key }, &value);

                if (r < 0 && r != -ENOENT)
                        rc = r;
                if (rc == 0)
                        rc = seed(&w, c, r == 0 ? &value : NULL);
                if (rc == 0 && c->had_old)
                        rc = seed(&w, c, &old);
        }
        /* A network started or stopped: all its leases. */
        for (size_t i = 0; rc == 0 && i < n; i++)
                if (changes[i]->db == VIRTNAME_DB_NETWORKS)
                        rc = seed_network(&w, changes[i]);
        /* 2. Every lease of the interfaces involved (their owner and
         *    newest lease may have changed). */
        vec_unique(&w.ifaces, cmp_iface);
        for (size_t i = 0; rc == 0 && i < w.ifaces.n; i++) {
                const struct iface *f = (const struct iface *)w.ifaces.p + i;

                for (int v = 0; v < 2 && rc == 0; v++)
                        rc = virtname_iface_leases(w.view[v], virtname_str_of(f->network), f->mac, now,
                                                   iface_lease, &w.addrs);
        }
        /* 3. The names on those addresses' lines, then and now. */
        vec_unique(&w.addrs, cmp_addr);
        if (rc == 0)
                rc = line_names(&w, &nets);
        /* 4. Each name in both views: changed ones are kept, and every
         *    address either view gives it may have a changed line. */
        vec_unique(&w.names, cmp_name);
        for (size_t i = 0; rc == 0 && i < w.names.n; i++)
                rc = follow_name(&w, ((name_t *)w.names.p)[i]);
        /* 5. Each address's lines in both views. */
        vec_unique(&w.addrs, cmp_addr);
        for (size_t i = 0; rc == 0 && i < w.addrs.n; i++)
                rc = follow_addr(&w, (const struct addr *)w.addrs.p + i, &nets);
        vec_unique(&w.out_names, cmp_name);

        free(buf);
        free(nets.p);
        free(w.names.p);
        free(w.addrs.p);
        free(w.ifaces.p);
        out->names = w.out_names.p;
        out->n_names = w.out_names.n;
        out->lines = w.out_lines.p;
        out->n_lines = w.out_lines.n;
        return rc;
}

void virtname_affected_free(struct virtname_affected *a)
{
        free(a->names);
        free(a->lines);
        memset(a, 0, sizeof(*a));
}

int virtname_affected_of(struct virtname_writer *w, int64_t now, struct virtname_affected *out)
{
        struct virtname_change *const *changes;
        size_t n;

        memset(out, 0, sizeof(*out));
        if (virtname_writer_whole(w))
                return -E2BIG;  /* the old store is not the one this transaction changes */
        changes = virtname_writer_changes(w, &n);
        return virtname_affected_compute(virtname_writer_view(w), changes, n, now, out);
}
