/* update.c - build, sign and send RFC 2136 updates with ldns; publish
 * one name (see update.h for the ownership rule). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/op.h"
#include "cache/write/errmsg.h"

int virtname_dns_open(const struct virtname_dns_config *c, struct virtname_dns_session **sp,
                      char *err, size_t errlen)
{
        struct virtname_dns_session *s = calloc(1, sizeof(*s));
        ldns_rdf *ns;

        *sp = NULL;
        if (!s || !(s->res = ldns_resolver_new())) {
                free(s);
                virtname_errf(err, errlen, 0, "out of memory");
                return VIRTNAME_DNS_EOTHER;
        }
        s->c = c;
        virtname_dns_owner_text(c, s->owner_txt, sizeof(s->owner_txt));
        snprintf(s->server_desc, sizeof(s->server_desc), "%s#%u", c->server, c->port);
        ns = ldns_rdf_new_frm_str(strchr(c->server, ':') ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, c->server);
        if (!ns || ldns_resolver_push_nameserver(s->res, ns) != LDNS_STATUS_OK) {
                ldns_rdf_deep_free(ns);
                virtname_dns_close(s);
                virtname_errf(err, errlen, 0, "server '%s' is not an address", c->server);
                return VIRTNAME_DNS_EINPUT;
        }
        ldns_rdf_deep_free(ns);
        ldns_resolver_set_port(s->res, c->port);
        /* One try per message, the whole timeout for it; no sleeping
         * between servers (there is one); answers with TC go over TCP. */
        ldns_resolver_set_retry(s->res, 1);
        ldns_resolver_set_retrans(s->res, 0);
        ldns_resolver_set_timeout(s->res, (struct timeval){ c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000 });
        ldns_resolver_set_recursive(s->res, false);
        ldns_resolver_set_defnames(s->res, false);
        ldns_resolver_set_dnsrch(s->res, false);
        ldns_resolver_set_fallback(s->res, true);
        ldns_resolver_set_tsig_keyname(s->res, c->key.name);
        ldns_resolver_set_tsig_algorithm(s->res, c->key.algorithm);
        ldns_resolver_set_tsig_keydata(s->res, c->key.secret);
        *sp = s;
        return VIRTNAME_DNS_OK;
}

void virtname_dns_close(struct virtname_dns_session *s)
{
        if (!s)
                return;
        if (s->res)
                ldns_resolver_deep_free(s->res);
        free(s);
}

void virtname_dns_counts(const struct virtname_dns_session *s, struct virtname_dns_counts *out)
{
        *out = s->n;
}

bool virtname_dns_fatal(const struct virtname_dns_session *s)
{
        return s->fatal;
}

int dns_op_init(struct dns_op *op, const char *zone, const char *name)
{
        memset(op, 0, sizeof(*op));
        op->zone = zone;
        snprintf(op->name, sizeof(op->name), "%s", name);
        op->pre = ldns_rr_list_new();
        op->upd = ldns_rr_list_new();
        if (!op->pre || !op->upd) {
                dns_op_free(op);
                return VIRTNAME_DNS_EOTHER;
        }
        return VIRTNAME_DNS_OK;
}

void dns_op_free(struct dns_op *op)
{
        ldns_rr_list_deep_free(op->pre);
        ldns_rr_list_deep_free(op->upd);
        op->pre = op->upd = NULL;
}

int dns_rr_push(ldns_rr_list *l, const char *owner, uint32_t ttl, ldns_rr_class cl,
                ldns_rr_type type, const char *rdata)
{
        ldns_rr *rr = NULL;

        if (rdata) {
                char text[1024], *tname = ldns_rr_type2str(type);
                int n = tname ? snprintf(text, sizeof(text), "%s %u IN %s %s", owner, ttl, tname, rdata) : -1;
                free(tname);
                if (n < 0 || (size_t)n >= sizeof(text) ||
                    ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
                        return VIRTNAME_DNS_EOTHER;
        } else {
                ldns_rdf *o = ldns_dname_new_frm_str(owner);
                if (!o || !(rr = ldns_rr_new())) {
                        ldns_rdf_deep_free(o);
                        return VIRTNAME_DNS_EOTHER;
                }
                ldns_rr_set_owner(rr, o);
                ldns_rr_set_type(rr, type);
                ldns_rr_set_ttl(rr, ttl);
        }
        ldns_rr_set_class(rr, cl);
        if (!ldns_rr_list_push_rr(l, rr)) {
                ldns_rr_free(rr);
                return VIRTNAME_DNS_EOTHER;
        }
        return VIRTNAME_DNS_OK;
}

const char *dns_tsig_error(const ldns_pkt *ans)
{
        ldns_rr *t = ans ? ldns_pkt_tsig(ans) : NULL;
        uint16_t e = t && ldns_rr_rd_count(t) > 5 ? ldns_rdf2native_int16(ldns_rr_rdf(t, 5)) : 0;

        return e == 17 ? "BADKEY: the server does not know this key" :
               e == 16 ? "BADSIG: wrong secret or algorithm" :
               e == 18 ? "BADTIME: the clocks differ" : "NOTAUTH";
}

static void owner_rdata(const struct virtname_dns_session *s, char *out, size_t outlen)
{
        snprintf(out, outlen, "\"%s\"", s->owner_txt);
}

bool dns_owner_twin(const struct virtname_dns_session *s, const char *txt)
{
        char mine[160];
        int n = snprintf(mine, sizeof(mine), "\"virt-name-cache owner=%s id=", s->c->owner);

        return strncmp(txt, mine, (size_t)n) == 0 && strncmp(txt + n, s->c->owner_id, 16) != 0;
}

int dns_pre_owned(struct virtname_dns_session *s, struct dns_op *op)
{
        char txt[160];

        owner_rdata(s, txt, sizeof(txt));
        /* RFC 2136 2.4.2: RRset exists (value dependent): class IN, TTL 0 */
        return dns_rr_push(op->pre, op->name, 0, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_TXT, txt);
}

int dns_pre_unused(struct dns_op *op)
{
        /* 2.4.5: name is not in use: class NONE, type ANY, no rdata */
        return dns_rr_push(op->pre, op->name, 0, LDNS_RR_CLASS_NONE, LDNS_RR_TYPE_ANY, NULL);
}

int dns_upd_del_rrset(struct dns_op *op, ldns_rr_type type)
{
        /* 2.5.2: delete an RRset: class ANY, TTL 0, no rdata */
        return dns_rr_push(op->upd, op->name, 0, LDNS_RR_CLASS_ANY, type, NULL);
}

int dns_upd_add_owner(struct virtname_dns_session *s, struct dns_op *op)
{
        char txt[160];

        owner_rdata(s, txt, sizeof(txt));
        return dns_rr_push(op->upd, op->name, s->c->ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_TXT, txt);
}

void dns_addr_text(int family, const unsigned char *addr, char *out, size_t outlen)
{
        if (!inet_ntop(family, addr, out, (socklen_t)outlen))
                snprintf(out, outlen, "?");
}

const char *dns_reverse(const struct virtname_dns_config *c, int family, const unsigned char *addr,
                        char *rev, size_t revlen)
{
        if (!virtname_dns_reverse_wanted(c, family, addr))
                return NULL;
        if (family == AF_INET) {
                snprintf(rev, revlen, "%u.%u.%u.%u.in-addr.arpa.", addr[3], addr[2], addr[1], addr[0]);
        } else {
                char *p = rev;
                if (revlen < 74)
                        return NULL;
                for (int i = 15; i >= 0; i--) {
                        p += sprintf(p, "%x.%x.", addr[i] & 0xf, addr[i] >> 4);
                }
                strcpy(p, "ip6.arpa.");
        }
        return dns_reverse_zone_of(c, rev);
}

const char *virtname_dns_reverse(const struct virtname_dns_config *c, int family, const unsigned char *addr,
                                 char *rev, size_t revlen)
{
        return dns_reverse(c, family, addr, rev, revlen);
}

const char *dns_reverse_zone_of(const struct virtname_dns_config *c, const char *rev)
{
        const char *best = NULL;
        size_t len = 0, rl = strlen(rev);

        for (size_t i = 0; i < c->nreverse; i++) {
                size_t zl = strlen(c->reverse[i]);
                /* a whole-label suffix, the longest one */
                if (zl <= rl && strcmp(rev + rl - zl, c->reverse[i]) == 0 &&
                    (zl == rl || rev[rl - zl - 1] == '.') && zl > len) {
                        best = c->reverse[i];
                        len = zl;
                }
        }
        return best;
}

void dns_name_text(const ldns_rdf *d, char *out, size_t outlen)
{
        char *t = ldns_rdf2str(d);

        snprintf(out, outlen, "%s", t ? t : "");
        free(t);
        for (char *p = out; *p; p++)
                *p = (char)tolower((unsigned char)*p);
}

static void rcode_text(ldns_pkt_rcode rc, char *out, size_t outlen)
{
        char *t = ldns_pkt_rcode2str(rc);

        snprintf(out, outlen, "%s", t ? t : "?");
        free(t);
}

double dns_mono_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

void virtname_dns_set_deadline(struct virtname_dns_session *s, unsigned ms)
{
        s->deadline = ms ? dns_mono_ms() + ms : 0;
}

bool dns_res_ready(struct virtname_dns_session *s)
{
        double left = s->c->timeout_ms;

        if (s->deadline) {
                double d = s->deadline - dns_mono_ms();
                if (d < 1) {
                        s->expired = true;
                        return false;
                }
                if (d < left)
                        left = d;
        }
        s->cur_timeout_ms = (int)left;
        ldns_resolver_set_timeout(s->res, (struct timeval){ (time_t)(left / 1000),
                                                            (suseconds_t)((long)left % 1000) * 1000 });
        /* ldns marks a server that timed out as unreachable and would
         * fail every later message at once: a fresh state each time */
        ldns_resolver_set_nameserver_rtt(s->res, 0, LDNS_RESOLV_RTT_MIN);
        return true;
}

/* One UDP exchange on a connected socket, unlike ldns_udp_send: a
 * "port unreachable" from a host whose DNS server is stopped then fails
 * at once instead of after the whole timeout.  ldns still builds and
 * parses the messages and checks the answer's TSIG. */
static ldns_status udp_exchange(struct virtname_dns_session *s, const ldns_pkt *q, ldns_pkt **ans)
{
        ldns_rdf *const *ns = ldns_resolver_nameservers(s->res);
        struct sockaddr_storage *sa;
        uint8_t *wire = NULL, buf[65535];
        size_t size, salen;
        ldns_status st = LDNS_STATUS_NETWORK_ERR;
        double end = dns_mono_ms() + s->cur_timeout_ms;
        int fd = -1;

        s->conn_refused = false;
        if (ldns_pkt2wire(&wire, q, &size) != LDNS_STATUS_OK)
                return LDNS_STATUS_MEM_ERR;
        sa = ldns_rdf2native_sockaddr_storage(ns[0], s->c->port, &salen);
        if (!sa)
                goto out;
        fd = socket(sa->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)sa, (socklen_t)salen) < 0 ||
            send(fd, wire, size, 0) != (ssize_t)size) {
                s->conn_refused = errno == ECONNREFUSED;
                goto out;
        }
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int left = (int)(end - dns_mono_ms());
                if (left <= 0 || poll(&p, 1, left) <= 0)
                        break;          /* timed out (EINTR: the caller retries later) */
                ssize_t n = recv(fd, buf, sizeof(buf), 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        s->conn_refused = errno == ECONNREFUSED;
                        break;
                }
                ldns_pkt *r = NULL;
                if (ldns_wire2pkt(&r, buf, (size_t)n) != LDNS_STATUS_OK || ldns_pkt_id(r) != ldns_pkt_id(q)) {
                        ldns_pkt_free(r);
                        continue;       /* not the answer to this query */
                }
                st = LDNS_STATUS_OK;
                if (ldns_pkt_tsig(q) &&
                    !ldns_pkt_tsig_verify(r, buf, (size_t)n, s->c->key.name, s->c->key.secret,
                                          ldns_rr_rdf(ldns_pkt_tsig(q), 3)))
                        st = LDNS_STATUS_CRYPTO_TSIG_BOGUS;
                *ans = r;
                break;
        }
out:
        if (fd >= 0)
                close(fd);
        free(sa);
        free(wire);
        return st;
}

/* Send Q, over TCP when it is large or the answer comes truncated.
 * ldns_send, not ldns_resolver_send_pkt: the latter drops the answer
 * when its TSIG does not verify, and with it the server's reason
 * (NOTAUTH with BADKEY, BADSIG, BADTIME). */
static ldns_status exchange(struct virtname_dns_session *s, const ldns_pkt *q, size_t size, ldns_pkt **ans)
{
        ldns_status st;

        *ans = NULL;
        s->conn_refused = false;
        if (!dns_res_ready(s))
                return LDNS_STATUS_NETWORK_ERR;
        if (size > 512) {
                ldns_resolver_set_usevc(s->res, true);
                st = ldns_send(ans, s->res, q);
        } else {
                st = udp_exchange(s, q, ans);
        }
        if (st == LDNS_STATUS_OK && *ans && ldns_pkt_tc(*ans) && size <= 512) {
                ldns_pkt_free(*ans);
                *ans = NULL;
                if (!dns_res_ready(s))
                        return LDNS_STATUS_NETWORK_ERR;
                ldns_resolver_set_usevc(s->res, true);
                st = ldns_send(ans, s->res, q);
        }
        ldns_resolver_set_usevc(s->res, false);
        return st;
}

/* Classify a failed exchange into a result and one line of text. */
static int exchange_error(struct virtname_dns_session *s, ldns_status st, ldns_pkt *ans,
                          const char *what, char *why, size_t whylen)
{
        if (st == LDNS_STATUS_CRYPTO_TSIG_BOGUS && ans && ldns_pkt_get_rcode(ans) == LDNS_RCODE_NOTAUTH) {
                virtname_errf(why, whylen, 0, "%s: %s refused key %s (%s)", what, s->server_desc, s->c->key.name,
                              dns_tsig_error(ans));
                return VIRTNAME_DNS_EREFUSED;
        }
        if (st == LDNS_STATUS_CRYPTO_TSIG_BOGUS) {
                virtname_errf(why, whylen, 0, "%s: the answer from %s has no valid TSIG signature", what, s->server_desc);
                return VIRTNAME_DNS_ENET;
        }
        if (s->expired)
                virtname_errf(why, whylen, 0, "%s: not sent, the time allowed for this session is over", what);
        else if (s->conn_refused)
                virtname_errf(why, whylen, 0, "%s: %s refused the connection (no DNS server running there?)", what,
                       s->server_desc);
        else
                virtname_errf(why, whylen, 0, "%s: no answer from %s within %d ms (%s)", what, s->server_desc,
                       s->cur_timeout_ms, ldns_get_errorstr_by_id(st));
        return VIRTNAME_DNS_ENET;
}

/* Send one UPDATE for OPS[0..n) (one zone); its rcode and text. */
static int send_update(struct virtname_dns_session *s, struct dns_op *ops, size_t n,
                       ldns_pkt_rcode *rcode, char *why, size_t whylen)
{
        ldns_rr_list *pre = ldns_rr_list_new(), *upd = ldns_rr_list_new();
        ldns_rdf *zone = ldns_dname_new_frm_str(ops[0].zone);
        ldns_pkt *p = NULL, *ans = NULL;
        uint8_t *wire = NULL;
        size_t size = 0;
        ldns_status st;
        int rc = VIRTNAME_DNS_EOTHER;

        *rcode = LDNS_RCODE_SERVFAIL;
        if (!pre || !upd || !zone)
                goto oom;
        for (size_t i = 0; i < n; i++)
                if (!ldns_rr_list_push_rr_list(pre, ops[i].pre) || !ldns_rr_list_push_rr_list(upd, ops[i].upd))
                        goto oom;
        /* (push_rr_list moved pointers: the lists below must not free them) */
        p = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, pre, upd, NULL);
        zone = NULL;    /* the packet owns it */
        if (!p)
                goto oom;
        ldns_pkt_set_rd(p, false);
        ldns_pkt_set_random_id(p);
        if (ldns_update_pkt_tsig_add(p, s->res) != LDNS_STATUS_OK) {
                virtname_errf(why, whylen, 0, "%s: cannot sign with key %s", ops[0].zone, s->c->key.name);
                goto out;
        }
        /* UPDATE has no EDNS here: over 512 bytes it goes by TCP at once. */
        if (ldns_pkt2wire(&wire, p, &size) != LDNS_STATUS_OK)
                goto oom;
        free(wire);
        s->n.updates++;
        st = exchange(s, p, size, &ans);
        if (st == LDNS_STATUS_CRYPTO_TSIG_BOGUS && ans && ldns_pkt_get_rcode(ans) == LDNS_RCODE_NOTAUTH &&
            s->key_ok && (strncmp(dns_tsig_error(ans), "BADKEY", 6) == 0 ||
                          strcmp(dns_tsig_error(ans), "NOTAUTH") == 0)) {
                /* Knot answers an ACL's "not this name" with NOTAUTH and
                 * BADKEY (3.2, Debian 12) or with NOTAUTH and no TSIG
                 * error (3.4, Debian 13), the former the same as for a
                 * key it does not know; but this server has accepted the
                 * key in this session already. */
                *rcode = LDNS_RCODE_NOTAUTH;
                rc = VIRTNAME_DNS_OK;
                goto out;
        }
        if (st != LDNS_STATUS_OK || !ans) {
                char what[300];
                snprintf(what, sizeof(what), "update of %s", n == 1 ? ops[0].name : ops[0].zone);
                rc = exchange_error(s, st, ans, what, why, whylen);
                goto out;
        }
        *rcode = ldns_pkt_get_rcode(ans);
        rc = VIRTNAME_DNS_OK;
        goto out;
oom:
        virtname_errf(why, whylen, 0, "out of memory building an update");
out:
        /* pre/upd hold the ops' RRs by pointer: free only the lists */
        if (pre)
                ldns_rr_list_free(pre);
        if (upd)
                ldns_rr_list_free(upd);
        ldns_rdf_deep_free(zone);
        ldns_pkt_free(p);
        ldns_pkt_free(ans);
        return rc;
}

static bool prereq_failed(ldns_pkt_rcode rc)
{
        return rc == LDNS_RCODE_YXDOMAIN || rc == LDNS_RCODE_YXRRSET || rc == LDNS_RCODE_NXDOMAIN ||
               rc == LDNS_RCODE_NXRRSET;
}

static void set_result(struct virtname_dns_session *s, struct dns_op *op, int rc, ldns_pkt_rcode rcode,
                       const char *why)
{
        char t[32];

        op->fatal = false;
        if (rc != VIRTNAME_DNS_OK) {
                /* no answer, or the key refused: the same for every op */
                op->result = rc;
                op->fatal = rc == VIRTNAME_DNS_ENET || rc == VIRTNAME_DNS_EREFUSED;
                snprintf(op->why, sizeof(op->why), "%s", why);
                return;
        }
        rcode_text(rcode, t, sizeof(t));
        if (rcode == LDNS_RCODE_NOERROR) {
                op->result = VIRTNAME_DNS_OK;
                op->why[0] = '\0';
        } else if (prereq_failed(rcode)) {
                op->result = VIRTNAME_DNS_ECONFLICT;
                snprintf(op->why, sizeof(op->why), "%s: held by another owner, not changed (server: %s)",
                         op->name, t);
        } else if (rcode == LDNS_RCODE_SERVFAIL) {
                op->result = VIRTNAME_DNS_ENET;
                op->fatal = true;
                snprintf(op->why, sizeof(op->why), "%s: %s answered SERVFAIL", op->name, s->server_desc);
        } else if (rcode == LDNS_RCODE_REFUSED || rcode == LDNS_RCODE_NOTAUTH) {
                /* The server's policy: this name is not this key's (BIND
                 * says REFUSED, Knot's ACL NOTAUTH; a key it does not
                 * accept at all never gets here: exchange_error). */
                op->result = VIRTNAME_DNS_EREFUSED;
                virtname_errf(op->why, sizeof(op->why), 0, "%s: %s refused the update (%s: its update policy "
                              "does not let key %s change this name)", op->name, s->server_desc, t, s->c->key.name);
        } else {
                op->result = VIRTNAME_DNS_EREFUSED;
                op->fatal = true;       /* NOTAUTH, NOTZONE, FORMERR, NOTIMP: the zone, not the name */
                snprintf(op->why, sizeof(op->why), "%s: %s refused the update of zone %s (%s)", op->name,
                         s->server_desc, op->zone, t);
        }
}

size_t dns_send_ops(struct virtname_dns_session *s, struct dns_op *ops, size_t n, size_t batch)
{
        size_t failed = 0;

        if (batch < 1)
                batch = 1;
        for (size_t i = 0; i < n;) {
                size_t j = i + 1, rrs = ldns_rr_list_rr_count(ops[i].pre) + ldns_rr_list_rr_count(ops[i].upd);
                /* same zone, at most BATCH ops and ~500 RRs (< 64 KiB) */
                while (j < n && j - i < batch && strcmp(ops[j].zone, ops[i].zone) == 0 &&
                       rrs + ldns_rr_list_rr_count(ops[j].pre) + ldns_rr_list_rr_count(ops[j].upd) <= 500) {
                        rrs += ldns_rr_list_rr_count(ops[j].pre) + ldns_rr_list_rr_count(ops[j].upd);
                        j++;
                }
                ldns_pkt_rcode rcode;
                char why[400] = "";
                int rc = send_update(s, ops + i, j - i, &rcode, why, sizeof(why));
                if (rc == VIRTNAME_DNS_OK && j - i > 1 &&
                    (prereq_failed(rcode) || rcode == LDNS_RCODE_REFUSED || rcode == LDNS_RCODE_NOTAUTH)) {
                        /* whose prerequisite, which name? one by one */
                        for (size_t k = i; k < j; k++) {
                                rc = send_update(s, ops + k, 1, &rcode, why, sizeof(why));
                                set_result(s, ops + k, rc, rcode, why);
                        }
                } else {
                        for (size_t k = i; k < j; k++)
                                set_result(s, ops + k, rc, rcode, why);
                }
                for (size_t k = i; k < j; k++)
                        failed += ops[k].result != VIRTNAME_DNS_OK;
                for (size_t k = i; k < j; k++) {
                        if (!ops[k].fatal)
                                continue;
                        s->fatal = true;
                        /* the rest would fail the same way: not sent */
                        for (size_t m = j; m < n; m++) {
                                ops[m].result = ops[k].result;
                                ops[m].fatal = true;
                                virtname_errf(ops[m].why, sizeof(ops[m].why), 0, "%s: not sent (%s)", ops[m].name,
                                              ops[k].why);
                        }
                        return failed + (n - j);
                }
                i = j;
        }
        return failed;
}

/* ---- publish one name ---- */

struct current {
        bool exists, ours, twin;        /* twin: our owner, another machine's id */
        char other[128];                /* another owner's TXT, if any */
        int nold;
        int fam[64];
        unsigned char old[64][16];
};

static int query(struct virtname_dns_session *s, const char *name, ldns_rr_type t, ldns_pkt **ans,
                 char *err, size_t errlen)
{
        ldns_rdf *d = ldns_dname_new_frm_str(name);
        ldns_pkt *q;
        ldns_status st;

        *ans = NULL;
        if (!d) {
                virtname_errf(err, errlen, 0, "'%s' is not a DNS name", name);
                return VIRTNAME_DNS_EINPUT;
        }
        q = ldns_pkt_query_new(d, t, LDNS_RR_CLASS_IN, 0);     /* owns d */
        if (!q) {
                virtname_errf(err, errlen, 0, "out of memory");
                return VIRTNAME_DNS_EOTHER;
        }
        ldns_pkt_set_random_id(q);
        if (ldns_pkt_tsig_sign(q, s->c->key.name, s->c->key.secret, 300, s->c->key.algorithm, NULL) !=
            LDNS_STATUS_OK) {
                ldns_pkt_free(q);
                virtname_errf(err, errlen, 0, "query for %s: cannot sign with key %s", name, s->c->key.name);
                return VIRTNAME_DNS_EOTHER;
        }
        s->n.queries++;
        st = exchange(s, q, 100, ans);
        ldns_pkt_free(q);
        if (st != LDNS_STATUS_OK || !*ans) {
                char what[300];
                snprintf(what, sizeof(what), "query for %s", name);
                int rc = exchange_error(s, st, *ans, what, err, errlen);
                ldns_pkt_free(*ans);
                *ans = NULL;
                s->fatal = true;
                return rc;
        }
        ldns_pkt_rcode rc = ldns_pkt_get_rcode(*ans);
        s->key_ok = true;       /* the answer's signature verified */
        if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
                char t2[32];
                rcode_text(rc, t2, sizeof(t2));
                virtname_errf(err, errlen, 0, "query for %s: %s answered %s", name, s->server_desc, t2);
                ldns_pkt_free(*ans);
                *ans = NULL;
                s->fatal = true;
                return rc == LDNS_RCODE_SERVFAIL ? VIRTNAME_DNS_ENET : VIRTNAME_DNS_EREFUSED;
        }
        return VIRTNAME_DNS_OK;
}

/* What the server holds at FQDN now: who owns it, which addresses. */
static int current_state(struct virtname_dns_session *s, const char *fqdn, struct current *cur,
                         char *err, size_t errlen)
{
        ldns_pkt *ans;
        int rc;

        memset(cur, 0, sizeof(*cur));
        if ((rc = query(s, fqdn, LDNS_RR_TYPE_TXT, &ans, err, errlen)) != VIRTNAME_DNS_OK)
                return rc;
        cur->exists = ldns_pkt_get_rcode(ans) == LDNS_RCODE_NOERROR;
        ldns_rr_list *l = ldns_pkt_rr_list_by_type(ans, LDNS_RR_TYPE_TXT, LDNS_SECTION_ANSWER);
        for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
                ldns_rr *rr = ldns_rr_list_rr(l, i);
                char *t = ldns_rr_rd_count(rr) == 1 ? ldns_rdf2str(ldns_rr_rdf(rr, 0)) : NULL;
                char want[160];
                owner_rdata(s, want, sizeof(want));
                if (t && strcmp(t, want) == 0) {
                        cur->ours = true;
                } else if (t && strncmp(t, "\"virt-name-cache owner=", 23) == 0) {
                        snprintf(cur->other, sizeof(cur->other), "%.*s", (int)strlen(t) - 24, t + 23);
                        cur->twin = dns_owner_twin(s, t);
                }
                free(t);
        }
        ldns_rr_list_deep_free(l);
        ldns_pkt_free(ans);
        if (!cur->ours)
                return VIRTNAME_DNS_OK;
        static const ldns_rr_type types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
        for (int k = 0; k < 2; k++) {
                if ((rc = query(s, fqdn, types[k], &ans, err, errlen)) != VIRTNAME_DNS_OK)
                        return rc;
                l = ldns_pkt_rr_list_by_type(ans, types[k], LDNS_SECTION_ANSWER);
                for (size_t i = 0; l && i < ldns_rr_list_rr_count(l) && cur->nold < 64; i++) {
                        ldns_rdf *a = ldns_rr_rdf(ldns_rr_list_rr(l, i), 0);
                        cur->fam[cur->nold] = k ? AF_INET6 : AF_INET;
                        memset(cur->old[cur->nold], 0, 16);
                        memcpy(cur->old[cur->nold], ldns_rdf_data(a), k ? 16 : 4);
                        cur->nold++;
                }
                ldns_rr_list_deep_free(l);
                ldns_pkt_free(ans);
        }
        return VIRTNAME_DNS_OK;
}

static bool has_addr(const struct virtname_dns_record *recs, size_t n, int family, const unsigned char *a)
{
        for (size_t i = 0; i < n; i++)
                if (recs[i].family == family && memcmp(recs[i].addr, a, family == AF_INET ? 4 : 16) == 0)
                        return true;
        return false;
}

static int push_addr(struct virtname_dns_session *s, struct dns_op *op, const struct virtname_dns_record *r)
{
        char a[64];

        dns_addr_text(r->family, r->addr, a, sizeof(a));
        return dns_rr_push(op->upd, op->name, r->ttl ? r->ttl : s->c->ttl, LDNS_RR_CLASS_IN,
                           r->family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA, a);
}

/* Worse result wins: a network failure means "retry", which matters most. */
static int worse(int a, int b)
{
        static const int rank[] = { [VIRTNAME_DNS_OK] = 0, [VIRTNAME_DNS_ECONFLICT] = 1,
                                    [VIRTNAME_DNS_EINPUT] = 2, [VIRTNAME_DNS_EREFUSED] = 3,
                                    [VIRTNAME_DNS_EOTHER] = 4, [VIRTNAME_DNS_ENET] = 5 };
        return rank[b] > rank[a] ? b : a;
}

/* The PTR for one address of FQDN: set it (ADD) or take ours away. */
static int publish_ptr(struct virtname_dns_session *s, const char *fqdn, int family,
                       const unsigned char *addr, uint32_t ttl, bool add, char *err, size_t errlen)
{
        char rev[128], target[260];
        const char *zone = dns_reverse(s->c, family, addr, rev, sizeof(rev));
        struct dns_op op;
        int rc;

        if (!zone)
                return VIRTNAME_DNS_OK;
        snprintf(target, sizeof(target), "%s", fqdn);
        for (int attempt = 0; attempt < 2; attempt++) {
                if (dns_op_init(&op, zone, rev) != VIRTNAME_DNS_OK) {
                        virtname_errf(err, errlen, 0, "out of memory");
                        return VIRTNAME_DNS_EOTHER;
                }
                /* the builders return a result: any but OK fails the update */
                int bad;
                if (!add) {
                        /* only ours, and only while it still names FQDN */
                        bad = dns_pre_owned(s, &op) ||
                              dns_rr_push(op.pre, rev, 0, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, target) ||
                              dns_upd_del_rrset(&op, LDNS_RR_TYPE_PTR) || dns_upd_del_rrset(&op, LDNS_RR_TYPE_TXT);
                } else if (attempt == 0) {
                        bad = dns_pre_owned(s, &op) || dns_upd_del_rrset(&op, LDNS_RR_TYPE_PTR) ||
                              dns_rr_push(op.upd, rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, target);
                } else {
                        bad = dns_pre_unused(&op) || dns_upd_add_owner(s, &op) ||
                              dns_rr_push(op.upd, rev, ttl, LDNS_RR_CLASS_IN, LDNS_RR_TYPE_PTR, target);
                }
                if (bad) {
                        dns_op_free(&op);
                        virtname_errf(err, errlen, 0, "%s: cannot build the update", rev);
                        return VIRTNAME_DNS_EOTHER;
                }
                dns_send_ops(s, &op, 1, 1);
                rc = op.result;
                if (rc != VIRTNAME_DNS_OK)
                        virtname_errf(err, errlen, 0, "%s", op.why);
                dns_op_free(&op);
                if (!add && rc == VIRTNAME_DNS_ECONFLICT)
                        return VIRTNAME_DNS_OK;         /* not ours (any more): nothing to take away */
                if (rc != VIRTNAME_DNS_ECONFLICT || attempt == 1)
                        return rc;
                /* not ours yet: claim it if nobody has it */
        }
        return rc;
}

int virtname_dns_publish(struct virtname_dns_session *s, const char *name,
                         const struct virtname_dns_record *recs, size_t n,
                         char *err, size_t errlen)
{
        char fqdn[260], e2[400] = "";
        struct current cur;
        struct dns_op op;
        int rc, prc = VIRTNAME_DNS_OK;

        if (err && errlen)
                err[0] = '\0';
        if ((rc = virtname_dns_fqdn(s->c, name, fqdn, sizeof(fqdn), err, errlen)) != VIRTNAME_DNS_OK)
                return rc;
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(recs[i].name, name) != 0 ||
                    (recs[i].family != AF_INET && recs[i].family != AF_INET6)) {
                        virtname_errf(err, errlen, 0, "%s: record %zu is for another name or has no address family",
                               name, i);
                        return VIRTNAME_DNS_EINPUT;
                }
        if ((rc = current_state(s, fqdn, &cur, err, errlen)) != VIRTNAME_DNS_OK)
                return rc;
        if (!cur.ours && n == 0)
                return VIRTNAME_DNS_OK;         /* nothing of ours to release */
        if (!cur.ours && cur.exists) {
                if (cur.twin)
                        virtname_errf(err, errlen, 0, "%s: held by another machine that also calls itself owner "
                                      "'%s' (%s; this one is id=%s): give each host its own host-label (or owner) "
                                      "in dns.conf", fqdn, s->c->owner, cur.other, s->c->owner_id);
                else if (cur.other[0]) {
                        char *id = strstr(cur.other, " id=");
                        if (id)
                                *id = '\0';
                        virtname_errf(err, errlen, 0, "%s: held by host '%s'%s%s%s, not by this host ('%s')", fqdn,
                                      cur.other, id ? " (id=" : "", id ? id + 4 : "", id ? ")" : "", s->c->owner);
                }
                else
                        virtname_errf(err, errlen, 0, "%s: has records not made by virt-name-cache; left alone", fqdn);
                return VIRTNAME_DNS_ECONFLICT;
        }
        bool same = cur.ours && n > 0 && (size_t)cur.nold <= n;
        int bad;
        for (int i = 0; same && i < cur.nold; i++)
                same = has_addr(recs, n, cur.fam[i], cur.old[i]);
        for (size_t i = 0; same && i < n; i++) {
                bool found = false;
                for (int k = 0; !found && k < cur.nold; k++)
                        found = cur.fam[k] == recs[i].family &&
                                memcmp(cur.old[k], recs[i].addr, recs[i].family == AF_INET ? 4 : 16) == 0;
                same = found;
        }
        if (same)
                goto ptrs;      /* the forward records are right: only make sure of the PTRs */
        if (dns_op_init(&op, s->c->zone, fqdn) != VIRTNAME_DNS_OK) {
                virtname_errf(err, errlen, 0, "out of memory");
                return VIRTNAME_DNS_EOTHER;
        }
        /* the builders return a result: any but OK fails the update */
        if (cur.ours)
                bad = dns_pre_owned(s, &op) || dns_upd_del_rrset(&op, LDNS_RR_TYPE_A) ||
                      dns_upd_del_rrset(&op, LDNS_RR_TYPE_AAAA) ||
                      (n == 0 && dns_upd_del_rrset(&op, LDNS_RR_TYPE_TXT));
        else
                bad = dns_pre_unused(&op) || dns_upd_add_owner(s, &op);
        for (size_t i = 0; !bad && i < n; i++)
                bad = push_addr(s, &op, &recs[i]);
        if (bad) {
                dns_op_free(&op);
                virtname_errf(err, errlen, 0, "%s: cannot build the update", fqdn);
                return VIRTNAME_DNS_EOTHER;
        }
        dns_send_ops(s, &op, 1, 1);
        rc = op.result;
        if (rc != VIRTNAME_DNS_OK)
                virtname_errf(err, errlen, 0, "%s", op.why);
        dns_op_free(&op);
        if (rc != VIRTNAME_DNS_OK)
                return rc;
ptrs:
        /* reverse: take away PTRs of addresses gone, then set the current ones */
        for (int i = 0; i < cur.nold; i++)
                if (!has_addr(recs, n, cur.fam[i], cur.old[i])) {
                        int r = publish_ptr(s, fqdn, cur.fam[i], cur.old[i], 0, false, e2, sizeof(e2));
                        if (r != VIRTNAME_DNS_OK && worse(prc, r) != prc) {
                                prc = r;
                                virtname_errf(err, errlen, 0, "%s", e2);
                        }
                }
        for (size_t i = 0; i < n; i++) {
                int r = publish_ptr(s, fqdn, recs[i].family, recs[i].addr, recs[i].ttl ? recs[i].ttl : s->c->ttl,
                                    !recs[i].no_reverse, e2, sizeof(e2));
                if (r != VIRTNAME_DNS_OK && worse(prc, r) != prc) {
                        prc = r;
                        virtname_errf(err, errlen, 0, "%s", e2);
                }
        }
        return prc;
}

/* Is the server's policy enforced?  An update of NAME in ZONE that can
 * change nothing: "NAME is not in use" as its prerequisite, deleting
 * NAME's TXT as its update.  BIND and Knot check the key's right to
 * the update's names whatever it would change. */
int virtname_dns_probe(struct virtname_dns_session *s, const char *zone, const char *name, bool *fatal,
                       char *why, size_t whylen)
{
        struct dns_op op;
        int rc;

        *fatal = false;
        if (!s->key_ok) {
                /* a signed query first: does the server take the key at all? */
                ldns_pkt *ans;
                rc = query(s, zone, LDNS_RR_TYPE_SOA, &ans, why, whylen);
                ldns_pkt_free(ans);
                if (rc != VIRTNAME_DNS_OK) {
                        *fatal = true;
                        return rc;
                }
        }
        if (dns_op_init(&op, zone, name) || dns_pre_unused(&op) || dns_upd_del_rrset(&op, LDNS_RR_TYPE_TXT)) {
                dns_op_free(&op);
                virtname_errf(why, whylen, 0, "out of memory");
                return VIRTNAME_DNS_EOTHER;
        }
        dns_send_ops(s, &op, 1, 1);
        rc = op.result;
        *fatal = op.fatal;
        snprintf(why, whylen, "%s", op.why);
        dns_op_free(&op);
        return rc;
}
