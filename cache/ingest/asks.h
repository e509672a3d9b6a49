/* asks.h - which ports to ask about which addresses (probe.h), and
 * recording what they said.
 *
 * A lease needs asking when its (network, MAC) belongs to a running
 * domain whose port for it is known (the tap in the domain's live XML)
 * and that port has not answered for the lease's address in the
 * domain's current run, or DHCP said the lease was released (a release
 * is payload too: the port says whether its guest still uses it).
 */
#ifndef VIRTNAME_ASKS_H
#define VIRTNAME_ASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/ingest/probe.h"
#include "cache/read/lookup.h"
#include "cache/write/writer.h"

/* One port to ask, for the domain's run ID on NETWORK; OBSERVE: about
 * addresses the host saw it use (an answer makes an observed address,
 * virtname_edit_observe()), else about its leases. */
struct virtname_ask {
        struct virtname_probe_port port;
        char network[VIRTNAME_NETWORK_MAX + 1];
        int32_t id;
        bool observe;
};

struct virtname_asks {
        struct virtname_ask *a;
        size_t n, cap;
};

/* Does lease L need asking (view V, time NOW)?  1, 0, or a negative
 * errno. */
int virtname_lease_needs_asking(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now);

/* Add to ASKS what to ask for the lease of ADDR (FAMILY) on NETWORK; for
 * every current lease of domain NAME; for every running domain's.  0 or
 * a negative errno. */
int virtname_asks_lease(const struct virtname_view *v, const char *network, int family, const uint8_t addr[16],
                        int64_t now, struct virtname_asks *asks);
int virtname_asks_domain(const struct virtname_view *v, const char *name, int64_t now,
                         struct virtname_asks *asks);
int virtname_asks_all(const struct virtname_view *v, int64_t now, struct virtname_asks *asks);

/* Add to ASKS whether the guest behind the port of the running domain
 * whose interface (network of BRIDGE, MAC) is uses ADDR (FAMILY), which
 * the host saw at MAC on BRIDGE (its neighbour table): the network is
 * the libvirt network whose bridge BRIDGE is, else "bridge/BRIDGE"
 * (schema.h).  Not when the store has it for that MAC already with an
 * answer of this run that does not end within RENEW seconds, or another
 * MAC's lease holds it that an answer would not take (edit.h), nor for
 * an address no other host could reach.  0 or a negative errno. */
int virtname_asks_seen(const struct virtname_view *v, const char *bridge, const uint8_t mac[VIRTNAME_MAC_LEN],
                       int family, const uint8_t addr[16], int64_t now, int64_t renew, struct virtname_asks *asks);

/* Add to ASKS the observed addresses whose port's answer ends within
 * WITHIN seconds of NOW (an answer renews them, silence deletes them:
 * record it); *NEXT (NULL: not wanted) gets the earliest end of the
 * others, 0 when there are none.  0 or a negative errno. */
int virtname_asks_expiring(const struct virtname_view *v, int64_t now, int64_t within, struct virtname_asks *asks,
                           int64_t *next);

/* Ask them (virtname_probe()) for at most DEADLINE_MS; the _then form
 * calls THEN(CTX) once they said what they said (virtname_probe_then()). */
int virtname_asks_probe(struct virtname_asks *asks, unsigned deadline_ms);
int virtname_asks_probe_then(struct virtname_asks *asks, unsigned deadline_ms, void (*then)(void *ctx), void *ctx);

/* Record what the ports said (after virtname_probe()) at time WHEN, in
 * W's transaction: an answer as VIRTNAME_EV_PORT, silence as
 * VIRTNAME_EV_SILENT when SILENCE (the full deadline passed), else
 * nothing; an answer about an address seen (virtname_asks_seen()) as an
 * observed address for VIRTNAME_OBSERVED_TTL, silence about it as
 * nothing.  0 or a negative errno. */
int virtname_asks_record(struct virtname_writer *w, const struct virtname_asks *asks, bool silence, int64_t when);

void virtname_asks_free(struct virtname_asks *asks);

#endif
