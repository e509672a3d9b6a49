/* edit.h - changes built on the writer, for the hooks, the lease helper
 * and rebuild: a network with its static hosts, a domain with its
 * interfaces' networks, one interface of a domain, and finding a network
 * by its bridge. */
#ifndef VIRTNAME_EDIT_H
#define VIRTNAME_EDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/libvirt/virxml.h"
#include "cache/write/writer.h"

/* Record NET's network record (active and updated as the caller set them)
 * and, when it is active, each of its static DHCP <host> entries as a
 * static lease; static leases it no longer defines go, and an inactive
 * network keeps no leases at all.  Returns 0 or a negative errno. */
int virtname_edit_put_network(struct virtname_writer *w, const struct virtname_xml_network *net);

/* Network NAME stopped: it stays in the store, inactive, and so do its
 * leases, unanswered until it starts again (lookup.h).  Returns 0 or a
 * negative errno. */
int virtname_edit_stop_network(struct virtname_writer *w, const char *name);

/* Record domain X; an interface given by bridge name on a libvirt
 * network's bridge is recorded on that network.  Returns 0 or a negative
 * errno. */
int virtname_edit_put_domain(struct virtname_writer *w, struct virtname_xml_domain *x);

/* A domain gone (a transient one destroyed, or undefined while running):
 * its record, and the leases of its (network, MAC) pairs no other domain
 * defines, so that the names its guest sent go at once too. */
int virtname_edit_domain_gone(struct virtname_writer *w, const char *name);

/* Attach MAC on NETWORK to domain NAME (creating the domain record when
 * the store has none; UUID may be NULL), or detach it (ATTACH false:
 * NETWORK is ignored).  Returns 0 or a negative errno. */
int virtname_edit_iface(struct virtname_writer *w, const char *name, const uint8_t *uuid,
                   const uint8_t mac[VIRTNAME_MAC_LEN], const char *network, bool attach);

/* The network whose bridge is BRIDGE: its name and DNS domain ("" when
 * none) into NAME and SUFFIX.  Returns 0 or -ENOENT. */
int virtname_edit_network_of_bridge(struct virtname_writer *w, const char *bridge,
                               char name[VIRTNAME_NAME_MAX + 1], char suffix[VIRTNAME_NAME_MAX + 1]);

#endif
