/* unit-replay: the replay ledger (cache/ingest/replay.h) against the
 * full path.  Over random stores (leases with and without the names,
 * client ids, IAIDs and evidence of a port, static hosts, running and
 * stopped domains, two networks) a ledger is written after each commit;
 * then random lease events, exact replays of stored leases and replays
 * with one field changed, are asked of the ledger and applied in a write
 * transaction that is discarded.  Whenever the ledger says "a replay
 * that changes nothing", the transaction must have changed nothing and
 * no port may need asking.  Many exact replays must be known (else the
 * ledger saves nothing), and after a commit that changed the store, a
 * touched store file, a published delta or base gone or a hosts
 * directory's generation file that appeared, a replay it knew is no
 * longer known.
 *
 * usage: unit-replay DIR [ROUNDS [SEED]]
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/asks.h"
#include "cache/ingest/edit.h"
#include "cache/ingest/event.h"
#include "cache/derive/hostsdir.h"
#include "cache/ingest/replay.h"
#include "cache/read/paths.h"
#include "cache/write/writer.h"
#include "selftest/unit/unit.h"

#define NETS 2
#define MACS 6
#define ADDRS 10
static const char *const nets[NETS] = { "net0", "net1" };
static const char *const bridges[NETS] = { "br0", "br1" };
static const char *const suffixes[NETS] = { "zero.test", NULL };
static const char *const hosts[] = { NULL, "web", "db", "g1" };
static const char *const clientids[] = { NULL, "01:52:54:00:00:00:01", "ff:00:01" };
static const char *const ports[MACS] = { "vnet0", "vnet1", "vnet2", "vnet3", "vnet4", "vnet5" };
static int64_t now;

static void mac_of(int m, uint8_t mac[VIRTNAME_MAC_LEN])
{
        memcpy(mac, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, (uint8_t)m }, VIRTNAME_MAC_LEN);
}

static void addr_of(int family, int a, uint8_t addr[16])
{
        memset(addr, 0, 16);
        if (family == AF_INET)
                memcpy(addr, (uint8_t[]){ 198, 18, 0, (uint8_t)(1 + a) }, 4);
        else
                memcpy(addr, (uint8_t[]){ 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(1 + a) }, 16);
}

static void random_op(struct virtname_writer *w)
{
        int op = rand() % 10, net = rand() % NETS, m = rand() % MACS, family = rand() % 4 ? AF_INET : AF_INET6;
        uint8_t mac[VIRTNAME_MAC_LEN], addr[16];

        mac_of(m, mac);
        addr_of(family, rand() % ADDRS, addr);
        if (op < 5) {
                struct virtname_lease l = { .family = family, .flags = VIRTNAME_LEASE_HAS_MAC,
                                            .expiry = rand() % 5 ? now + 100 + rand() % 3 : now - 10,
                                            .seen = rand() % 2 ? now - rand() % 3 : 0,
                                            .iaid = family == AF_INET6 ? (uint32_t)(rand() % 2) : 0,
                                            .hostname = hosts[rand() % 4], .network = nets[net],
                                            .suffix = suffixes[net], .clientid = clientids[rand() % 3] };

                memcpy(l.addr, addr, 16);
                memcpy(l.mac, mac, VIRTNAME_MAC_LEN);
                int rc;

                if (rand() % 10 == 0)
                        l.flags |= VIRTNAME_LEASE_STATIC;
                rc = virtname_writer_put_lease(w, &l);
                CHECK(rc == 0 || rc == -EEXIST);
        } else if (op < 6) {
                CHECK(virtname_writer_del_lease(w, family, addr, nets[net], rand() % 2) == 0);
        } else if (op < 8) {
                struct virtname_iface f = { .network = nets[net] };
                struct virtname_domain d = { .name = ports[m], .id = rand() % 3 ? 1 + rand() % 2 : -1,
                                             .n_ifaces = 1, .ifaces = &f };

                d.state = d.id > 0 ? VIRTNAME_STATE_RUNNING : VIRTNAME_STATE_SHUTOFF;
                memcpy(f.mac, mac, VIRTNAME_MAC_LEN);
                f.port = d.id > 0 ? ports[m] : NULL;
                CHECK(virtname_writer_put_domain(w, &d) == 0);
        } else {
                CHECK(virtname_edit_prove(w, nets[net], mac, family, addr,
                                          rand() % 4 ? VIRTNAME_EV_PORT : VIRTNAME_EV_SILENT, ports[m],
                                          1 + rand() % 2, now) == 0);
        }
}

/* A lease event for ADDR on NET: dnsmasq's replay of the stored lease L
 * (when not NULL) or of a random one, one field changed when CHANGE. */
struct stored {
        uint8_t mac[VIRTNAME_MAC_LEN];
        int64_t expiry;
        uint32_t iaid;
        char clientid[256];
};

static void event_of(struct virtname_event *e, const struct stored *l, int family, const uint8_t *addr,
                     int change, const char *bridge)
{
        struct virtname_lease ev = { .family = family, .flags = VIRTNAME_LEASE_HAS_MAC };
        char action = 'k';

        memcpy(ev.addr, addr, 16);
        if (l) {
                memcpy(ev.mac, l->mac, VIRTNAME_MAC_LEN);
                ev.expiry = l->expiry;
                ev.iaid = l->iaid;
                ev.clientid = l->clientid[0] ? l->clientid : NULL;
        } else {
                mac_of(rand() % MACS, ev.mac);
                ev.expiry = now + 100 + rand() % 3;
        }
        switch (change) {
        case 1: ev.expiry++; break;
        case 2: ev.mac[5] ^= 1; break;
        case 3: ev.clientid = ev.clientid ? NULL : "01:02"; break;
        case 4: ev.iaid++; break;
        case 5: ev.seen = now; break;                   /* not a replay: the client asked */
        case 6: action = 'o'; ev.hostname = "other"; break;
        case 7: ev.flags = 0; break;                    /* no MAC */
        }
        virtname_event_lease(e, action, &ev, bridge, "dom.test");
}

/* Apply E in a transaction that is then discarded: did it change the
 * store, or leave a port to ask? */
static bool full_path_does_something(const char *dir, const struct virtname_event *e, const char *network, int family,
                                     const uint8_t *addr)
{
        struct virtname_asks asks = { 0 };
        struct virtname_writer *w;
        char err[512], what[256];
        bool something;

        if (virtname_writer_open(dir, 1000, 0, &w, err, sizeof(err)) < 0) {
                fprintf(stderr, "writer: %s\n", err);
                exit(1);
        }
        CHECK(virtname_event_apply(w, e->p, e->len, what, sizeof(what)) == 0);
        something = virtname_writer_changed(w);
        CHECK(virtname_asks_lease(virtname_writer_view(w), network, family, addr, now, &asks) == 0);
        something |= asks.n > 0;
        virtname_asks_free(&asks);
        virtname_writer_close(w);
        return something;
}

/* Move DIR's base snapshot aside (AWAY) or back.  0 or -1. */
static int move_base(const char *dir, bool away)
{
        char from[PATH_MAX], to[PATH_MAX + 8];
        struct dirent *de;
        DIR *d = opendir(dir);
        int rc = -1;

        while (d && (de = readdir(d)))
                if (strncmp(de->d_name, VIRTNAME_BASE_PREFIX, strlen(VIRTNAME_BASE_PREFIX)) == 0 &&
                    strstr(de->d_name, away ? VIRTNAME_BASE_SUFFIX : ".away") &&
                    !(away && strstr(de->d_name, ".away"))) {
                        snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
                        snprintf(to, sizeof(to), "%s", from);
                        if (away)
                                strcat(to, ".away");
                        else
                                to[strlen(to) - strlen(".away")] = '\0';
                        rc = rename(from, to);
                        break;
                }
        if (d)
                closedir(d);
        return rc;
}

int main(int argc, char **argv)
{
        int rounds = argc > 2 ? atoi(argv[2]) : 200;
        unsigned seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
        size_t exact = 0, exact_known = 0, known = 0, changed_rounds = 0, tampered = 0;
        char err[512], state[PATH_MAX], ledger[PATH_MAX], store[PATH_MAX], delta[PATH_MAX];
        char network[VIRTNAME_NAME_MAX + 1];

        if (argc < 2) {
                fprintf(stderr, "usage: unit-replay DIR [ROUNDS [SEED]]\n");
                return 2;
        }
        srand(seed);
        now = (int64_t)time(NULL);
        virtname_state_dir(argv[1], state, sizeof(state));
        virtname_path(ledger, sizeof(ledger), state, VIRTNAME_REPLAY_NAME);
        virtname_path(store, sizeof(store), state, VIRTNAME_PRIVATE_NAME);
        virtname_path(delta, sizeof(delta), argv[1], VIRTNAME_DELTA_NAME);
        for (int round = 0; round < rounds; round++) {
                struct stored stored[2 * ADDRS][NETS];
                bool have[2 * ADDRS][NETS] = { { false } };
                int net = rand() % NETS, ops = 1 + rand() % 4;
                struct virtname_writer *w;
                bool changed, written;

                if (virtname_writer_open(argv[1], 1000, 0, &w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "writer: %s\n", err);
                        return 1;
                }
                if (round == 0)
                        for (int n = 0; n < NETS; n++) {
                                struct virtname_network nw = { .name = nets[n], .bridge = bridges[n],
                                                               .suffix = suffixes[n], .active = true };

                                CHECK(virtname_writer_put_network(w, &nw) == 0);
                        }
                for (int i = 0; i < ops; i++)
                        random_op(w);
                changed = virtname_writer_changed(w);
                CHECK(virtname_writer_commit_keep(w, 0, err, sizeof(err)) == 0);
                /* A commit that changed the store took the ledger with it. */
                if (changed && round > 0) {
                        changed_rounds++;
                        CHECK(access(ledger, F_OK) < 0 && errno == ENOENT);
                }
                written = virtname_replay_write(w, bridges[net], now, err, sizeof(err)) == 0;
                CHECK(written);
                if (!written)
                        fprintf(stderr, "ledger: %s\n", err);
                virtname_writer_close(w);

                /* What the store holds, for exact replays. */
                if (virtname_writer_open(argv[1], 1000, 0, &w, err, sizeof(err)) == 0) {
                        for (int a = 0; a < 2 * ADDRS; a++) {
                                uint8_t addr[16];

                                addr_of(a < ADDRS ? AF_INET : AF_INET6, a % ADDRS, addr);
                                for (int n = 0; n < NETS; n++) {
                                        struct virtname_lease_view l;

                                        have[a][n] = virtname_get_lease(virtname_writer_view(w),
                                                                        a < ADDRS ? AF_INET : AF_INET6, addr,
                                                                        virtname_str_of(nets[n]), &l) == 0 &&
                                                     (l.flags & VIRTNAME_LEASE_HAS_MAC);
                                        if (!have[a][n])
                                                continue;
                                        memcpy(stored[a][n].mac, l.mac, VIRTNAME_MAC_LEN);
                                        stored[a][n].expiry = l.expiry;
                                        stored[a][n].iaid = l.iaid;
                                        snprintf(stored[a][n].clientid, sizeof(stored[a][n].clientid), "%.*s",
                                                 (int)l.clientid.len, l.clientid.p);
                                }
                        }
                        virtname_writer_close(w);
                }
                for (int i = 0; i < 12; i++) {
                        int a = rand() % (2 * ADDRS), family = a < ADDRS ? AF_INET : AF_INET6;
                        int change = rand() % 3 ? 0 : 1 + rand() % 7, bn = rand() % 5 ? net : !net;
                        struct virtname_event e = { 0 };
                        uint8_t addr[16];
                        int k;

                        addr_of(family, a % ADDRS, addr);
                        event_of(&e, have[a][bn] ? &stored[a][bn] : NULL, family, addr, change, bridges[bn]);
                        k = virtname_replay_known(argv[1], state, e.p, e.len, bridges[bn], family, addr, network);
                        CHECK(k == 0 || strcmp(network, nets[bn]) == 0);
                        if (k == 1 && full_path_does_something(argv[1], &e, nets[bn], family, addr)) {
                                CHECK(!"the ledger knew an event the full path applies");
                                fprintf(stderr, "  round %d: address %d net %d change %d\n", round, a, bn, change);
                        }
                        if (have[a][bn] && change == 0 && bn == net) {
                                exact++;
                                exact_known += k == 1;
                        }
                        known += k == 1;
                        virtname_event_free(&e);
                }
                /* The store file touched (another writer, a restored
                 * copy), the snapshot gone, a hosts directory's
                 * generation file that was not there: the ledger no
                 * longer holds for a replay it knew. */
                for (int a = 0; a < 2 * ADDRS && round % 10 == 9; a++) {
                        int family = a < ADDRS ? AF_INET : AF_INET6;
                        struct virtname_event e = { 0 };
                        uint8_t addr[16];

                        if (!have[a][net])
                                continue;
                        addr_of(family, a % ADDRS, addr);
                        event_of(&e, &stored[a][net], family, addr, 0, bridges[net]);
                        if (virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family, addr,
                                                  network) != 1) {
                                virtname_event_free(&e);
                                continue;
                        }
                        tampered++;
                        if (round % 30 == 9) {
                                struct stat st;
                                struct timespec t[2] = { { 0, UTIME_OMIT }, { 0, 0 } };

                                CHECK(stat(store, &st) == 0);
                                t[1].tv_sec = st.st_mtim.tv_sec + 1;
                                CHECK(utimensat(AT_FDCWD, store, t, 0) == 0);
                                CHECK(virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family,
                                                            addr, network) == 0);
                        } else if (round % 30 == 19) {
                                char moved[PATH_MAX + 8];

                                snprintf(moved, sizeof(moved), "%s.away", delta);
                                CHECK(rename(delta, moved) == 0);
                                CHECK(virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family,
                                                            addr, network) == 0);
                                CHECK(rename(moved, delta) == 0);
                                /* The base it extends gone. */
                                CHECK(move_base(argv[1], true) == 0);
                                CHECK(virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family,
                                                            addr, network) == 0);
                                CHECK(move_base(argv[1], false) == 0);
                                /* The same files again (rename keeps them). */
                                CHECK(virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family,
                                                            addr, network) == 1);
                        } else {
                                char hd[PATH_MAX], gen[PATH_MAX + 16];
                                int fd;

                                snprintf(hd, sizeof(hd), "%s/" VIRTNAME_HOSTSDIR_NAME, argv[1]);
                                snprintf(gen, sizeof(gen), "%s/" VIRTNAME_HOSTSDIR_GENERATION, hd);
                                CHECK(mkdir(hd, 0755) == 0);
                                CHECK((fd = open(gen, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0);
                                close(fd);
                                CHECK(virtname_replay_known(argv[1], state, e.p, e.len, bridges[net], family,
                                                            addr, network) == 0);
                                CHECK(unlink(gen) == 0 && rmdir(hd) == 0);
                        }
                        virtname_event_free(&e);
                        break;
                }
        }
        printf("unit-replay: %zu exact replays, %zu known by the ledger; %zu events known in all; %zu rounds "
               "changed the store; %zu known replays checked after a file changed\n", exact, exact_known, known,
               changed_rounds, tampered);
        /* The ledger must spare the full path many exact replays (not
         * those of static hosts, nor of ports that need asking: a good
         * half here). */
        CHECK(exact > 0 && exact_known * 3 > exact);
        CHECK(tampered >= (size_t)rounds / 20);
        return unit_done("unit-replay");
}
