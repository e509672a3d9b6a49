/* unit-affected - what a transaction changed (cache/derive/affected.h), checked
 * against the whole truth: after every random transaction the full export
 * (every name's records, every hosts line) is compared with the one
 * before it, and the writer's answer must hold every name whose records
 * changed and exactly the lines that changed.
 *
 * And the answers database (cache/read/answers.h) the commit derived:
 * after every transaction, every question (each name the store may know,
 * in other cases, with a trailing dot, as NAME.DOMAIN for each DNS
 * domain and another one; both families and each alone) gets the same
 * answer from it as from the rules (virtname_resolve()), at the commit's
 * time, at and just before each expiry of what those answers hold, and
 * far on; in the writer's committed view and in the published snapshot.
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
#include "cache/read/answers.h"
#include "cache/read/names.h"
#include "cache/read/reader.h"
#include "cache/write/writer.h"
#include "selftest/unit/unit.h"

#define NETS 3
#define MACS 8
#define DOMS 8
#define MAX_ITEMS 4096

static const char *const nets[NETS] = { "net0", "net1", "net2" };
static const char *const suffixes[NETS] = { "zero.test", NULL, "two.test" };
/* Host names collide with each other, with domain names, with reserved
 * names and with the static host; some are no DNS names. */
static const char *const hosts[] = { NULL, "web", "db", "dom1", "wpad", "localhost", "fixed", "web.example",
                                     "Dom2", "cache", "my_vm", "Web" };
/* Two domains share a name in different cases; one has a NAME.DOMAIN
 * name; one is no DNS name. */
static const char *const doms[DOMS] = { "dom0", "dom1", "Dom2", "web", "my vm", "dom2", "web.zero.test", "DB" };
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
                if (rand() % 10 == 0)
                        l.flags &= ~VIRTNAME_LEASE_HAS_MAC;
                if (l.family == AF_INET)
                        memcpy(l.addr, (uint8_t[]){ 198, 18, (uint8_t)net, (uint8_t)(1 + rand() % 12) }, 4);
                else
                        memcpy(l.addr, (uint8_t[]){ 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                    (uint8_t)(1 + rand() % 6) }, 16);
                if (rand() % 12 == 0) {
                        l.flags |= VIRTNAME_LEASE_STATIC;
                        l.hostname = rand() % 3 ? "fixed" : "db";
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

/* --- the answers database against the rules ---------------------------------- */

struct tally {
        size_t asked, held, answered, known, stale;
        unsigned shown;
};

/* Does the record of Q's lookup key answer Q by itself at T (no record:
 * it answers nothing by itself too)? */
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
                fprintf(stderr, " %s(%lld)", inet_ntop(a->addr[i].family, a->addr[i].addr, text, sizeof(text)),
                        (long long)(a->addr[i].expiry ? a->addr[i].expiry - now : 0));
        fprintf(stderr, "\n");
}

/* Q (FAMILY) at T from the answers database and from the rules: the very
 * same answer (every field: both are cleared first). */
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
        c->known += want.known;
        CHECK(rw == rg && memcmp(&want, &got, sizeof(want)) == 0);
        if ((rw != rg || memcmp(&want, &got, sizeof(want)) != 0) && c->shown++ < 10) {
                fprintf(stderr, "  round %d: '%s' family %d at %+lld differs\n", round, q, family,
                        (long long)(t - now));
                show("rules  ", rw, &want);
                show("answers", rg, &got);
        }
}

/* The times to ask Q at: T0, each expiry of what the rules answer at the
 * times before it (and a second before it), far on. */
static size_t times_for(const struct virtname_view *v, const char *q, int64_t t0, int64_t times[32])
{
        static struct virtname_answer a;
        size_t n = 0;

        times[n++] = t0;
        for (size_t i = 0; i < n && n < 29; i++) {
                if (virtname_resolve(v, q, AF_UNSPEC, times[i], &a) < 0)
                        break;
                for (size_t j = 0; j < a.n && n < 29; j++) {
                        int64_t e = a.addr[j].expiry;
                        bool have = e <= times[i];

                        for (size_t k = 0; k < n && !have; k++)
                                have = times[k] == e;
                        if (!have) {
                                times[n++] = e - 1;
                                times[n++] = e;
                        }
                }
        }
        times[n++] = t0 + 10000000;
        return n;
}

/* Every question, against snapshot view V at T0 and after. */
static void check_answers(const struct virtname_view *v, int64_t t0, struct tally *c, int round)
{
        static const char *const forms[] = { "", ".zero.test", ".two.test", ".Zero.TEST", ".other.test", "." };
        const char *bases[DOMS + sizeof(hosts) / sizeof(hosts[0]) + 2];
        size_t nb = 0;

        for (size_t i = 0; i < DOMS; i++)
                bases[nb++] = doms[i];
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
                if (hosts[i])
                        bases[nb++] = hosts[i];
        bases[nb++] = "nosuch";
        bases[nb++] = "DoM1";
        for (size_t i = 0; i < nb; i++)
                for (int upper = 0; upper < 2; upper++)
                        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
                                char q[VIRTNAME_NAME_MAX + 1];
                                int64_t times[32];
                                size_t n;

                                snprintf(q, sizeof(q), "%s%s", bases[i], forms[f]);
                                for (char *p = q; upper && *p; p++)
                                        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
                                n = times_for(v, q, t0, times);
                                for (size_t k = 0; k < n; k++)
                                        compare(v, q, AF_UNSPEC, times[k], c, round);
                                compare(v, q, AF_INET, t0, c, round);
                                compare(v, q, AF_INET6, times[n / 2], c, round);
                        }
}

/* The published snapshot of DIR, or NULL. */
static struct virtname_snapshot *snapshot(const char *dir, struct virtname_view *v)
{
        struct virtname_snapshot *s;

        if (virtname_snapshot_load(dir, NULL, &s) < 0)
                return NULL;
        if (virtname_snapshot_view(s, v) < 0) {
                virtname_snapshot_unref(s);
                return NULL;
        }
        return s;
}

/* How many questions the previous snapshot's answers database answers
 * otherwise than the rules on the new one: stale answers must show. */
static size_t stale(const struct virtname_view *old, const struct virtname_view *v, int64_t t0)
{
        static struct virtname_answer a, b;
        size_t n = 0;

        for (size_t i = 0; i < DOMS; i++) {
                memset(&a, 0, sizeof(a));
                memset(&b, 0, sizeof(b));
                virtname_answers_resolve(old, doms[i], AF_UNSPEC, t0, &a);
                virtname_resolve(v, doms[i], AF_UNSPEC, t0, &b);
                n += memcmp(&a, &b, sizeof(a)) != 0;
        }
        return n;
}

int main(int argc, char **argv)
{
        static struct items names[2], lines[2];
        int rounds = argc > 2 ? atoi(argv[2]) : 400;
        unsigned seed = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
        size_t changed_names = 0, changed_lines = 0, reported_names = 0, domain_answers = 0;
        struct tally tally = { 0 };
        struct virtname_snapshot *prev = NULL;
        struct virtname_view prev_view;
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
                /* The answers a reader gets, against the rules. */
                {
                        struct virtname_view v;
                        struct virtname_snapshot *s = snapshot(argv[1], &v);
                        int64_t t0 = (int64_t)time(NULL);

                        CHECK(s != NULL);
                        if (!s)
                                continue;
                        check_answers(&v, t0, &tally, round);
                        if (prev) {
                                tally.stale += stale(&prev_view, &v, t0);
                                virtname_view_end(&prev_view);
                                virtname_snapshot_unref(prev);
                        }
                        prev = s;
                        prev_view = v;
                }
        }
        if (prev) {
                virtname_view_end(&prev_view);
                virtname_snapshot_unref(prev);
        }
        printf("%d rounds: %zu names and %zu lines changed; %zu names reported; %zu domain answers\n", rounds,
               changed_names, changed_lines, reported_names, domain_answers);
        printf("answers: %zu questions, %zu by the record alone, %zu with addresses, %zu known; "
               "%zu stale answers of the previous snapshot seen\n",
               tally.asked, tally.held, tally.answered, tally.known, tally.stale);
        CHECK(domain_answers > 0);      /* the evidence rules were exercised */
        /* Not vacuous: records answer most questions by themselves, many
         * with addresses, and a record left behind would show. */
        CHECK(tally.held * 10 > tally.asked * 9);
        CHECK(tally.answered * 20 > tally.asked);
        CHECK(tally.stale > 0);
        return unit_done("unit-affected");
}
