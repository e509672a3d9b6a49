/* op.h - private to dns/: one name's change as RFC 2136 prerequisites
 * and updates (an "op"), the session that sends them, and the few
 * helpers update.c and zone.c share.  No store types here either. */
#ifndef VIRTNAME_DNS_OP_H
#define VIRTNAME_DNS_OP_H

/* stdbool.h first: without it ldns/common.h defines bool as signed char,
 * and dns/ then disagreed with every other file on what bool is (gcc's
 * LTO: -Wlto-type-mismatch on virtname_dns_probe's bool *fatal). */
#include <stdbool.h>
#include <ldns/ldns.h>

#include "dns/update.h"

struct virtname_dns_session {
        const struct virtname_dns_config *c;
        ldns_resolver *res;
        char owner_txt[128];            /* "virt-name-cache owner=hv1 id=..." */
        char server_desc[80];           /* "198.18.8.1#53" for messages */
        struct virtname_dns_counts n;
        double deadline;                /* CLOCK_MONOTONIC ms; 0: none */
        bool expired;
        int cur_timeout_ms;             /* for the message being sent */
        bool conn_refused;              /* its last failure was ECONNREFUSED */
        bool fatal;                     /* it met a failure no name escapes (dns_op.fatal) */
        bool key_ok;                    /* the server has answered a query signed with the key */
};

/* CLOCK_MONOTONIC in milliseconds. */
double dns_mono_ms(void);

/* Set the resolver's timeout for the next message (the configured one,
 * or less when the session's deadline is nearer); false: deadline over. */
bool dns_res_ready(struct virtname_dns_session *s);

struct dns_op {
        const char *zone;               /* absolute; the UPDATE's zone */
        char name[256];                 /* the name it changes, for messages */
        ldns_rr_list *pre, *upd;
        int result;                     /* VIRTNAME_DNS_* after dns_send_ops */
        bool fatal;                     /* ... a failure no other op escapes: no server, the
                                         * key refused, a zone the server does not serve */
        char why[400];
};

/* The builders below return VIRTNAME_DNS_OK, or VIRTNAME_DNS_EOTHER
 * when ldns cannot build the record (out of memory, text it cannot
 * parse): like every result (result.h), anything but 0 is a failure, so
 * a chain of them reads `if (dns_pre_unused(op) || dns_upd_add_owner(s,
 * op)) fail`. */
int dns_op_init(struct dns_op *op, const char *zone, const char *name);
void dns_op_free(struct dns_op *op);

/* Append "OWNER TTL CLASS TYPE [RDATA]" to L; RDATA NULL: none (RFC 2136
 * "delete RRset"/"name not in use" forms). */
int dns_rr_push(ldns_rr_list *l, const char *owner, uint32_t ttl, ldns_rr_class cl,
                ldns_rr_type type, const char *rdata);

/* The usual prerequisites and updates, on op->name. */
int dns_pre_owned(struct virtname_dns_session *s, struct dns_op *op);      /* our TXT, exactly */
int dns_pre_unused(struct dns_op *op);                                     /* name not in use */
int dns_upd_del_rrset(struct dns_op *op, ldns_rr_type type);
int dns_upd_add_owner(struct virtname_dns_session *s, struct dns_op *op);

/* Send OPS in messages of up to BATCH ops each, one zone per message;
 * a batch whose prerequisites fail, or that the server's policy refuses,
 * is re-sent op by op so that each op gets its own result.  After a
 * fatal failure nothing more is sent: the ops left get its result.
 * Every op's result/why is set; returns the number of ops that did not
 * succeed. */
size_t dns_send_ops(struct virtname_dns_session *s, struct dns_op *ops, size_t n, size_t batch);

/* Is TXT (rdata text, quoted) an ownership record of this host's owner
 * made by another machine (another id)? */
bool dns_owner_twin(const struct virtname_dns_session *s, const char *txt);

/* The reason in the TSIG record of a refusal (NOTAUTH): "BADSIG: ...",
 * or "NOTAUTH" when it has none. */
const char *dns_tsig_error(const ldns_pkt *ans);

/* "198.18.0.10" / "2001:db8::1" */
void dns_addr_text(int family, const unsigned char *addr, char *out, size_t outlen);
/* The reverse name of an address and the configured reverse zone that
 * holds it (longest match), or NULL when none does. */
const char *dns_reverse(const struct virtname_dns_config *c, int family, const unsigned char *addr,
                        char *rev, size_t revlen);
/* The configured reverse zone (longest) holding the reverse name REV. */
const char *dns_reverse_zone_of(const struct virtname_dns_config *c, const char *rev);
/* lower-case absolute text of a dname rdf into OUT */
void dns_name_text(const ldns_rdf *d, char *out, size_t outlen);

#endif
