/* neigh.h - the host's neighbour table (ARP and NDP), from the kernel
 * over rtnetlink (libmnl).
 *
 * A guest that talks to the host on a bridge teaches the host its address
 * and MAC.  That is no evidence (any guest can send any sender address
 * and MAC): it only says which address to ask which port about
 * (asks.h, virtname_asks_seen()).
 */
#ifndef VIRTNAME_NEIGH_H
#define VIRTNAME_NEIGH_H

#include <net/if.h>
#include <stdint.h>

#include "cache/read/schema.h"

/* One neighbour: the host knows ADDR (FAMILY) at MAC on interface DEV. */
struct virtname_neigh {
        char dev[IF_NAMESIZE];
        int family;
        uint8_t addr[16];
        uint8_t mac[VIRTNAME_MAC_LEN];
};

/* Called for each neighbour with an Ethernet address that is not
 * failed, incomplete or a proxy entry; a non-zero return stops the walk
 * and is returned. */
typedef int (*virtname_neigh_fn)(const struct virtname_neigh *n, void *ctx);

struct virtname_neigh_sock;

/* Listen to the kernel's news of new and changed neighbours: 0 or a
 * negative errno. */
int virtname_neigh_listen(struct virtname_neigh_sock **out);
/* Its descriptor, to wait on (it does not block). */
int virtname_neigh_fd(const struct virtname_neigh_sock *s);
/* Read the news waiting, FN for each.  0, -ENOBUFS when the kernel had
 * to drop some (dump the table again), or another negative errno. */
int virtname_neigh_read(struct virtname_neigh_sock *s, virtname_neigh_fn fn, void *ctx);
void virtname_neigh_close(struct virtname_neigh_sock *s);

/* The whole table as it is now, FN for each: 0 or a negative errno. */
int virtname_neigh_dump(virtname_neigh_fn fn, void *ctx);

#endif
