/* resolved.h - routing a libvirt network's DNS domain to that network's
 * dnsmasq through systemd-resolved, over D-Bus (sd-bus).
 *
 * When a network with a DNS domain starts, the network hook tells
 * resolved that the bridge link has the network's own addresses as DNS
 * servers and ~DOMAIN as a routing-only domain, and that the link is
 * never a default route: NAME.DOMAIN (and, resolved's own rule, the
 * reverse zones of the link's subnets) then go to libvirt's dnsmasq,
 * nothing else does.  libvirt's dnsmasq sends what it cannot answer to
 * the host's resolver, which is resolved itself: whatever resolved routes
 * to the link and dnsmasq does not keep to itself goes round until a
 * timeout.  Hence no default route, and only domains with
 * localOnly='yes' (dnsmasq answers "no such name" itself); reverse
 * lookups are safe only with localPtr='yes' on the <ip>, which doctor
 * says.  When the network stops, the link's settings are reverted
 * (usually the bridge is gone already, and its settings with it).
 *
 * Nothing here may hold up the hook: every exchange on the bus shares one
 * deadline, resolved is never started (NameHasOwner first, auto-start
 * off), and no bus or no resolved is simply "nothing to do".
 *
 * The administrator turns it off with the file VIRTNAME_RESOLVED_CONF
 * holding "no" (anything but "yes" turns it off; no file: on).  The
 * environment variable VIRTNAME_RESOLVED_CONF_ENV names another file
 * (tests). */
#ifndef VIRTNAME_RESOLVED_H
#define VIRTNAME_RESOLVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/libvirt/virxml.h"

#define VIRTNAME_RESOLVED_CONF VIRTNAME_CONF_DIR "/resolved"
#define VIRTNAME_RESOLVED_CONF_ENV "VIRT_NAME_CACHE_RESOLVED_CONF"
/* The hook's budget for all of its calls on the bus. */
#define RESOLVED_HOOK_TIMEOUT_MS 500

/* resolved_link_of()'s WHY for a domain without localOnly='yes'. */
extern const char resolved_not_local_only[];

/* What resolved should have on a network's bridge link. */
struct resolved_link {
        const char *network, *bridge, *domain;  /* point into the parsed XML */
        int ifindex;                            /* 0: the bridge does not exist */
        size_t n_servers;
        struct virtname_xml_addr servers[2];    /* IPv4 first */
};

/* Fill L from NET: 1 when the network has a DNS domain its dnsmasq
 * answers alone (localOnly='yes', DNS not turned off, a bridge, an
 * address), else 0 with WHY saying what it lacks. */
int resolved_link_of(const struct virtname_xml_network *net, struct resolved_link *l, const char **why);

/* Is the registration turned on?  FILE: the switch file consulted. */
bool resolved_enabled(const char **file);

struct resolved;

/* Connect to the system bus, all later calls on R to end within
 * TIMEOUT_MS from now.  1: resolved is running; 0: no system bus, or
 * resolved not on it (MSG says which; R is NULL); < 0: failure (MSG). */
int resolved_open(struct resolved **r, unsigned timeout_ms, char *msg, size_t msglen);
void resolved_close(struct resolved *r);

/* Give L's link its DNS servers, ~DOMAIN, no default route.  0, or < 0
 * with MSG. */
int resolved_set(struct resolved *r, const struct resolved_link *l, char *msg, size_t msglen);

/* Drop everything set on link IFINDEX.  1: reverted; 0: resolved does not
 * know the link (it is gone); < 0: failure (MSG). */
int resolved_revert(struct resolved *r, int ifindex, char *msg, size_t msglen);

/* Does the link have what resolved_set() gives it?  1: yes; 0: no, MSG
 * says what it has; < 0: failure (MSG). */
int resolved_compare(struct resolved *r, const struct resolved_link *l, char *msg, size_t msglen);

/* The network hook's part: register at `started`, revert at `stopped`.
 * Logged, never failing. */
void resolved_hook_started(const struct virtname_xml_network *net);
void resolved_hook_stopped(const struct virtname_xml_network *net);

#endif
