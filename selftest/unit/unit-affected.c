/* unit-affected - what a transaction changed (cache/derive/affected.h), checked
 * against the whole truth: after every random transaction the full export
 * (every name's records, every hosts line) is compared with the one
 * before it, and the writer's answer must hold every name whose records
 * changed and exactly the lines that changed.
 *
 *   unit-affected DIR [ROUNDS [SEED]]      DIR must not exist yet
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/derive/affected.h"
#include "cache/ingest/edit.h"
#include "cache/write/writer.h"
#include "selftest/unit/unit.h"

#define NETS 3
#define MACS 8
#define DOMS 5
#define MAX_ITEMS 4096

static const char *const nets[NETS] = { "net0", "net1", "net2" };
static const char *const suffixes[NETS] = { "zero.test", NULL, "two.test" };
/* Host names collide with each other, with domain names, with reserved
 * names and with the static host. */
static const char *const hosts[] = { NULL, "web", "db", "dom1", "wpad", "localhost", "fixed", "web.example",
                                     "Dom2", "cache" };
static const char *const doms[DOMS] = { "dom0", "dom1", "Dom2", "web", "my vm" };
static int64_t now;

/* A full export as sorted text items. */
struct items {
        char *s[MAX_ITEMS];
        size_t n;
};

static int add_item(struct items *it, const char *text)
{
        if (it->n == MAX_ITEMS)
                return 1;
        it->s[it->n++] = strdup(text);
        return 0;
}

static int cmp_str(const void *a, const void *b);

/* "name: addr addr(r) ..." with the addresses sorted: the order of an
 * answer is not part of it. */
static int named_item(const struct virtname_named *n, void *ctx)
{
        char text[4096], a[VIRTNAME_ANSWER_MAX][80], *p[VIRTNAME_ANSWER_MAX];
        int len = snprintf(text, sizeof(text), "%s:", n->name);

        for (size_t i = 0; i < n->answer.n; i++) {
                inet_ntop(n->answer.addr[i].family, n->answer.addr[i].addr, a[i], 64);
                strcat(a[i], n->reverse[i] ? "(r)" : "");
                p[i] = a[i];
        }
        qsort(p, n->answer.n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n->answer.n; i++)
                len += snprintf(text + len, sizeof(text) - (size_t)len, " %s", p[i]);
        return add_item(ctx, text);
}

static int line_item(const struct virtname_line *l, void *ctx)
{
        char text[1024];
        int n = snprintf(text, sizeof(text), "%s ", l->network);

        virtname_line_format(l, text + n, sizeof(text) - (size_t)n);
        return add_item(ctx, text);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void export_all(const struct virtname_view *v, struct items *names, struct items *lines)
{
        names->n = lines->n = 0;
        CHECK(virtname_export_names(v, now, named_item, names) == 0);
        CHECK(virtname_export_lines(v, NULL, now, line_item, lines) == 0);
        qsort(names->s, names->n, sizeof(char *), cmp_str);
        qsort(lines->s, lines->n, sizeof(char *), cmp_str);
}

static void free_items(struct items *it)
{
        for (size_t i = 0; i < it->n; i++)
                free(it->s[i]);
        it->n = 0;
}

static bool contains(const struct items *it, const char *s)
{
        return bsearch(&s, it->s, it->n, sizeof(char *), cmp_str) != NULL;
}

/* The name of a name item ("web: 198.18.0.1(r)" -> "web"). */
static void item_name(const char *item, char *out, size_t cap)
{
        snprintf(out, cap, "%.*s", (int)strcspn(item, ":"), item);
}

static bool has_name(const struct virtname_affected *a, const char *name)
{
        for (size_t i = 0; i < a->n_names; i++)
                if (strcmp(a->names[i], name) == 0)
                        return true;
        return false;
}

static void random_op(struct virtname_writer *w)
{
        uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, (uint8_t)(rand() % MACS) };
        int net = rand() % NETS, op = rand() % 13;
        static const char *const ports[MACS] = { "vnet0", "vnet1", "vnet2", "vnet3", "vnet4", "vnet5", "vnet6",
                                                 "vnet7" };

        if (op < 5) {
                struct virtname_lease l = { .family = rand() % 4 ? AF_INET : AF_INET6,
                                            .flags = VIRTNAME_LEASE_HAS_MAC, .network = nets[net],
                                            .suffix = suffixes[net],
                                            .hostname = hosts[rand() % (sizeof(hosts) / sizeof(hosts[0]))],
                                            .expiry = rand() % 5 == 0 ? now - 10 : now + 100 + rand() % 50 };

                memcpy(l.mac, mac, 6);
                if (l.family == AF_INET)
                        memcpy(l.addr, (uint8_t[]){ 198, 18, (uint8_t)net, (uint8_t)(1 + rand() % 12) }, 4);
                else
                        memcpy(l.addr, (uint8_t[]){ 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                    (uint8_t)(1 + rand() % 6) }, 16);
                if (rand() % 12 == 0) {
                        l.flags |= VIRTNAME_LEASE_STATIC;
                        l.hostname = "fixed";
                        l.expiry = 0;
                }
                if (getenv("UNIT_VERBOSE")) {
                        char a[64];
                        inet_ntop(l.family, l.addr, a, sizeof(a));
                        fprintf(stderr, "  op: lease %s %s mac %d host %s%s expiry %+lld\n", a, l.network, mac[5],
                                l.hostname ? l.hostname : "-", l.flags & VIRTNAME_LEASE_STATIC ? " static" : "",
                                (long long)(l.expiry ? l.expiry - now : 0));
                }
                /* A claim does not displace a proven lease of another MAC. */
                int rc = virtname_writer_put_lease(w, &l);

                CHECK(rc == 0 || rc == -EEXIST);
        } else if (op < 7) {
                uint8_t addr[16] = { 198, 18, (uint8_t)net, (uint8_t)(1 + rand() % 12) };

                CHECK(virtname_writer_del_lease(w, AF_INET, addr, nets[net], rand() % 2) == 0);
        } else if (op < 9) {
                struct virtname_iface ifaces[2];
                struct virtname_domain d = { .name = doms[rand() % DOMS], .id = -1,
                                             .state = rand() % 2 ? VIRTNAME_STATE_RUNNING : VIRTNAME_STATE_SHUTOFF,
                                             .n_ifaces = (size_t)(1 + rand() % 2), .ifaces = ifaces };

                /* Runs 1 and 2 of a running domain, so that what its
                 * ports proved holds or not. */
                if (d.state == VIRTNAME_STATE_RUNNING)
                        d.id = 1 + rand() % 2;
                for (size_t i = 0; i < d.n_ifaces; i++) {
                        int m = rand() % MACS;

                        memset(ifaces[i].mac, 0, 6);
                        memcpy(ifaces[i].mac, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, (uint8_t)m }, 6);
                        ifaces[i].network = nets[rand() % NETS];
                        ifaces[i].filter = NULL;
                        ifaces[i].port = d.state == VIRTNAME_STATE_RUNNING ? ports[m] : NULL;
                }
                CHECK(virtname_writer_put_domain(w, &d) == 0);
        } else if (op < 10) {
                CHECK(virtname_writer_del_domain(w, doms[rand() % DOMS]) == 0);
        } else if (op < 12) {
                /* What a port said of an address (stale answers are
                 * ignored: another run, another port). */
                uint8_t addr[16] = { 198, 18, (uint8_t)net, (uint8_t)(1 + rand() % 12) };
                int family = AF_INET;

                if (rand() % 4 == 0) {
                        family = AF_INET6;
                        memcpy(addr, (uint8_t[]){ 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                  (uint8_t)(1 + rand() % 6) }, 16);
                }
                CHECK(virtname_edit_prove(w, nets[net], mac, family, addr,
                                          rand() % 4 ? VIRTNAME_EV_PORT : VIRTNAME_EV_SILENT, ports[mac[5]],
                                          1 + rand() % 2, now) == 0);
        } else {
                /* A network stops (its leases stay, unanswered) or starts. */
                struct virtname_network n = { .name = nets[net], .suffix = suffixes[net], .active = rand() % 3 != 0 };

                CHECK(virtname_writer_put_network(w, &n) == 0);
        }
}

int main(int argc, char **argv)
{
        static struct items names[2], lines[2];
        int rounds = argc > 2 ? atoi(argv[2]) : 400;
        unsigned seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
        size_t changed_names = 0, changed_lines = 0, reported_names = 0, domain_answers = 0;
        char err[512];

        if (argc < 2) {
                fprintf(stderr, "usage: unit-affected DIR [ROUNDS [SEED]]\n");
                return 2;
        }
        srand(seed);
        now = (int64_t)time(NULL);
        for (int round = 0; round < rounds; round++) {
                struct virtname_affected a;
                struct virtname_writer *w;
                int ops = 1 + rand() % 3, rc;

                if (virtname_writer_open(argv[1], 1000, 0, &w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "writer: %s\n", err);
                        return 1;
                }
                export_all(virtname_writer_view(w), &names[0], &lines[0]);
                for (int i = 0; i < ops; i++)
                        random_op(w);
                rc = virtname_affected_of(w, now, &a);
                CHECK(rc == 0);
                export_all(virtname_writer_view(w), &names[1], &lines[1]);
                /* Domains' names with addresses their ports answered for. */
                for (size_t i = 0; i < names[1].n; i++)
                        domain_answers += strncmp(names[1].s[i], "dom0:", 5) == 0 ||
                                          strncmp(names[1].s[i], "dom1:", 5) == 0;

                /* Every name whose records changed is reported. */
                for (int side = 0; side < 2; side++)
                        for (size_t i = 0; i < names[side].n; i++) {
                                char name[VIRTNAME_NAME_MAX + 1];

                                if (contains(&names[!side], names[side].s[i]))
                                        continue;
                                item_name(names[side].s[i], name, sizeof(name));
                                changed_names += side;
                                CHECK(has_name(&a, name));
                                if (!has_name(&a, name))
                                        fprintf(stderr, "  round %d: %s changed (%s), not reported\n", round,
                                                name, names[side].s[i]);
                        }
                /* The reported lines are exactly the changed ones. */
                {
                        struct items got = { .n = 0 }, want = { .n = 0 };

                        for (size_t i = 0; i < a.n_lines; i++) {
                                char text[1024], addr[64];
                                int n = snprintf(text, sizeof(text), "%s ", a.lines[i].network);

                                if (virtname_line_format(&a.lines[i], text + n, sizeof(text) - (size_t)n) == 0) {
                                        /* A line without names: gone, if there was one
                                         * (else only whether it is leased changed). */
                                        bool had = false;

                                        inet_ntop(a.lines[i].family, a.lines[i].addr, addr, sizeof(addr));
                                        snprintf(text + n, sizeof(text) - (size_t)n, "%s ", addr);
                                        for (size_t j = 0; j < lines[0].n; j++)
                                                had |= strncmp(lines[0].s[j], text, strlen(text)) == 0;
                                        if (!had)
                                                continue;
                                        snprintf(text + n, sizeof(text) - (size_t)n, "%s gone", addr);
                                }
                                add_item(&got, text);
                        }
                        for (size_t i = 0; i < lines[1].n; i++)
                                if (!contains(&lines[0], lines[1].s[i]))
                                        add_item(&want, lines[1].s[i]);
                        for (size_t i = 0; i < lines[0].n; i++)
                                if (!contains(&lines[1], lines[0].s[i])) {
                                        char text[1024], net[64], addr[64];

                                        sscanf(lines[0].s[i], "%63s %63s", net, addr);
                                        snprintf(text, sizeof(text), "%s %s gone", net, addr);
                                        /* unless the address has a new line there */
                                        bool replaced = false;
                                        for (size_t j = 0; j < want.n; j++) {
                                                char n2[64], a2[64];

                                                sscanf(want.s[j], "%63s %63s", n2, a2);
                                                replaced |= strcmp(n2, net) == 0 && strcmp(a2, addr) == 0;
                                        }
                                        if (!replaced)
                                                add_item(&want, text);
                                }
                        qsort(got.s, got.n, sizeof(char *), cmp_str);
                        qsort(want.s, want.n, sizeof(char *), cmp_str);
                        bool same = got.n == want.n;
                        for (size_t i = 0; same && i < got.n; i++)
                                same = strcmp(got.s[i], want.s[i]) == 0;
                        CHECK(same);
                        if (!same) {
                                fprintf(stderr, "  round %d: lines reported:\n", round);
                                for (size_t i = 0; i < got.n; i++)
                                        fprintf(stderr, "    %s", got.s[i]);
                                fprintf(stderr, "  changed:\n");
                                for (size_t i = 0; i < want.n; i++)
                                        fprintf(stderr, "    %s%s", want.s[i],
                                                strchr(want.s[i], '\n') ? "" : "\n");
                        }
                        changed_lines += want.n;
                        free_items(&got);
                        free_items(&want);
                }
                reported_names += a.n_names;
                virtname_affected_free(&a);
                for (int side = 0; side < 2; side++) {
                        free_items(&names[side]);
                        free_items(&lines[side]);
                }
                if (virtname_writer_commit(w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "commit: %s\n", err);
                        return 1;
                }
        }
        printf("%d rounds: %zu names and %zu lines changed; %zu names reported; %zu domain answers\n", rounds,
               changed_names, changed_lines, reported_names, domain_answers);
        CHECK(domain_answers > 0);      /* the evidence rules were exercised */
        return unit_done("unit-affected");
}
