/* hookfuzz - hostile input to the writers: random arguments and DNSMASQ_*
 * environments for the lease helper, damaged and generated XML for the
 * network and qemu hooks.  Every run must exit 0 within its deadline with
 * no sanitizer report, and the store must stay readable and answer only
 * what the inputs could legitimately give.
 *
 *   hookfuzz [-H HOOKS-DIR] [-m MODULE] [-s SEED] [-n RUNS] [-t SECONDS]
 *            [-k KEEP-DIR] [-x XML-DIR] lease|xml STORE-DIR WORK-DIR
 *
 * STORE-DIR is a store made like snapfuzz's (selftest/lib.sh's
 * make_fixture, rebuilt, plus t-fuzz.sh's lease events); it is copied to
 * WORK-DIR/store and the hooks (HOOKS-DIR, default build-asan/hooks) run
 * against the copy.  MODULE (default build-asan/libnss_virtname.so.2)
 * answers, in a child process, after every few runs and at the end:
 *   - nothing is unreadable (no UNAVAIL);
 *   - no reserved name is answered, forwards or in reverse: localhost and
 *     *.localhost, localhost.localdomain, ip6-*, _*, wpad, this host's
 *     name and /etc/hosts names, whole or as the first label (checked here
 *     independently of the product's own list);
 *   - lease: the fixture's domains (web-vm, db-vm, intruder) answer their
 *     good addresses or fewer, never another (the fuzzer never sends one
 *     of their own (bridge, MAC) pairs, so nothing may give them a new
 *     address); any other name answers only addresses some event sent
 *     with a host name of that first label; a reverse answer is the good
 *     one or a host name an event sent with that very address, or its
 *     first label (with one of the DNS domains seen), and never a domain's
 *     name;
 *   - xml: an external entity's content (a canary file) never becomes a
 *     name.
 * Every name and address the store holds at the end is asked too.
 * Failing runs are kept in KEEP-DIR (a script that replays the runs since
 * the last good check, the XML, the store) and the path printed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <nss.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "selftest/fuzz/fuzz.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"
#include "cache/read/record.h"

static struct {
        const char *hooks;
        const char *module;
        uint64_t seed;
        unsigned long runs;
        double seconds;
        const char *keep;
        const char *xml_dir;
        unsigned timeout_ms;
        bool control;
        bool xml_mode;
} opt = { "build-asan/hooks", "build-asan/libnss_virtname.so.2", 1, 0, 0, NULL, "selftest/fixtures/xml",
          20000, false, false };

static struct nss_module *mod;
static char work[PATH_MAX], store[PATH_MAX], canary_path[PATH_MAX];
static const char canary[] = "xxecanary";

/* --- names: normalising and the reserved ones ------------------------------- */

/* Lower case, one trailing dot dropped; false if empty or too long. */
static bool norm(const char *in, char *out, size_t cap)
{
        size_t n = strlen(in);

        if (n > 1 && in[n - 1] == '.')
                n--;
        if (n == 0 || n >= cap)
                return false;
        for (size_t i = 0; i < n; i++)
                out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' : in[i]);
        out[n] = '\0';
        return true;
}

static void first_label(const char *name, char *out, size_t cap)
{
        size_t n = strcspn(name, ".");

        if (n >= cap)
                n = cap - 1;
        memcpy(out, name, n);
        out[n] = '\0';
}

struct strs {
        char **s;
        size_t n, cap;
};

static void strs_add(struct strs *l, const char *s)
{
        if (l->n == l->cap) {
                size_t cap = l->cap ? 2 * l->cap : 64;
                char **more = realloc(l->s, cap * sizeof(*more));

                if (!more)
                        exit(2);
                l->s = more;
                l->cap = cap;
        }
        l->s[l->n] = strdup(s);
        if (!l->s[l->n])
                exit(2);
        l->n++;
}

static bool strs_has(const struct strs *l, const char *s)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->s[i], s) == 0)
                        return true;
        return false;
}

static void strs_add_unique(struct strs *l, const char *s)
{
        if (!strs_has(l, s))
                strs_add(l, s);
}

static void strs_clear(struct strs *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->s[i]);
        l->n = 0;
}

/* This host's names and /etc/hosts names, lower case. */
static struct strs host_names;

static void load_host_names(void)
{
        struct utsname u;
        char line[4096], n[256];
        FILE *f;

        if (uname(&u) == 0 && norm(u.nodename, n, sizeof(n))) {
                char l[256];

                strs_add_unique(&host_names, n);
                first_label(n, l, sizeof(l));
                strs_add_unique(&host_names, l);
        }
        f = fopen("/etc/hosts", "re");
        while (f && fgets(line, sizeof(line), f)) {
                char *save = NULL, *tok;

                line[strcspn(line, "#")] = '\0';
                tok = strtok_r(line, " \t\r\n", &save);
                while (tok && (tok = strtok_r(NULL, " \t\r\n", &save)))
                        if (norm(tok, n, sizeof(n)))
                                strs_add_unique(&host_names, n);
        }
        if (f)
                fclose(f);
}

static bool reserved_one(const char *n)
{
        size_t len = strlen(n);

        return strcmp(n, "localhost") == 0 || (len > 10 && strcmp(n + len - 10, ".localhost") == 0) ||
               strcmp(n, "localhost.localdomain") == 0 || strncmp(n, "ip6-", 4) == 0 || n[0] == '_' ||
               strcmp(n, "wpad") == 0 || strs_has(&host_names, n);
}

/* NAME (normalised) or its first label is reserved. */
static bool reserved(const char *name)
{
        char l[256];

        first_label(name, l, sizeof(l));
        return reserved_one(name) || reserved_one(l);
}

/* --- what the inputs gave --------------------------------------------------- */

static const char *const domains[] = { "web-vm", "db-vm", "intruder" };

/* Every address a lease of one of the domain's own (network, MAC) pairs
 * holds in the fixture (db-vm's older lease answers again when its newer
 * one goes). */
static const char *const domain_addrs[][4] = {
        { "198.18.0.10", "2001:db8:0:1::110" },
        { "198.18.0.11", "198.18.0.12", "198.19.0.21" },
        { "198.18.0.13" },
};

static bool is_domain(const char *label)
{
        for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
                if (strcmp(label, domains[i]) == 0)
                        return true;
        return false;
}

static bool domain_has_addr(const char *label, const char *addr)
{
        for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
                if (strcmp(label, domains[i]) == 0)
                        for (size_t j = 0; j < 4 && domain_addrs[i][j]; j++)
                                if (strcmp(domain_addrs[i][j], addr) == 0)
                                        return true;
        return false;
}

struct pair {
        char name[256];                 /* normalised host name */
        char label[256];
        char addr[64];
};

static struct pair *sent;
static size_t n_sent, cap_sent;
static struct strs suffixes;            /* DNS domains seen: for name.DOMAIN in reverse */
static struct strs touched_names, touched_addrs;

static void sent_add(const char *host, const char *addr)
{
        struct pair *p;

        if (n_sent == cap_sent) {
                cap_sent = cap_sent ? 2 * cap_sent : 256;
                sent = realloc(sent, cap_sent * sizeof(*sent));
                if (!sent)
                        exit(2);
        }
        p = &sent[n_sent];
        if (!norm(host, p->name, sizeof(p->name)))
                return;
        first_label(p->name, p->label, sizeof(p->label));
        snprintf(p->addr, sizeof(p->addr), "%s", addr);
        n_sent++;
}

/* The address ARG as the module prints it, or false. */
static bool canon_addr(const char *arg, char *out, size_t cap)
{
        uint8_t a[16];

        if (inet_pton(AF_INET, arg, a) == 1)
                return inet_ntop(AF_INET, a, out, (socklen_t)cap) != NULL;
        if (inet_pton(AF_INET6, arg, a) == 1)
                return inet_ntop(AF_INET6, a, out, (socklen_t)cap) != NULL;
        return false;
}

/* --- the good answers ---------------------------------------------------------- */

struct qa {
        struct queries qs;
        struct answer *good;            /* for the first n_good questions */
        size_t n_good;
};

static struct qa base_q;

static const char *const reserved_names[] = {
        "localhost", "LOCALHOST.", "foo.localhost", "localhost.localdomain", "ip6-localhost",
        "ip6-allnodes", "_gateway", "_x", "wpad", "WPAD", "wpad.lab.test", "localhost.lab.test",
        "vm", "runsc",
};
static const char *const fixture_names[] = {
        "web-vm", "db-vm", "intruder", "web-vm.lab.test", "db-vm.lab.test", "intruder.lab.test",
        "web", "extra", "db2", "lone",
};
static const char *const fixture_addrs[] = {
        "198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13", "198.18.0.14", "198.18.0.19",
        "198.19.0.21", "2001:db8:0:1::110", "2001:db8:0:1::119",
};

static void base_queries(struct queries *qs)
{
        char n[256];

        for (size_t i = 0; i < sizeof(fixture_names) / sizeof(fixture_names[0]); i++)
                queries_add_name(qs, fixture_names[i]);
        for (size_t i = 0; i < sizeof(fixture_addrs) / sizeof(fixture_addrs[0]); i++)
                queries_add_addr(qs, fixture_addrs[i]);
        for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
                queries_add_name(qs, reserved_names[i]);
        for (size_t i = 0; i < host_names.n; i++) {
                queries_add_name(qs, host_names.s[i]);
                snprintf(n, sizeof(n), "%s.lab.test", host_names.s[i]);
                queries_add_name(qs, n);
        }
        queries_add_name(qs, canary);
        queries_add_name(qs, "xxecanary.lab.test");
}

struct ask_ctx {
        const struct queries *qs;
};

static int ask_all(void *vctx, int out_fd)
{
        const struct ask_ctx *c = vctx;
        struct answer a;

        setenv(VIRTNAME_DIR_ENV, store, 1);
        for (size_t i = 0; i < c->qs->n; i++) {
                answer_query(mod, &c->qs->q[i], &a);
                if (write_all(out_fd, &a, sizeof(a)) < 0)
                        return 3;
        }
        return 0;
}

/* Every name and address the published snapshot holds, as questions. */
static int enumerate(void *vctx, int out_fd)
{
        struct virtname_snapshot *snap;
        struct virtname_view v;
        struct virtname_iter it;
        struct queries qs = { 0 };
        MDB_val k, d;
        char n[300];

        (void)vctx;
        if (virtname_snapshot_load(store, NULL, &snap) < 0 || virtname_snapshot_view(snap, &v) < 0)
                return 4;
        if (virtname_iter_start(&it, &v, VIRTNAME_DB_DOMAINS, NULL, 0) == 0)
                while (virtname_iter_next(&it, &k, &d) == 0)
                        if (k.mv_size < 250 && !memchr(k.mv_data, '\0', k.mv_size)) {
                                memcpy(n, k.mv_data, k.mv_size);
                                n[k.mv_size] = '\0';
                                queries_add_name(&qs, n);
                        }
        virtname_iter_end(&it);
        if (virtname_iter_start(&it, &v, VIRTNAME_DB_LEASES, NULL, 0) == 0)
                while (virtname_iter_next(&it, &k, &d) == 0) {
                        struct virtname_lease_view l;
                        char a[64];

                        if (virtname_lease_decode(d.mv_data, d.mv_size, &l) < 0)
                                continue;
                        if (inet_ntop(l.family, l.addr, a, sizeof(a)))
                                queries_add_addr(&qs, a);
                        if (l.hostname.len && l.hostname.len < 250 && !memchr(l.hostname.p, '\0', l.hostname.len)) {
                                memcpy(n, l.hostname.p, l.hostname.len);
                                n[l.hostname.len] = '\0';
                                queries_add_name(&qs, n);
                                if (l.suffix.len && l.hostname.len + l.suffix.len < 250 &&
                                    !memchr(l.suffix.p, '\0', l.suffix.len)) {
                                        n[l.hostname.len] = '.';
                                        memcpy(n + l.hostname.len + 1, l.suffix.p, l.suffix.len);
                                        n[l.hostname.len + 1 + l.suffix.len] = '\0';
                                        queries_add_name(&qs, n);
                                }
                        }
                }
        virtname_iter_end(&it);
        virtname_view_end(&v);
        virtname_snapshot_unref(snap);
        return write_all(out_fd, qs.q, qs.n * sizeof(*qs.q)) < 0 ? 3 : 0;
}

/* --- judging ----------------------------------------------------------------------- */

static bool addr_allowed_for(const char *label, const char *addr)
{
        for (size_t i = 0; i < n_sent; i++)
                if (strcmp(sent[i].label, label) == 0 && strcmp(sent[i].addr, addr) == 0)
                        return true;
        return false;
}

/* A reverse name for ADDR: a host name an event sent with it, or that
 * name's first label (the reverse answer names a guest by the label its
 * host name resolves under), either with one of the DNS domains seen. */
static bool name_allowed_for(const char *addr, const char *name)
{
        char full[600];

        for (size_t i = 0; i < n_sent; i++) {
                if (strcmp(sent[i].addr, addr) != 0)
                        continue;
                for (int l = 0; l < 2; l++) {
                        const char *sent_name = l ? sent[i].label : sent[i].name;

                        if (strcmp(sent_name, name) == 0)
                                return true;
                        for (size_t s = 0; s < suffixes.n; s++) {
                                snprintf(full, sizeof(full), "%s.%s", sent_name, suffixes.s[s]);
                                if (strcmp(full, name) == 0)
                                        return true;
                        }
                }
        }
        return false;
}

static const struct answer *good_of(const struct queries *qs, size_t i)
{
        const struct query *q = &qs->q[i];

        for (size_t j = 0; j < base_q.n_good; j++)
                if (base_q.qs.q[j].kind == q->kind && strcmp(base_q.qs.q[j].text, q->text) == 0)
                        return &base_q.good[j];
        return NULL;
}

static const char *kind_name(enum qkind k)
{
        static const char *const names[] = { "ahosts", "ahostsv4", "ahostsv6", "reverse" };

        return names[k];
}

/* Check answer A to question I of QS; a violation is described into OUT. */
static bool judge(const struct queries *qs, size_t i, const struct answer *a, bool lease_mode, char *out,
                  size_t cap)
{
        const struct query *q = &qs->q[i];
        const struct answer *g = good_of(qs, i);
        char qn[300], label[300], tokens[ANSWER_TEXT], *save = NULL;

        out[0] = '\0';
        if (a->status == NSS_STATUS_UNAVAIL) {
                snprintf(out, cap, "store unreadable (UNAVAIL) for %s %s", kind_name(q->kind), q->text);
                return false;
        }
        if (!answer_ok(a))
                return true;
        if (q->kind != Q_REV) {
                if (!norm(q->text, qn, sizeof(qn)))
                        return true;
                first_label(qn, label, sizeof(label));
                if (reserved(qn)) {
                        snprintf(out, cap, "reserved name answered: %s %s -> %s", kind_name(q->kind), q->text,
                                 a->text);
                        return false;
                }
                if (!lease_mode && strcmp(label, canary) == 0) {
                        snprintf(out, cap, "the canary file's content resolves: %s -> %s", q->text, a->text);
                        return false;
                }
                if (!lease_mode)
                        return true;
                if (g && answer_compare(g, a) <= V_PARTIAL)
                        return true;
                snprintf(tokens, sizeof(tokens), "%s", a->text);
                if (is_domain(label)) {
                        for (char *t = strtok_r(tokens, " ", &save); t; t = strtok_r(NULL, " ", &save))
                                if (!domain_has_addr(label, t)) {
                                        snprintf(out, cap, "domain %s answers %s, not an address of its "
                                                 "own (network, MAC): good [%s], got [%s]", q->text, t,
                                                 g ? g->text : "", a->text);
                                        return false;
                                }
                        return true;
                }
                for (char *t = strtok_r(tokens, " ", &save); t; t = strtok_r(NULL, " ", &save))
                        if (!(g && answer_has(g->text, t)) && !addr_allowed_for(label, t)) {
                                snprintf(out, cap, "%s %s -> %s: no event sent that address with a host "
                                         "name %s", kind_name(q->kind), q->text, t, label);
                                return false;
                        }
                return true;
        }
        snprintf(tokens, sizeof(tokens), "%s", a->text);
        for (char *t = strtok_r(tokens, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (!norm(t, qn, sizeof(qn)))
                        continue;
                first_label(qn, label, sizeof(label));
                if (reserved(qn)) {
                        snprintf(out, cap, "reserved name in reverse: %s -> %s", q->text, a->text);
                        return false;
                }
                if (!lease_mode && strcmp(label, canary) == 0) {
                        snprintf(out, cap, "the canary file's content in reverse: %s -> %s", q->text, a->text);
                        return false;
                }
                if (!lease_mode || (g && answer_has(g->text, t)))
                        continue;
                if (is_domain(label) ? !domain_has_addr(label, q->text) : !name_allowed_for(q->text, qn)) {
                        snprintf(out, cap, "reverse %s -> %s: good [%s]; no event sent %s with that address",
                                 q->text, a->text, g ? g->text : "", t);
                        return false;
                }
        }
        return true;
}

/* --- checking the store --------------------------------------------------------------- */

struct check {
        unsigned long checks, questions, answered, violations;
};

static struct check totals;

/* Ask QS and judge; print violations (up to a few).  Returns the number. */
static unsigned long check_questions(const struct queries *qs, bool lease_mode, const char *label)
{
        struct ask_ctx c = { qs };
        struct buf out = { 0 };
        struct run r;
        char why[128], msg[3 * ANSWER_TEXT + 1024];
        unsigned long bad = 0;
        size_t n;

        if (run_child(ask_all, &c, NULL, opt.timeout_ms, &out, &r) < 0)
                exit(2);
        n = out.len / sizeof(struct answer);
        totals.questions += n;
        if (r.result != RUN_OK || n != qs->n) {
                printf("FAIL %s: the resolving child: %s (%zu of %zu answers)\n", label,
                       run_describe(&r, why, sizeof(why)), n, qs->n);
                bad++;
        }
        for (size_t i = 0; i < n; i++) {
                totals.answered += answer_ok((const struct answer *)out.p + i);
                if (!judge(qs, i, (const struct answer *)out.p + i, lease_mode, msg, sizeof(msg)) && bad++ < 10)
                        printf("FAIL %s: %s\n", label, msg);
        }
        buf_free(&out);
        return bad;
}

static unsigned long check_store(bool lease_mode, bool full, const char *label)
{
        struct queries qs = { 0 };
        unsigned long bad;

        totals.checks++;
        for (size_t i = 0; i < base_q.qs.n; i++)
                if (base_q.qs.q[i].kind == Q_REV)
                        queries_add_addr(&qs, base_q.qs.q[i].text);
                else if (base_q.qs.q[i].kind == Q_ANY)
                        queries_add_name(&qs, base_q.qs.q[i].text);
        for (size_t i = 0; i < touched_names.n; i++)
                queries_add_name(&qs, touched_names.s[i]);
        for (size_t i = 0; i < touched_addrs.n; i++)
                queries_add_addr(&qs, touched_addrs.s[i]);
        if (full) {
                struct buf out = { 0 };
                struct run r;

                if (run_child(enumerate, NULL, NULL, opt.timeout_ms, &out, &r) < 0)
                        exit(2);
                if (r.result != RUN_OK) {
                        char why[128];

                        printf("FAIL %s: cannot read the store's snapshot: %s\n", label,
                               run_describe(&r, why, sizeof(why)));
                        totals.violations++;
                        return 1;
                }
                for (size_t i = 0; i < out.len / sizeof(struct query); i++) {
                        const struct query *q = (const struct query *)out.p + i;

                        if (q->kind == Q_REV)
                                queries_add_addr(&qs, q->text);
                        else if (q->kind == Q_ANY)
                                queries_add_name(&qs, q->text);
                }
                printf("%s: %zu questions (every name and address in the store)\n", label, qs.n);
                buf_free(&out);
        }
        bad = check_questions(&qs, lease_mode, label);
        totals.violations += bad;
        queries_free(&qs);
        return bad;
}

/* --- running a hook --------------------------------------------------------------------- */

struct runs_log {
        struct buf script;              /* shell commands replaying the runs since the last check */
};

static struct runs_log rlog;

/* Shell-quote S into B as $'...'. */
static void quote(struct buf *b, const char *s)
{
        char x[8];

        buf_append(b, "$'", 2);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p >= 0x20 && *p < 0x7f && *p != '\'' && *p != '\\') {
                        buf_append(b, p, 1);
                } else {
                        snprintf(x, sizeof(x), "\\x%02x", *p);
                        buf_append(b, x, strlen(x));
                }
        }
        buf_append(b, "'", 1);
}

static void log_run(char *const argv[], char *const envp[], const char *in_path)
{
        buf_append(&rlog.script, "env -i", 6);
        for (char *const *e = envp; *e; e++) {
                buf_append(&rlog.script, " ", 1);
                quote(&rlog.script, *e);
        }
        for (char *const *a = argv; *a; a++) {
                buf_append(&rlog.script, " ", 1);
                quote(&rlog.script, *a);
        }
        if (in_path) {
                buf_append(&rlog.script, " <", 2);
                quote(&rlog.script, in_path);
        }
        buf_append(&rlog.script, "\n", 1);
}

struct stats {
        unsigned long runs, ok, exits, signals, hangs, reports, slow;
        double max_ms, total_ms;
};

static struct stats st;

static bool output_has_report(const char *path, char *first, size_t cap)
{
        static const char *const marks[] = { "AddressSanitizer", "LeakSanitizer", "runtime error",
                                             "deadline reached", "UndefinedBehaviorSanitizer" };
        char line[1024];
        FILE *f = fopen(path, "re");
        bool found = false;

        first[0] = '\0';
        while (f && !found && fgets(line, sizeof(line), f))
                for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
                        if (strstr(line, marks[i])) {
                                snprintf(first, cap, "%s", line);
                                found = true;
                                break;
                        }
        if (f)
                fclose(f);
        return found;
}

static unsigned long kept;

static void keep_failure(const char *what, const char *in_path, const char *out_path)
{
        char dir[PATH_MAX], path[PATH_MAX];
        struct buf b = { 0 };
        FILE *f;

        if (!opt.keep || kept >= 10)
                return;
        snprintf(dir, sizeof(dir), "%s/hook-%" PRIu64 "-%lu", opt.keep, opt.seed, st.runs);
        if (make_dirs(dir) < 0)
                return;
        path_join(path, sizeof(path), dir, "store");
        copy_dir_files(store, path);
        if (in_path && buf_read_file(&b, in_path) == 0)
                write_file_renamed(dir, "input.xml", b.p, b.len);
        if (out_path && buf_read_file(&b, out_path) == 0)
                write_file_renamed(dir, "output.txt", b.p, b.len);
        buf_free(&b);
        path_join(path, sizeof(path), dir, "replay.sh");
        f = fopen(path, "we");
        if (f) {
                fprintf(f, "# %s\n# All runs up to this one again: hookfuzz -s %" PRIu64 " -n %lu %s STORE-DIR "
                        "WORK-DIR (runs are seeded one by one).\n# Below, the runs since the last passing "
                        "check; ./store is the store after them.\n", what, opt.seed, st.runs,
                        opt.xml_mode ? "xml" : "lease");
                fwrite(rlog.script.p, 1, rlog.script.len, f);
                fclose(f);
        }
        kept++;
        printf("    kept in %s\n", dir);
}

/* Run one hook; false (and printed) when it did not exit 0 in time, or
 * its output holds a sanitizer report. */
static bool run_hook(char *const argv[], char *const envp[], const char *in_path)
{
        char out_path[PATH_MAX], why[128], first[1024];
        struct run r;

        path_join(out_path, sizeof(out_path), work, "hook-output.txt");
        log_run(argv, envp, in_path);
        if (run_exec(argv, envp, in_path, out_path, opt.timeout_ms, &r) < 0) {
                fprintf(stderr, "hookfuzz: cannot run %s: %s\n", argv[0], strerror(errno));
                exit(2);
        }
        st.runs++;
        st.total_ms += r.ms;
        if (r.ms > st.max_ms)
                st.max_ms = r.ms;
        st.exits += r.result == RUN_EXIT;
        st.signals += r.result == RUN_SIGNAL;
        st.hangs += r.result == RUN_HANG;
        if (output_has_report(out_path, first, sizeof(first)))
                st.reports++;
        else if (r.result == RUN_OK) {
                st.ok++;
                return true;
        }
        printf("FAIL run %lu: %s %s: %s%s%s", st.runs, argv[0], argv[1] ? argv[1] : "",
               run_describe(&r, why, sizeof(why)), first[0] ? ": " : "\n", first);
        {
                char rep[4096];

                report_summary(out_path, rep, sizeof(rep));
                if (rep[0])
                        printf("%s", rep);
        }
        keep_failure(why, in_path, out_path);
        return false;
}

/* --- environment building ------------------------------------------------------------------ */

struct env {
        char *v[64];
        size_t n;
};

static void env_add(struct env *e, const char *name, const char *value)
{
        char *s;

        if (e->n + 1 >= sizeof(e->v) / sizeof(e->v[0]) || asprintf(&s, "%s=%s", name, value) < 0)
                return;
        e->v[e->n++] = s;
        e->v[e->n] = NULL;
}

static void env_free(struct env *e)
{
        for (size_t i = 0; i < e->n; i++)
                free(e->v[i]);
        e->n = 0;
        e->v[0] = NULL;
}

static void env_base(struct env *e)
{
        const char *asan = getenv("HOOKFUZZ_ASAN_OPTIONS");

        e->n = 0;
        e->v[0] = NULL;
        env_add(e, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env_add(e, VIRTNAME_DIR_ENV, store);
        env_add(e, "VIRT_NAME_CACHE_LEASESHELPER", "/nonexistent");
        /* The port-probe the hooks start would ask real interfaces named in
         * the generated XML: a no-op here. */
        env_add(e, "VIRT_NAME_CACHE_PORT_PROBE", "/bin/true");
        env_add(e, "ASAN_OPTIONS", asan ? asan : "detect_leaks=1:exitcode=99");
        env_add(e, "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
}

/* --- random strings -------------------------------------------------------------------------- */

static char *huge(struct rng *r, size_t n, char c)
{
        char *s = malloc(n + 1);

        if (!s)
                exit(2);
        for (size_t i = 0; i < n; i++)
                s[i] = c ? c : (char)('a' + rng_below(r, 26));
        s[n] = '\0';
        return s;
}

static char *random_bytes(struct rng *r, size_t n)
{
        char *s = malloc(n + 1);

        if (!s)
                exit(2);
        for (size_t i = 0; i < n; i++)
                s[i] = (char)(1 + rng_below(r, 255));
        s[n] = '\0';
        return s;
}

static char *xstrdup(const char *s)
{
        char *d = strdup(s);

        if (!d)
                exit(2);
        return d;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
        va_list ap;
        char *s;

        va_start(ap, f);
        if (vasprintf(&s, f, ap) < 0)
                exit(2);
        va_end(ap);
        return s;
}

static const char *pick(struct rng *r, const char *const *list, size_t n)
{
        return list[rng_below(r, n)];
}
#define PICK(r, list) pick(r, list, sizeof(list) / sizeof(list[0]))

static char *gen_hostname(struct rng *r)
{
        static const char *const hostile[] = {
                "localhost", "LOCALHOST", "localhost.", "foo.localhost", "localhost.localdomain",
                "ip6-localhost", "ip6-allrouters", "_gateway", "_sip", "wpad", "WPAD", "Wpad.", "vm", "VM",
                "runsc", "vm.lab.test", "web-vm", "Web-VM", "web-vm.lab.test", "db-vm", "intruder",
                "web", "extra", "db2", "lone", "Lone", "a..b", ".a", "a.", ".", "..", "-", "a-", "-a", "*",
                "a b", "a/b", "a\\b", "%s%n%x", "g\xc3\xbc", "\xff\xfe", "x\x01y", "x\ty", "x\ny", "\x7f",
                "Xn--bcher-kva", "a.b.c.d.e.f",
        };
        switch (rng_below(r, 10)) {
        case 0:
        case 1:
        case 2:
                return xstrdup(PICK(r, hostile));
        case 3:
                return huge(r, (size_t)(rng_chance(r, 50) ? 63 + rng_below(r, 3) : 250 + rng_below(r, 8)), 0);
        case 4:
                return huge(r, (size_t)(1000 + rng_below(r, 100000)), rng_chance(r, 50) ? 'a' : 0);
        case 5:
                return random_bytes(r, 1 + (size_t)rng_below(r, 40));
        case 6:
                return fmt("%s.%s", PICK(r, hostile), rng_chance(r, 50) ? "lab.test" : "evil.test");
        default:
                return fmt("g%" PRIu64 "%s", rng_below(r, 200), rng_chance(r, 20) ? ".lab.test" : "");
        }
}

/* The fixture's (bridge, MAC) pairs that make a domain's address. */
static bool fixture_pair(const char *bridge, const char *mac_text)
{
        static const struct {
                const char *bridge;
                uint8_t last;
        } pairs[] = { { "vbr1", 1 }, { "vbr1", 2 }, { "vbr1", 4 }, { "vbr2", 3 } };
        static const uint8_t prefix[5] = { 0x52, 0x54, 0x00, 0x00, 0x00 };
        uint8_t mac[VIRTNAME_MAC_LEN];

        if (!bridge || !mac_text || !virtname_mac_parse(mac_text, mac) || memcmp(mac, prefix, 5) != 0)
                return false;
        for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
                if (strcmp(bridge, pairs[i].bridge) == 0 && mac[5] == pairs[i].last)
                        return true;
        return false;
}

static char *gen_mac(struct rng *r)
{
        static const char *const odd[] = {
                "52:54:00:00:00", "52:54:00:00:00:01:02", "zz:54:00:00:00:01", "", "*", "52-54-00-77-00-01",
                "52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03", "52:54:00:00:00:04",
                "52:54:00:00:00:05", "52:54:00:00:00:09", "5:54:0:0:0:1", "52:54:00:00:00:0g",
                "%n%n%n%n", "52:54:00:00:00:01\n",
        };
        uint8_t m[6];

        switch (rng_below(r, 6)) {
        case 0:
                return xstrdup(PICK(r, odd));
        case 1:
                return huge(r, (size_t)(100 + rng_below(r, 60000)), rng_chance(r, 50) ? ':' : 0);
        case 2: {       /* a DUID */
                size_t n = 4 + (size_t)rng_below(r, 40);
                char *s = malloc(3 * n + 1);

                if (!s)
                        exit(2);
                for (size_t i = 0; i < n; i++)
                        sprintf(s + 3 * i, "%02x%s", (unsigned)rng_below(r, 256), i + 1 < n ? ":" : "");
                return s;
        }
        default:
                for (int i = 0; i < 6; i++)
                        m[i] = (uint8_t)rng_below(r, 256);
                m[0] = rng_chance(r, 70) ? 0x52 : m[0];
                return fmt(rng_chance(r, 80) ? "%02x:%02x:%02x:%02x:%02x:%02x" : "%02X-%02X-%02X-%02X-%02X-%02X",
                           m[0], m[1], m[2], m[3], m[4], m[5]);
        }
}

static char *gen_addr(struct rng *r)
{
        static const char *const odd[] = {
                "198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13", "198.19.0.21",
                "2001:db8:0:1::110", "::ffff:198.18.0.10", "198.018.0.10", "0.0.0.0", "255.255.255.255",
                "127.0.0.1", "::1", "::", "fe80::1%eth0", "1.2.3", "", "198.18.0.300", "2001:db8::1::2",
                " 198.18.0.20", "198.18.0.20 ", "0x7f.1", "::ffff:127.0.0.1",
        };
        switch (rng_below(r, 8)) {
        case 0:
                return xstrdup(PICK(r, odd));
        case 1:
                return huge(r, (size_t)(100 + rng_below(r, 30000)), rng_chance(r, 50) ? '1' : 0);
        case 2:
        case 3:
                return fmt("2001:db8:200::%" PRIx64, rng_below(r, 0x200));
        default:
                return fmt("198.%d.200.%" PRIu64, rng_chance(r, 70) ? 18 : 19, rng_below(r, 256));
        }
}

static const char *gen_bridge(struct rng *r)
{
        static const char *const b[] = { "vbr1", "vbr1", "vbr1", "vbr2", "vbr2", "vbr9", "VBR1", "", "vbr1 ",
                                          "../../etc", "vnctest0" };

        return PICK(r, b);
}

static char *gen_env_value(struct rng *r)
{
        switch (rng_below(r, 6)) {
        case 0:
                return xstrdup("");
        case 1:
                return huge(r, (size_t)(1000 + rng_below(r, 60000)), 0);
        case 2:
                return random_bytes(r, 1 + (size_t)rng_below(r, 64));
        case 3:
                return fmt("%" PRId64, (int64_t)rng_next(r));
        default:
                return fmt("%" PRIu64, rng_below(r, 100000));
        }
}

/* --- lease mode --------------------------------------------------------------------------------- */

static void lease_run(struct rng *r)
{
        static const char *const actions[] = { "add", "add", "add", "old", "old", "del", "init", "tftp",
                                               "arp", "arp-del", "relay-snoop", "", "ADD", "add\n" };
        static const char *const extra_vars[] = {
                "DNSMASQ_OLD_HOSTNAME", "DNSMASQ_TAGS", "DNSMASQ_TIME_REMAINING",
                "DNSMASQ_RELAY_ADDRESS", "DNSMASQ_VENDOR_CLASS", "DNSMASQ_USER_CLASS0", "DNSMASQ_REQUESTED_OPTIONS",
                "DNSMASQ_CIRCUIT_ID", "DNSMASQ_SUBSCRIBER_ID", "DNSMASQ_REMOTE_ID", "DNSMASQ_DATA_MISSING",
                "DNSMASQ_CPEWAN_OUI", "DNSMASQ_MUD_URL", "DNSMASQ_SERVER_DUID", "DNSMASQ_CLIENT_ID",
                "DNSMASQ_IAID", "DNSMASQ_LEASE_LENGTH", "DNSMASQ_RANDOM_X",
        };
        char helper[PATH_MAX], *argv[12] = { 0 }, *owned[12] = { 0 };
        struct env e;
        const char *action, *bridge = NULL, *iface = NULL, *v6mac_text = NULL;
        char *mac, *addr, *host, *v6mac = NULL, *domain = NULL, canon[64];
        int argc;
        bool v6;

        path_join(helper, sizeof(helper), opt.hooks, "lease-helper");
        action = rng_chance(r, 90) ? PICK(r, actions) : (owned[9] = random_bytes(r, 1 + (size_t)rng_below(r, 12)));
        if (rng_chance(r, 2))
                action = owned[10] = huge(r, 50000, 0);
        /* The MAC, address and host name, drawn until the event is not one
         * of a fixture domain's own (bridge, MAC) pairs. */
        env_base(&e);
        for (;;) {
                mac = gen_mac(r);
                addr = gen_addr(r);
                host = gen_hostname(r);
                v6 = strchr(addr, ':') != NULL;
                if (rng_chance(r, 85))
                        bridge = gen_bridge(r);
                else
                        bridge = NULL;
                iface = !bridge || rng_chance(r, 20) ? gen_bridge(r) : NULL;
                v6mac = v6 && rng_chance(r, 80) ? gen_mac(r) : NULL;
                v6mac_text = v6mac;
                if (!fixture_pair(bridge ? bridge : iface, v6 ? v6mac_text : mac))
                        break;
                free(mac);
                free(addr);
                free(host);
                free(v6mac);
        }
        if (bridge)
                env_add(&e, "VIR_BRIDGE_NAME", bridge);
        if (iface)
                env_add(&e, "DNSMASQ_INTERFACE", iface);
        if (v6mac)
                env_add(&e, "DNSMASQ_MAC", v6mac);
        if (rng_chance(r, 80)) {
                char *x = rng_chance(r, 85) ? fmt("%lld", (long long)time(NULL) + 3600 + (long long)rng_below(r, 86400))
                                             : gen_env_value(r);

                env_add(&e, "DNSMASQ_LEASE_EXPIRES", x);
                free(x);
        }
        if (rng_chance(r, 30)) {
                static const char *const doms[] = { "lab.test", "evil.test", "localhost", "", "a..b", "LAB.TEST." };

                domain = rng_chance(r, 80) ? xstrdup(PICK(r, doms)) : gen_env_value(r);
                env_add(&e, "DNSMASQ_DOMAIN", domain);
        }
        /* The name the guest sent: what the helper takes as its name
         * (the argument below may be dnsmasq's, and is ignored). */
        if (rng_chance(r, 85))
                env_add(&e, "DNSMASQ_SUPPLIED_HOSTNAME", host);
        for (unsigned k = (unsigned)rng_below(r, 4); k > 0; k--) {
                char *x = gen_env_value(r);

                env_add(&e, PICK(r, extra_vars), x);
                free(x);
        }
        argv[0] = helper;
        argv[1] = (char *)action;
        argv[2] = mac;
        argv[3] = addr;
        argv[4] = host;
        argc = 5;
        if (rng_chance(r, 15))
                argc = 1 + (int)rng_below(r, 5);                /* missing arguments */
        else if (rng_chance(r, 10))
                for (; argc < 9; argc++)
                        argv[argc] = owned[argc] = gen_env_value(r);     /* more than expected */
        argv[argc] = NULL;

        /* What a legitimate store may now answer. */
        if (argc >= 5 && canon_addr(addr, canon, sizeof(canon))) {
                char n[300], l[300];

                sent_add(host, canon);
                strs_add_unique(&touched_addrs, canon);
                if (norm(host, n, sizeof(n)) && strlen(n) < 250) {
                        strs_add_unique(&touched_names, n);
                        first_label(n, l, sizeof(l));
                        strs_add_unique(&touched_names, l);
                }
                if (domain && norm(domain, n, sizeof(n)))
                        strs_add_unique(&suffixes, n);
        } else if (argc >= 4 && canon_addr(addr, canon, sizeof(canon))) {
                strs_add_unique(&touched_addrs, canon);
        }
        run_hook(argv, e.v, NULL);
        env_free(&e);
        free(mac);
        free(addr);
        free(host);
        free(v6mac);
        free(domain);
        for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
                free(owned[i]);
}

/* --- xml mode -------------------------------------------------------------------------------------- */

static struct buf xml_inputs[8];
static const char *xml_names[8];
static size_t n_xml;

static void load_xml(void)
{
        static const char *const files[] = { "network-started.xml", "network-updated.xml", "port-created.xml",
                                             "plugged-old.xml", "domain-vsock.xml" };
        char path[PATH_MAX];

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                path_join(path, sizeof(path), opt.xml_dir, files[i]);
                if (buf_read_file(&xml_inputs[n_xml], path) == 0)
                        xml_names[n_xml++] = files[i];
        }
        if (n_xml == 0) {
                fprintf(stderr, "hookfuzz: no XML fixtures in %s\n", opt.xml_dir);
                exit(2);
        }
}

static const char *const xml_fragments[] = {
        "<host mac='52:54:00:05:00:19' name='localhost' ip='198.18.5.60'/>",
        "<host mac='52:54:00:05:00:1a' name='wpad' ip='198.18.5.61'/>",
        "<host mac='52:54:00:05:00:1b' name='xxecanary' ip='198.18.5.62'/>",
        "<host name='_gw' ip='2001:db8:5::62'/>",
        "<interface type='network'><mac address='52:54:00:05:00:20'/><source network='labnet'/></interface>",
        "<name>localhost</name>", "<name>vm</name>", "<name>web-vm</name>", "<name>&xxe;</name>",
        "<domain name='localhost'/>", "<domain name='lab.test'/>", "<![CDATA[<name>x</name>]]>",
        "<!-- -->", "&#0;", "&#xD800;", "&amp;", "&lt;name&gt;", "<?pi x?>", "\xff\xfe", "\xc3\x28",
        "<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/hostname' parse='text'/>",
        "<uuid>00000000-0000-0000-0000-000000000000</uuid>", "<cid auto='no' address='4294967295'/>",
        "<mac address='ff:ff:ff:ff:ff:ff'/>", "<ip address='198.18.5.1' prefix='99'/>",
};

static void mutate_xml(struct rng *r, struct buf *b, char *desc, size_t cap)
{
        unsigned k = 1 + (unsigned)rng_below(r, 4);
        size_t used = 0;

        for (unsigned j = 0; j < k && b->len; j++) {
                size_t at = (size_t)rng_below(r, b->len), n;
                const char *what;

                switch (rng_below(r, 7)) {
                case 0:
                        b->p[at] ^= (uint8_t)(1u << rng_below(r, 8));
                        what = "bit flip";
                        break;
                case 1:         /* delete a range */
                        n = 1 + (size_t)rng_below(r, 64);
                        if (n > b->len - at)
                                n = b->len - at;
                        memmove(b->p + at, b->p + at + n, b->len - at - n);
                        b->len -= n;
                        what = "range deleted";
                        break;
                case 2: {       /* duplicate a range */
                        uint8_t tmp[256];

                        n = 1 + (size_t)rng_below(r, sizeof(tmp));
                        if (n > b->len - at)
                                n = b->len - at;
                        memcpy(tmp, b->p + at, n);
                        buf_reserve(b, b->len + n);
                        memmove(b->p + at + n, b->p + at, b->len - at);
                        memcpy(b->p + at, tmp, n);
                        b->len += n;
                        what = "range repeated";
                        break;
                }
                default: {      /* insert a fragment, at a tag boundary when there is one */
                        const char *f = PICK(r, xml_fragments);
                        uint8_t *lt = memchr(b->p + at, '<', b->len - at);

                        if (lt && rng_chance(r, 80))
                                at = (size_t)(lt - b->p);
                        n = strlen(f);
                        buf_reserve(b, b->len + n);
                        memmove(b->p + at + n, b->p + at, b->len - at);
                        memcpy(b->p + at, f, n);
                        b->len += n;
                        what = "fragment inserted";
                        break;
                }
                }
                if (used < cap)
                        used += (size_t)snprintf(desc + used, cap - used, "%s%s at %zu", used ? ", " : "", what, at);
        }
}

static void append_str(struct buf *b, const char *s)
{
        buf_append(b, s, strlen(s));
}

/* Generated documents: nesting, sizes, encodings, entities. */
static void generate_xml(struct rng *r, struct buf *b, const char **root, char *desc, size_t cap)
{
        char *s;
        size_t n;

        b->len = 0;
        switch (rng_below(r, 8)) {
        case 0:
                n = 100 + (size_t)rng_below(r, 20000);
                *root = "domain";
                buf_append(b, "<domain><name>deepvm</name>", 27);
                for (size_t i = 0; i < n; i++)
                        buf_append(b, "<a>", 3);
                for (size_t i = 0; i < n; i++)
                        buf_append(b, "</a>", 4);
                buf_append(b, "</domain>", 9);
                snprintf(desc, cap, "nesting %zu deep", n);
                break;
        case 1:
                n = 1000 + (size_t)rng_below(r, 2000000);
                *root = "domain";
                s = huge(r, n, rng_chance(r, 50) ? 'a' : 0);
                buf_append(b, "<domain><name>", 14);
                buf_append(b, s, n);
                buf_append(b, "</name><devices><interface type='network'><mac address='", 57);
                buf_append(b, s, n);
                buf_append(b, "'/><source network='labnet'/></interface></devices></domain>", 60);
                free(s);
                snprintf(desc, cap, "%zu-byte name and MAC", n);
                break;
        case 2:
                *root = "domain";
                s = random_bytes(r, 1 + (size_t)rng_below(r, 64));
                buf_append(b, "<domain><name>", 14);
                buf_append(b, s, strlen(s));
                buf_append(b, "</name><uuid>6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d99</uuid></domain>", 65);
                free(s);
                snprintf(desc, cap, "random bytes (bad UTF-8) as the name");
                break;
        case 3:
                *root = "domain";
                s = fmt("<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file://%s'>"
                        "<!ENTITY %% pe SYSTEM 'file://%s'> %%pe;]><domain><name>&xxe;</name>"
                        "<devices><interface type='network'><mac address='52:54:00:06:00:01'/>"
                        "<source network='labnet'/></interface></devices></domain>", canary_path, canary_path);
                buf_append(b, s, strlen(s));
                free(s);
                snprintf(desc, cap, "external entity (the canary file) as the domain name");
                break;
        case 4:
                *root = "network";
                s = fmt("<?xml version='1.0'?><!DOCTYPE hookData [<!ENTITY xxe SYSTEM 'file://%s'>]>"
                        "<hookData><network><name>labnet</name><bridge name='vnctest0'/>"
                        "<domain name='lab.test'/><ip address='198.18.5.1' netmask='255.255.255.0'><dhcp>"
                        "<host mac='52:54:00:06:00:02' name='&xxe;' ip='198.18.5.70'/>"
                        "<host mac='52:54:00:06:00:03' name='localhost' ip='198.18.5.71'/>"
                        "<host mac='52:54:00:06:00:04' name='vm' ip='198.18.5.72'/>"
                        "</dhcp></ip></network></hookData>", canary_path);
                buf_append(b, s, strlen(s));
                free(s);
                snprintf(desc, cap, "external entity as a static host name; reserved static hosts");
                break;
        case 5:
                /* Billion laughs, with the expansion as a name. */
                *root = "domain";
                append_str(b, "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY b0 'aaaaaaaaaa'>");
                for (int i = 1; i <= 10; i++) {
                        s = fmt("<!ENTITY b%d '", i);
                        append_str(b, s);
                        free(s);
                        for (int j = 0; j < 10; j++) {
                                s = fmt("&b%d;", i - 1);
                                append_str(b, s);
                                free(s);
                        }
                        append_str(b, "'>");
                }
                append_str(b, "]><domain><name>&b10;</name></domain>");
                snprintf(desc, cap, "entity expansion bomb");
                break;
        case 6:
                n = 1025 + (size_t)rng_below(r, 3000);
                *root = rng_chance(r, 50) ? "domain" : "network";
                if (strcmp(*root, "domain") == 0) {
                        buf_append(b, "<domain><name>manyvm</name><devices>", 36);
                        for (size_t i = 0; i < n; i++) {
                                s = fmt("<interface type='network'><mac address='52:54:01:%02zx:%02zx:01'/>"
                                        "<source network='labnet'/></interface>", (i >> 8) & 0xff, i & 0xff);
                                buf_append(b, s, strlen(s));
                                free(s);
                        }
                        buf_append(b, "</devices></domain>", 19);
                } else {
                        buf_append(b, "<network><name>labnet</name><bridge name='vnctest0'/>"
                                      "<ip address='198.18.5.1' netmask='255.255.255.0'><dhcp>", 108);
                        for (size_t i = 0; i < n; i++) {
                                s = fmt("<host mac='52:54:02:%02zx:%02zx:01' name='h%zu' ip='198.18.%zu.%zu'/>",
                                        (i >> 8) & 0xff, i & 0xff, i, 6 + i / 250, 1 + i % 250);
                                buf_append(b, s, strlen(s));
                                free(s);
                        }
                        buf_append(b, "</dhcp></ip></network>", 22);
                }
                snprintf(desc, cap, "%zu interfaces or static hosts", n);
                break;
        default:
                n = (16u << 20) + 1 + (size_t)rng_below(r, 1024);
                *root = "domain";
                buf_resize(b, n);
                memset(b->p, ' ', n);
                memcpy(b->p, "<domain><name>bigvm</name>", 26);
                memcpy(b->p + n - 9, "</domain>", 9);
                snprintf(desc, cap, "%zu bytes: past the 16 MiB limit", n);
                break;
        }
}

static void xml_run(struct rng *r)
{
        static const char *const net_ops[] = { "started", "started", "updated", "port-created", "port-deleted",
                                               "plugged", "unplugged", "stopped", "start", "bogus" };
        static const char *const dom_ops[] = { "prepare", "start", "started", "started", "reconnect", "attach",
                                               "migrate", "restore", "stopped", "release", "bogus" };
        char hook[PATH_MAX], in_path[PATH_MAX], desc[512] = "", *argv[8] = { 0 }, *owned = NULL;
        struct buf b = { 0 };
        const char *root;
        struct env e;
        bool network;

        if (rng_chance(r, 70)) {
                size_t i = (size_t)rng_below(r, n_xml);

                buf_set(&b, xml_inputs[i].p, xml_inputs[i].len);
                root = strstr(xml_names[i], "domain") ? "domain" : "network";
                snprintf(desc, sizeof(desc), "%s mutated: ", xml_names[i]);
                mutate_xml(r, &b, desc + strlen(desc), sizeof(desc) - strlen(desc));
                if (rng_chance(r, 10)) {        /* spliced with another document */
                        size_t j = (size_t)rng_below(r, n_xml), cut = (size_t)rng_below(r, b.len + 1);

                        b.len = cut;
                        buf_append(&b, xml_inputs[j].p + xml_inputs[j].len / 2,
                                   xml_inputs[j].len - xml_inputs[j].len / 2);
                        strncat(desc, ", spliced", sizeof(desc) - strlen(desc) - 1);
                }
        } else {
                generate_xml(r, &b, &root, desc, sizeof(desc));
        }
        path_join(in_path, sizeof(in_path), work, "input.xml");
        if (write_file_renamed(work, "input.xml", b.p, b.len) < 0)
                exit(2);
        network = strcmp(root, "network") == 0 ? !rng_chance(r, 10) : rng_chance(r, 10);
        path_join(hook, sizeof(hook), opt.hooks, network ? "network-hook" : "qemu-hook");
        argv[0] = hook;
        if (rng_chance(r, 5))
                argv[1] = owned = huge(r, 5000, 0);
        else
                argv[1] = (char *)(network ? "labnet" : "VsockVM");
        argv[2] = (char *)(network ? PICK(r, net_ops) : PICK(r, dom_ops));
        argv[3] = (char *)"begin";
        argv[4] = (char *)"-";
        argv[5] = NULL;
        env_base(&e);
        if (!run_hook(argv, e.v, in_path))
                printf("    input: %s\n", desc);
        env_free(&e);
        free(owned);
        buf_free(&b);
}

/* The judge must see what it is there to see: made-up answers that break
 * each rule.  Returns false when one passes. */
static bool oracle_selftest(void)
{
        static const struct {
                enum qkind kind;
                const char *q, *answer;
                bool lease_mode;
        } bad[] = {
                { Q_ANY, "localhost", "127.0.0.1", false },
                { Q_V4, "wpad.lab.test", "198.18.0.77", true },
                { Q_REV, "198.18.200.1", "_gateway", false },
                { Q_ANY, "web-vm", "198.18.0.10 198.18.200.1", true },
                { Q_REV, "198.18.200.1", "db-vm db-vm.lab.test", true },
                { Q_ANY, "nosuchguest", "198.18.0.10", true },
                { Q_REV, "198.18.0.99", "someguest", true },
                { Q_ANY, "xxecanary", "198.18.5.70", false },
        };
        char msg[3 * ANSWER_TEXT + 1024];
        bool ok = true;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct queries qs = { 0 };
                struct answer a = { .status = NSS_STATUS_SUCCESS };

                if (bad[i].kind == Q_REV)
                        queries_add_addr(&qs, bad[i].q);
                else
                        queries_add_name(&qs, bad[i].q);
                snprintf(a.text, sizeof(a.text), "%s", bad[i].answer);
                for (size_t j = 0; j < qs.n; j++)
                        if (qs.q[j].kind == bad[i].kind && judge(&qs, j, &a, bad[i].lease_mode, msg, sizeof(msg))) {
                                fprintf(stderr, "hookfuzz: the judge lets %s -> %s pass\n", bad[i].q, bad[i].answer);
                                ok = false;
                        }
                queries_free(&qs);
        }
        return ok;
}

/* The control: an event the fuzzer never sends, a new address for one of
 * web-vm's own (bridge, MAC) pairs, then web-vm's port answering for it
 * (store-prove, beside the hooks' build directory: the MAC in a DHCP
 * report alone gives a domain nothing).  web-vm then answers it (rightly),
 * and the check must say so: the run must fail. */
static void control_run(void)
{
        char helper[PATH_MAX], prove[PATH_MAX], *argv[6];
        char expires[32];
        struct env e;

        path_join(helper, sizeof(helper), opt.hooks, "lease-helper");
        argv[0] = helper;
        argv[1] = (char *)"add";
        argv[2] = (char *)"52:54:00:00:00:01";
        argv[3] = (char *)"198.18.200.250";
        argv[4] = (char *)"ctl";
        argv[5] = NULL;
        snprintf(expires, sizeof(expires), "0");        /* never expires: the newest lease */
        env_base(&e);
        env_add(&e, "VIR_BRIDGE_NAME", "vbr1");
        env_add(&e, "DNSMASQ_LEASE_EXPIRES", expires);
        printf("control: web-vm's own MAC on vbr1 with a new address, its port answering (the check must fail)\n");
        run_hook(argv, e.v, NULL);
        path_join(prove, sizeof(prove), opt.hooks, "../selftest/store-prove");
        argv[0] = prove;
        argv[1] = (char *)store;
        argv[2] = NULL;
        run_hook(argv, e.v, NULL);
        env_free(&e);
}

/* --- main ------------------------------------------------------------------------------------------ */

static void usage(void)
{
        fprintf(stderr, "usage: hookfuzz [-H HOOKS-DIR] [-m MODULE] [-s SEED] [-n RUNS] [-t SECONDS] [-k KEEP-DIR]\n"
                        "                [-x XML-DIR] [-C] lease|xml STORE-DIR WORK-DIR\n");
        exit(2);
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
        return "detect_leaks=0:exitcode=86";
}

int main(int argc, char **argv)
{
        const char *mode;
        struct ask_ctx c;
        struct buf out = { 0 };
        struct run r;
        char why[128];
        double end;
        unsigned long bad = 0, since_check = 0;
        bool lease_mode;
        int ch;

        setvbuf(stdout, NULL, _IOLBF, 0);
        while ((ch = getopt(argc, argv, "H:m:s:n:t:k:x:T:C")) != -1) {
                switch (ch) {
                case 'H':
                        opt.hooks = optarg;
                        break;
                case 'm':
                        opt.module = optarg;
                        break;
                case 's':
                        opt.seed = strtoull(optarg, NULL, 0);
                        break;
                case 'n':
                        opt.runs = strtoul(optarg, NULL, 0);
                        break;
                case 't':
                        opt.seconds = atof(optarg);
                        break;
                case 'k':
                        opt.keep = optarg;
                        break;
                case 'x':
                        opt.xml_dir = optarg;
                        break;
                case 'T':
                        opt.timeout_ms = (unsigned)strtoul(optarg, NULL, 0);
                        break;
                case 'C':
                        opt.control = true;
                        break;
                default:
                        usage();
                }
        }
        if (argc - optind != 3)
                usage();
        mode = argv[optind];
        lease_mode = strcmp(mode, "lease") == 0;
        opt.xml_mode = !lease_mode;
        if (!lease_mode && strcmp(mode, "xml") != 0)
                usage();
        snprintf(work, sizeof(work), "%s", argv[optind + 2]);
        path_join(store, sizeof(store), work, "store");
        path_join(canary_path, sizeof(canary_path), work, "canary.txt");
        if (make_dirs(work) < 0 || empty_dir(work) < 0 || copy_dir_files(argv[optind + 1], store) < 0 ||
            (opt.keep && make_dirs(opt.keep) < 0)) {
                fprintf(stderr, "hookfuzz: cannot set up %s: %s\n", work, strerror(errno));
                return 2;
        }
        {
                char priv[PATH_MAX], copy[PATH_MAX];

                path_join(priv, sizeof(priv), argv[optind + 1], "private");
                path_join(copy, sizeof(copy), store, "private");
                /* The writers need the private store too. */
                if (copy_dir_files(priv, copy) < 0 || chmod(copy, 0700) < 0) {
                        fprintf(stderr, "hookfuzz: cannot copy %s: %s\n", priv, strerror(errno));
                        return 2;
                }
        }
        write_file_renamed(work, "canary.txt", canary, strlen(canary));
        signal(SIGPIPE, SIG_IGN);
        load_host_names();
        strs_add_unique(&suffixes, "lab.test");
        /* The host names the fixture's guests sent. */
        {
                static const char *const fixture_sent[][2] = {
                        { "web", "198.18.0.10" }, { "web", "2001:db8:0:1::110" }, { "web-vm", "198.18.0.13" },
                        { "Lone", "198.18.0.14" }, { "old", "198.18.0.15" }, { "db2", "198.19.0.21" },
                        { "extra", "198.18.0.19" }, { "extra", "2001:db8:0:1::119" },
                };

                for (size_t i = 0; i < sizeof(fixture_sent) / sizeof(fixture_sent[0]); i++)
                        sent_add(fixture_sent[i][0], fixture_sent[i][1]);
        }
        if (!(mod = nss_module_open(opt.module)))
                return 2;
        if (!lease_mode)
                load_xml();

        /* The good answers, before any run. */
        base_queries(&base_q.qs);
        c.qs = &base_q.qs;
        if (run_child(ask_all, &c, NULL, opt.timeout_ms, &out, &r) < 0 || r.result != RUN_OK ||
            out.len != base_q.qs.n * sizeof(struct answer)) {
                fprintf(stderr, "hookfuzz: the store in %s does not answer: %s\n", store,
                        run_describe(&r, why, sizeof(why)));
                return 2;
        }
        base_q.good = (struct answer *)out.p;
        base_q.n_good = base_q.qs.n;
        if (!answer_ok(&base_q.good[0])) {
                fprintf(stderr, "hookfuzz: web-vm does not resolve in %s: not the fixture store?\n", store);
                return 2;
        }
        if (!oracle_selftest())
                return 2;
        printf("hookfuzz %s: hooks %s, module %s, seed %" PRIu64 "\n", mode, opt.hooks, opt.module, opt.seed);
        if (opt.control) {
                control_run();
                return check_store(true, false, "control") ? 1 : 0;
        }
        if (!opt.runs && opt.seconds <= 0)
                opt.runs = 100;
        end = now_ms() + opt.seconds * 1e3;
        for (unsigned long i = 0; (!opt.runs || i < opt.runs) && (opt.seconds <= 0 || now_ms() < end); i++) {
                struct rng rr = rng_for_case(opt.seed, i);
                unsigned long before = st.runs - st.ok;

                if (lease_mode)
                        lease_run(&rr);
                else
                        xml_run(&rr);
                since_check++;
                if (since_check >= 10 || st.runs - st.ok != before) {
                        char label[64];
                        unsigned long v;

                        snprintf(label, sizeof(label), "after run %lu", st.runs);
                        v = check_store(lease_mode, false, label);
                        if (v)
                                keep_failure("the store answers what it must not", NULL, NULL);
                        bad += v;
                        since_check = 0;
                        rlog.script.len = 0;
                        strs_clear(&touched_names);
                        strs_clear(&touched_addrs);
                }
        }
        /* At the end: every name and address the store holds. */
        for (size_t i = 0; i < n_sent; i++) {
                strs_add_unique(&touched_names, sent[i].name);
                strs_add_unique(&touched_names, sent[i].label);
                strs_add_unique(&touched_addrs, sent[i].addr);
        }
        bad += check_store(lease_mode, true, "final check");
        printf("hookfuzz %s: %lu runs (seed %" PRIu64 "): exit 0 %lu, other exits %lu, signals %lu, hangs %lu, "
               "sanitizer reports or deadline messages %lu; time per run mean %.0f ms, max %.0f ms; %lu store "
               "checks, %lu questions (%lu answered), %lu violations\n", mode, st.runs, opt.seed, st.ok, st.exits,
               st.signals, st.hangs, st.reports, st.runs ? st.total_ms / (double)st.runs : 0.0, st.max_ms,
               totals.checks, totals.questions, totals.answered, totals.violations);
        return st.ok != st.runs || bad ? 1 : 0;
}
