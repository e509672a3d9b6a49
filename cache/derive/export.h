/* export.h - what the store says, in the shapes DNS needs: the names it
 * answers with their addresses (for a DNS zone), and the hosts-file line
 * of each leased address on a network (for that network's dnsmasq).
 *
 * Everything here asks lookup.h, so DNS says exactly what the NSS module
 * says: the same owners, the same newest lease, no reserved names.  Only
 * names that are valid DNS host names are exported (a libvirt domain may
 * be called "my vm"; DNS cannot say that).  Names are the lookup keys:
 * lower case, a domain's name or a guest's first label.
 */
#ifndef VIRTNAME_EXPORT_H
#define VIRTNAME_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/read/lookup.h"

/* A hosts line: one address on one network and the names it answers to
 * there, the one it answers to in reverse first.  No names: the address
 * is not to be listed. */
#define VIRTNAME_LINE_NAMES 2
struct virtname_line {
        int family;
        uint8_t addr[16];
        char network[VIRTNAME_NETWORK_MAX + 1];
        bool leased;                   /* a current lease holds the address there */
        unsigned n;
        char names[VIRTNAME_LINE_NAMES][VIRTNAME_NAME_MAX + 1];
};

/* The line of the lease of (FAMILY, ADDR) on NETWORK at NOW: 0 (see
 * out->n), or a negative errno. */
int virtname_export_line(const struct virtname_view *v, int family, const uint8_t addr[16],
                         struct virtname_str network, int64_t now, struct virtname_line *out);

/* Do two lines say the same?  (Both for one address and network.) */
bool virtname_line_equal(const struct virtname_line *a, const struct virtname_line *b);

/* The line as hosts-file text, "ADDR NAME [NAME]\n", into BUF.  Returns
 * its length (0 for a line without names). */
size_t virtname_line_format(const struct virtname_line *l, char *buf, size_t cap);

/* Call FN for every line with names on NETWORK (NULL: every network), in
 * address order.  Stops when FN returns non-zero and returns that. */
typedef int (*virtname_line_fn)(const struct virtname_line *l, void *ctx);
int virtname_export_lines(const struct virtname_view *v, const char *network, int64_t now,
                          virtname_line_fn fn, void *ctx);

/* One exported name: its current addresses (all networks), and for each
 * whether the name is what the address answers to in reverse. */
struct virtname_named {
        const char *name;
        struct virtname_answer answer;
        bool reverse[VIRTNAME_ANSWER_MAX];
};

/* NAME's record set as above: 0 (answer.n may be 0: the name is not to
 * be published), or a negative errno. */
int virtname_export_name(const struct virtname_view *v, const char *name, int64_t now,
                         struct virtname_named *out);

/* Call FN for every name the store answers with at least one address,
 * in name order.  Stops when FN returns non-zero and returns that. */
typedef int (*virtname_named_fn)(const struct virtname_named *n, void *ctx);
int virtname_export_names(const struct virtname_view *v, int64_t now, virtname_named_fn fn, void *ctx);

/* Is KEY a name DNS can carry (a valid host name)? */
bool virtname_export_name_ok(const char *key);

#endif
