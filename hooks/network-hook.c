/* network-hook.c - libvirt's network hook (/etc/libvirt/hooks/network.d/).
 *
 * libvirtd runs it as   network-hook NETWORK OPERATION SUB-OPERATION
 * with <hookData> XML on standard input: the network, and for port
 * events the port (<networkport>, or <interface> and <domain> from older
 * libvirt).  It records the network (bridge, DNS domain, static DHCP
 * hosts) and which domain MAC is plugged into it; what a network or port
 * no longer has is removed.  Where systemd-resolved runs, the network's
 * DNS domain is routed to its dnsmasq while it runs.  It always exits 0. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hooks/hook.h"
#include "cache/libvirt/virxml.h"
#include "cache/derive/hostsdir.h"
#include "cache/read/paths.h"
#include "cache/derive/resolved.h"

/* A port plugged into or unplugged from the network. */
static int port_event(struct virtname_event *e, const char *xml, size_t len, const char *network,
                      bool plugged, char *err, size_t errlen)
{
        struct virtname_xml_port p;
        int rc = virtname_xml_parse_port(xml, len, &p, err, errlen);

        if (rc < 0)
                return rc;
        rc = p.domain != NULL;          /* not a domain's port: nothing we index */
        if (p.domain)
                virtname_event_port(e, p.domain, p.has_uuid ? p.uuid : NULL, p.mac,
                                    p.network ? p.network : network, plugged);
        virtname_xml_port_free(&p);
        return rc;
}

/* The network is about to start with our hosts directory for its
 * dnsmasq: the directory must exist before dnsmasq does (it watches only
 * one that is there when it starts), and is then filled from the store. */
static void start_hostsdir(const struct virtname_xml_network *net)
{
        struct virtname_event e = { 0 };
        const char *store = virtname_store_dir(NULL);
        char want[PATH_MAX], what[320];
        int rc;

        if (virtname_hostsdir_path(store, net->name, want, sizeof(want)) < 0 || strcmp(net->hostsdir, want) != 0)
                return;         /* another directory: not ours to fill */
        snprintf(what, sizeof(what), "network %.200s hosts directory", net->name);
        if ((rc = virtname_hostsdir_create(store, net->name)) < 0) {
                hook_missed(what, "cannot create %s: %s", want, strerror(-rc));
                return;
        }
        virtname_event_hostsdir(&e, net->name);
        hook_submit(&e, what);
        virtname_event_free(&e);
}

static bool is(const char *op, const char *a)
{
        return strcmp(op, a) == 0;
}

int main(int argc, char **argv)
{
        struct virtname_xml_network net = { 0 };
        struct virtname_event e = { 0 };
        char what[320], err[512] = "";
        const char *op;
        size_t len = 0;
        char *xml;
        int rc = 1;

        hook_init("virt-name-cache-network-hook");
        if (argc < 3)
                return 0;
        op = argv[2];
        if (!is(op, "start") && !is(op, "started") && !is(op, "updated") && !is(op, "stopped") &&
            !is(op, "port-created") && !is(op, "port-deleted") && !is(op, "plugged") &&
            !is(op, "unplugged"))
                return 0;
        snprintf(what, sizeof(what), "network %.200s %s", argv[1], op);
        xml = hook_read_stdin(&len);
        if (is(op, "stopped")) {
                /* The network's leases are gone with its dnsmasq. */
                virtname_event_network_stop(&e, argv[1]);
                /* Its bridge, for systemd-resolved (below); XML that does
                 * not parse leaves NET empty: nothing to revert. */
                if (xml)
                        (void)virtname_xml_parse_network(xml, len, &net, err, sizeof(err));
        } else if (!xml) {
                hook_missed(what, "no hook XML on standard input");
                return 0;
        } else if (is(op, "port-created") || is(op, "plugged")) {
                rc = port_event(&e, xml, len, argv[1], true, err, sizeof(err));
        } else if (is(op, "port-deleted") || is(op, "unplugged")) {
                rc = port_event(&e, xml, len, argv[1], false, err, sizeof(err));
        } else {
                rc = virtname_xml_parse_network(xml, len, &net, err, sizeof(err));
                if (rc == 0) {
                        net.n.updated = (int64_t)time(NULL);
                        virtname_event_network(&e, &net);
                        rc = 1;
                }
        }
        if (rc < 0)
                hook_missed(what, "%s", err);
        else if (rc > 0)
                hook_submit(&e, what);
        /* The network's DNS domain to its dnsmasq through systemd-resolved
         * (resolved.h): at `started` the bridge has its addresses. */
        if (is(op, "started") && net.name)
                resolved_hook_started(&net);
        else if (is(op, "stopped") && net.name)
                resolved_hook_stopped(&net);
        virtname_event_free(&e);
        if (is(op, "start") && net.hostsdir)
                start_hostsdir(&net);
        virtname_xml_network_free(&net);
        free(xml);
        return 0;
}
