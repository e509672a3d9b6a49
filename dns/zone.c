/* zone.c - reconcile this host's records with the zone (see zone.h).
 *
 * The transfer is only a map of what to change: every change still goes
 * out as an update whose prerequisites the server checks against its own
 * data (our TXT, exactly; or "name not in use").  That matters because
 * ldns checks no TSIG on AXFR answers (ldns 1.8 ldns_axfr_next): a forged
 * transfer could at worst make us send updates the server refuses, or
 * release names we own but no longer want anyway.
 *
 * virtname_dns_sync() is a pipeline of named steps; each step's comment
 * says what holds before and after it:
 *
 *   1. sync_wants     the records wanted: checked, sorted, each once
 *   2. sync_fetch     the zone and the reverse zones by transfer; a
 *                     failure ends the reconcile before anything is sent
 *   3. plan_names     claims, changes and releases of names (not sent)
 *   4. send_names     the claims and changes; the names not published
 *                     are marked: what they have stays, PTRs included
 *   5. plan_ptrs      claims, changes and releases of PTRs (not sent)
 *   6. send_plan      the PTR claims and changes
 *   7. send_releases  the releases, only if nothing was refused
 *   8. sync_result    the worst result, one line saying why
 *
 * Throughout: nothing is sent before the whole map is read; after a
 * fatal failure (no server, the key or the zone refused) nothing more
 * is sent; every change goes out with the prerequisites above.
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
#include "cache/write/grow.h"

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

/* One AXFR of ZONE into Z (appending).  *AGAIN: it failed the way a
 * server that is still starting fails (no connection could be made, or
 * SERVFAIL before any record): worth asking again. */
static int axfr_once(struct virtname_dns_session *s, const char *zone, struct zone_data *z, bool *again,
                     char *err, size_t errlen);

/* AXFR of ZONE into Z (appending).  A server that has just started may
 * refuse the connection, or answer SERVFAIL before it has loaded the
 * zone: ask again every quarter of a second for up to the configured
 * timeout-ms, while the session has time.  (One that does not answer at
 * all has used the timeout up on the first try.) */
static int axfr(struct virtname_dns_session *s, const char *zone, struct zone_data *z, char *err, size_t errlen)
{
        double start = dns_mono_ms();
        bool again;
        int rc = axfr_once(s, zone, z, &again, err, errlen), tries = 1;

        for (; again && dns_mono_ms() + 250 < start + s->c->timeout_ms; tries++) {
                nanosleep(&(struct timespec){ 0, 250 * 1000 * 1000 }, NULL);
                if (!dns_res_ready(s))
                        break;  /* keep the last message */
                rc = axfr_once(s, zone, z, &again, err, errlen);
        }
        if (again) {
                size_t len = strlen(err);
                snprintf(err + len, errlen - len, "; %d tr%s in %.0f ms", tries, tries == 1 ? "y" : "ies",
                         dns_mono_ms() - start);
        }
        return rc;
}

static int axfr_once(struct virtname_dns_session *s, const char *zone, struct zone_data *z, bool *again,
                     char *err, size_t errlen)
{
        size_t first = z->n;
        /* a resolver of its own: ldns leaves transfer state in it */
        ldns_resolver *r = ldns_resolver_clone(s->res);
        ldns_rdf *d = ldns_dname_new_frm_str(zone);
        ldns_status st;
        ldns_rr *rr;
        int rc = VIRTNAME_DNS_OK;

        *again = false;
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
                rc = VIRTNAME_DNS_ENET;
                *again = true;
                goto out;
        }
        while ((rr = ldns_axfr_next(r))) {
                if (!VIRTNAME_GROW(z->v, z->cap, z->n + 1) || !ldns_rr_list_push_rr(z->all, rr)) {
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
                        *again = ldns_pkt_get_rcode(last) == LDNS_RCODE_SERVFAIL && z->n == first;
                        rc = *again ? VIRTNAME_DNS_ENET : VIRTNAME_DNS_EREFUSED;
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

/* Ops to send (one array: dns_send_ops takes them so), and beside each
 * what the plan keeps about it. */
struct plan {
        struct dns_op *ops;
        struct planned {
                enum kind kind;
                size_t back;            /* want index of its first record (forward claims, changes) */
                const char *who;        /* for problems: the guest; NULL: the op's name */
        } *of;
        size_t n, cap, cap_of;
};

static struct dns_op *plan_add(struct plan *p, const char *zone, const char *name, enum kind k, size_t back,
                               const char *who)
{
        if (!VIRTNAME_GROW(p->ops, p->cap, p->n + 1) || !VIRTNAME_GROW(p->of, p->cap_of, p->n + 1) ||
            dns_op_init(&p->ops[p->n], zone, name))
                return NULL;
        p->of[p->n] = (struct planned){ k, back, who };
        return &p->ops[p->n++];
}

static void plan_free(struct plan *p)
{
        for (size_t i = 0; i < p->n; i++)
                dns_op_free(&p->ops[i]);
        free(p->ops);
        free(p->of);
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
                    dns_rr_push(op->pre, op->name, 0, LDNS_RR_CLASS_NONE, LDNS_RR_TYPE_TXT, NULL) ||
                    dns_upd_del_rrset(op, LDNS_RR_TYPE_A) || dns_upd_del_rrset(op, LDNS_RR_TYPE_AAAA) ||
                    dns_upd_add_owner(s, op))
                        return VIRTNAME_DNS_EOTHER;
                for (size_t k = wi; k < wj; k++)
                        if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN))
                                return VIRTNAME_DNS_EOTHER;
                return VIRTNAME_DNS_OK;
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
                return VIRTNAME_DNS_OK;
        }
        if (!g) {
                if (!(op = plan_add(p, s->c->zone, w[wi].fqdn, K_CLAIM, wi, w[wi].guest)) || dns_pre_unused(op) ||
                    dns_upd_add_owner(s, op))
                        return VIRTNAME_DNS_EOTHER;
                for (size_t k = wi; k < wj; k++)
                        if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN))
                                return VIRTNAME_DNS_EOTHER;
                return VIRTNAME_DNS_OK;
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
                            dns_pre_owned(s, op)))
                        return VIRTNAME_DNS_EOTHER;
                if (add_addr(s, op, &w[k], LDNS_RR_CLASS_IN))
                        return VIRTNAME_DNS_EOTHER;
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
                            dns_pre_owned(s, op)))
                        return VIRTNAME_DNS_EOTHER;
                /* RFC 2136 2.5.4: delete an RR from an RRset: class NONE, TTL 0 */
                ldns_rr *del = ldns_rr_clone(rr);
                if (!del)
                        return VIRTNAME_DNS_EOTHER;
                ldns_rr_set_class(del, LDNS_RR_CLASS_NONE);
                ldns_rr_set_ttl(del, 0);
                if (!ldns_rr_list_push_rr(op->upd, del)) {
                        ldns_rr_free(del);
                        return VIRTNAME_DNS_EOTHER;
                }
        }
        if (!op)
                st->unchanged++;
        return VIRTNAME_DNS_OK;
}

static int plan_release(struct virtname_dns_session *s, struct plan *p, const char *zone, const char *name,
                        bool ptr)
{
        struct dns_op *op = plan_add(p, zone, name, ptr ? K_PTR_RELEASE : K_RELEASE, 0, NULL);

        if (!op || dns_pre_owned(s, op))
                return VIRTNAME_DNS_EOTHER;
        if (ptr)
                return dns_upd_del_rrset(op, LDNS_RR_TYPE_PTR) || dns_upd_del_rrset(op, LDNS_RR_TYPE_TXT)
                               ? VIRTNAME_DNS_EOTHER : VIRTNAME_DNS_OK;
        return dns_upd_del_rrset(op, LDNS_RR_TYPE_A) || dns_upd_del_rrset(op, LDNS_RR_TYPE_AAAA) ||
                               dns_upd_del_rrset(op, LDNS_RR_TYPE_TXT)
                       ? VIRTNAME_DNS_EOTHER : VIRTNAME_DNS_OK;
}

/* Reverse: the wanted PTR (target FQDN) at one reverse name against G. */
static int plan_ptr(struct virtname_dns_session *s, struct plan *p, const struct want *w,
                    const struct zone_data *z, const struct zgroup *g, struct virtname_dns_sync_stats *st,
                    note_fn note, void *arg)
{
        struct dns_op *op;
        uint32_t ttl = w->ttl ? w->ttl : s->c->ttl;

        if (w->leave)
                return VIRTNAME_DNS_OK; /* its name was not published: its PTR stays as it is */
        if (g && !g->ours) {
                char line[600];
                st->ptr_conflicts++;
                snprintf(line, sizeof(line), "%s: held by another owner or by records not made by "
                         "virt-name-cache; no PTR to %s", w->rev, w->fqdn);
                if (note)
                        note(arg, w->guest, VIRTNAME_DNS_ECONFLICT, line);
                return VIRTNAME_DNS_OK;
        }
        if (!g) {
                if (!(op = plan_add(p, w->revzone, w->rev, K_PTR_CLAIM, 0, w->guest)) || dns_pre_unused(op) ||
                    dns_upd_add_owner(s, op) ||
                    dns_rr_push(op->upd, w->rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, w->fqdn))
                        return VIRTNAME_DNS_EOTHER;
                return VIRTNAME_DNS_OK;
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
                return VIRTNAME_DNS_OK;
        }
        if (!(op = plan_add(p, w->revzone, w->rev, K_PTR_CHANGE, 0, w->guest)) || dns_pre_owned(s, op) ||
            dns_upd_del_rrset(op, LDNS_RR_TYPE_PTR) ||
            dns_rr_push(op->upd, w->rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, w->fqdn))
                return VIRTNAME_DNS_EOTHER;
        return VIRTNAME_DNS_OK;
}

/* Count the results of P's ops; the worst into *WORST; true when one
 * was fatal (nothing more is to be sent). */
static bool count_results(struct plan *p, struct virtname_dns_sync_stats *st, int *worst, note_fn note, void *arg)
{
        bool fatal = false;

        for (size_t i = 0; i < p->n; i++) {
                struct dns_op *op = &p->ops[i];
                bool ptr = p->of[i].kind >= K_PTR_CLAIM;
                if (op->result == VIRTNAME_DNS_OK) {
                        size_t *c[] = { &st->claimed, &st->changed, &st->released,
                                        &st->ptr_claimed, &st->ptr_changed, &st->ptr_released };
                        (*c[p->of[i].kind])++;
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
                        note(arg, p->of[i].who ? p->of[i].who : op->name, op->result, op->why);
        }
        return fatal;
}

/* Sorted list of names (for "is this PTR's target one to leave?"). */
static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One reconcile (virtname_dns_sync): what is wanted, the zones as the
 * transfers showed them, the plan, and how it went so far. */
struct sync {
        struct virtname_dns_session *s;
        struct virtname_dns_sync_stats *st;
        note_fn note;
        void *arg;
        struct want *w;                 /* wanted records: sorted by name, then address; each once */
        size_t nw;
        struct zone_data fz;            /* the zone, sorted by owner name */
        struct zone_data rz[VIRTNAME_DNS_MAX_REVERSE];  /* each reverse zone, the same */
        struct plan fwd, ptr, rel;      /* claims and changes of names, of PTRs; releases */
        const char **left;              /* names not published (sorted): PTRs to them stay */
        size_t nleft;
        int worst;                      /* the worst result so far */
        bool fatal;                     /* an op met a fatal failure: nothing more is sent */
};

static void sync_free(struct sync *x)
{
        plan_free(&x->fwd);
        plan_free(&x->ptr);
        plan_free(&x->rel);
        zone_free(&x->fz);
        for (size_t r = 0; r < VIRTNAME_DNS_MAX_REVERSE; r++)
                zone_free(&x->rz[r]);
        free(x->w);
        free(x->left);
}

/* A record that cannot be published: noted, counted, and left out. */
static void bad_record(struct sync *x, const char *name, const char *why)
{
        x->st->failed++;
        x->worst = VIRTNAME_DNS_EINPUT;
        if (x->note)
                x->note(x->arg, name, VIRTNAME_DNS_EINPUT, why);
}

/* Step 1, what is wanted: RECS as x->w, each with its name in the zone
 * and its reverse name.  After it x->w is sorted by name, then address,
 * and holds each record once; a record without an address family or a
 * usable name is noted (EINPUT) and left out, the others go on.
 * VIRTNAME_DNS_EOTHER: out of memory. */
static int sync_wants(struct sync *x, const struct virtname_dns_record *recs, size_t n)
{
        char e[400];
        size_t k = 0;

        if (n && !(x->w = calloc(n, sizeof(*x->w))))
                return VIRTNAME_DNS_EOTHER;
        for (size_t i = 0; i < n; i++) {
                struct want *w = &x->w[x->nw];

                if (recs[i].family != AF_INET && recs[i].family != AF_INET6) {
                        snprintf(e, sizeof(e), "%s: record without an address family; skipped", recs[i].name);
                        bad_record(x, recs[i].name, e);
                        continue;
                }
                if (virtname_dns_fqdn(x->s->c, recs[i].name, w->fqdn, sizeof(w->fqdn), e, sizeof(e))) {
                        bad_record(x, recs[i].name, e);
                        continue;
                }
                w->guest = recs[i].name;
                w->family = recs[i].family;
                memcpy(w->addr, recs[i].addr, 16);
                if (w->family == AF_INET)
                        memset(w->addr + 4, 0, 12);
                w->ttl = recs[i].ttl;
                w->revzone = dns_reverse(x->s->c, w->family, w->addr, w->rev, sizeof(w->rev));
                w->no_ptr = recs[i].no_reverse;   /* another name has its PTR */
                x->nw++;
        }
        if (x->nw)
                qsort(x->w, x->nw, sizeof(*x->w), want_cmp);
        for (size_t i = 0; i < x->nw; i++)
                if (!k || want_cmp(&x->w[k - 1], &x->w[i]) != 0)
                        x->w[k++] = x->w[i];
        x->nw = k;
        return VIRTNAME_DNS_OK;
}

/* Step 2, the map: the zone and every configured reverse zone by
 * transfer, each sorted by owner name.  Nothing has been sent before it
 * and nothing is after it: a transfer that fails ends the reconcile
 * with its result, so a zone this host could not read is never
 * changed.  After it st->planned is true. */
static int sync_fetch(struct sync *x, char *err, size_t errlen)
{
        const struct virtname_dns_config *c = x->s->c;
        int rc = axfr(x->s, c->zone, &x->fz, err, errlen);

        if (rc != VIRTNAME_DNS_OK)
                return rc;
        x->st->zone_rrs = x->fz.n;
        for (size_t r = 0; r < c->nreverse; r++) {
                if ((rc = axfr(x->s, c->reverse[r], &x->rz[r], err, errlen)) != VIRTNAME_DNS_OK)
                        return rc;
                x->st->zone_rrs += x->rz[r].n;
                if (x->rz[r].n)
                        qsort(x->rz[r].v, x->rz[r].n, sizeof(*x->rz[r].v), zrr_cmp);
        }
        if (x->fz.n)
                qsort(x->fz.v, x->fz.n, sizeof(*x->fz.v), zrr_cmp);
        x->st->planned = true;
        return VIRTNAME_DNS_OK;
}

/* Step 3, plan the names: the wanted names merged with the zone's, both
 * sorted.  A wanted name gets a claim or a change in x->fwd, or counts
 * as unchanged, or (held by another owner) is noted and marked leave;
 * a name of ours no longer wanted gets a release in x->rel.  Nothing is
 * sent.  VIRTNAME_DNS_EOTHER: out of memory. */
static int plan_names(struct sync *x)
{
        const struct zone_data *z = &x->fz;
        size_t i = 0, j = 0;
        bool twin_noted = false;
        char e[400];

        while (i < x->nw || j < z->n) {
                struct zgroup g;
                int c;

                if (j < z->n)
                        group_at(x->s, z, j, &g);
                c = i >= x->nw ? 1 : j >= z->n ? -1 : strcmp(x->w[i].fqdn, z->v[j].name);
                if (c <= 0) {
                        size_t wj = i;

                        while (wj < x->nw && strcmp(x->w[wj].fqdn, x->w[i].fqdn) == 0)
                                wj++;
                        x->st->names++;
                        if (plan_forward(x->s, &x->fwd, x->w, i, wj, z, c == 0 ? &g : NULL, x->st, x->note,
                                         x->arg))
                                return VIRTNAME_DNS_EOTHER;
                        i = wj;
                        if (c == 0)
                                j += g.count;
                        continue;
                }
                if (g.ours && plan_release(x->s, &x->rel, x->s->c->zone, z->v[j].name, false))
                        return VIRTNAME_DNS_EOTHER;
                if (g.twin && !twin_noted && x->note) {
                        /* two machines, one owner: say so even where no name collides */
                        virtname_errf(e, sizeof(e), 0, "%s: made by another machine that also calls itself "
                                      "owner '%s' (this one is id=%s): give each host its own host-label (or "
                                      "owner) in dns.conf", z->v[j].name, x->s->c->owner, x->s->c->owner_id);
                        x->note(x->arg, z->v[j].name, VIRTNAME_DNS_ECONFLICT, e);
                        x->st->conflicts++;
                        twin_noted = true;
                }
                j += g.count;
        }
        return VIRTNAME_DNS_OK;
}

/* Send P (when nothing before was fatal) and count how it went. */
static void send_plan(struct sync *x, struct plan *p)
{
        if (x->fatal)
                return;
        dns_send_ops(x->s, p->ops, p->n, 64);
        x->fatal = count_results(p, x->st, &x->worst, x->note, x->arg);
}

/* Step 4, send the names' claims and changes.  After it every wanted
 * name whose op failed is marked leave too, and x->left lists (sorted)
 * every name marked leave: what those names have in the zone, their
 * PTRs included, stays as it is.  VIRTNAME_DNS_EOTHER: out of memory. */
static int send_names(struct sync *x)
{
        send_plan(x, &x->fwd);
        for (size_t o = 0; o < x->fwd.n; o++)
                if (x->fwd.ops[o].result != VIRTNAME_DNS_OK)
                        for (size_t q = x->fwd.of[o].back;
                             q < x->nw && strcmp(x->w[q].fqdn, x->fwd.ops[o].name) == 0; q++)
                                x->w[q].leave = true;
        if (x->nw && !(x->left = calloc(x->nw, sizeof(*x->left))))
                return VIRTNAME_DNS_EOTHER;
        for (size_t q = 0; q < x->nw; q++)
                if (x->w[q].leave && (!x->nleft || strcmp(x->left[x->nleft - 1], x->w[q].fqdn) != 0))
                        x->left[x->nleft++] = x->w[q].fqdn;     /* sorted: w is */
        return VIRTNAME_DNS_OK;
}

/* Step 5, plan the PTRs, reverse zone by reverse zone, only when step 4
 * met no fatal failure: one PTR for each wanted address the zone holds
 * (the first name in order, when several want one), none for a name
 * marked leave, a release of each of our reverse names no longer
 * wanted, unless its PTR points at a name in x->left or it belongs to a
 * longer configured zone.  Nothing is sent.  VIRTNAME_DNS_EOTHER: out
 * of memory. */
static int plan_ptrs(struct sync *x)
{
        const struct virtname_dns_config *c = x->s->c;
        struct want **wr = NULL;
        int rc = 0;

        if (x->fatal)
                return VIRTNAME_DNS_OK;
        if (x->nw && !(wr = calloc(x->nw, sizeof(*wr))))
                return VIRTNAME_DNS_EOTHER;
        for (size_t r = 0; r < c->nreverse && rc == 0; r++) {
                const struct zone_data *z = &x->rz[r];
                size_t nr = 0, i = 0, j = 0;

                for (size_t q = 0; q < x->nw; q++)
                        if (x->w[q].revzone == c->reverse[r] && !x->w[q].no_ptr)
                                wr[nr++] = &x->w[q];
                if (nr)
                        qsort(wr, nr, sizeof(*wr), rev_cmp);
                while (rc == 0 && (i < nr || j < z->n)) {
                        struct zgroup g;
                        int cmp;

                        if (j < z->n)
                                group_at(x->s, z, j, &g);
                        cmp = i >= nr ? 1 : j >= z->n ? -1 : strcmp(wr[i]->rev, z->v[j].name);
                        if (cmp <= 0) {
                                rc = plan_ptr(x->s, &x->ptr, wr[i], z, cmp == 0 ? &g : NULL, x->st, x->note, x->arg);
                                for (i++; i < nr && strcmp(wr[i]->rev, wr[i - 1]->rev) == 0; i++)
                                        ;
                                if (cmp == 0)
                                        j += g.count;
                                continue;
                        }
                        char target[256] = "";
                        for (size_t q = g.first; q < g.first + g.count; q++)
                                if (ldns_rr_get_type(z->v[q].rr) == LDNS_RR_TYPE_PTR)
                                        dns_name_text(ldns_rr_rdf(z->v[q].rr, 0), target, sizeof(target));
                        const char *tp = target;
                        bool keep = x->nleft && bsearch(&tp, x->left, x->nleft, sizeof(*x->left), str_cmp);
                        if (g.ours && !keep && dns_reverse_zone_of(c, z->v[j].name) == c->reverse[r])
                                rc = plan_release(x->s, &x->rel, c->reverse[r], z->v[j].name, true);
                        j += g.count;
                }
        }
        free(wr);
        return rc;
}

/* Step 7, the releases, only once every claim and change went through
 * without a fatal failure or a refusal (names held by others are no
 * reason to keep ours): after a refusal the plan was wrong somewhere (a
 * host label or key the server does not accept), and what this host
 * has stays until that is fixed.  Else they are counted as withheld. */
static void send_releases(struct sync *x)
{
        bool refused = false;

        for (size_t o = 0; o < x->fwd.n; o++)
                refused = refused || x->fwd.ops[o].result == VIRTNAME_DNS_EREFUSED;
        for (size_t o = 0; o < x->ptr.n; o++)
                refused = refused || x->ptr.ops[o].result == VIRTNAME_DNS_EREFUSED;
        if (!x->fatal && !refused)
                send_plan(x, &x->rel);
        else
                x->st->withheld = (x->fatal ? x->ptr.n : 0) + x->rel.n;
}

/* Step 8, the result: the worst of all, a conflict at least when a name
 * was held by another owner, and one line in ERR saying why. */
static int sync_result(struct sync *x, char *err, size_t errlen)
{
        const struct virtname_dns_sync_stats *st = x->st;
        int rc = x->worst;

        if (rc == VIRTNAME_DNS_OK && (st->conflicts || st->ptr_conflicts))
                rc = VIRTNAME_DNS_ECONFLICT;
        x->st->stopped = x->fatal;
        if (x->fatal) {
                const struct plan *plans[] = { &x->fwd, &x->ptr, &x->rel };
                const struct dns_op *f = NULL;

                for (size_t p = 0; p < 3; p++)
                        for (size_t o = 0; !f && o < plans[p]->n; o++)
                                f = plans[p]->ops[o].fatal ? &plans[p]->ops[o] : NULL;
                virtname_errf(err, errlen, 0, "dns-sync stopped: %s", f ? f->why : "?");
        } else if (rc != VIRTNAME_DNS_OK) {
                virtname_errf(err, errlen, 0, "dns-sync: %zu conflicts, %zu failed (names), %zu conflicts, %zu failed "
                              "(PTR)%s", st->conflicts, st->failed, st->ptr_conflicts, st->ptr_failed,
                              st->withheld ? "; the server refused part of it: nothing was released" : "");
        }
        return rc;
}

/* The reconcile, as the steps above; each sends only what the plan,
 * made from the transfers before anything was sent, holds. */
int virtname_dns_sync(struct virtname_dns_session *s, const struct virtname_dns_record *recs, size_t n,
                      struct virtname_dns_sync_stats *st, note_fn note, void *arg, char *err, size_t errlen)
{
        struct sync x = { .s = s, .st = st, .note = note, .arg = arg, .worst = VIRTNAME_DNS_OK };
        int rc;

        memset(st, 0, sizeof(*st));
        if (err && errlen)
                err[0] = '\0';
        if (sync_wants(&x, recs, n))                            /* 1 */
                goto oom;
        if ((rc = sync_fetch(&x, err, errlen)))                 /* 2 */
                goto out;
        if (plan_names(&x) ||                                   /* 3 */
            send_names(&x) ||                                   /* 4 */
            plan_ptrs(&x))                                      /* 5 */
                goto oom;
        send_plan(&x, &x.ptr);                                  /* 6 */
        send_releases(&x);                                      /* 7 */
        rc = sync_result(&x, err, errlen);                      /* 8 */
        goto out;
oom:
        virtname_errf(err, errlen, 0, "out of memory");
        rc = VIRTNAME_DNS_EOTHER;
out:
        sync_free(&x);
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
