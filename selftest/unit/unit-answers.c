/* unit-answers - the answers database (cache/read/answers.h) against the
 * rules it is derived from (virtname_resolve()), over random stores built
 * through the real writer and its edits with every kind of evidence: DHCP
 * claims and leases their ports answered for or were silent about, static
 * hosts, administrators' <metadata> addresses, observed addresses (with
 * their TTLs), guest agents' reports; libvirt networks (started and
 * stopped, with and without a DNS domain), a host bridge (bridge/br9) and
 * a macvtap device (direct/eth9); domains and host names that differ only
 * in case.
 *
 * After every commit, every question (each name as written, in upper
 * case, as NAME.DOMAIN for each DNS domain, another domain and a
 * differently cased one, with a trailing dot; both families and each
 * alone) gets the same answer, field for field, from the published
 * snapshot's answers as from the rules, at the commit's time, a second
 * before, at and after every expiry in the store (leases, observed and
 * agent addresses), before the commit and far on.
 *
 *   unit-answers DIR [ROUNDS [SEED]]      DIR must not exist yet
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/ingest/edit.h"
#include "cache/libvirt/agent.h"
#include "cache/libvirt/virxml.h"
#include "cache/read/answers.h"
#include "cache/read/names.h"
#include "cache/read/reader.h"
#include "cache/write/writer.h"
#include "selftest/unit/unit.h"

#define MACS 8
#define MAX_TIMES 48

/* Libvirt networks, each on its bridge. */
static const char *const nets[] = { "net0", "net1", "net2" };
static const char *const bridges[] = { "virbr0", "virbr1", "virbr2" };
static const char *const suffixes[] = { "zero.test", NULL, "two.test" };
/* Where a lease may be: the networks and the pseudo-networks. */
static const char *const places[] = { "net0", "net1", "net2", "bridge/br9", "direct/eth9" };
/* Host names collide with each other, in case too, with domain names and
 * with reserved names; some are no DNS names. */
static const char *const hosts[] = { NULL, "web", "Web", "db", "dom1", "fixed", "localhost", "web.example",
                                     "Dom2", "my_vm" };
static const char *const doms[] = { "dom0", "dom1", "Dom2", "dom2", "web", "DB", "my vm", "Web" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int64_t now;

static void random_addr(int *family, uint8_t addr[16])
{
        memset(addr, 0, 16);
        if (rand() % 4) {
                *family = AF_INET;
                /* One small pool for every network: the same address on
                 * several networks (an agent's report of an address
                 * another network holds). */
                memcpy(addr, (uint8_t[]){ 198, 18, 0, (uint8_t)(1 + rand() % 10) }, 4);
        } else {
                *family = AF_INET6;
                memcpy(addr, (uint8_t[]){ 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          (uint8_t)(1 + rand() % 5) }, 16);
        }
}

static void random_mac(uint8_t mac[VIRTNAME_MAC_LEN])
{
        memcpy(mac, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, (uint8_t)(rand() % MACS) }, VIRTNAME_MAC_LEN);
}

static const char *port_of(const uint8_t *mac)
{
        static const char *const ports[MACS] = { "vnet0", "vnet1", "vnet2", "vnet3", "vnet4", "vnet5", "vnet6",
                                                 "vnet7" };

        return ports[mac[5] % MACS];
}

/* An expiry: past, soon (several distinct ones), never. */
static int64_t random_expiry(void)
{
        static const int offsets[] = { -10, 20, 40, 45, 90, 300, 0 };
        int o = offsets[rand() % N(offsets)];

        return o ? now + o : 0;
}

/* A random interface of a random domain of the store: its network and
 * MAC.  False when there is none. */
static bool some_iface(struct virtname_writer *w, char network[VIRTNAME_NAME_MAX + 1], uint8_t mac[VIRTNAME_MAC_LEN],
                       int *id)
{
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, virtname_writer_view(w), VIRTNAME_DB_DOMAINS, NULL, 0);
        size_t seen = 0;

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_domain_view dom;
                struct virtname_iface_view f;
                size_t pos = 0;

                if (virtname_domain_decode(d.mv_data, d.mv_size, &dom) < 0)
                        continue;
                while (virtname_domain_iface_next(&dom, &pos, &f))
                        if (f.network.len && rand() % (int)++seen == 0) {
                                snprintf(network, VIRTNAME_NAME_MAX + 1, "%.*s", (int)f.network.len, f.network.p);
                                memcpy(mac, f.mac, VIRTNAME_MAC_LEN);
                                *id = dom.id;
                        }
        }
        virtname_iter_end(&it);
        return seen > 0;
}

static void op_lease(struct virtname_writer *w)
{
        int p = rand() % (int)N(places), rc;
        char network[VIRTNAME_NAME_MAX + 1];
        struct virtname_lease l = { .flags = VIRTNAME_LEASE_HAS_MAC, .network = places[p],
                                    .suffix = p < 3 ? suffixes[p] : NULL, .hostname = hosts[rand() % N(hosts)],
                                    .expiry = random_expiry(), .seen = rand() % 3 ? now - rand() % 3 : 0 };

        random_addr(&l.family, l.addr);
        random_mac(l.mac);
        /* half of them on a domain's interface */
        if (rand() % 2 && some_iface(w, network, l.mac, &p)) {
                l.network = network;
                l.suffix = NULL;
                for (size_t i = 0; i < N(nets); i++)
                        if (strcmp(network, nets[i]) == 0)
                                l.suffix = suffixes[i];
        }
        if (rand() % 10 == 0)
                l.flags &= ~VIRTNAME_LEASE_HAS_MAC;
        rc = virtname_writer_put_lease(w, &l);
        CHECK(rc == 0 || rc == -EEXIST);
}

/* A libvirt network started (with 0 to 2 static hosts) or stopped. */
static void op_network(struct virtname_writer *w)
{
        int i = rand() % (int)N(nets);
        struct virtname_xml_host h[2];
        struct virtname_xml_network x = { .n = { .name = nets[i], .bridge = bridges[i], .suffix = suffixes[i],
                                                 .active = rand() % 4 != 0 },
                                          .name = (char *)nets[i], .bridge = (char *)bridges[i],
                                          .suffix = (char *)suffixes[i], .hosts = h };

        if (rand() % 5 == 0) {
                CHECK(virtname_edit_stop_network(w, nets[i]) == 0);
                return;
        }
        x.n_hosts = (size_t)(rand() % 3);
        for (size_t k = 0; k < x.n_hosts; k++) {
                memset(&h[k], 0, sizeof(h[k]));
                random_addr(&h[k].family, h[k].addr);
                h[k].has_mac = rand() % 3 != 0;
                random_mac(h[k].mac);
                h[k].hostname = (char *)(rand() % 2 ? "fixed" : rand() % 2 ? "db" : "Web");
        }
        CHECK(virtname_edit_put_network(w, &x) == 0);
}

/* A domain defined, started or stopped: 1 or 2 interfaces on a network
 * (by its name or its bridge), a host bridge or a macvtap device; maybe an
 * address in its <metadata>. */
static void op_domain(struct virtname_writer *w)
{
        struct virtname_iface ifaces[2];
        struct virtname_xml_iface xi[2];
        struct virtname_xml_admin admin[1];
        bool running = rand() % 3 != 0;
        struct virtname_xml_domain x = { .d = { .name = doms[rand() % N(doms)], .id = running ? 1 + rand() % 2 : -1,
                                                .state = running ? VIRTNAME_STATE_RUNNING : VIRTNAME_STATE_SHUTOFF,
                                                .n_ifaces = (size_t)(1 + rand() % 2), .ifaces = ifaces },
                                         .ifaces = ifaces, .xifaces = xi, .admin = admin };

        for (size_t i = 0; i < x.d.n_ifaces; i++) {
                int kind = rand() % 5;

                memset(&ifaces[i], 0, sizeof(ifaces[i]));
                memset(&xi[i], 0, sizeof(xi[i]));
                random_mac(ifaces[i].mac);
                ifaces[i].port = running ? port_of(ifaces[i].mac) : NULL;
                if (kind < 2)
                        ifaces[i].network = nets[rand() % N(nets)];
                else if (kind == 2)
                        xi[i].bridge = (char *)bridges[rand() % N(bridges)];
                else if (kind == 3)
                        xi[i].bridge = (char *)"br9";
                else
                        xi[i].direct = (char *)"eth9";
        }
        if (rand() % 4 == 0) {
                memset(admin, 0, sizeof(admin));
                random_addr(&admin[0].family, admin[0].addr);
                admin[0].has_mac = rand() % 2;
                memcpy(admin[0].mac, ifaces[0].mac, VIRTNAME_MAC_LEN);
                x.n_admin = 1;
        }
        CHECK(virtname_edit_put_domain(w, &x) == 0);
}

/* A random lease of the store with a MAC (SAME_IFACE: on NETWORK with
 * MAC) into NETWORK, MAC, FAMILY and ADDR: what evidence is about.  False
 * when none. */
static bool some_lease(struct virtname_writer *w, bool same_iface, char network[VIRTNAME_NAME_MAX + 1],
                       uint8_t mac[VIRTNAME_MAC_LEN], int *family, uint8_t addr[16])
{
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, virtname_writer_view(w), VIRTNAME_DB_LEASES, NULL, 0);
        size_t seen = 0;

        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_lease_view l;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 || !(l.flags & VIRTNAME_LEASE_HAS_MAC) ||
                    (same_iface && (!virtname_str_eq(l.network, network) || memcmp(l.mac, mac, VIRTNAME_MAC_LEN))) ||
                    rand() % (int)++seen)
                        continue;       /* each kept with chance 1/seen: a uniform pick */
                snprintf(network, VIRTNAME_NAME_MAX + 1, "%.*s", (int)l.network.len, l.network.p);
                memcpy(mac, l.mac, VIRTNAME_MAC_LEN);
                *family = l.family;
                memcpy(addr, l.addr, 16);
        }
        virtname_iter_end(&it);
        return seen > 0;
}

/* The MACs of domain NAME's interfaces (at most 2), or none; its run
 * into *ID, mostly. */
static size_t macs_of(struct virtname_writer *w, const char *name, uint8_t mac[2][VIRTNAME_MAC_LEN], int *id)
{
        struct virtname_domain_view d;
        struct virtname_iface_view f;
        size_t pos = 0, n = 0;

        if (virtname_get_domain(virtname_writer_view(w), &(MDB_val){ strlen(name), (void *)name }, &d) < 0)
                return 0;
        if (d.id > 0 && rand() % 4)
                *id = d.id;     /* mostly its current run */
        while (n < 2 && virtname_domain_iface_next(&d, &pos, &f))
                memcpy(mac[n++], f.mac, VIRTNAME_MAC_LEN);
        return n;
}

/* What a port said of an address; what the host saw a guest use; what
 * an agent reported: in run 1 or 2, on its port or another (stale
 * answers change nothing); most often about a lease or an interface
 * the store has. */
static void op_evidence(struct virtname_writer *w)
{
        uint8_t mac[VIRTNAME_MAC_LEN], addr[16];
        char place[VIRTNAME_NAME_MAX + 1];
        int family, kind = rand() % 4, id = 1 + rand() % 2;
        unsigned ttl = (unsigned)(rand() % 2 ? 30 + rand() % 3 * 30 : 1 + rand() % VIRTNAME_OBSERVED_TTL);

        /* what a running domain's port says in its run, or about a
         * lease, or anything */
        if (rand() % 2 && some_iface(w, place, mac, &id) && id > 0) {
                if (!some_lease(w, true, place, mac, &family, addr) || rand() % 3 == 0)
                        random_addr(&family, addr);
        } else if (rand() % 4 == 0 || !some_lease(w, false, place, mac, &family, addr)) {
                snprintf(place, sizeof(place), "%s", places[rand() % N(places)]);
                random_mac(mac);
                random_addr(&family, addr);
        }
        if (kind == 1 && rand() % 2)
                random_addr(&family, addr);     /* a new address the guest uses */
        if (kind == 0) {
                CHECK(virtname_edit_prove(w, place, mac, family, addr,
                                          rand() % 4 ? VIRTNAME_EV_PORT : VIRTNAME_EV_SILENT, port_of(mac), id,
                                          now) == 0);
        } else if (kind == 1) {
                CHECK(virtname_edit_observe(w, place, mac, family, addr, port_of(mac), id, now, ttl) == 0);
        } else {
                const char *name = doms[rand() % N(doms)];
                uint8_t own[2][VIRTNAME_MAC_LEN];
                size_t macs = macs_of(w, name, own, &id);
                struct virtname_agent_addr a[3];
                size_t n = (size_t)(rand() % 4);

                for (size_t i = 0; i < n; i++) {
                        memset(&a[i], 0, sizeof(a[i]));
                        if (macs && rand() % 4)
                                memcpy(a[i].mac, own[rand() % (int)macs], VIRTNAME_MAC_LEN);
                        else
                                random_mac(a[i].mac);
                        /* often an address another network holds */
                        if (rand() % 2 || !some_lease(w, false, place, mac, &a[i].family, a[i].addr))
                                random_addr(&a[i].family, a[i].addr);
                }
                CHECK(virtname_edit_agent(w, name, id, now, ttl, a, n) == 0);
        }
}

/* A first store with every source answering (the random changes then
 * make and unmake them): a static host, an administrator's address, a
 * lease its port answered for, an agent's report on a host bridge, a
 * guest's name on a macvtap device. */
static void first_store(struct virtname_writer *w)
{
        struct virtname_xml_host host = { .family = AF_INET, .addr = { 198, 18, 0, 1 }, .hostname = (char *)"fixed" };
        struct virtname_xml_network net = { .n = { .name = "net0", .bridge = "virbr0", .suffix = "zero.test",
                                                   .active = true },
                                            .name = (char *)"net0", .bridge = (char *)"virbr0",
                                            .suffix = (char *)"zero.test", .n_hosts = 1, .hosts = &host };
        struct virtname_iface ifaces[2] = { { .mac = { 0x52, 0x54, 0, 0, 0, 0 }, .network = "net0", .port = "vnet0" },
                                            { .mac = { 0x52, 0x54, 0, 0, 0, 1 }, .port = "vnet1" } };
        struct virtname_xml_iface xi[2] = { { .network = (char *)"net0" }, { .bridge = (char *)"br9" } };
        struct virtname_xml_admin admin = { .family = AF_INET, .addr = { 198, 18, 0, 2 } };
        struct virtname_xml_domain dom = { .d = { .name = "dom0", .id = 1, .state = VIRTNAME_STATE_RUNNING,
                                                  .n_ifaces = 2, .ifaces = ifaces },
                                           .ifaces = ifaces, .xifaces = xi, .n_admin = 1, .admin = &admin };
        struct virtname_lease l = { .family = AF_INET, .flags = VIRTNAME_LEASE_HAS_MAC, .addr = { 198, 18, 0, 3 },
                                    .mac = { 0x52, 0x54, 0, 0, 0, 0 }, .network = "net0", .suffix = "zero.test",
                                    .hostname = "db", .expiry = now + 45 };
        struct virtname_agent_addr agent = { .mac = { 0x52, 0x54, 0, 0, 0, 1 }, .family = AF_INET,
                                             .addr = { 198, 18, 0, 4 } };

        CHECK(virtname_edit_put_network(w, &net) == 0);
        CHECK(virtname_edit_put_domain(w, &dom) == 0);
        CHECK(virtname_writer_put_lease(w, &l) == 0);
        CHECK(virtname_edit_prove(w, "net0", l.mac, AF_INET, l.addr, VIRTNAME_EV_PORT, "vnet0", 1, now) == 0);
        CHECK(virtname_edit_agent(w, "dom0", 1, now, 90, &agent, 1) == 0);
        l = (struct virtname_lease){ .family = AF_INET, .flags = VIRTNAME_LEASE_HAS_MAC, .addr = { 198, 18, 0, 5 },
                                     .mac = { 0x52, 0x54, 0, 0, 0, 7 }, .network = "direct/eth9", .hostname = "web",
                                     .expiry = now + 20 };
        CHECK(virtname_writer_put_lease(w, &l) == 0);
}

static void random_op(struct virtname_writer *w)
{
        int op = rand() % 16;

        if (op < 5) {
                op_lease(w);
        } else if (op < 6) {
                uint8_t addr[16];
                int family;

                random_addr(&family, addr);
                CHECK(virtname_writer_del_lease(w, family, addr, places[rand() % N(places)], rand() % 2) == 0);
        } else if (op < 9) {
                op_domain(w);
        } else if (op < 10) {
                CHECK(virtname_edit_domain_gone(w, doms[rand() % N(doms)]) == 0);
        } else if (op < 11) {
                op_network(w);
        } else {
                op_evidence(w);
        }
}

/* --- the answers against the rules ----------------------------------------- */

struct tally {
        size_t asked, held, answered, ranks[VIRTNAME_RANK_ADMIN + 1], bridged, statics, differ;
};

/* Does Q's record answer Q by itself at T (no record: nothing, by itself)? */
static bool record_holds(const struct virtname_view *v, const char *q, int family, int64_t t)
{
        char key[VIRTNAME_NAME_MAX + 1];
        struct virtname_answer a;
        MDB_val k, d;

        if (virtname_name_normalise(q, key) < 0)
                return true;
        k = (MDB_val){ strlen(key), key };
        if (virtname_view_get(v, VIRTNAME_DB_ANSWERS, &k, &d) < 0)
                return true;
        return virtname_answers_eval(d.mv_data, d.mv_size, NULL, family, t, &a) == 0;
}

static void show(const char *what, int rc, const struct virtname_answer *a)
{
        char text[64];

        fprintf(stderr, "      %s: rc %d known %d source %d n %zu dropped %zu:", what, rc, a->known, a->source, a->n,
                a->dropped);
        for (size_t i = 0; i < a->n; i++)
                fprintf(stderr, " %s(%+lld r%d)", inet_ntop(a->addr[i].family, a->addr[i].addr, text, sizeof(text)),
                        (long long)(a->addr[i].expiry ? a->addr[i].expiry - now : 0), (int)a->addr[i].rank);
        fprintf(stderr, "\n");
}

static void compare(const struct virtname_view *v, const char *q, int family, int64_t t, struct tally *c, int round)
{
        static struct virtname_answer want, got;
        int rw, rg;

        memset(&want, 0, sizeof(want));
        memset(&got, 0, sizeof(got));
        rw = virtname_resolve(v, q, family, t, &want);
        rg = virtname_answers_resolve(v, q, family, t, &got);
        c->asked++;
        c->held += record_holds(v, q, family, t);
        c->answered += want.n > 0;
        c->statics += want.source == VIRTNAME_SRC_STATIC;
        for (size_t i = 0; i < want.n; i++)
                c->ranks[want.addr[i].rank]++;
        if (rw == rg && memcmp(&want, &got, sizeof(want)) == 0)
                return;
        if (c->differ++ < 10) {
                fprintf(stderr, "  round %d: '%s' family %d at %+lld differs\n", round, q, family,
                        (long long)(t - now));
                show("rules  ", rw, &want);
                show("answers", rg, &got);
        }
}

static int cmp_time(const void *a, const void *b)
{
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

        return x < y ? -1 : x > y;
}

/* T0, a second before it, long before it, far on, and a second before,
 * at and after every expiry in the store (a sample of MAX_TIMES). */
static size_t times_of(const struct virtname_view *v, int64_t t0, int64_t *times, struct tally *c)
{
        int64_t all[3 * 1024 + 4];
        size_t n = 0, m = 0;
        struct virtname_iter it;
        MDB_val k, d;
        int rc = virtname_iter_start(&it, v, VIRTNAME_DB_LEASES, NULL, 0);

        all[n++] = t0;
        all[n++] = t0 - 1;
        all[n++] = t0 - 100000;
        all[n++] = t0 + 100000000;
        while (rc == 0 && (rc = virtname_iter_next(&it, &k, &d)) == 0) {
                struct virtname_lease_view l;

                if (virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0 || l.expiry == 0 || n + 3 > N(all))
                        continue;
                c->bridged += l.network.len > 7 && (memcmp(l.network.p, "bridge/", 7) == 0 ||
                                                    memcmp(l.network.p, "direct/", 7) == 0);
                for (int dt = -1; dt <= 1; dt++)
                        all[n++] = l.expiry + dt;
        }
        virtname_iter_end(&it);
        qsort(all, n, sizeof(all[0]), cmp_time);
        for (size_t i = 0; i < n; i++)
                if (i == 0 || all[i] != all[i - 1])
                        all[m++] = all[i];
        /* The first four are kept; a random sample of the rest. */
        for (size_t i = 0; i < m && i < MAX_TIMES; i++) {
                size_t j = i + (size_t)rand() % (m - i);
                int64_t x = all[i];

                all[i] = all[j];
                all[j] = x;
        }
        memcpy(times, all, (m < MAX_TIMES ? m : MAX_TIMES) * sizeof(*times));
        times[0] = t0;
        return m < MAX_TIMES ? m : MAX_TIMES;
}

static void check_answers(const struct virtname_view *v, int64_t t0, struct tally *c, int round)
{
        static const char *const forms[] = { "", ".zero.test", ".two.test", ".Zero.TEST", ".other.test", "." };
        const char *bases[N(doms) + N(hosts) + 1];
        int64_t times[MAX_TIMES];
        size_t nb = 0, nt = times_of(v, t0, times, c);

        for (size_t i = 0; i < N(doms); i++)
                bases[nb++] = doms[i];
        for (size_t i = 0; i < N(hosts); i++)
                if (hosts[i])
                        bases[nb++] = hosts[i];
        bases[nb++] = "nosuch";
        for (size_t i = 0; i < nb; i++)
                for (int upper = 0; upper < 2; upper++)
                        for (size_t f = 0; f < N(forms); f++) {
                                char q[VIRTNAME_NAME_MAX + 1];

                                snprintf(q, sizeof(q), "%s%s", bases[i], forms[f]);
                                for (char *p = q; upper && *p; p++)
                                        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
                                for (size_t k = 0; k < nt; k++) {
                                        compare(v, q, AF_UNSPEC, times[k], c, round);
                                        compare(v, q, AF_INET, times[k], c, round);
                                        compare(v, q, AF_INET6, times[k], c, round);
                                }
                        }
}

int main(int argc, char **argv)
{
        int rounds = argc > 2 ? atoi(argv[2]) : 150;
        unsigned seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
        struct tally tally = { 0 };
        char err[512];

        if (argc < 2) {
                fprintf(stderr, "usage: unit-answers DIR [ROUNDS [SEED]]\n");
                return 2;
        }
        srand(seed);
        now = (int64_t)time(NULL);
        for (int round = 0; round < rounds; round++) {
                struct virtname_writer *w;
                struct virtname_snapshot *s;
                struct virtname_view v;
                int ops = 1 + rand() % 4;

                if (virtname_writer_open(argv[1], 1000, 0, &w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "writer: %s\n", err);
                        return 1;
                }
                if (round == 0)
                        first_store(w);
                for (int i = 0; i < ops; i++)
                        random_op(w);
                if (virtname_writer_commit(w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "commit: %s\n", err);
                        return 1;
                }
                CHECK(virtname_snapshot_load(argv[1], NULL, &s) == 0);
                if (!s)
                        continue;
                CHECK(virtname_snapshot_view(s, &v) == 0);
                check_answers(&v, (int64_t)time(NULL), &tally, round);
                virtname_view_end(&v);
                virtname_snapshot_unref(s);
        }
        printf("unit-answers: %d rounds (seed %u): %zu questions, %zu answered by the record alone, %zu with "
               "addresses (ranks: none %zu, agent %zu, port %zu, admin %zu), %zu a static host's, %zu expiry "
               "times on bridge/ and direct/ leases; %zu differ\n",
               rounds, seed, tally.asked, tally.held, tally.answered, tally.ranks[VIRTNAME_RANK_NONE],
               tally.ranks[VIRTNAME_RANK_AGENT], tally.ranks[VIRTNAME_RANK_PORT], tally.ranks[VIRTNAME_RANK_ADMIN],
               tally.statics, tally.bridged, tally.differ);
        CHECK(tally.differ == 0);
        /* Not vacuous: every source answered, records answer most
         * questions by themselves. */
        CHECK(tally.ranks[VIRTNAME_RANK_NONE] && tally.ranks[VIRTNAME_RANK_AGENT] &&
              tally.ranks[VIRTNAME_RANK_PORT] && tally.ranks[VIRTNAME_RANK_ADMIN] && tally.statics && tally.bridged);
        CHECK(tally.held * 10 > tally.asked * 8);
        CHECK(tally.answered * 40 > tally.asked);
        return unit_done("unit-answers");
}
