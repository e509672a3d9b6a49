/* bridge.h - keeping a libvirt network's guests on its bridge across a
 * restart of the network.
 *
 * Stopping a network deletes its bridge; starting it makes a new, empty
 * one.  The running guests' taps stay off it: libvirt 9.0 puts them back
 * only when libvirtd itself restarts (qemuProcessReconnect), and updating
 * the interface with the same XML does not (measured; virt-name-cache(1), enable).  So
 * before the restart the bridge's ports and their bridge-port flags are
 * noted, and afterwards each port that still exists is added to the new
 * bridge with the same flags, as libvirt's own re-attach does: the port
 * on the bridge, then isolated, learning and unicast_flood as they were
 * (libvirt sets them for <port isolated='yes'/> and
 * macTableManager='libvirt').  Static FDB entries libvirt added for
 * macTableManager='libvirt' went with the old bridge.
 */
#ifndef VIRTNAME_BRIDGE_H
#define VIRTNAME_BRIDGE_H

#include <net/if.h>
#include <stddef.h>

struct bridge_port {
        char name[IF_NAMESIZE];
        int isolated, learning, unicast_flood;  /* 0, 1, or -1 when not known */
};

struct bridge_ports {
        size_t n;
        struct bridge_port *port;
};

/* The ports of BRIDGE now (none when it does not exist).  Returns 0 or a
 * negative errno; free with bridge_ports_free(). */
int bridge_ports_read(const char *bridge, struct bridge_ports *out);

/* Put the ports of P that still exist back on BRIDGE, with their flags.
 * Their names, comma-separated, into DONE; the count of those put back,
 * or a negative errno (ERR names the port that failed). */
int bridge_ports_restore(const char *bridge, const struct bridge_ports *p, char *done, size_t donecap,
                         char *err, size_t errlen);

void bridge_ports_free(struct bridge_ports *p);

#endif
