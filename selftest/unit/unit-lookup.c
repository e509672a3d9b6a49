/* unit-lookup - the name rules (cache/read/lookup.h), through a real writer and
 * a real published snapshot (base and delta) in a scratch directory.
 *
 *   unit-lookup DIR        DIR must not exist yet
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/ingest/edit.h"
#include "cache/libvirt/hostaddr.h"
#include "cache/read/lookup.h"
#include "cache/read/reader.h"
#include "cache/write/writer.h"
#include "selftest/unit/unit.h"

static const char *dir;
static int64_t now;

#define MAC(x) { 0x52, 0x54, 0, 0, 0, x }

static struct virtname_writer *open_writer(void)
{
        struct virtname_writer *w;
        char err[512];

        if (virtname_writer_open(dir, 1000, 0, &w, err, sizeof(err)) < 0) {
                fprintf(stderr, "writer: %s\n", err);
                exit(1);
        }
        return w;
}

static void commit(struct virtname_writer *w)
{
        char err[512];

        if (virtname_writer_commit(w, err, sizeof(err)) < 0) {
                fprintf(stderr, "commit: %s\n", err);
                exit(1);
        }
}

static void lease(struct virtname_writer *w, const char *ip, const uint8_t *mac, const char *net,
                  const char *suffix, const char *host, int64_t expiry, unsigned flags)
{
        struct virtname_lease l = { .flags = flags | (mac ? VIRTNAME_LEASE_HAS_MAC : 0), .expiry = expiry,
                                    .hostname = host, .network = net, .suffix = suffix };

        l.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
        inet_pton(l.family, ip, l.addr);
        if (mac)
                memcpy(l.mac, mac, 6);
        CHECK(virtname_writer_put_lease(w, &l) == 0);
}

/* A lease of net1 its client asked for at SEEN (0: not known). */
static void seen_lease(struct virtname_writer *w, const char *ip, const uint8_t *mac, int64_t expiry, int64_t seen)
{
        struct virtname_lease l = { .family = AF_INET, .flags = VIRTNAME_LEASE_HAS_MAC, .expiry = expiry,
                                    .seen = seen, .network = "net1", .suffix = "lab.test" };

        inet_pton(AF_INET, ip, l.addr);
        memcpy(l.mac, mac, 6);
        CHECK(virtname_writer_put_lease(w, &l) == 0);
}

/* Domain NAME in run ID (-1: not running). */
static void domain(struct virtname_writer *w, const char *name, enum virtname_domain_state state, int32_t id,
                   size_t n, const struct virtname_iface *ifaces)
{
        struct virtname_domain d = { .name = name, .id = id, .state = state, .n_ifaces = n,
                                     .ifaces = ifaces };

        CHECK(virtname_writer_put_domain(w, &d) == 0);
}

/* What PORT (of the domain owning (NET, MAC) in run ID) said about IP. */
static void prove(struct virtname_writer *w, const char *ip, const uint8_t *mac, const char *net, const char *port,
                  int32_t id, enum virtname_evidence ev)
{
        uint8_t addr[16] = { 0 };
        int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

        inet_pton(family, ip, addr);
        CHECK(virtname_edit_prove(w, net, mac, family, addr, ev, port, id, now) == 0);
}

/* The answer for NAME (AF_INET) as "a b c" in answer order, or "-". */
static const char *answer(const char *name)
{
        static char out[512];
        static struct virtname_answer a;
        struct virtname_snapshot *s;
        struct virtname_view v;
        char text[64];

        out[0] = '\0';
        if (virtname_snapshot_load(dir, NULL, &s) < 0 || virtname_snapshot_view(s, &v) < 0)
                return "(no snapshot)";
        if (virtname_resolve(&v, name, AF_INET, now, &a) == 0)
                for (size_t i = 0; i < a.n; i++)
                        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
                                 inet_ntop(AF_INET, a.addr[i].addr, text, sizeof(text)));
        virtname_view_end(&v);
        virtname_snapshot_unref(s);
        return out[0] ? out : "-";
}

/* The reverse name of IP, or "-". */
static const char *reverse(const char *ip)
{
        static char out[VIRTNAME_NAME_MAX + 1];
        struct virtname_snapshot *s;
        struct virtname_reverse r;
        struct virtname_view v;
        uint8_t addr[16] = { 0 };

        if (virtname_snapshot_load(dir, NULL, &s) < 0 || virtname_snapshot_view(s, &v) < 0)
                return "(no snapshot)";
        inet_pton(AF_INET, ip, addr);
        snprintf(out, sizeof(out), "%s", virtname_reverse(&v, AF_INET, addr, now, &r) == 0 ? r.name : "-");
        virtname_view_end(&v);
        virtname_snapshot_unref(s);
        return out;
}

#define EXPECT(got, want)                                                                    \
        do {                                                                                 \
                const char *g_ = (got);                                                      \
                CHECK(strcmp(g_, want) == 0);                                                \
                if (strcmp(g_, want) != 0)                                                   \
                        fprintf(stderr, "  %s: got \"%s\", want \"%s\"\n", #got, g_, want);  \
        } while (0)

/* The rank of NAME's first address (AF_INET), or -1. */
static int first_rank(const char *name)
{
        static struct virtname_answer a;
        struct virtname_snapshot *s;
        struct virtname_view v;
        int rank = -1;

        if (virtname_snapshot_load(dir, NULL, &s) < 0 || virtname_snapshot_view(s, &v) < 0)
                return -2;
        if (virtname_resolve(&v, name, AF_INET, now, &a) == 0 && a.n)
                rank = (int)a.addr[0].rank;
        virtname_view_end(&v);
        virtname_snapshot_unref(s);
        return rank;
}

/* The guest behind PORT (run ID) answered for IP, which the host saw. */
static void observe(struct virtname_writer *w, const char *ip, const uint8_t *mac, const char *net, const char *port,
                    int32_t id, unsigned ttl)
{
        uint8_t addr[16] = { 0 };

        inet_pton(AF_INET, ip, addr);
        CHECK(virtname_edit_observe(w, net, mac, AF_INET, addr, port, id, now, ttl) == 0);
}

/* Domain NAME's agent (run ID) reports IPS (space-separated), each with MAC. */
static void agent(struct virtname_writer *w, const char *name, int32_t id, const uint8_t *mac, const char *ips)
{
        struct virtname_agent_addr a[8];
        char copy[256], *save = NULL;
        size_t n = 0;

        snprintf(copy, sizeof(copy), "%s", ips);
        for (char *ip = strtok_r(copy, " ", &save); ip && n < 8; ip = strtok_r(NULL, " ", &save), n++) {
                memset(&a[n], 0, sizeof(a[n]));
                memcpy(a[n].mac, mac, 6);
                a[n].family = strchr(ip, ':') ? AF_INET6 : AF_INET;
                inet_pton(a[n].family, ip, a[n].addr);
        }
        CHECK(virtname_edit_agent(w, name, id, now, 600, a, n) == 0);
}

/* Every address NAME answers with, both families, as "a b", or "-". */
static const char *answer_any(const char *name)
{
        static char out[1024];
        static struct virtname_answer a;
        struct virtname_snapshot *s;
        struct virtname_view v;
        char text[INET6_ADDRSTRLEN];

        out[0] = '\0';
        if (virtname_snapshot_load(dir, NULL, &s) < 0 || virtname_snapshot_view(s, &v) < 0)
                return "(no snapshot)";
        if (virtname_resolve(&v, name, AF_UNSPEC, now, &a) == 0)
                for (size_t i = 0; i < a.n; i++)
                        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
                                 inet_ntop(a.addr[i].family, a.addr[i].addr, text, sizeof(text)));
        virtname_view_end(&v);
        virtname_snapshot_unref(s);
        return out[0] ? out : "-";
}

/* An IPv4 address of this host's (this network namespace's) other than
 * loopback into TEXT, or false when it has none. */
static bool host_address(char text[INET_ADDRSTRLEN])
{
        struct ifaddrs *all, *i;
        bool found = false;

        if (getifaddrs(&all) < 0)
                return false;
        for (i = all; i && !found; i = i->ifa_next)
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
                    ((const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr)[0] != 127)
                        found = inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text,
                                          INET_ADDRSTRLEN) != NULL;
        freeifaddrs(all);
        return found;
}

/* A guest agent's report is the guest's claim: never another domain's
 * address in another spelling (IPv4-mapped or -compatible IPv6, which
 * connect to the IPv4 address), never this host's own (hostaddr.h: what
 * virtname_agent_addresses() keeps of libvirt's answer). */
static void agent_claims(void)
{
        const uint8_t mv[] = MAC(0x40), ma[] = MAC(0x41);
        const struct virtname_iface iv[] = { { MAC(0x40), "net4", NULL, "vnet40" } };
        const struct virtname_iface ia[] = { { MAC(0x41), "direct/eth4", NULL, "macvtap4" } };
        struct virtname_agent_addr reported[3] = { { .family = AF_INET }, { .family = AF_INET6 },
                                                   { .family = AF_INET } };
        char host[INET_ADDRSTRLEN], mapped[INET6_ADDRSTRLEN + 8];
        struct virtname_writer *w = open_writer();
        size_t n = 3;

        domain(w, "victim4", VIRTNAME_STATE_RUNNING, 40, 1, iv);
        domain(w, "claimer4", VIRTNAME_STATE_RUNNING, 41, 1, ia);
        lease(w, "198.18.4.10", mv, "net4", NULL, NULL, now + 100, 0);
        prove(w, "198.18.4.10", mv, "net4", "vnet40", 40, VIRTNAME_EV_PORT);
        agent(w, "claimer4", 41, ma, "::ffff:198.18.4.10 ::198.18.4.10 ::ffff:127.0.0.1 ::ffff:0.0.0.0");
        commit(w);
        EXPECT(answer("victim4"), "198.18.4.10");
        EXPECT(answer_any("claimer4"), "-");
        if (!host_address(host)) {
                printf("unit-lookup: SKIP the host's own address: this namespace has none but loopback\n");
                return;
        }
        /* This host's address, and the same spelt IPv4-mapped, go; a
         * guest's stays. */
        snprintf(mapped, sizeof(mapped), "::ffff:%s", host);
        inet_pton(AF_INET, host, reported[0].addr);
        inet_pton(AF_INET6, mapped, reported[1].addr);
        inet_pton(AF_INET, "198.18.4.99", reported[2].addr);
        for (size_t i = 0; i < n; i++)
                memcpy(reported[i].mac, ma, sizeof(ma));
        CHECK(virtname_drop_host_addresses(reported, &n) == 0);
        CHECK(n == 2 && reported[0].family == AF_INET6 && reported[1].family == AF_INET);
        w = open_writer();
        CHECK(virtname_edit_agent(w, "claimer4", 41, now, 600, reported, n) == 0);
        commit(w);
        EXPECT(answer_any("claimer4"), "198.18.4.99");
}

static int count_lease(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        (*(size_t *)ctx)++;
        return 0;
}

/* How many current leases (NET, MAC) has in the published snapshot. */
static size_t leases_of(const char *net, const uint8_t *mac)
{
        struct virtname_snapshot *s;
        struct virtname_view v;
        size_t n = 0;

        if (virtname_snapshot_load(dir, NULL, &s) < 0 || virtname_snapshot_view(s, &v) < 0)
                return 0;
        CHECK(virtname_iface_leases(&v, virtname_str_of(net), mac, now, count_lease, &n) == 0);
        virtname_view_end(&v);
        virtname_snapshot_unref(s);
        return n;
}

/* A guest without a filter answers for every address it invents (the
 * watcher asks its port at most 16 times in 5 s): its interface keeps
 * at most VIRTNAME_OBSERVED_MAX observed addresses, not one per answer
 * for an hour (11,520), each a record in the store and in every lookup
 * of its name. */
static void observed_flood(void)
{
        const uint8_t mf[] = MAC(0x50);
        const struct virtname_iface iflood[] = { { MAC(0x50), "bridge/br5", NULL, "vnet50" } };
        struct virtname_writer *w = open_writer();
        char ip[32];

        domain(w, "flood5", VIRTNAME_STATE_RUNNING, 50, 1, iflood);
        for (int i = 0; i < 200; i++) {
                snprintf(ip, sizeof(ip), "198.18.%d.%d", 5 + i / 250, 1 + i % 250);
                observe(w, ip, mf, "bridge/br5", "vnet50", 50, 600);
        }
        commit(w);
        CHECK(leases_of("bridge/br5", mf) == VIRTNAME_OBSERVED_MAX);
        if (leases_of("bridge/br5", mf) != VIRTNAME_OBSERVED_MAX)
                fprintf(stderr, "  flood5: %zu observed addresses\n", leases_of("bridge/br5", mf));
        /* The ones it holds still renew. */
        w = open_writer();
        observe(w, "198.18.5.1", mf, "bridge/br5", "vnet50", 50, 600);
        commit(w);
        CHECK(leases_of("bridge/br5", mf) == VIRTNAME_OBSERVED_MAX);
}

/* Issue 22: every source of an address in one ranking (lookup.h): an
 * administrator's word, then a port's answer, then a guest agent's
 * report; a weaker one never takes an address a stronger one holds. */
static void every_source(void)
{
        const uint8_t mb[] = MAC(0x32), mc[] = MAC(0x33), md[] = MAC(0x34), me[] = MAC(0x35),
                      mf[] = MAC(0x36);
        const struct virtname_iface ia[] = { { MAC(0x31), NULL, NULL, "vnet31" } };
        struct virtname_xml_iface xa[] = { { .bridge = (char *)"br9" } };
        struct virtname_xml_admin admin[] = { { .family = AF_INET } };
        struct virtname_iface ifa[1];
        struct virtname_xml_domain x = { .d = { .name = "admin-vm", .id = 31, .state = VIRTNAME_STATE_RUNNING,
                                                 .n_ifaces = 1, .ifaces = ifa },
                                         .ifaces = ifa, .xifaces = xa, .n_admin = 1, .admin = admin };
        const struct virtname_iface ib[] = { { MAC(0x32), "bridge/br9", NULL, "vnet32" } };
        const struct virtname_iface ic[] = { { MAC(0x33), "bridge/br9", "clean-traffic", "vnet33" } };
        const struct virtname_iface id[] = { { MAC(0x34), "direct/eth9", NULL, "macvtap0" } };
        const struct virtname_iface ie[] = { { MAC(0x35), "net2", NULL, "vnet35" } };
        const struct virtname_iface iff[] = { { MAC(0x36), "net2", NULL, "vnet36" } };
        struct virtname_writer *w;

        /* An administrator's address in the domain's <metadata>, on a host
         * bridge no libvirt network owns (bridge/br9). */
        memcpy(ifa, ia, sizeof(ifa));
        inet_pton(AF_INET, "198.18.9.50", admin[0].addr);
        w = open_writer();
        CHECK(virtname_edit_put_domain(w, &x) == 0);
        domain(w, "port-vm", VIRTNAME_STATE_RUNNING, 32, 1, ib);
        domain(w, "other-vm", VIRTNAME_STATE_RUNNING, 33, 1, ic);
        domain(w, "mac-vm", VIRTNAME_STATE_RUNNING, 34, 1, id);
        domain(w, "dhcp-vm", VIRTNAME_STATE_RUNNING, 35, 1, ie);
        domain(w, "agent-vm", VIRTNAME_STATE_RUNNING, 36, 1, iff);
        commit(w);
        EXPECT(answer("admin-vm"), "198.18.9.50");
        CHECK(first_rank("admin-vm") == VIRTNAME_RANK_ADMIN);
        /* Nothing takes it: not a DHCP report, not another's port. */
        w = open_writer();
        lease(w, "198.18.9.50", mb, "bridge/br9", NULL, "grab", now + 100, 0);
        observe(w, "198.18.9.50", mb, "bridge/br9", "vnet32", 32, 600);
        commit(w);
        EXPECT(answer("admin-vm"), "198.18.9.50");
        EXPECT(answer("port-vm"), "-");
        EXPECT(reverse("198.18.9.50"), "admin-vm");

        /* A port's answer for an address the host saw: an observed
         * address of that interface, in that run only. */
        w = open_writer();
        observe(w, "198.18.9.60", mb, "bridge/br9", "vnet32", 32, 600);
        observe(w, "198.18.9.61", mb, "bridge/br9", "vnet32", 31, 600);        /* another run */
        observe(w, "198.18.9.62", mb, "bridge/br9", "vnet99", 32, 600);        /* another port */
        commit(w);
        EXPECT(answer("port-vm"), "198.18.9.60");
        CHECK(first_rank("port-vm") == VIRTNAME_RANK_PORT);
        EXPECT(reverse("198.18.9.60"), "port-vm");
        /* Another guest answering for it on its own port does not take it,
         * nor its agent. */
        w = open_writer();
        observe(w, "198.18.9.60", mc, "bridge/br9", "vnet33", 33, 600);
        agent(w, "other-vm", 33, mc, "198.18.9.60 198.18.9.63");
        commit(w);
        EXPECT(answer("port-vm"), "198.18.9.60");
        EXPECT(answer("other-vm"), "198.18.9.63");
        CHECK(first_rank("other-vm") == VIRTNAME_RANK_AGENT);
        /* A port's answer takes what only an agent claimed. */
        w = open_writer();
        observe(w, "198.18.9.63", mb, "bridge/br9", "vnet32", 32, 600);
        commit(w);
        EXPECT(answer("other-vm"), "-");
        EXPECT(reverse("198.18.9.63"), "port-vm");
        /* Silence deletes an observed address; expiry ends it. */
        w = open_writer();
        prove(w, "198.18.9.63", mb, "bridge/br9", "vnet32", 32, VIRTNAME_EV_SILENT);
        observe(w, "198.18.9.64", mb, "bridge/br9", "vnet32", 32, 1);
        commit(w);
        EXPECT(reverse("198.18.9.63"), "-");
        now += 5;
        EXPECT(answer("port-vm"), "198.18.9.60");               /* .64 has expired */
        now -= 5;

        /* A macvtap guest: only its agent speaks for it.  An agent's
         * report of another domain's MAC is none of its business. */
        w = open_writer();
        agent(w, "mac-vm", 34, mb, "198.18.9.71");              /* each report is all it says */
        agent(w, "mac-vm", 34, md, "198.18.9.70 169.254.0.5");
        agent(w, "mac-vm", 33, md, "198.18.9.72");              /* another run */
        commit(w);
        EXPECT(answer("mac-vm"), "198.18.9.70");
        EXPECT(answer("port-vm"), "198.18.9.60 198.18.9.64");   /* every observed address answers */
        EXPECT(reverse("198.18.9.64"), "port-vm");
        /* An agent report of an address another network holds by a port's
         * answer: not its domain's, forwards or reverse. */
        w = open_writer();
        lease(w, "198.18.2.80", me, "net2", NULL, NULL, now + 100, 0);
        prove(w, "198.18.2.80", me, "net2", "vnet35", 35, VIRTNAME_EV_PORT);
        agent(w, "mac-vm", 34, md, "198.18.2.80");
        commit(w);
        EXPECT(answer("mac-vm"), "-");
        EXPECT(answer("dhcp-vm"), "198.18.2.80");
        EXPECT(reverse("198.18.2.80"), "dhcp-vm");
        /* Nor does an agent take a DHCP lease, even one not answered for. */
        w = open_writer();
        lease(w, "198.18.2.81", me, "net2", NULL, NULL, now + 100, 0);
        agent(w, "agent-vm", 36, mf, "198.18.2.81");
        commit(w);
        EXPECT(answer("agent-vm"), "-");
        /* A port's answer does not take a DHCP lease its own domain's port
         * was not asked about yet; once that port was silent, it does. */
        w = open_writer();
        observe(w, "198.18.2.81", mf, "net2", "vnet36", 36, 600);
        commit(w);
        EXPECT(answer("agent-vm"), "-");
        w = open_writer();
        prove(w, "198.18.2.81", me, "net2", "vnet35", 35, VIRTNAME_EV_SILENT);
        observe(w, "198.18.2.81", mf, "net2", "vnet36", 36, 600);
        commit(w);
        EXPECT(answer("agent-vm"), "198.18.2.81");
        /* What an agent stops reporting goes. */
        w = open_writer();
        agent(w, "mac-vm", 34, md, "");
        commit(w);
        EXPECT(reverse("198.18.9.70"), "-");
        /* The metadata without the address: it goes too. */
        x.n_admin = 0;
        memcpy(ifa, ia, sizeof(ifa));
        w = open_writer();
        CHECK(virtname_edit_put_domain(w, &x) == 0);
        commit(w);
        EXPECT(answer("admin-vm"), "-");
        EXPECT(reverse("198.18.9.50"), "-");
}

int main(int argc, char **argv)
{
        const struct virtname_iface vm_ifaces[] = { { MAC(1), "net1", "clean-traffic", "vnet1" },
                                                    { MAC(2), "net2", NULL, "vnet2" } };
        const struct virtname_iface shared[] = { { MAC(7), "net1", NULL, "vnet7" } };
        const struct virtname_iface lonely[] = { { MAC(8), "net1", NULL, NULL } };
        struct virtname_writer *w;
        uint8_t mac1[] = MAC(1), mac2[] = MAC(2), mac5[] = MAC(5), mac6[] = MAC(6), mac7[] = MAC(7),
                mac8[] = MAC(8), mac9[] = MAC(9);

        if (argc != 2) {
                fprintf(stderr, "usage: unit-lookup DIR\n");
                return 2;
        }
        dir = argv[1];
        now = (int64_t)time(NULL);
        w = open_writer();
        domain(w, "Guest-VM", VIRTNAME_STATE_RUNNING, 3, 2, vm_ifaces);
        lease(w, "198.18.1.1", mac1, "net1", "lab.test", NULL, now + 100, 0);
        lease(w, "198.18.2.1", mac2, "net2", NULL, NULL, now + 100, 0);
        prove(w, "198.18.1.1", mac1, "net1", "vnet1", 3, VIRTNAME_EV_PORT);
        prove(w, "198.18.2.1", mac2, "net2", "vnet2", 3, VIRTNAME_EV_PORT);
        /* The same MAC on a network the domain has no interface on. */
        lease(w, "198.18.3.1", mac1, "net3", NULL, "stranger", now + 500, 0);
        /* A static host, and a guest claiming its name. */
        lease(w, "198.18.1.5", mac5, "net1", "lab.test", "fixed", 0, VIRTNAME_LEASE_STATIC);
        lease(w, "198.18.1.6", mac6, "net1", "lab.test", "fixed", now + 100, 0);
        /* A guest claiming the domain's name. */
        lease(w, "198.18.1.9", mac9, "net1", "lab.test", "guest-vm", now + 100, 0);
        /* A name only a guest sent; an expired one; a reserved one stored
         * behind the lease helper's back. */
        lease(w, "198.18.1.10", NULL, "net1", NULL, "plain", now + 100, 0);
        lease(w, "198.18.1.11", NULL, "net1", NULL, "gone", now - 1, 0);
        lease(w, "198.18.1.12", NULL, "net1", NULL, "wpad", now + 100, 0);
        /* One (network, MAC) defined by two domains. */
        domain(w, "Up", VIRTNAME_STATE_RUNNING, 7, 1, shared);
        domain(w, "Down", VIRTNAME_STATE_SHUTOFF, -1, 1, shared);
        lease(w, "198.18.1.7", mac7, "net1", NULL, NULL, now + 100, 0);
        prove(w, "198.18.1.7", mac7, "net1", "vnet7", 7, VIRTNAME_EV_PORT);
        domain(w, "Alone", VIRTNAME_STATE_SHUTOFF, -1, 1, lonely);
        lease(w, "198.18.1.8", mac8, "net1", NULL, NULL, now + 100, 0);
        commit(w);

        EXPECT(answer("guest-vm"), "198.18.1.1 198.18.2.1");         /* its own (network, MAC) pairs */
        EXPECT(answer("GUEST-VM."), "198.18.1.1 198.18.2.1");
        EXPECT(answer("guest-vm.lab.test"), "198.18.1.1");           /* only net1 has that domain */
        EXPECT(reverse("198.18.3.1"), "stranger");             /* not VM's: another network */
        EXPECT(reverse("198.18.1.1"), "Guest-VM");
        EXPECT(reverse("198.18.1.9"), "-");                    /* a guest sending the domain's name */
        EXPECT(answer("fixed"), "198.18.1.5");                 /* the static host only */
        EXPECT(reverse("198.18.1.6"), "-");
        EXPECT(reverse("198.18.1.5"), "fixed");
        EXPECT(answer("plain"), "198.18.1.10");
        EXPECT(answer("gone"), "-");
        EXPECT(answer("wpad"), "-");                           /* reserved, checked on the way out */
        EXPECT(reverse("198.18.1.12"), "-");
        EXPECT(answer("localhost"), "-");
        EXPECT(answer("up"), "198.18.1.7");                    /* the running one of two owners */
        EXPECT(answer("down"), "-");
        EXPECT(answer("alone"), "-");                          /* shut off: no address */
        EXPECT(reverse("198.18.1.8"), "-");                    /* nor a name for its lease */

        /* A newer lease of the same (network, MAC) that its port does not
         * answer for (another guest put this MAC in its DHCP payload):
         * the domain keeps the address its port answers for, in both
         * directions; the guest's own name for the claim is its own. */
        w = open_writer();
        lease(w, "198.18.1.2", mac1, "net1", "lab.test", "spoofer", now + 200, 0);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.1 198.18.2.1");
        EXPECT(reverse("198.18.1.1"), "Guest-VM");
        EXPECT(reverse("198.18.1.2"), "-");                    /* not answering for its (network, MAC) */
        w = open_writer();
        prove(w, "198.18.1.2", mac1, "net1", "vnet1", 3, VIRTNAME_EV_SILENT);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.1 198.18.2.1");
        /* An answer from an old run or another port says nothing. */
        w = open_writer();
        prove(w, "198.18.1.2", mac1, "net1", "vnet1", 2, VIRTNAME_EV_PORT);
        prove(w, "198.18.1.2", mac1, "net1", "vnet9", 3, VIRTNAME_EV_PORT);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.1 198.18.2.1");
        /* Once its port answers for the newer one, the newer one. */
        w = open_writer();
        prove(w, "198.18.1.2", mac1, "net1", "vnet1", 3, VIRTNAME_EV_PORT);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.2 198.18.2.1");
        EXPECT(reverse("198.18.1.1"), "-");
        EXPECT(reverse("198.18.1.2"), "Guest-VM");
        /* A DHCP report of a proven address with another MAC is refused. */
        w = open_writer();
        {
                struct virtname_lease l = { .family = AF_INET, .flags = VIRTNAME_LEASE_HAS_MAC, .expiry = now + 100,
                                            .network = "net1", .hostname = "taker" };

                inet_pton(AF_INET, "198.18.1.2", l.addr);
                memcpy(l.mac, mac9, 6);
                CHECK(virtname_writer_put_lease(w, &l) == -EEXIST);
        }
        virtname_writer_close(w);
        EXPECT(answer("taker"), "-");
        /* The lease its client asked for last wins over a longer one (a
         * guest renewing for less time than a spoofer of its MAC got),
         * both answered for by the port. */
        w = open_writer();
        seen_lease(w, "198.18.1.3", mac1, now + 50, now);
        seen_lease(w, "198.18.1.4", mac1, now + 5000, now - 30);
        prove(w, "198.18.1.3", mac1, "net1", "vnet1", 3, VIRTNAME_EV_PORT);
        prove(w, "198.18.1.4", mac1, "net1", "vnet1", 3, VIRTNAME_EV_PORT);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.3 198.18.2.1");
        EXPECT(reverse("198.18.1.4"), "-");
        /* Without that time (imported leases), the latest expiry. */
        w = open_writer();
        seen_lease(w, "198.18.1.3", mac1, now + 50, 0);
        seen_lease(w, "198.18.1.4", mac1, now + 5000, 0);
        CHECK(virtname_writer_del_lease(w, AF_INET, (uint8_t[16]){ 198, 18, 1, 2 }, "net1", true) == 0);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.4 198.18.2.1");
        /* The same domain started again (another run): nothing proven
         * until its port answers again. */
        w = open_writer();
        domain(w, "Guest-VM", VIRTNAME_STATE_RUNNING, 4, 2, vm_ifaces);
        commit(w);
        EXPECT(answer("guest-vm"), "-");
        EXPECT(reverse("198.18.1.4"), "-");
        w = open_writer();
        domain(w, "Guest-VM", VIRTNAME_STATE_RUNNING, 3, 2, vm_ifaces);
        commit(w);
        EXPECT(answer("guest-vm"), "198.18.1.4 198.18.2.1");
        w = open_writer();
        CHECK(virtname_writer_del_lease(w, AF_INET, (uint8_t[16]){ 198, 18, 1, 3 }, "net1", true) == 0);
        CHECK(virtname_writer_del_lease(w, AF_INET, (uint8_t[16]){ 198, 18, 1, 4 }, "net1", true) == 0);
        lease(w, "198.18.1.2", mac1, "net1", "lab.test", NULL, now + 200, 0);
        commit(w);
        /* Both owners of one (network, MAC) shut off: nobody owns it. */
        w = open_writer();
        domain(w, "Up", VIRTNAME_STATE_SHUTOFF, -1, 1, shared);
        commit(w);
        EXPECT(answer("up"), "-");
        EXPECT(reverse("198.18.1.7"), "-");
        /* A deletion reaches readers through the delta (a tombstone). */
        w = open_writer();
        CHECK(virtname_writer_del_lease(w, AF_INET, (uint8_t[16]){ 198, 18, 1, 10 }, "net1", true) == 0);
        commit(w);
        EXPECT(answer("plain"), "-");
        /* A static host's address is not given up to a DHCP event. */
        w = open_writer();
        CHECK(virtname_writer_del_lease(w, AF_INET, (uint8_t[16]){ 198, 18, 1, 5 }, "net1", true) == 0);
        lease(w, "198.18.1.5", mac6, "net1", "lab.test", "thief", now + 100, 0);
        commit(w);
        EXPECT(answer("fixed"), "198.18.1.5");
        EXPECT(answer("thief"), "-");
        /* A static host's name stays its own while its network is
         * stopped: a guest on another network does not get it. */
        w = open_writer();
        {
                struct virtname_network n1 = { .name = "net1", .bridge = "br1", .suffix = "lab.test",
                                               .active = false };

                CHECK(virtname_writer_put_network(w, &n1) == 0);
        }
        lease(w, "198.18.2.5", mac5, "net2", NULL, "fixed", now + 100, 0);
        commit(w);
        EXPECT(answer("fixed"), "-");
        EXPECT(reverse("198.18.2.5"), "-");
        /* ... nor under another network's domain */
        w = open_writer();
        lease(w, "198.18.2.6", mac6, "net2", "other.test", "fixed", now + 100, 0);
        commit(w);
        EXPECT(answer("fixed.other.test"), "-");
        /* Domains whose names differ in case only: each by its own name,
         * neither by a third spelling. */
        w = open_writer();
        {
                const struct virtname_iface a_if[] = { { MAC(0x21), "net2", NULL, "vnet21" } };
                const struct virtname_iface b_if[] = { { MAC(0x22), "net2", NULL, "vnet22" } };
                uint8_t ma[] = MAC(0x21), mb[] = MAC(0x22);

                domain(w, "Dup", VIRTNAME_STATE_RUNNING, 21, 1, a_if);
                domain(w, "dup", VIRTNAME_STATE_RUNNING, 22, 1, b_if);
                lease(w, "198.18.2.21", ma, "net2", NULL, NULL, now + 100, 0);
                lease(w, "198.18.2.22", mb, "net2", NULL, NULL, now + 100, 0);
                prove(w, "198.18.2.21", ma, "net2", "vnet21", 21, VIRTNAME_EV_PORT);
                prove(w, "198.18.2.22", mb, "net2", "vnet22", 22, VIRTNAME_EV_PORT);
                /* a guest sending the name in a third case gets nothing */
                lease(w, "198.18.2.23", mac9, "net2", NULL, "DUP", now + 100, 0);
        }
        commit(w);
        EXPECT(answer("Dup"), "198.18.2.21");
        EXPECT(answer("dup"), "198.18.2.22");
        EXPECT(answer("DUP"), "-");
        EXPECT(reverse("198.18.2.21"), "Dup");
        EXPECT(reverse("198.18.2.22"), "dup");
        EXPECT(reverse("198.18.2.23"), "-");
        /* Reverse names are forward-confirmed first labels: a guest that
         * sent a name under a domain it does not have gets its label. */
        w = open_writer();
        lease(w, "198.18.2.30", NULL, "net2", NULL, "www.example.com", now + 100, 0);
        commit(w);
        EXPECT(reverse("198.18.2.30"), "www");
        EXPECT(answer("www"), "198.18.2.30");
        EXPECT(answer("www.example.com"), "-");
        every_source();
        agent_claims();
        observed_flood();
        return unit_done("unit-lookup");
}
