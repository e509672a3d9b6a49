/* event.c - encoding events and applying them to the store (event.h).
 *
 * Layout: u8 version, u8 kind, then per kind (integers little-endian,
 * strings as u16 length + bytes, records as u32 length + the record of
 * record.h):
 *   lease         u8 action, lease record, bridge, DNS domain
 *   domain        domain record, u16 n, n interface bridges; then (absent
 *                 in events of older versions) u16 n, n macvtap devices,
 *                 u16 m, m administrator's addresses: u8 has MAC, MAC, u8
 *                 family (4/6), 16 address bytes
 *   domain-gone   name
 *   network       network record, u16 n, n static hosts: u8 has MAC,
 *                 MAC, u8 family (4/6), 16 address bytes, host name
 *   network-stop  name
 *   port          u8 plugged, u8 has UUID, UUID, MAC, domain, network
 *   hostsdir      network name
 *   proof         network, MAC, u8 family (4/6), 16 address bytes, u8
 *                 evidence, port, u32 domain ID, i64 time
 *   dropped       why (one line)
 *   observed      as proof without the evidence byte, then u32 TTL
 *   agent         domain name, u32 domain ID, i64 time, u32 TTL, u16 n, n
 *                 times: MAC, u8 family (4/6), 16 address bytes
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/derive/hostsdir.h"
#include "cache/ingest/edit.h"
#include "cache/ingest/event.h"
#include "cache/read/names.h"
#include "cache/read/wire.h"
#include "cache/write/grow.h"

#define VERSION 1
/* As many as edit.c and virxml.c keep. */
#define MAX_IFACES 64
#define MAX_HOSTS 1024
#define MAX_ADMIN 64

enum kind {
        EV_LEASE = 1,
        EV_DOMAIN,
        EV_DOMAIN_GONE,
        EV_NETWORK,
        EV_NETWORK_STOP,
        EV_PORT,
        EV_HOSTSDIR,
        EV_PROOF,
        EV_DROPPED,
        EV_OBSERVED,
        EV_AGENT,
};

/* --- building ---------------------------------------------------------------- */

static void put(struct virtname_event *e, const void *p, size_t n)
{
        if (e->bad)
                return;
        if (!VIRTNAME_GROW(e->p, e->cap, e->len + n)) {
                e->bad = true;
                return;
        }
        if (n)
                memcpy(e->p + e->len, p, n);
        e->len += n;
}

static void put_uint(struct virtname_event *e, uint64_t v, size_t n)
{
        uint8_t b[8];

        virtname_le_put(b, v, n);
        put(e, b, n);
}

static void put_str(struct virtname_event *e, const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n > UINT16_MAX) {
                e->bad = true;
                return;
        }
        put_uint(e, n, 2);
        put(e, s, n);
}

typedef size_t (*encode_fn)(const void *rec, uint8_t *buf, size_t cap);

static void put_record(struct virtname_event *e, encode_fn encode, const void *rec)
{
        size_t n = encode(rec, NULL, 0);
        uint8_t *buf = n ? malloc(n) : NULL;

        if (!buf) {
                e->bad = true;
                return;
        }
        encode(rec, buf, n);
        put_uint(e, n, 4);
        put(e, buf, n);
        free(buf);
}

static size_t enc_lease(const void *r, uint8_t *b, size_t c) { return virtname_lease_encode(r, b, c); }
static size_t enc_domain(const void *r, uint8_t *b, size_t c) { return virtname_domain_encode(r, b, c); }
static size_t enc_network(const void *r, uint8_t *b, size_t c) { return virtname_network_encode(r, b, c); }

static void start(struct virtname_event *e, enum kind kind)
{
        put_uint(e, VERSION, 1);
        put_uint(e, kind, 1);
}

void virtname_event_lease(struct virtname_event *e, char action, const struct virtname_lease *l,
                          const char *bridge, const char *domain)
{
        start(e, EV_LEASE);
        put_uint(e, (uint8_t)action, 1);
        put_record(e, enc_lease, l);
        put_str(e, bridge);
        put_str(e, domain);
}

void virtname_event_domain(struct virtname_event *e, const struct virtname_xml_domain *x)
{
        struct virtname_domain d = x->d;
        size_t n = d.n_ifaces < MAX_IFACES ? d.n_ifaces : MAX_IFACES;

        d.n_ifaces = n;
        start(e, EV_DOMAIN);
        put_record(e, enc_domain, &d);
        put_uint(e, n, 2);
        for (size_t i = 0; i < n; i++)
                put_str(e, x->xifaces ? x->xifaces[i].bridge : NULL);
        put_uint(e, n, 2);
        for (size_t i = 0; i < n; i++)
                put_str(e, x->xifaces ? x->xifaces[i].direct : NULL);
        n = x->n_admin < MAX_ADMIN ? x->n_admin : MAX_ADMIN;
        put_uint(e, n, 2);
        for (size_t i = 0; i < n; i++) {
                put_uint(e, x->admin[i].has_mac, 1);
                put(e, x->admin[i].mac, VIRTNAME_MAC_LEN);
                put_uint(e, x->admin[i].family == AF_INET6 ? 6 : 4, 1);
                put(e, x->admin[i].addr, 16);
        }
}

void virtname_event_domain_gone(struct virtname_event *e, const char *name)
{
        start(e, EV_DOMAIN_GONE);
        put_str(e, name);
}

void virtname_event_network(struct virtname_event *e, const struct virtname_xml_network *n)
{
        size_t count = n->n_hosts < MAX_HOSTS ? n->n_hosts : MAX_HOSTS;

        start(e, EV_NETWORK);
        put_record(e, enc_network, &n->n);
        put_uint(e, count, 2);
        for (size_t i = 0; i < count; i++) {
                const struct virtname_xml_host *h = &n->hosts[i];

                put_uint(e, h->has_mac, 1);
                put(e, h->mac, VIRTNAME_MAC_LEN);
                put_uint(e, h->family == AF_INET6 ? 6 : 4, 1);
                put(e, h->addr, 16);
                put_str(e, h->hostname);
        }
}

void virtname_event_network_stop(struct virtname_event *e, const char *name)
{
        start(e, EV_NETWORK_STOP);
        put_str(e, name);
}

void virtname_event_port(struct virtname_event *e, const char *name, const uint8_t *uuid,
                         const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool plugged)
{
        static const uint8_t none[VIRTNAME_UUID_LEN];

        start(e, EV_PORT);
        put_uint(e, plugged, 1);
        put_uint(e, uuid != NULL, 1);
        put(e, uuid ? uuid : none, VIRTNAME_UUID_LEN);
        put(e, mac, VIRTNAME_MAC_LEN);
        put_str(e, name);
        put_str(e, network);
}

void virtname_event_hostsdir(struct virtname_event *e, const char *network)
{
        start(e, EV_HOSTSDIR);
        put_str(e, network);
}

void virtname_event_proof(struct virtname_event *e, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                          int family, const uint8_t addr[16], enum virtname_evidence evidence, const char *port,
                          int32_t id, int64_t when)
{
        start(e, EV_PROOF);
        put_str(e, network);
        put(e, mac, VIRTNAME_MAC_LEN);
        put_uint(e, family == AF_INET6 ? 6 : 4, 1);
        put(e, addr, 16);
        put_uint(e, evidence, 1);
        put_str(e, port);
        put_uint(e, (uint32_t)id, 4);
        put_uint(e, (uint64_t)when, 8);
}

void virtname_event_observed(struct virtname_event *e, const char *network, const uint8_t mac[VIRTNAME_MAC_LEN],
                             int family, const uint8_t addr[16], const char *port, int32_t id, int64_t when,
                             unsigned ttl)
{
        start(e, EV_OBSERVED);
        put_str(e, network);
        put(e, mac, VIRTNAME_MAC_LEN);
        put_uint(e, family == AF_INET6 ? 6 : 4, 1);
        put(e, addr, 16);
        put_str(e, port);
        put_uint(e, (uint32_t)id, 4);
        put_uint(e, (uint64_t)when, 8);
        put_uint(e, ttl, 4);
}

void virtname_event_agent(struct virtname_event *e, const char *name, int32_t id, int64_t when, unsigned ttl,
                          const struct virtname_agent_addr *addrs, size_t n)
{
        if (n > VIRTNAME_AGENT_ADDRS_MAX)
                n = VIRTNAME_AGENT_ADDRS_MAX;
        start(e, EV_AGENT);
        put_str(e, name);
        put_uint(e, (uint32_t)id, 4);
        put_uint(e, (uint64_t)when, 8);
        put_uint(e, ttl, 4);
        put_uint(e, n, 2);
        for (size_t i = 0; i < n; i++) {
                put(e, addrs[i].mac, VIRTNAME_MAC_LEN);
                put_uint(e, addrs[i].family == AF_INET6 ? 6 : 4, 1);
                put(e, addrs[i].addr, 16);
        }
}

void virtname_event_dropped(struct virtname_event *e, const char *why)
{
        start(e, EV_DROPPED);
        put_str(e, why);
}

void virtname_event_free(struct virtname_event *e)
{
        free(e->p);
        memset(e, 0, sizeof(*e));
}

/* --- decoding and applying ----------------------------------------------------- */

/* A bounded reader, and an arena for the NUL-terminated copies of the
 * strings the writer functions take. */
struct in {
        struct virtname_wire w;
        char *arena;
        size_t used, cap;
};

/* A copy of S with a NUL; NULL for an empty string. */
static const char *dup_str(struct in *in, struct virtname_str s)
{
        char *d;

        if (s.len == 0 || in->w.bad)
                return NULL;
        if (memchr(s.p, '\0', s.len) || in->used + s.len + 1 > in->cap) {
                in->w.bad = true;
                return NULL;
        }
        d = in->arena + in->used;
        memcpy(d, s.p, s.len);
        d[s.len] = '\0';
        in->used += s.len + 1;
        return d;
}

static const char *take_str(struct in *in)
{
        size_t n = (size_t)virtname_wire_uint(&in->w, 2);
        const uint8_t *p = virtname_wire_take(&in->w, n);

        return p ? dup_str(in, (struct virtname_str){ (const char *)p, n }) : NULL;
}

/* A record: its bytes, for the record decoders. */
static const uint8_t *take_record(struct in *in, size_t *len)
{
        *len = (size_t)virtname_wire_uint(&in->w, 4);
        return virtname_wire_take(&in->w, *len);
}

/* Is OLD, the stored lease of L's address and network, L's client's
 * (the same MAC, or none on both) and no administrator's static host?
 * Then L keeps what OLD has and L does not say. */
static bool same_client(const struct virtname_lease_view *old, const struct virtname_lease *l)
{
        return (old->flags & VIRTNAME_LEASE_HAS_MAC) == (l->flags & VIRTNAME_LEASE_HAS_MAC) &&
               (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || memcmp(old->mac, l->mac, VIRTNAME_MAC_LEN) == 0) &&
               !(old->flags & VIRTNAME_LEASE_STATIC);
}

/* What the store has for lease L's address and network, when that lease
 * has L's MAC: its host name (when HOSTNAME), and the time its client
 * last asked (when L does not say). */
static void kept(struct virtname_writer *w, struct in *in, struct virtname_lease *l, bool hostname)
{
        struct virtname_lease_view old;

        if (virtname_get_lease(virtname_writer_view(w), l->family, l->addr, virtname_str_of(l->network), &old) < 0)
                return;
        /* A DHCPv6 lease dnsmasq restores (at its start, or SIGHUP) comes
         * without the client's MAC: the same client's lease of this
         * address has it. */
        if (l->family == AF_INET6 && !(l->flags & VIRTNAME_LEASE_HAS_MAC) && (old.flags & VIRTNAME_LEASE_HAS_MAC) &&
            l->clientid && virtname_str_eq(old.clientid, l->clientid)) {
                memcpy(l->mac, old.mac, VIRTNAME_MAC_LEN);
                l->flags |= VIRTNAME_LEASE_HAS_MAC;
        }
        if (!same_client(&old, l))
                return;
        if (hostname)
                l->hostname = dup_str(in, old.hostname);
        if (l->seen == 0)
                l->seen = old.seen;
}

/* A lease event's action, lease L (what DHCP says of it: no evidence),
 * bridge and domain.  0 or -EBADMSG. */
static int take_lease(struct in *in, char *action, struct virtname_lease *l, const char **bridge,
                      const char **domain)
{
        struct virtname_lease_view v;
        const uint8_t *rec;
        size_t len;

        *action = (char)virtname_wire_uint(&in->w, 1);
        rec = take_record(in, &len);
        if (!rec || virtname_lease_decode(rec, len, &v) < 0)
                return -EBADMSG;
        *l = (struct virtname_lease){ .family = v.family, .flags = v.flags & VIRTNAME_LEASE_HAS_MAC,
                                      .expiry = v.expiry, .seen = v.seen, .iaid = v.iaid };
        memcpy(l->addr, v.addr, 16);
        memcpy(l->mac, v.mac, VIRTNAME_MAC_LEN);
        l->hostname = dup_str(in, v.hostname);
        l->clientid = dup_str(in, v.clientid);
        *bridge = take_str(in);
        *domain = take_str(in);
        if (in->w.bad || (*action != 'a' && *action != 'o' && *action != 'k' && *action != 'd') ||
            (l->hostname && !virtname_hostname_valid(l->hostname)))
                return -EBADMSG;
        return 0;
}

static int apply_lease(struct virtname_writer *w, struct in *in, char *what, size_t whatlen)
{
        char network[VIRTNAME_NAME_MAX + 1], suffix[VIRTNAME_NAME_MAX + 1], text[64];
        struct virtname_lease l;
        const char *bridge, *domain;
        char action;
        int rc;

        if (take_lease(in, &action, &l, &bridge, &domain) < 0)
                return -EBADMSG;
        if (!inet_ntop(l.family, l.addr, text, sizeof(text)))
                snprintf(text, sizeof(text), "?");
        snprintf(what, whatlen, "lease %s %s", action == 'a' ? "add" : action == 'd' ? "del" : "old",
                 text);
        /* The bridge names the libvirt network and its DNS domain; a bridge
         * no network record names keeps its own name. */
        if (!bridge || virtname_edit_network_of_bridge(w, bridge, network, suffix) < 0) {
                snprintf(network, sizeof(network), "%s", bridge ? bridge : "");
                snprintf(suffix, sizeof(suffix), "%s",
                         domain && virtname_hostname_valid(domain) ? domain : "");
        }
        if (action == 'd') {
                rc = network[0] ? virtname_edit_release(w, l.family, l.addr, network)
                                : virtname_writer_del_address(w, l.family, l.addr,
                                                              l.flags & VIRTNAME_LEASE_HAS_MAC ? l.mac : NULL);
                return rc < 0 ? rc : 0;
        }
        l.network = network[0] ? network : NULL;
        l.suffix = suffix[0] ? suffix : NULL;
        /* A lease dnsmasq reports again without the name the guest sent
         * (restored at its start, or renewed without one) keeps the
         * name it has, and a replay (no time the client asked) keeps
         * that time and the MAC, if the lease is still the same
         * client's. */
        if ((action == 'k' && !l.hostname) || l.seen == 0 || !(l.flags & VIRTNAME_LEASE_HAS_MAC))
                kept(w, in, &l, action == 'k' && !l.hostname);
        if (in->w.bad)
                return -ENOMEM;
        rc = virtname_writer_put_lease(w, &l);
        /* Refused (writer.h): another domain's port answers for the
         * address.  Any guest can send this: nothing to record, and no
         * event to retry (spooled, it would fail again before every later
         * event, and the store would take none). */
        return rc == -EEXIST ? 0 : rc;
}

/* Start reading the event in BUF (LEN bytes) into IN, with an arena for
 * its strings.  Returns its kind, -EBADMSG or -ENOMEM (IN's arena is
 * NULL then); free(in->arena) in every case. */
static int open_in(struct in *in, const void *buf, size_t len)
{
        int kind;

        *in = (struct in){ { buf, (const uint8_t *)buf + len, false }, NULL, 0,
                           2 * len + 16 + VIRTNAME_NAME_MAX + 1 };
        if (virtname_wire_uint(&in->w, 1) != VERSION)
                return -EBADMSG;
        kind = (int)virtname_wire_uint(&in->w, 1);
        return (in->arena = malloc(in->cap)) ? kind : -ENOMEM;
}

bool virtname_event_replays(const void *buf, size_t len, const char *bridge, const char *network,
                            const char *suffix, const void *raw, size_t rawlen)
{
        struct in in;
        struct virtname_lease_view old;
        struct virtname_lease l;
        const char *ev_bridge, *domain;
        char action, port[VIRTNAME_NAME_MAX + 1];
        uint8_t enc[1024];
        size_t n;
        bool same = false;

        if (open_in(&in, buf, len) != EV_LEASE)
                goto out;
        /* What apply_lease() would do with it, step by step, where each
         * step keeps the record as it is; anything else is not a replay
         * of the record. */
        if (take_lease(&in, &action, &l, &ev_bridge, &domain) < 0 || action != 'k' || l.hostname ||
            l.seen != 0 || !(l.flags & VIRTNAME_LEASE_HAS_MAC) || !ev_bridge || strcmp(ev_bridge, bridge) != 0 ||
            virtname_lease_decode(raw, rawlen, &old) < 0 || !same_client(&old, &l) ||
            (old.flags & (VIRTNAME_LEASE_STATIC | VIRTNAME_LEASE_ADMIN)))
                goto out;
        /* kept() */
        l.hostname = dup_str(&in, old.hostname);
        l.seen = old.seen;
        l.network = network && *network ? network : NULL;
        l.suffix = suffix && *suffix ? suffix : NULL;
        /* virtname_writer_put_lease() */
        if (in.w.bad || virtname_lease_keep_evidence(&l, &old, port) < 0)
                goto out;
        if (l.family == AF_INET)
                memset(l.addr + 4, 0, 12);
        n = virtname_lease_encode(&l, enc, sizeof(enc));
        same = n && n <= sizeof(enc) && n == rawlen && memcmp(enc, raw, n) == 0;
out:
        free(in.arena);
        return same;
}

/* A proof, or (OBSERVED) an observation: what a port said. */
static int apply_proof(struct virtname_writer *w, struct in *in, bool observed, char *what, size_t whatlen)
{
        const char *network = take_str(in), *port;
        const uint8_t *mac = virtname_wire_take(&in->w, VIRTNAME_MAC_LEN), *addr;
        unsigned fam = (unsigned)virtname_wire_uint(&in->w, 1), evidence = VIRTNAME_EV_PORT;
        uint8_t full[16];
        char text[64];
        int32_t id;
        int64_t when;
        unsigned ttl = 0;

        addr = virtname_wire_take(&in->w, 16);
        if (!observed)
                evidence = (unsigned)virtname_wire_uint(&in->w, 1);
        port = take_str(in);
        id = (int32_t)(uint32_t)virtname_wire_uint(&in->w, 4);
        when = (int64_t)virtname_wire_uint(&in->w, 8);
        if (observed)
                ttl = (unsigned)virtname_wire_uint(&in->w, 4);
        if (in->w.bad || !network || !mac || !addr || (fam != 4 && fam != 6) ||
            (evidence != VIRTNAME_EV_PORT && evidence != VIRTNAME_EV_SILENT))
                return -EBADMSG;
        memcpy(full, addr, 16);
        if (!inet_ntop(fam == 6 ? AF_INET6 : AF_INET, full, text, sizeof(text)))
                snprintf(text, sizeof(text), "?");
        snprintf(what, whatlen, "port %.32s %s for %s", port ? port : "?",
                 observed ? "seen and answers" : evidence == VIRTNAME_EV_PORT ? "answers" : "is silent", text);
        if (observed)
                return virtname_edit_observe(w, network, mac, fam == 6 ? AF_INET6 : AF_INET, full, port, id, when,
                                             ttl);
        return virtname_edit_prove(w, network, mac, fam == 6 ? AF_INET6 : AF_INET, full,
                                   (enum virtname_evidence)evidence, port, id, when);
}

static int apply_agent(struct virtname_writer *w, struct in *in, char *what, size_t whatlen)
{
        struct virtname_agent_addr addrs[VIRTNAME_AGENT_ADDRS_MAX];
        const char *name = take_str(in);
        int32_t id = (int32_t)(uint32_t)virtname_wire_uint(&in->w, 4);
        int64_t when = (int64_t)virtname_wire_uint(&in->w, 8);
        unsigned ttl = (unsigned)virtname_wire_uint(&in->w, 4);
        size_t n = (size_t)virtname_wire_uint(&in->w, 2);

        if (in->w.bad || !name || n > VIRTNAME_AGENT_ADDRS_MAX)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                const uint8_t *mac = virtname_wire_take(&in->w, VIRTNAME_MAC_LEN), *addr;
                unsigned fam = (unsigned)virtname_wire_uint(&in->w, 1);

                addr = virtname_wire_take(&in->w, 16);
                if (in->w.bad || !mac || !addr || (fam != 4 && fam != 6))
                        return -EBADMSG;
                memcpy(addrs[i].mac, mac, VIRTNAME_MAC_LEN);
                addrs[i].family = fam == 6 ? AF_INET6 : AF_INET;
                memcpy(addrs[i].addr, addr, 16);
        }
        snprintf(what, whatlen, "domain %.200s: its agent reports %zu address%s", name, n, n == 1 ? "" : "es");
        return virtname_edit_agent(w, name, id, when, ttl, addrs, n);
}

static int apply_domain(struct virtname_writer *w, struct in *in, char *what, size_t whatlen)
{
        struct virtname_iface ifaces[MAX_IFACES];
        struct virtname_xml_iface xifaces[MAX_IFACES];
        struct virtname_xml_admin admin[MAX_ADMIN];
        struct virtname_xml_domain x = { .ifaces = ifaces, .xifaces = xifaces };
        struct virtname_domain_view v;
        struct virtname_iface_view f;
        const uint8_t *rec;
        size_t len, pos = 0, n;

        rec = take_record(in, &len);
        if (!rec || virtname_domain_decode(rec, len, &v) < 0 || v.n_ifaces > MAX_IFACES)
                return -EBADMSG;
        x.d.name = dup_str(in, v.name);
        x.d.has_uuid = v.has_uuid;
        memcpy(x.d.uuid, v.uuid, VIRTNAME_UUID_LEN);
        x.d.id = v.id;
        x.d.state = v.state;
        x.d.cid = v.cid;
        x.d.updated = v.updated;
        while (x.d.n_ifaces < MAX_IFACES && virtname_domain_iface_next(&v, &pos, &f)) {
                struct virtname_iface *i = &ifaces[x.d.n_ifaces];

                memcpy(i->mac, f.mac, VIRTNAME_MAC_LEN);
                i->network = dup_str(in, f.network);
                i->filter = dup_str(in, f.filter);
                i->port = dup_str(in, f.port);
                memset(&xifaces[x.d.n_ifaces], 0, sizeof(xifaces[0]));
                x.d.n_ifaces++;
        }
        x.d.ifaces = ifaces;
        n = (size_t)virtname_wire_uint(&in->w, 2);
        for (size_t i = 0; i < n && !in->w.bad; i++) {
                const char *bridge = take_str(in);

                if (i < x.d.n_ifaces)
                        xifaces[i].bridge = (char *)bridge;
        }
        /* Events of older versions end here. */
        if (!in->w.bad && in->w.p != in->w.end) {
                n = (size_t)virtname_wire_uint(&in->w, 2);
                for (size_t i = 0; i < n && !in->w.bad; i++) {
                        const char *direct = take_str(in);

                        if (i < x.d.n_ifaces)
                                xifaces[i].direct = (char *)direct;
                }
                x.n_admin = (size_t)virtname_wire_uint(&in->w, 2);
                if (x.n_admin > MAX_ADMIN)
                        return -EBADMSG;
                x.admin = admin;
                for (size_t i = 0; i < x.n_admin && !in->w.bad; i++) {
                        const uint8_t *mac, *addr;

                        admin[i].has_mac = virtname_wire_uint(&in->w, 1) != 0;
                        mac = virtname_wire_take(&in->w, VIRTNAME_MAC_LEN);
                        admin[i].family = virtname_wire_uint(&in->w, 1) == 6 ? AF_INET6 : AF_INET;
                        addr = virtname_wire_take(&in->w, 16);
                        if (mac && addr) {
                                memcpy(admin[i].mac, mac, VIRTNAME_MAC_LEN);
                                memcpy(admin[i].addr, addr, 16);
                        }
                }
        }
        if (in->w.bad || !x.d.name)
                return -EBADMSG;
        snprintf(what, whatlen, "domain %.200s", x.d.name);
        return virtname_edit_put_domain(w, &x);
}

static int apply_network(struct virtname_writer *w, struct in *in, char *what, size_t whatlen)
{
        struct virtname_xml_network net = { 0 };
        struct virtname_network_view v;
        const uint8_t *rec;
        size_t len, n;
        int rc;

        rec = take_record(in, &len);
        if (!rec || virtname_network_decode(rec, len, &v) < 0)
                return -EBADMSG;
        net.name = (char *)dup_str(in, v.name);
        net.bridge = (char *)dup_str(in, v.bridge);
        net.suffix = (char *)dup_str(in, v.suffix);
        net.n = (struct virtname_network){ net.name, net.bridge, net.suffix, v.active, v.updated };
        n = (size_t)virtname_wire_uint(&in->w, 2);
        if (in->w.bad || !net.name || n > MAX_HOSTS)
                return -EBADMSG;
        net.hosts = calloc(n ? n : 1, sizeof(*net.hosts));
        if (!net.hosts)
                return -ENOMEM;
        for (size_t i = 0; i < n && !in->w.bad; i++) {
                struct virtname_xml_host *h = &net.hosts[i];
                const uint8_t *mac, *addr;

                h->has_mac = virtname_wire_uint(&in->w, 1) != 0;
                mac = virtname_wire_take(&in->w, VIRTNAME_MAC_LEN);
                h->family = virtname_wire_uint(&in->w, 1) == 6 ? AF_INET6 : AF_INET;
                addr = virtname_wire_take(&in->w, 16);
                h->hostname = (char *)take_str(in);
                if (mac && addr) {
                        memcpy(h->mac, mac, VIRTNAME_MAC_LEN);
                        memcpy(h->addr, addr, 16);
                }
                if (h->hostname && !virtname_hostname_valid(h->hostname))
                        in->w.bad = true;
        }
        net.n_hosts = n;
        snprintf(what, whatlen, "network %.200s", net.name);
        rc = in->w.bad ? -EBADMSG : virtname_edit_put_network(w, &net);
        free(net.hosts);
        return rc;
}

static int apply_port(struct virtname_writer *w, struct in *in, char *what, size_t whatlen)
{
        bool plugged = virtname_wire_uint(&in->w, 1) != 0, has_uuid = virtname_wire_uint(&in->w, 1) != 0;
        const uint8_t *uuid = virtname_wire_take(&in->w, VIRTNAME_UUID_LEN), *mac = virtname_wire_take(&in->w, VIRTNAME_MAC_LEN);
        const char *name = take_str(in), *network = take_str(in);

        if (in->w.bad || !name)
                return -EBADMSG;
        snprintf(what, whatlen, "domain %.200s port %s", name, plugged ? "plugged" : "unplugged");
        return virtname_edit_iface(w, name, has_uuid ? uuid : NULL, mac, network, plugged);
}

int virtname_event_apply(struct virtname_writer *w, const void *buf, size_t len, char *what,
                         size_t whatlen)
{
        struct in in;
        const char *name;
        int kind, rc;

        snprintf(what, whatlen, "event");
        if ((kind = open_in(&in, buf, len)) < 0)
                return kind;
        switch (kind) {
        case EV_LEASE:
                rc = apply_lease(w, &in, what, whatlen);
                break;
        case EV_DOMAIN:
                rc = apply_domain(w, &in, what, whatlen);
                break;
        case EV_DOMAIN_GONE:
                name = take_str(&in);
                snprintf(what, whatlen, "domain %.200s gone", name ? name : "?");
                rc = in.w.bad || !name ? -EBADMSG : virtname_edit_domain_gone(w, name);
                break;
        case EV_NETWORK:
                rc = apply_network(w, &in, what, whatlen);
                break;
        case EV_NETWORK_STOP:
                name = take_str(&in);
                snprintf(what, whatlen, "network %.200s stopped", name ? name : "?");
                rc = in.w.bad || !name ? -EBADMSG : virtname_edit_stop_network(w, name);
                break;
        case EV_PORT:
                rc = apply_port(w, &in, what, whatlen);
                break;
        case EV_HOSTSDIR:
                name = take_str(&in);
                snprintf(what, whatlen, "network %.200s hosts directory", name ? name : "?");
                rc = in.w.bad || !name ? -EBADMSG : !virtname_hostsdir_network_ok(name) ? -EINVAL
                                                  : virtname_writer_resync(w, name);
                break;
        case EV_PROOF:
        case EV_OBSERVED:
                rc = apply_proof(w, &in, kind == EV_OBSERVED, what, whatlen);
                break;
        case EV_AGENT:
                rc = apply_agent(w, &in, what, whatlen);
                break;
        case EV_DROPPED:
                name = take_str(&in);
                snprintf(what, whatlen, "dropped event");
                rc = in.w.bad || !name ? -EBADMSG : virtname_edit_count_dropped(w, name);
                break;
        default:
                rc = -EBADMSG;
        }
        if (rc == 0 && in.w.p != in.w.end)
                rc = -EBADMSG;
        free(in.arena);
        return rc;
}
