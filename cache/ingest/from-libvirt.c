/* from-libvirt.c - importing the live state from libvirt: networks (with
 * their XML and DHCP leases) and domains (with their XML), over a
 * read-only connection, and what running domains' connected guest
 * agents report (over a read-write one). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "cache/ingest/edit.h"
#include "cache/ingest/lease.h"
#include "cache/ingest/prior.h"
#include "cache/read/names.h"
#include "cache/ingest/sources.h"
#include "cache/libvirt/agent.h"
#include "cache/libvirt/virconn.h"
#include "cache/libvirt/virxml.h"

#define DEFAULT_URI "qemu:///system"

/* The importers below skip (with a warning) what libvirt cannot say and
 * return 0, or the store's negative errno: the writer says why. */
struct import {
        struct virtname_writer *w;
        virtname_warn_fn warn;
        struct virtname_import_stats *st;
        int64_t now;
        const char *uri;
        virConnectPtr agent_conn;      /* read-write, for guest agents (opened when needed) */
        bool agent_failed;
};

/* What running domain D's connected guest agent reports of its
 * addresses (edit.h): asking an agent takes a read-write connection. */
static int import_agent(struct import *im, virDomainPtr d, const struct virtname_xml_domain *x)
{
        struct virtname_agent_addr addrs[VIRTNAME_AGENT_ADDRS_MAX];
        virDomainPtr rw;
        char err[256];
        size_t n;
        int rc = 0;

        if (!im->agent_conn && !im->agent_failed && !(im->agent_conn = virtname_virt_open(im->uri, false))) {
                virtname_import_warn(im->warn, "%s: cannot ask guest agents (a read-write connection): %s", im->uri,
                                     virtname_virt_error());
                im->agent_failed = true;
        }
        if (!im->agent_conn || !(rw = virDomainLookupByName(im->agent_conn, virDomainGetName(d))))
                return 0;
        if (virtname_agent_addresses(rw, addrs, &n, err, sizeof(err)) < 0)
                virtname_import_warn(im->warn, "domain %s: its guest agent did not answer: %s", x->d.name, err);
        else
                rc = virtname_edit_agent(im->w, x->d.name, x->d.id, im->now, VIRTNAME_OBSERVED_TTL, addrs, n);
        virDomainFree(rw);
        return rc;
}

static int put_lease(struct import *im, const struct virtname_xml_network *net,
                     const virNetworkDHCPLease *dl)
{
        struct virtname_lease_input in = { .address = dl->ipaddr, .mac = dl->mac, .hostname = dl->hostname,
                                           .clientid = dl->clientid, .iaid = dl->iaid,
                                           .expiry = dl->expirytime > 0 ? (int64_t)dl->expirytime : 0 };
        struct virtname_prior kept;
        struct virtname_lease l;
        const char *why, *dropped;
        int rc;

        if (virtname_lease_from_input(&in, &l, &why, &dropped) < 0) {
                virtname_import_warn(im->warn, "network %s: lease %.64s skipped: %s", net->name,
                                     dl->ipaddr ? dl->ipaddr : "?", why);
                im->st->skipped++;
                return 0;
        }
        if (dropped)
                virtname_import_warn(im->warn, "network %s: lease %s: ignoring the %s host name '%.64s'",
                                     net->name, dl->ipaddr, dropped, dl->hostname);
        if (l.expiry != 0 && l.expiry <= im->now)
                return 0;
        l.network = net->name;
        l.suffix = net->suffix;
        virtname_prior_lease(im->w, &l, &kept);
        if ((rc = virtname_writer_put_lease(im->w, &l)) < 0)
                return rc;
        im->st->leases++;
        return 0;
}

static int import_network(struct import *im, virNetworkPtr n)
{
        struct virtname_xml_network net;
        virNetworkDHCPLeasePtr *leases = NULL;
        char err[256], *xml = virNetworkGetXMLDesc(n, 0);
        int count, rc = 0;

        if (!xml) {
                virtname_import_warn(im->warn, "network %s: no XML: %s", virNetworkGetName(n), virtname_virt_error());
                im->st->skipped++;
                return 0;
        }
        if (virtname_xml_parse_network(xml, strlen(xml), &net, err, sizeof(err)) < 0) {
                virtname_import_warn(im->warn, "network %s: %s", virNetworkGetName(n), err);
                im->st->skipped++;
                free(xml);
                return 0;
        }
        free(xml);
        net.n.active = virNetworkIsActive(n) == 1;
        net.n.updated = im->now;
        if ((rc = virtname_edit_put_network(im->w, &net)) < 0)
                goto out;
        im->st->networks++;
        if (!net.n.active)
                goto out;
        count = virNetworkGetDHCPLeases(n, NULL, &leases, 0);
        if (count < 0) {
                virtname_import_warn(im->warn, "network %s: cannot list DHCP leases: %s", net.name, virtname_virt_error());
                goto out;
        }
        for (int i = 0; i < count && rc == 0; i++)
                rc = put_lease(im, &net, leases[i]);
        for (int i = 0; i < count; i++)
                virNetworkDHCPLeaseFree(leases[i]);
        free(leases);
out:
        virtname_xml_network_free(&net);
        return rc;
}

static enum virtname_domain_state state_of(virDomainPtr d)
{
        int state, reason;

        if (virDomainGetState(d, &state, &reason, 0) < 0)
                return VIRTNAME_STATE_UNKNOWN;
        switch (state) {
        /* The hooks see no pause: a paused domain (it has a QEMU process,
         * an ID) is running for them, so it is for a rebuild too. */
        case VIR_DOMAIN_RUNNING:
        case VIR_DOMAIN_BLOCKED:
        case VIR_DOMAIN_PAUSED:
        case VIR_DOMAIN_PMSUSPENDED:
                return VIRTNAME_STATE_RUNNING;
        case VIR_DOMAIN_SHUTOFF:
        case VIR_DOMAIN_SHUTDOWN:
        case VIR_DOMAIN_CRASHED:
                return VIRTNAME_STATE_SHUTOFF;
        default:
                return VIRTNAME_STATE_UNKNOWN;
        }
}

static int import_domain(struct import *im, virDomainPtr d)
{
        struct virtname_xml_domain x;
        char err[256], *xml = virDomainGetXMLDesc(d, 0);
        int rc;

        if (!xml) {
                virtname_import_warn(im->warn, "domain %s: no XML: %s", virDomainGetName(d), virtname_virt_error());
                im->st->skipped++;
                return 0;
        }
        rc = virtname_xml_parse_domain(xml, strlen(xml), &x, err, sizeof(err));
        free(xml);
        if (rc < 0) {
                virtname_import_warn(im->warn, "domain %s: %s", virDomainGetName(d), err);
                im->st->skipped++;
                return 0;
        }
        x.d.state = state_of(d);
        x.d.updated = im->now;
        if (virDomainIsActive(d) != 1) {
                x.d.id = -1;
                x.d.cid = 0;
        }
        rc = virtname_edit_put_domain(im->w, &x);
        if (rc == 0)
                im->st->domains++;
        if (rc == 0 && x.d.id >= 0 && x.agent_connected)
                rc = import_agent(im, d, &x);
        virtname_xml_domain_free(&x);
        return rc < 0 ? rc : 0;
}

int virtname_import_libvirt(struct virtname_writer *w, const char *uri,
                       virtname_warn_fn warn,
                       struct virtname_import_stats *st, char *err, size_t errlen)
{
        struct import im = { w, warn, st, (int64_t)time(NULL), NULL, NULL, false };
        virNetworkPtr *nets = NULL;
        virDomainPtr *doms = NULL;
        virConnectPtr conn;
        int n_nets, n_doms, rc = 0;

        if (!uri)
                uri = DEFAULT_URI;
        im.uri = uri;
        conn = virtname_virt_open(uri, true);
        if (!conn) {
                snprintf(err, errlen, "libvirt at %s is not reachable: %s", uri, virtname_virt_error());
                return -ECONNREFUSED;
        }
        n_nets = virConnectListAllNetworks(conn, &nets, 0);
        if (n_nets < 0)
                virtname_import_warn(im.warn, "%s: cannot list networks: %s", uri, virtname_virt_error());
        for (int i = 0; i < n_nets && rc == 0; i++)
                rc = import_network(&im, nets[i]);
        n_doms = rc == 0 ? virConnectListAllDomains(conn, &doms, 0) : 0;
        if (n_doms < 0) {
                snprintf(err, errlen, "%s: cannot list domains: %s", uri, virtname_virt_error());
                rc = -EIO;
        }
        for (int i = 0; i < n_doms && rc == 0; i++)
                rc = import_domain(&im, doms[i]);
        if (rc < 0 && n_doms >= 0)     /* the store refused a change: the writer says why */
                snprintf(err, errlen, "%s", virtname_writer_error(w));
        for (int i = 0; i < n_nets; i++)
                virNetworkFree(nets[i]);
        for (int i = 0; i < n_doms; i++)
                virDomainFree(doms[i]);
        free(nets);
        free(doms);
        if (im.agent_conn)
                virConnectClose(im.agent_conn);
        virConnectClose(conn);
        return rc;
}
