/* network-hook.c - libvirt's network hook (/etc/libvirt/hooks/network.d/).
 *
 * libvirtd runs it as   network-hook NETWORK OPERATION SUB-OPERATION
 * with <hookData> XML on standard input: the network, and for port
 * events the port (<networkport>, or <interface> and <domain> from older
 * libvirt).  It records the network (bridge, DNS domain, static DHCP
 * hosts) and which domain MAC is plugged into it; what a network or port
 * no longer has is removed.  It always exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/edit.h"
#include "hook.h"
#include "import/virxml.h"

/* Static hosts of the network as it is now: the prune filter keeps
 * dynamic leases and static ones still defined. */
struct statics {
        const struct virtname_xml_network *net;
};

static int keep_lease(const struct virtname_lease_view *l, void *ctx)
{
        const struct virtname_xml_network *net = ((struct statics *)ctx)->net;

        if (!(l->flags & VIRTNAME_LEASE_STATIC))
                return 1;
        for (size_t i = 0; i < net->n_hosts; i++)
                if (net->hosts[i].family == l->family && memcmp(net->hosts[i].addr, l->addr, 16) == 0)
                        return 1;
        return 0;
}

static int put_network(struct virtname_writer *w, struct virtname_xml_network *net)
{
        struct statics st = { net };
        int rc;

        net->n.updated = (int64_t)time(NULL);
        rc = virtname_edit_put_network(w, net);
        return rc < 0 ? rc : virtname_writer_prune_leases(w, net->name, keep_lease, &st);
}

/* A port plugged into or unplugged from the network. */
static int port_event(struct virtname_writer *w, const char *xml, size_t len, const char *network,
                      bool plugged, char *err, size_t errlen)
{
        struct virtname_xml_port p;
        int rc = virtname_xml_parse_port(xml, len, &p, err, errlen);

        if (rc < 0)
                return rc;
        if (!p.domain) {
                virtname_xml_port_free(&p);
                return 0;               /* not a domain's port: nothing we index */
        }
        rc = virtname_edit_iface(w, p.domain, p.has_uuid ? p.uuid : NULL, p.mac,
                            p.network ? p.network : network, plugged);
        if (rc < 0)
                snprintf(err, errlen, "%s", virtname_writer_error(w));
        virtname_xml_port_free(&p);
        return rc;
}

int main(int argc, char **argv)
{
        struct virtname_xml_network net = { 0 };
        struct virtname_writer *w;
        char what[320], err[512] = "";
        const char *op;
        size_t len;
        char *xml;
        int rc = 0;

        hook_init("virt-name-cache-network-hook");
        if (argc < 3)
                return 0;
        op = argv[2];
        if (strcmp(op, "start") != 0 && strcmp(op, "started") != 0 && strcmp(op, "updated") != 0 &&
            strcmp(op, "stopped") != 0 && strcmp(op, "port-created") != 0 &&
            strcmp(op, "port-deleted") != 0 && strcmp(op, "plugged") != 0 &&
            strcmp(op, "unplugged") != 0)
                return 0;
        snprintf(what, sizeof(what), "network %.200s %s", argv[1], op);
        xml = hook_read_stdin(&len);
        if (!xml && strcmp(op, "stopped") != 0) {
                hook_missed(what, "no hook XML on standard input");
                return 0;
        }
        if (strcmp(op, "start") == 0 || strcmp(op, "started") == 0 || strcmp(op, "updated") == 0) {
                rc = virtname_xml_parse_network(xml, len, &net, err, sizeof(err));
                if (rc < 0) {
                        hook_missed(what, "%s", err);
                        free(xml);
                        return 0;
                }
        }
        w = hook_writer(what);
        if (!w)
                goto out;
        if (strcmp(op, "stopped") == 0) {
                /* The network and its leases are gone with its dnsmasq. */
                rc = virtname_writer_del_network(w, argv[1]);
                if (rc < 0)
                        snprintf(err, sizeof(err), "%s", virtname_writer_error(w));
        } else if (strcmp(op, "port-created") == 0 || strcmp(op, "plugged") == 0) {
                rc = port_event(w, xml, len, argv[1], true, err, sizeof(err));
        } else if (strcmp(op, "port-deleted") == 0 || strcmp(op, "unplugged") == 0) {
                rc = port_event(w, xml, len, argv[1], false, err, sizeof(err));
        } else {
                rc = put_network(w, &net);
                if (rc < 0)
                        snprintf(err, sizeof(err), "%s", virtname_writer_error(w));
        }
        if (rc < 0) {
                hook_missed(what, "%s", err);
                virtname_writer_abort(w);
        } else {
                hook_commit(w, what);
        }
out:
        virtname_xml_network_free(&net);
        free(xml);
        return 0;
}
