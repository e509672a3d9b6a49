/* virxml.c - the parts of libvirt's domain, network and port XML the
 * store keeps, read with libxml2 and XPath. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "cache/read/names.h"
#include "cache/libvirt/virxml.h"
#include "cache/write/errmsg.h"

/* Interfaces and static hosts beyond these are ignored (and said so). */
#define MAX_ITEMS 1024
#define DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"

struct doc {
        xmlDocPtr doc;
        xmlXPathContextPtr ctx;
};

static void doc_close(struct doc *d)
{
        xmlXPathFreeContext(d->ctx);
        xmlFreeDoc(d->doc);
}

/* Parse XML and point the XPath context at element NAME: the root, or a
 * child of a <hookData> root. */
static int doc_open(struct doc *d, const char *xml, size_t len, const char *name,
                    char *err, size_t errlen)
{
        xmlNodePtr root, node = NULL;

        memset(d, 0, sizeof(*d));
        if (len == 0 || len > INT_MAX)
                return virtname_errf(err, errlen, -EBADMSG, "no XML on input");
        /* No network access, no entity expansion, no DTD loading; libxml2's
         * default limits on depth and text size stay on (no XML_PARSE_HUGE). */
        d->doc = xmlReadMemory(xml, (int)len, "input.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!d->doc) {
                const xmlError *e = xmlGetLastError();

                return virtname_errf(err, errlen, -EBADMSG, "malformed XML%s%.*s", e && e->message ? ": " : "",
                            e && e->message ? (int)strcspn(e->message, "\n") : 0,
                            e && e->message ? e->message : "");
        }
        root = xmlDocGetRootElement(d->doc);
        if (root && xmlStrcmp(root->name, BAD_CAST name) == 0) {
                node = root;
        } else if (root && xmlStrcmp(root->name, BAD_CAST "hookData") == 0) {
                for (xmlNodePtr c = root->children; c && !node; c = c->next)
                        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
                                node = c;
        }
        if (!node) {
                xmlFreeDoc(d->doc);
                d->doc = NULL;
                return virtname_errf(err, errlen, -EBADMSG, "no <%s> element in the XML", name);
        }
        d->ctx = xmlXPathNewContext(d->doc);
        if (!d->ctx) {
                xmlFreeDoc(d->doc);
                d->doc = NULL;
                return -ENOMEM;
        }
        d->ctx->node = node;
        return 0;
}

/* The string value of EXPR relative to NODE (NULL: the context node), as
 * a new string; NULL when empty or absent. */
static char *xstr(struct doc *d, xmlNodePtr node, const char *expr)
{
        xmlNodePtr saved = d->ctx->node;
        xmlXPathObjectPtr o;
        char *s = NULL;

        if (node)
                d->ctx->node = node;
        o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
        d->ctx->node = saved;
        if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
                s = strdup((const char *)o->stringval);
        xmlXPathFreeObject(o);
        return s;
}

/* The nodes EXPR selects (free with xmlXPathFreeObject). */
static xmlXPathObjectPtr xnodes(struct doc *d, const char *expr)
{
        xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);

        if (o && (o->type != XPATH_NODESET || !o->nodesetval)) {
                xmlXPathFreeObject(o);
                return NULL;
        }
        return o;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
        char *end;

        if (!s || *s < '0' || *s > '9')
                return false;
        errno = 0;
        *out = strtoul(s, &end, 10);
        return errno == 0 && *end == '\0' && *out <= max;
}

/* The administrator's addresses in our element of the domain's
 * <metadata> (virxml.h); ones that do not parse are left out. */
static int parse_admin(struct doc *d, struct virtname_xml_domain *out)
{
        xmlXPathObjectPtr o = xnodes(d, "metadata/*[local-name()='addresses' and namespace-uri()='" VIRTNAME_XML_NS
                                        "']/*[local-name()='address' and namespace-uri()='" VIRTNAME_XML_NS "']");
        size_t n = o ? (size_t)o->nodesetval->nodeNr : 0;

        if (n > MAX_ITEMS)
                n = MAX_ITEMS;
        if (n && !(out->admin = calloc(n, sizeof(*out->admin)))) {
                xmlXPathFreeObject(o);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                struct virtname_xml_admin *a = &out->admin[out->n_admin];
                char *ip = xstr(d, o->nodesetval->nodeTab[i], "string(@ip)");
                char *mac = xstr(d, o->nodesetval->nodeTab[i], "string(@mac)");

                a->has_mac = mac != NULL;
                if (ip && virtname_addr_parse(ip, &a->family, a->addr) && (!mac || virtname_mac_parse(mac, a->mac)))
                        out->n_admin++;
                free(ip);
                free(mac);
        }
        xmlXPathFreeObject(o);
        return 0;
}

int virtname_xml_parse_domain(const char *xml, size_t len, struct virtname_xml_domain *out,
                         char *err, size_t errlen)
{
        struct doc d;
        xmlXPathObjectPtr ifs = NULL;
        char *s;
        unsigned long v;
        int rc;

        memset(out, 0, sizeof(*out));
        rc = doc_open(&d, xml, len, "domain", err, errlen);
        if (rc < 0)
                return rc;
        out->name = xstr(&d, NULL, "string(name)");
        if (!out->name || virtname_name_normalise(out->name, (char[VIRTNAME_NAME_MAX + 1]){ 0 }) < 0) {
                rc = virtname_errf(err, errlen, -EBADMSG, "domain XML without a usable <name>");
                goto out;
        }
        out->d.name = out->name;
        out->d.id = -1;
        s = xstr(&d, NULL, "string(@id)");
        if (s && parse_uint(s, INT32_MAX, &v))
                out->d.id = (int32_t)v;
        free(s);
        s = xstr(&d, NULL, "string(uuid)");
        out->d.has_uuid = s && virtname_uuid_parse(s, out->d.uuid);
        free(s);
        /* <vsock><cid auto='yes|no' address='N'/>: the address is there
         * once libvirt has assigned it. */
        s = xstr(&d, NULL, "string(devices/vsock/cid/@address)");
        if (s && parse_uint(s, UINT32_MAX, &v) && v > 2)
                out->d.cid = (uint32_t)v;
        free(s);

        ifs = xnodes(&d, "devices/interface[mac/@address]");
        if (ifs) {
                size_t n = (size_t)ifs->nodesetval->nodeNr;

                if (n > MAX_ITEMS)
                        n = MAX_ITEMS;
                out->ifaces = calloc(n ? n : 1, sizeof(*out->ifaces));
                out->xifaces = calloc(n ? n : 1, sizeof(*out->xifaces));
                if (!out->ifaces || !out->xifaces) {
                        rc = -ENOMEM;
                        goto out;
                }
                for (size_t i = 0; i < n; i++) {
                        xmlNodePtr node = ifs->nodesetval->nodeTab[i];
                        struct virtname_iface *f = &out->ifaces[out->d.n_ifaces];
                        struct virtname_xml_iface *x = &out->xifaces[out->d.n_ifaces];

                        s = xstr(&d, node, "string(mac/@address)");
                        if (!s || !virtname_mac_parse(s, f->mac)) {
                                free(s);
                                continue;       /* not a MAC: nothing to key a lease by */
                        }
                        free(s);
                        x->network = xstr(&d, node, "string(source/@network)");
                        if (!x->network)
                                x->bridge = xstr(&d, node, "string(source/@bridge)");
                        s = xstr(&d, node, "string(@type)");
                        if (!x->network && !x->bridge && s && strcmp(s, "direct") == 0)
                                x->direct = xstr(&d, node, "string(source/@dev)");
                        free(s);
                        x->filter = xstr(&d, node, "string(filterref/@filter)");
                        /* The tap libvirt made for it (live XML only). */
                        x->port = xstr(&d, node, "string(target/@dev)");
                        f->network = x->network;
                        f->filter = x->filter;
                        f->port = x->port;
                        out->d.n_ifaces++;
                }
        }
        out->d.ifaces = out->ifaces;
        if ((rc = parse_admin(&d, out)) < 0)
                goto out;
        s = xstr(&d, NULL, "string(devices/channel/target[@type='virtio' and "
                           "@name='org.qemu.guest_agent.0']/@state)");
        out->agent_connected = s && strcmp(s, "connected") == 0;
        free(s);
out:
        xmlXPathFreeObject(ifs);
        doc_close(&d);
        if (rc < 0)
                virtname_xml_domain_free(out);
        return rc;
}

void virtname_xml_domain_free(struct virtname_xml_domain *x)
{
        for (size_t i = 0; x->xifaces && i < x->d.n_ifaces; i++) {
                free(x->xifaces[i].network);
                free(x->xifaces[i].bridge);
                free(x->xifaces[i].direct);
                free(x->xifaces[i].filter);
                free(x->xifaces[i].port);
        }
        free(x->xifaces);
        free(x->ifaces);
        free(x->admin);
        free(x->name);
        memset(x, 0, sizeof(*x));
}

int virtname_xml_parse_network(const char *xml, size_t len, struct virtname_xml_network *out,
                          char *err, size_t errlen)
{
        struct doc d;
        xmlXPathObjectPtr hosts = NULL, addrs = NULL;
        char *s;
        int rc;

        memset(out, 0, sizeof(*out));
        rc = doc_open(&d, xml, len, "network", err, errlen);
        if (rc < 0)
                return rc;
        out->name = xstr(&d, NULL, "string(name)");
        if (!out->name || virtname_name_normalise(out->name, (char[VIRTNAME_NAME_MAX + 1]){ 0 }) < 0) {
                rc = virtname_errf(err, errlen, -EBADMSG, "network XML without a usable <name>");
                goto out;
        }
        out->bridge = xstr(&d, NULL, "string(bridge/@name)");
        out->suffix = xstr(&d, NULL, "string(domain/@name)");
        if (out->suffix && !virtname_hostname_valid(out->suffix)) {
                free(out->suffix);      /* not a DNS name: no NAME.DOMAIN lookups */
                out->suffix = NULL;
        }
        out->n = (struct virtname_network){ out->name, out->bridge, out->suffix, true, 0 };
        /* A hosts directory given to its dnsmasq (virt-name-cache enable). */
        s = xstr(&d, NULL, "string(*[local-name()='options' and namespace-uri()='" DNSMASQ_NS "']"
                           "/*[local-name()='option' and starts-with(@value, 'hostsdir=')]/@value)");
        if (s) {
                out->hostsdir = strdup(s + strlen("hostsdir="));
                free(s);
        }
        s = xstr(&d, NULL, "string(dns/@enable)");
        out->dns_off = s && strcmp(s, "no") == 0;
        free(s);
        s = xstr(&d, NULL, "string(domain/@localOnly)");
        out->domain_local = s && strcmp(s, "yes") == 0;
        free(s);
        addrs = xnodes(&d, "ip[@address]");
        for (int i = 0; addrs && i < addrs->nodesetval->nodeNr && out->n_addrs < 2; i++) {
                struct virtname_xml_addr *a = &out->addrs[out->n_addrs];
                bool seen = false;

                s = xstr(&d, addrs->nodesetval->nodeTab[i], "string(@address)");
                if (s && virtname_addr_parse(s, &a->family, a->addr)) {
                        for (size_t j = 0; j < out->n_addrs; j++)
                                seen |= out->addrs[j].family == a->family;
                        if (!seen)
                                out->n_addrs++;
                }
                free(s);
                s = xstr(&d, addrs->nodesetval->nodeTab[i], "string(@localPtr)");
                a->local_ptr = s && strcmp(s, "yes") == 0;
                free(s);
        }

        /* Static DHCP hosts: IPv4 ones by MAC, IPv6 ones by name or DUID. */
        hosts = xnodes(&d, "ip/dhcp/host[@ip]");
        if (hosts) {
                size_t n = (size_t)hosts->nodesetval->nodeNr;

                if (n > MAX_ITEMS)
                        n = MAX_ITEMS;
                out->hosts = calloc(n ? n : 1, sizeof(*out->hosts));
                if (!out->hosts) {
                        rc = -ENOMEM;
                        goto out;
                }
                for (size_t i = 0; i < n; i++) {
                        xmlNodePtr node = hosts->nodesetval->nodeTab[i];
                        struct virtname_xml_host *h = &out->hosts[out->n_hosts];
                        char *ip = xstr(&d, node, "string(@ip)");
                        char *mac = xstr(&d, node, "string(@mac)");

                        h->hostname = xstr(&d, node, "string(@name)");
                        if (h->hostname && !virtname_hostname_valid(h->hostname)) {
                                free(h->hostname);
                                h->hostname = NULL;
                        }
                        h->has_mac = mac && virtname_mac_parse(mac, h->mac);
                        if (ip && virtname_addr_parse(ip, &h->family, h->addr))
                                out->n_hosts++;
                        else
                                free(h->hostname);
                        free(ip);
                        free(mac);
                }
        }
out:
        xmlXPathFreeObject(hosts);
        xmlXPathFreeObject(addrs);
        doc_close(&d);
        if (rc < 0)
                virtname_xml_network_free(out);
        return rc;
}

void virtname_xml_network_free(struct virtname_xml_network *x)
{
        for (size_t i = 0; i < x->n_hosts; i++)
                free(x->hosts[i].hostname);
        free(x->hosts);
        free(x->name);
        free(x->bridge);
        free(x->hostsdir);
        free(x->suffix);
        memset(x, 0, sizeof(*x));
}

int virtname_xml_parse_port(const char *xml, size_t len, struct virtname_xml_port *out,
                       char *err, size_t errlen)
{
        struct doc d;
        char *s;
        int rc;

        memset(out, 0, sizeof(*out));
        /* libvirt >= 6.0: <networkport>; before: <interface> + <domain>. */
        rc = doc_open(&d, xml, len, "networkport", err, errlen);
        if (rc == 0) {
                out->domain = xstr(&d, NULL, "string(owner/name)");
                s = xstr(&d, NULL, "string(owner/uuid)");
        } else {
                rc = doc_open(&d, xml, len, "interface", err, errlen);
                if (rc < 0)
                        return virtname_errf(err, errlen, -EBADMSG, "no <networkport> or <interface> in the hook data");
                out->domain = xstr(&d, NULL, "string(/hookData/domain/name)");
                s = xstr(&d, NULL, "string(/hookData/domain/uuid)");
        }
        out->has_uuid = s && virtname_uuid_parse(s, out->uuid);
        free(s);
        s = xstr(&d, NULL, "string(mac/@address)");
        if (!s || !virtname_mac_parse(s, out->mac))
                rc = virtname_errf(err, errlen, -EBADMSG, "port without a valid <mac address=...>");
        free(s);
        out->network = xstr(&d, NULL, "string(/hookData/network/name)");
        doc_close(&d);
        if (rc < 0)
                virtname_xml_port_free(out);
        return rc;
}

void virtname_xml_port_free(struct virtname_xml_port *x)
{
        free(x->domain);
        free(x->network);
        memset(x, 0, sizeof(*x));
}
