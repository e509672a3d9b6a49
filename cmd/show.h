/* show.h - how `list` and `query` open the snapshot and print what
 * the store holds, as text or JSON. */
#ifndef VIRTNAME_CMD_SHOW_H
#define VIRTNAME_CMD_SHOW_H

#include <json.h>
#include <stdint.h>

#include "cmd/cmd.h"
#include "cache/read/lookup.h"
#include "cache/read/reader.h"
#include "cache/read/record.h"

/* The published snapshot of a store and one view of it. */
struct show {
        struct virtname_snapshot *snap;
        struct virtname_view view;
};

/* Open the published snapshot of CTX's store; on failure print why and
 * return the exit code (EXIT_STORE), else EXIT_OK. */
int show_open(const struct cmd_ctx *ctx, struct show *s);
void show_close(struct show *s);

/* Where an answer comes from, in words. */
const char *show_source(enum virtname_source src);

/* What backs an answer, in one word: "admin", "port", "agent", "claim". */
const char *show_rank(enum virtname_rank rank);

/* Text forms: written into BUF (returned). */
const char *show_addr(int family, const uint8_t *addr, char *buf, size_t cap);
const char *show_time(int64_t t, char *buf, size_t cap);      /* "never" for 0 */
const char *show_uuid(const uint8_t *uuid, char *buf, size_t cap);
const char *show_state(enum virtname_domain_state s);
/* A store string made safe for a terminal: control bytes become '?'. */
const char *show_str(struct virtname_str s, char *buf, size_t cap);

/* What backs lease L at NOW, in a few words ("its domain's port vnet3
 * answered", "a DHCP claim: ..."), into BUF; and as one JSON word
 * ("admin", "port", "agent", "claim", "silent", "released", "stale",
 * "none"). */
const char *show_evidence(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now,
                          char *buf, size_t cap);
const char *show_evidence_word(const struct virtname_view *v, const struct virtname_lease_view *l);

/* Why current lease L does not answer (lookup.h), in a few words. */
const char *show_unanswered(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now);

/* JSON objects (new references). */
json_object *show_domain_json(const struct virtname_domain_view *d);
/* A lease; ANSWERING false marks one its (network, MAC) does not answer
 * with (a newer lease of the same family overrides it). */
json_object *show_lease_json(const struct virtname_view *v, const struct virtname_lease_view *l, bool answering,
                             int64_t now);

/* Print a JSON document on stdout; returns EXIT_OK or EXIT_SYSTEM. */
int show_json_print(json_object *doc);

#endif
