/* zone.c - reconcile this host's records with the zone (see zone.h).
 *
 * The transfer is only a map of what to change: every change still goes
 * out as an update whose prerequisites the server checks against its own
 * data (our TXT, exactly; or "name not in use").  That matters because
 * ldns checks no TSIG on AXFR answers (ldns 1.8 ldns_axfr_next): a forged
 * transfer could at worst make us send updates the server refuses, or
 * release names we own but no longer want anyway.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns/op.h"
#include "dns/zone.h"
#include "cache/write/errmsg.h"

/* One RR of a transfer, by owner name (lower case, absolute). */
struct zrr {
        char name[256];
        ldns_rr *rr;
};

struct zone_data {
        ldns_rr_list *all;              /* owns the RRs */
        struct zrr *v;
        size_t n, cap;
};

static void zone_free(struct zone_data *z)
{
        ldns_rr_list_deep_free(z->all);
        free(z->v);
        memset(z, 0, sizeof(*z));
}

static int zrr_cmp(const void *a, const void *b)
{
        return strcmp(((const struct zrr *)a)->name, ((const struct zrr *)b)->name);
}

/* axfr_once(): the server answered SERVFAIL before any record, or no
 * connection to it could be made */
#define AXFR_SERVFAIL (-1)
#define AXFR_UNREACHED (-2)

static int axfr_once(struct virtname_dns_session *s, const char *zone, struct zone_data *z, char *err, size_t errlen);

/* AXFR of ZONE into Z (appending).  A server that has just started may
 * refuse the connection, or answer SERVFAIL before it has loaded the
 * zone: ask again every quarter of a second for up to the configured
 * timeout-ms, while the session has time.  (One that does not answer at
 * all has used the timeout up on the first try.) */
static int axfr(struct virtname_dns_session *s, const char *zone, struct zone_data *z, char *err, size_t errlen)
{
        double start = dns_mono_ms();
        int rc = axfr_once(s, zone, z, err, errlen), tries = 1;

        for (; (rc == AXFR_SERVFAIL || rc == AXFR_UNREACHED) &&
               dns_mono_ms() + 250 < start + s->c->timeout_ms; tries++) {
                nanosleep(&(struct timespec){ 0, 250 * 1000 * 1000 }, NULL);
                if (!dns_res_ready(s))
                        break;  /* keep the last message */
                rc = axfr_once(s, zone, z, err, errlen);
        }
        if (rc == AXFR_SERVFAIL || rc == AXFR_UNREACHED) {
                size_t len = strlen(err);
                snprintf(err + len, errlen - len, "; %d tr%s in %.0f ms", tries, tries == 1 ? "y" : "ies",
                         dns_mono_ms() - start);
                rc = VIRTNAME_DNS_ENET;
        }
        return rc;
}

static int axfr_once(struct virtname_dns_session *s, const char *zone, struct zone_data *z, char *err, size_t errlen)
{
        size_t first = z->n;
        /* a resolver of its own: ldns leaves transfer state in it */
        ldns_resolver *r = ldns_resolver_clone(s->res);
        ldns_rdf *d = ldns_dname_new_frm_str(zone);
        ldns_status st;
        ldns_rr *rr;
        int rc = VIRTNAME_DNS_OK;

        if (!r || !d || (!z->all && !(z->all = ldns_rr_list_new()))) {
                virtname_errf(err, errlen, 0, "out of memory");
                rc = VIRTNAME_DNS_EOTHER;
                goto out;
        }
        ldns_resolver_deep_free(r);
        r = NULL;
        if (!dns_res_ready(s)) {
                virtname_errf(err, errlen, 0, "transfer of %s: not started, the time allowed for this session is over", zone);
                rc = VIRTNAME_DNS_ENET;
                goto out;
        }
        if (!(r = ldns_resolver_clone(s->res))) {
                virtname_errf(err, errlen, 0, "out of memory");
                rc = VIRTNAME_DNS_EOTHER;
                goto out;
        }
        s->n.axfrs++;
        st = ldns_axfr_start(r, d, LDNS_RR_CLASS_IN);
        if (st != LDNS_STATUS_OK) {
                virtname_errf(err, errlen, 0, "transfer of %s: cannot reach %s (%s)", zone, s->server_desc,
                              ldns_get_errorstr_by_id(st));
                rc = AXFR_UNREACHED;
                goto out;
        }
        while ((rr = ldns_axfr_next(r))) {
                if (z->n == z->cap) {
                        size_t cap = z->cap ? z->cap * 2 : 1024;
                        struct zrr *v = realloc(z->v, cap * sizeof(*v));
                        if (!v) {
                                ldns_rr_free(rr);
                                ldns_axfr_abort(r);
                                virtname_errf(err, errlen, 0, "out of memory");
                                rc = VIRTNAME_DNS_EOTHER;
                                goto out;
                        }
                        z->v = v;
                        z->cap = cap;
                }
                if (!ldns_rr_list_push_rr(z->all, rr)) {
                        ldns_rr_free(rr);
                        ldns_axfr_abort(r);
                        virtname_errf(err, errlen, 0, "out of memory");
                        rc = VIRTNAME_DNS_EOTHER;
                        goto out;
                }
                dns_name_text(ldns_rr_owner(rr), z->v[z->n].name, sizeof(z->v[z->n].name));
                z->v[z->n++].rr = rr;
        }
        if (!ldns_axfr_complete(r)) {
                ldns_pkt *last = ldns_axfr_last_pkt(r);
                if (last && ldns_pkt_get_rcode(last) == LDNS_RCODE_NOTAUTH) {
                        /* a TSIG failure says which in the answer's TSIG record */
                        virtname_errf(err, errlen, 0, "transfer of %s: %s refused it (%s; key %s)", zone,
                                      s->server_desc, dns_tsig_error(last), s->c->key.name);
                        rc = VIRTNAME_DNS_EREFUSED;
                } else if (last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR) {
                        char *t = ldns_pkt_rcode2str(ldns_pkt_get_rcode(last));
                        virtname_errf(err, errlen, 0, "transfer of %s: %s refused it (%s)", zone, s->server_desc, t ? t : "?");
                        free(t);
                        rc = ldns_pkt_get_rcode(last) == LDNS_RCODE_SERVFAIL && z->n == first ? AXFR_SERVFAIL
                                                                                           : VIRTNAME_DNS_EREFUSED;
                } else {
                        virtname_errf(err, errlen, 0, "transfer of %s from %s did not complete within %u ms", zone,
                               s->server_desc, s->c->timeout_ms);
                        rc = VIRTNAME_DNS_ENET;
                }
                ldns_axfr_abort(r);
        }
        if (rc == VIRTNAME_DNS_OK)
                s->key_ok = true;       /* the server took the key for the transfer */
out:
        ldns_rdf_deep_free(d);
        if (r)
                ldns_resolver_deep_free(r);
        return rc;
}

/* What one name of the zone holds, for us. */
struct zgroup {
        size_t first, count;
        bool ours, other;               /* our TXT; anything not ours */
        bool bare;                      /* A and AAAA records only: no TXT, nothing else */
        bool twin;                      /* a TXT of our owner made by another machine */
};

static void group_at(struct virtname_dns_session *s, const struct zone_data *z, size_t i, struct zgroup *g)
{
        char want[160];
        bool addr_only = true;

        snprintf(want, sizeof(want), "\"%s\"", s->owner_txt);
        memset(g, 0, sizeof(*g));
        g->first = i;
        for (; i < z->n && strcmp(z->v[i].name, z->v[g->first].name) == 0; i++) {
                ldns_rr *rr = z->v[i].rr;
                ldns_rr_type t = ldns_rr_get_type(rr);
                g->count++;
                if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
                        addr_only = false;
                if (t == LDNS_RR_TYPE_TXT && ldns_rr_rd_count(rr) == 1) {
                        char *txt = ldns_rdf2str(ldns_rr_rdf(rr, 0));
                        if (txt && strcmp(txt, want) == 0)
                                g->ours = true;
                        else
                                g->other = true;
                        g->twin = g->twin || (txt && dns_owner_twin(s, txt));
                        free(txt);
                } else if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA && t != LDNS_RR_TYPE_PTR) {
                        g->other = true;        /* SOA, NS, anything an administrator put */
                }
        }
        g->bare = addr_only && g->count;
        /* A name with our TXT and another's: not ours alone; leave it. */
        if (g->ours && g->other)
                g->ours = false, g->other = true;
        if (!g->ours && g->count)
                g->other = true;
}

/* One wanted forward record, sorted by name then address. */
struct want {
        const char *guest;              /* the store's name (for problems) */
        char fqdn[256];
        char rev[128];
        const char *revzone;
        int family;
        unsigned char addr[16];
        uint32_t ttl;
        bool no_ptr;                    /* another name answers for the address in reverse */
        bool leave;                     /* not published (conflict, failure): its records stay as they are */
};

static int want_cmp(const void *a, const void *b)
{
        const struct want *x = a, *y = b;
        int c = strcmp(x->fqdn, y->fqdn);

        if (c)
                return c;
        if (x->family != y->family)
                return x->family - y->family;
        return memcmp(x->addr, y->addr, 16);
}

static int rev_cmp(const void *a, const void *b)
{
        const struct want *const *x = a, *const *y = b;
        int c = strcmp((*x)->rev, (*y)->rev);

        return c ? c : strcmp((*x)->fqdn, (*y)->fqdn);
}

enum kind { K_CLAIM, K_CHANGE, K_RELEASE, K_PTR_CLAIM, K_PTR_CHANGE, K_PTR_RELEASE };

struct plan {
        struct dns_op *ops;
        enum kind *kinds;
        const char **names;             /* for problems: the guest, or the zone's name released */
        size_t n, cap;
        size_t *back;                   /* want index of the op's first record (forward claims/changes) */
};

static struct dns_op *plan_add(struct plan *p, const char *zone, const char *name, enum kind k, size_t back,
                               const char *who)
{
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 256;
                struct dns_op *o = realloc(p->ops, cap * sizeof(*o));
                if (!o)
                        return NULL;
                p->ops = o;
                enum kind *kk = realloc(p->kinds, cap * sizeof(*kk));
                if (!kk)
                        return NULL;
                p->kinds = kk;
                size_t *b = realloc(p->back, cap * sizeof(*b));
                if (!b)
                        return NULL;
                p->back = b;
                const char **nn = realloc(p->names, cap * sizeof(*nn));
                if (!nn)
                        return NULL;
                p->names = nn;
                p->cap = cap;
        }
        if (dns_op_init(&p->ops[p->n], zone, name) < 0)
                return NULL;
        p->kinds[p->n] = k;
        p->back[p->n] = back;
        p->names[p->n] = who;
        return &p->ops[p->n++];
}

static void plan_free(struct plan *p)
{
        for (size_t i = 0; i < p->n; i++)
                dns_op_free(&p->ops[i]);
        free(p->ops);
        free(p->kinds);
        free(p->back);
        free(p->names);
        memset(p, 0, sizeof(*p));
}

static bool rr_is_addr(const ldns_rr *rr, int family, const unsigned char *addr)
{
        ldns_rr_type t = ldns_rr_get_type(rr);
        const ldns_rdf *d;

        if ((family == AF_INET && t != LDNS_RR_TYPE_A) || (family == AF_INET6 && t != LDNS_RR_TYPE_AAAA))
                return false;
        d = ldns_rr_rdf(rr, 0);
        return d && ldns_rdf_size(d) == (family == AF_INET ? 4u : 16u) &&
               memcmp(ldns_rdf_data(d), addr, ldns_rdf_size(d)) == 0;
}

static int add_addr(struct virtname_dns_session *s, struct dns_op *op, const struct want *w, ldns_rr_class cl)
{
        char a[64];

        dns_addr_text(w->family, w->addr, a, sizeof(a));
        return dns_rr_push(op->upd, op->name, cl == LDNS_RR_CLASS_NONE ? 0 : (w->ttl ? w->ttl : s->c->ttl), cl,
                           w->family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA, a);
}

typedef void (*note_fn)(void *arg, const char *name, int result, const char *why);

/* Is FQDN under this host's own label (names = host)? */
static bool under_own_label(const struct virtname_dns_session *s, const char *fqdn)
{
        char own[320];
        size_t n, f = strlen(fqdn);

        if (s->c->names != VIRTNAME_DNS_NAMES_HOST)
                return false;
        n = (size_t)snprintf(own, sizeof(own), ".%s.%s", s->c->host_label, s->c->zone);
        return f > n && strcmp(fqdn + f - n, own) == 0;
}

/* Forward: ops for names wanted [wi, wj) against zone group G (or none). */
static int plan_forward(struct virtname_dns_session *s, struct plan *p, struct want *w, size_t wi, size_t wj,
                        const struct zone_data *z, const struct zgroup *g, struct virtname_dns_sync_stats *st,
                        note_fn note, void *arg)
{
        struct dns_op *op;

        if (g && !g->ours && g->bare && under_own_label(s, w[wi].fqdn)) {
                /* Addresses without our TXT (deleted by hand) under this
                 * host's own label, which the server's policy gives this
                 * host's key alone: ours again, unless a TXT came meanwhile. */
                if (!(op = plan_add(p, s->c->zone, w[wi].fqdn, K_CHANGE, wi, w[wi].guest)) ||
                    dns_rr_push(op->pre, op->name, 0, LDNS_RR_CLASS_NONE, LDNS_RR_TYPE_TXT, NULL) < 0 ||
                    dns_upd_del_rrset(op, LDNS_RR_TYPE_A) < 0 || dns_upd_del_rrset(op, LDNS_RR_TYPE_AAAA) < 0 ||
                    dns_upd_add_owner(s, op) < 0)
                        return -1;
                for (size_t k = wi; k < wj; k++)
                        if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN) < 0)
                                return -1;
                return 0;
        }
        if (g && !g->ours) {
                char line[600];
                st->conflicts++;
                for (size_t k = wi; k < wj; k++)
                        w[k].leave = true;
                if (g->twin)
                        virtname_errf(line, sizeof(line), 0, "%s: held by another machine that also calls itself "
                                      "owner '%s' (this one is id=%s): give each host its own host-label (or owner) "
                                      "in dns.conf", w[wi].fqdn, s->c->owner, s->c->owner_id);
                else
                        snprintf(line, sizeof(line), "%s: held by another owner or by records not made by "
                                 "virt-name-cache; left alone", w[wi].fqdn);
                if (note)
                        note(arg, w[wi].guest, VIRTNAME_DNS_ECONFLICT, line);
                return 0;
        }
        if (!g) {
                if (!(op = plan_add(p, s->c->zone, w[wi].fqdn, K_CLAIM, wi, w[wi].guest)) || dns_pre_unused(op) < 0 ||
                    dns_upd_add_owner(s, op) < 0)
                        return -1;
                for (size_t k = wi; k < wj; k++)
                        if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN) < 0)
                                return -1;
                return 0;
        }
        /* ours: add what is missing, delete what is no longer wanted */
        op = NULL;
        for (size_t k = wi; k < wj; k++) {
                bool have = false;
                for (size_t i = g->first; i < g->first + g->count && !have; i++)
                        have = rr_is_addr(z->v[i].rr, w[k].family, w[k].addr);
                if (have)
                        continue;
                if (!op && (!(op = plan_add(p, s->c->zone, w[wi].fqdn, K_CHANGE, wi, w[wi].guest)) ||
                            dns_pre_owned(s, op) < 0))
                        return -1;
                if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN) < 0)
                        return -1;
        }
        for (size_t i = g->first; i < g->first + g->count; i++) {
                ldns_rr *rr = z->v[i].rr;
                ldns_rr_type t = ldns_rr_get_type(rr);
                bool wanted = false;
                if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
                        continue;
                for (size_t k = wi; k < wj && !wanted; k++)
                        wanted = rr_is_addr(rr, w[k].family, w[k].addr);
                if (wanted)
                        continue;
                if (!op && (!(op = plan_add(p, s->c->zone, w[wi].fqdn, K_CHANGE, wi, w[wi].guest)) ||
                            dns_pre_owned(s, op) < 0))
                        return -1;
                /* RFC 2136 2.5.4: delete an RR from an RRset: class NONE, TTL 0 */
                ldns_rr *del = ldns_rr_clone(rr);
                if (!del)
                        return -1;
                ldns_rr_set_class(del, LDNS_RR_CLASS_NONE);
                ldns_rr_set_ttl(del, 0);
                if (!ldns_rr_list_push_rr(op->upd, del)) {
                        ldns_rr_free(del);
                        return -1;
                }
        }
        if (!op)
                st->unchanged++;
        return 0;
}

static int plan_release(struct virtname_dns_session *s, struct plan *p, const char *zone, const char *name,
                        bool ptr)
{
        struct dns_op *op = plan_add(p, zone, name, ptr ? K_PTR_RELEASE : K_RELEASE, 0, NULL);

        if (!op || dns_pre_owned(s, op) < 0)
                return -1;
        p->names[p->n - 1] = op->name;
        if (ptr)
                return dns_upd_del_rrset(op, LDNS_RR_TYPE_PTR) < 0 || dns_upd_del_rrset(op, LDNS_RR_TYPE_TXT) < 0
                               ? -1 : 0;
        return dns_upd_del_rrset(op, LDNS_RR_TYPE_A) < 0 || dns_upd_del_rrset(op, LDNS_RR_TYPE_AAAA) < 0 ||
                               dns_upd_del_rrset(op, LDNS_RR_TYPE_TXT) < 0
                       ? -1 : 0;
}

/* Reverse: the wanted PTR (target FQDN) at one reverse name against G. */
static int plan_ptr(struct virtname_dns_session *s, struct plan *p, const struct want *w,
                    const struct zone_data *z, const struct zgroup *g, struct virtname_dns_sync_stats *st,
                    note_fn note, void *arg)
{
        struct dns_op *op;
        uint32_t ttl = w->ttl ? w->ttl : s->c->ttl;

        if (w->leave)
                return 0;               /* its name was not published: its PTR stays as it is */
        if (g && !g->ours) {
                char line[600];
                st->ptr_conflicts++;
                snprintf(line, sizeof(line), "%s: held by another owner or by records not made by "
                         "virt-name-cache; no PTR to %s", w->rev, w->fqdn);
                if (note)
                        note(arg, w->guest, VIRTNAME_DNS_ECONFLICT, line);
                return 0;
        }
        if (!g) {
                if (!(op = plan_add(p, w->revzone, w->rev, K_PTR_CLAIM, 0, w->guest)) || dns_pre_unused(op) < 0 ||
                    dns_upd_add_owner(s, op) < 0 ||
                    dns_rr_push(op->upd, w->rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, w->fqdn) < 0)
                        return -1;
                return 0;
        }
        size_t nptr = 0;
        bool same = false;
        for (size_t i = g->first; i < g->first + g->count; i++)
                if (ldns_rr_get_type(z->v[i].rr) == LDNS_RR_TYPE_PTR) {
                        char t[256];
                        nptr++;
                        dns_name_text(ldns_rr_rdf(z->v[i].rr, 0), t, sizeof(t));
                        same = same || strcmp(t, w->fqdn) == 0;
                }
        if (nptr == 1 && same) {
                st->ptr_unchanged++;
                return 0;
        }
        if (!(op = plan_add(p, w->revzone, w->rev, K_PTR_CHANGE, 0, w->guest)) || dns_pre_owned(s, op) < 0 ||
            dns_upd_del_rrset(op, LDNS_RR_TYPE_PTR) < 0 ||
            dns_rr_push(op->upd, w->rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, w->fqdn) < 0)
                return -1;
        return 0;
}

/* Count the results of P's ops; the worst into *WORST; true when one
 * was fatal (nothing more is to be sent). */
static bool count_results(struct plan *p, struct virtname_dns_sync_stats *st, int *worst, note_fn note, void *arg)
{
        bool fatal = false;

        for (size_t i = 0; i < p->n; i++) {
                struct dns_op *op = &p->ops[i];
                bool ptr = p->kinds[i] >= K_PTR_CLAIM;
                if (op->result == VIRTNAME_DNS_OK) {
                        size_t *c[] = { &st->claimed, &st->changed, &st->released,
                                        &st->ptr_claimed, &st->ptr_changed, &st->ptr_released };
                        (*c[p->kinds[i]])++;
                        continue;
                }
                if (op->result == VIRTNAME_DNS_ECONFLICT)
                        (*(ptr ? &st->ptr_conflicts : &st->conflicts))++;
                else
                        (*(ptr ? &st->ptr_failed : &st->failed))++;
                fatal = fatal || op->fatal;
                if (*worst == VIRTNAME_DNS_OK || *worst == VIRTNAME_DNS_ECONFLICT || op->result == VIRTNAME_DNS_ENET)
                        *worst = op->result;
                if (note && !(op->fatal && fatal && i && p->ops[i - 1].fatal))
                        note(arg, p->names[i] ? p->names[i] : op->name, op->result, op->why);
        }
        return fatal;
}

/* Sorted list of names (for "is this PTR's target one to leave?"). */
static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int virtname_dns_sync(struct virtname_dns_session *s, const struct virtname_dns_record *recs, size_t n,
                      struct virtname_dns_sync_stats *st, note_fn note, void *arg, char *err, size_t errlen)
{
        struct zone_data fz = { 0 }, rz[VIRTNAME_DNS_MAX_REVERSE] = { { 0 } };
        /* the plan: forward claims and changes, PTR claims and changes,
         * then every release; each sent only if the one before met no
         * fatal failure, so a refusal changes nothing after it */
        struct plan fwd = { 0 }, ptr = { 0 }, rel = { 0 };
        struct want *w = NULL, **wr = NULL;
        const char **left = NULL;
        size_t nw = 0, nr = 0, nleft = 0;
        int rc = VIRTNAME_DNS_OK, worst = VIRTNAME_DNS_OK;
        bool fatal = false;
        char e[400];

        memset(st, 0, sizeof(*st));
        if (err && errlen)
                err[0] = '\0';
        if (n && !(w = calloc(n, sizeof(*w)))) {
                virtname_errf(err, errlen, 0, "out of memory");
                return VIRTNAME_DNS_EOTHER;
        }
        for (size_t i = 0; i < n; i++) {
                struct want *x = &w[nw];
                if (recs[i].family != AF_INET && recs[i].family != AF_INET6) {
                        snprintf(e, sizeof(e), "%s: record without an address family; skipped", recs[i].name);
                        goto bad_input;
                }
                if (virtname_dns_fqdn(s->c, recs[i].name, x->fqdn, sizeof(x->fqdn), e, sizeof(e)) < 0)
                        goto bad_input;
                x->guest = recs[i].name;
                x->family = recs[i].family;
                memcpy(x->addr, recs[i].addr, 16);
                if (x->family == AF_INET)
                        memset(x->addr + 4, 0, 12);
                x->ttl = recs[i].ttl;
                x->revzone = dns_reverse(s->c, x->family, x->addr, x->rev, sizeof(x->rev));
                x->no_ptr = recs[i].no_reverse;   /* another name has its PTR */
                nw++;
                continue;
bad_input:
                st->failed++;
                worst = VIRTNAME_DNS_EINPUT;
                if (note)
                        note(arg, recs[i].name, VIRTNAME_DNS_EINPUT, e);
        }
        if (nw)
                qsort(w, nw, sizeof(*w), want_cmp);
        /* drop exact duplicates */
        size_t k = 0;
        for (size_t i = 0; i < nw; i++)
                if (!k || want_cmp(&w[k - 1], &w[i]) != 0)
                        w[k++] = w[i];
        nw = k;

        /* the whole map first: a transfer that fails changes nothing */
        if ((rc = axfr(s, s->c->zone, &fz, err, errlen)) != VIRTNAME_DNS_OK)
                goto out;
        st->zone_rrs = fz.n;
        for (size_t r = 0; r < s->c->nreverse; r++) {
                if ((rc = axfr(s, s->c->reverse[r], &rz[r], err, errlen)) != VIRTNAME_DNS_OK)
                        goto out;
                st->zone_rrs += rz[r].n;
                if (rz[r].n)
                        qsort(rz[r].v, rz[r].n, sizeof(*rz[r].v), zrr_cmp);
        }
        if (fz.n)
                qsort(fz.v, fz.n, sizeof(*fz.v), zrr_cmp);
        st->planned = true;

        /* forward: merge the sorted wanted names with the zone's names */
        size_t i = 0, j = 0;
        bool twin_noted = false;
        while (i < nw || j < fz.n) {
                struct zgroup g;
                int c;
                if (j < fz.n)
                        group_at(s, &fz, j, &g);
                c = i >= nw ? 1 : j >= fz.n ? -1 : strcmp(w[i].fqdn, fz.v[j].name);
                if (c <= 0) {
                        size_t wj = i;
                        while (wj < nw && strcmp(w[wj].fqdn, w[i].fqdn) == 0)
                                wj++;
                        st->names++;
                        if (plan_forward(s, &fwd, w, i, wj, &fz, c == 0 ? &g : NULL, st, note, arg) < 0)
                                goto oom;
                        i = wj;
                        if (c == 0)
                                j += g.count;
                } else {
                        if (g.ours && plan_release(s, &rel, s->c->zone, fz.v[j].name, false) < 0)
                                goto oom;
                        if (g.twin && !twin_noted && note) {
                                /* two machines, one owner: say so even where no name collides */
                                virtname_errf(e, sizeof(e), 0, "%s: made by another machine that also calls itself "
                                              "owner '%s' (this one is id=%s): give each host its own host-label (or "
                                              "owner) in dns.conf", fz.v[j].name, s->c->owner, s->c->owner_id);
                                note(arg, fz.v[j].name, VIRTNAME_DNS_ECONFLICT, e);
                                st->conflicts++;
                                twin_noted = true;
                        }
                        j += g.count;
                }
        }
        dns_send_ops(s, fwd.ops, fwd.n, 64);
        /* names whose claim or change failed: their records stay as they are */
        for (size_t o = 0; o < fwd.n; o++)
                if (fwd.ops[o].result != VIRTNAME_DNS_OK)
                        for (size_t q = fwd.back[o]; q < nw && strcmp(w[q].fqdn, fwd.ops[o].name) == 0; q++)
                                w[q].leave = true;
        fatal = count_results(&fwd, st, &worst, note, arg);
        if (nw && (!(left = calloc(nw, sizeof(*left))) || !(wr = calloc(nw, sizeof(*wr)))))
                goto oom;
        for (size_t q = 0; q < nw; q++)
                if (w[q].leave && (!nleft || strcmp(left[nleft - 1], w[q].fqdn) != 0))
                        left[nleft++] = w[q].fqdn;      /* sorted: w is */

        /* reverse, zone by zone: one PTR per address the zone covers */
        for (size_t r = 0; r < s->c->nreverse && !fatal; r++) {
                const struct zone_data *z = &rz[r];
                nr = 0;
                for (size_t q = 0; q < nw; q++)
                        if (w[q].revzone == s->c->reverse[r] && !w[q].no_ptr)
                                wr[nr++] = &w[q];
                if (nr)
                        qsort(wr, nr, sizeof(*wr), rev_cmp);
                i = j = 0;
                while (i < nr || j < z->n) {
                        struct zgroup g;
                        int c;
                        if (j < z->n)
                                group_at(s, z, j, &g);
                        c = i >= nr ? 1 : j >= z->n ? -1 : strcmp(wr[i]->rev, z->v[j].name);
                        if (c <= 0) {
                                /* two names for one address: the first in order gets the PTR */
                                if (plan_ptr(s, &ptr, wr[i], z, c == 0 ? &g : NULL, st, note, arg) < 0)
                                        goto oom;
                                size_t i2 = i + 1;
                                while (i2 < nr && strcmp(wr[i2]->rev, wr[i]->rev) == 0)
                                        i2++;
                                i = i2;
                                if (c == 0)
                                        j += g.count;
                                continue;
                        }
                        /* a name of a longer configured zone belongs to that one; a
                         * PTR to a name left as it is stays */
                        char target[256] = "";
                        for (size_t q = g.first; q < g.first + g.count; q++)
                                if (ldns_rr_get_type(z->v[q].rr) == LDNS_RR_TYPE_PTR)
                                        dns_name_text(ldns_rr_rdf(z->v[q].rr, 0), target, sizeof(target));
                        const char *tp = target;
                        bool keep = nleft && bsearch(&tp, left, nleft, sizeof(*left), str_cmp);
                        if (g.ours && !keep && dns_reverse_zone_of(s->c, z->v[j].name) == s->c->reverse[r] &&
                            plan_release(s, &rel, s->c->reverse[r], z->v[j].name, true) < 0)
                                goto oom;
                        j += g.count;
                }
        }
        if (!fatal) {
                dns_send_ops(s, ptr.ops, ptr.n, 64);
                fatal = count_results(&ptr, st, &worst, note, arg);
        }
        /* Releases only once everything else went through (or another
         * host holds it): after a refusal the plan was wrong somewhere
         * (a host label or key the server does not accept), and what
         * this host has stays until that is fixed. */
        bool refused = false;
        for (size_t o = 0; o < fwd.n; o++)
                refused = refused || fwd.ops[o].result == VIRTNAME_DNS_EREFUSED;
        for (size_t o = 0; o < ptr.n; o++)
                refused = refused || ptr.ops[o].result == VIRTNAME_DNS_EREFUSED;
        if (!fatal && !refused) {
                dns_send_ops(s, rel.ops, rel.n, 64);
                fatal = count_results(&rel, st, &worst, note, arg);
        } else {
                st->withheld = (fatal ? ptr.n : 0) + rel.n;
        }
        if (worst == VIRTNAME_DNS_OK && (st->conflicts || st->ptr_conflicts))
                worst = VIRTNAME_DNS_ECONFLICT;
        rc = worst;
        st->stopped = fatal;
        if (fatal) {
                const struct dns_op *f = NULL;
                for (size_t o = 0; !f && o < fwd.n; o++)
                        f = fwd.ops[o].fatal ? &fwd.ops[o] : NULL;
                for (size_t o = 0; !f && o < ptr.n; o++)
                        f = ptr.ops[o].fatal ? &ptr.ops[o] : NULL;
                for (size_t o = 0; !f && o < rel.n; o++)
                        f = rel.ops[o].fatal ? &rel.ops[o] : NULL;
                virtname_errf(err, errlen, 0, "dns-sync stopped: %s", f ? f->why : "?");
        } else if (rc != VIRTNAME_DNS_OK) {
                virtname_errf(err, errlen, 0, "dns-sync: %zu conflicts, %zu failed (names), %zu conflicts, %zu failed "
                              "(PTR)%s", st->conflicts, st->failed, st->ptr_conflicts, st->ptr_failed,
                              st->withheld ? "; the server refused part of it: nothing was released" : "");
        }
        goto out;
oom:
        virtname_errf(err, errlen, 0, "out of memory");
        rc = VIRTNAME_DNS_EOTHER;
out:
        plan_free(&fwd);
        plan_free(&ptr);
        plan_free(&rel);
        zone_free(&fz);
        for (size_t r = 0; r < VIRTNAME_DNS_MAX_REVERSE; r++)
                zone_free(&rz[r]);
        free(w);
        free(wr);
        free(left);
        return rc;
}

int virtname_dns_owned(struct virtname_dns_session *s, void (*fn)(void *arg, const char *rr), void *arg,
                       char *err, size_t errlen)
{
        struct zone_data z = { 0 };
        int rc = axfr(s, s->c->zone, &z, err, errlen);

        for (size_t i = 0; rc == VIRTNAME_DNS_OK && i < s->c->nreverse; i++)
                rc = axfr(s, s->c->reverse[i], &z, err, errlen);
        if (rc == VIRTNAME_DNS_OK) {
                if (z.n)
                        qsort(z.v, z.n, sizeof(*z.v), zrr_cmp);
                for (size_t i = 0; i < z.n;) {
                        struct zgroup g;
                        group_at(s, &z, i, &g);
                        for (size_t k = g.first; g.ours && k < g.first + g.count; k++) {
                                char *t = ldns_rr2str(z.v[k].rr);
                                if (t) {
                                        t[strcspn(t, "\n")] = '\0';
                                        fn(arg, t);
                                }
                                free(t);
                        }
                        i += g.count;
                }
        }
        zone_free(&z);
        return rc;
}
