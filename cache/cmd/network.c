/* network.c - `virt-name-cache enable|disable NETWORK`: make a libvirt
 * network's dnsmasq run our lease helper, through the network's
 * definition (dnsmasq:options), keeping everything else in it.
 *
 * libvirt starts dnsmasq with --dhcp-script=libvirt_leaseshelper on the
 * command line; a dhcp-script line in the configuration file (where
 * libvirt writes dnsmasq:options) takes precedence, and our helper hands
 * every event on to libvirt's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cmd/cmd.h"
#include "import/virconn.h"

#ifndef VIRTNAME_LIBEXECDIR
#define VIRTNAME_LIBEXECDIR "/usr/libexec/virt-name-cache"
#endif
#define DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"
#define OPTION_PREFIX "dhcp-script="

static void usage(FILE *out, const char *cmd)
{
        fprintf(out,
                "Usage: virt-name-cache %s NETWORK [--connect URI] [--helper PATH]\n"
                "\n"
                "%s the lease helper in the definition of libvirt network NETWORK: the\n"
                "dnsmasq option dhcp-script=PATH in its <dnsmasq:options>.  Everything else\n"
                "in the definition is kept.  It takes effect when the network next starts\n"
                "(a running network: when it restarts).\n"
                "\n"
                "  --connect URI  libvirt to change (default qemu:///system)\n"
                "  --helper PATH  the lease helper (default " VIRTNAME_LIBEXECDIR "/lease-helper)\n"
                "  -h, --help     this text\n",
                cmd, strcmp(cmd, "enable") == 0 ? "Add" : "Remove");
}

/* The <dnsmasq:options> child of ROOT, or NULL. */
static xmlNodePtr find_options(xmlNodePtr root)
{
        for (xmlNodePtr c = root->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
                    xmlStrcmp(c->ns->href, BAD_CAST DNSMASQ_NS) == 0 &&
                    xmlStrcmp(c->name, BAD_CAST "options") == 0)
                        return c;
        return NULL;
}

/* Its dhcp-script option, or NULL. */
static xmlNodePtr find_script(xmlNodePtr options, xmlChar **value)
{
        for (xmlNodePtr c = options ? options->children : NULL; c; c = c->next) {
                xmlChar *v;

                if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "option") != 0)
                        continue;
                v = xmlGetProp(c, BAD_CAST "value");
                if (v && xmlStrncmp(v, BAD_CAST OPTION_PREFIX, strlen(OPTION_PREFIX)) == 0) {
                        *value = v;
                        return c;
                }
                xmlFree(v);
        }
        return NULL;
}

/* Change the definition in DOC; returns 1 when changed, 0 when there was
 * nothing to do, or an exit code (negated) after printing why. */
static int edit(xmlDocPtr doc, const char *network, const char *want, bool enable)
{
        xmlNodePtr root = xmlDocGetRootElement(doc), options, script;
        xmlChar *value = NULL;
        xmlNsPtr ns;
        int rc = 0;

        options = find_options(root);
        script = find_script(options, &value);
        if (enable) {
                if (script && xmlStrcmp(value, BAD_CAST want) == 0) {
                        rc = 0;
                } else if (script) {
                        cmd_error("network %s already runs '%s' as its dnsmasq script; not replacing it",
                                  network, (const char *)value);
                        rc = -EXIT_USAGE;
                } else {
                        ns = xmlSearchNsByHref(doc, root, BAD_CAST DNSMASQ_NS);
                        if (!ns)
                                ns = xmlNewNs(root, BAD_CAST DNSMASQ_NS, BAD_CAST "dnsmasq");
                        if (!options)
                                options = xmlNewChild(root, ns, BAD_CAST "options", NULL);
                        script = options ? xmlNewChild(options, ns, BAD_CAST "option", NULL) : NULL;
                        if (!ns || !script || !xmlNewProp(script, BAD_CAST "value", BAD_CAST want)) {
                                cmd_error("out of memory");
                                rc = -EXIT_SYSTEM;
                        } else {
                                rc = 1;
                        }
                }
        } else if (script) {
                if (xmlStrcmp(value, BAD_CAST want) != 0) {
                        cmd_error("network %s runs '%s', not this lease helper; leaving it",
                                  network, (const char *)value);
                        rc = -EXIT_USAGE;
                } else {
                        xmlUnlinkNode(script);
                        xmlFreeNode(script);
                        /* Drop the element we may have added, if now empty. */
                        if (!xmlFirstElementChild(options)) {
                                xmlUnlinkNode(options);
                                xmlFreeNode(options);
                        }
                        rc = 1;
                }
        }
        xmlFree(value);
        return rc;
}

static int run(int argc, char **argv, bool enable)
{
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "helper", required_argument, NULL, 'H' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *uri = "qemu:///system", *helper = VIRTNAME_LIBEXECDIR "/lease-helper", *name;
        char want[4096];
        virConnectPtr conn;
        virNetworkPtr net = NULL, defined;
        xmlDocPtr doc = NULL;
        xmlChar *out = NULL;
        char *xml = NULL;
        int c, size, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        uri = optarg;
                        break;
                case 'H':
                        helper = optarg;
                        break;
                case 'h':
                        usage(stdout, argv[0]);
                        return EXIT_OK;
                default:
                        usage(stderr, argv[0]);
                        return EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                cmd_error("%s: give exactly one NETWORK", argv[0]);
                usage(stderr, argv[0]);
                return EXIT_USAGE;
        }
        name = argv[optind];
        if (helper[0] != '/' || strpbrk(helper, "\n\r") ||
            (size_t)snprintf(want, sizeof(want), OPTION_PREFIX "%s", helper) >= sizeof(want)) {
                cmd_error("the helper must be an absolute path");
                return EXIT_USAGE;
        }

        conn = virtname_virt_open(uri, false);
        if (!conn) {
                cmd_error("cannot connect to libvirt at %s: %s", uri, virtname_virt_error());
                return EXIT_LIBVIRT;
        }
        rc = EXIT_LIBVIRT;
        net = virNetworkLookupByName(conn, name);
        if (!net) {
                cmd_error("network %s: %s", name, virtname_virt_error());
                goto out;
        }
        /* The persistent definition, not the running one. */
        xml = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
        if (!xml && virGetLastErrorCode() == VIR_ERR_INVALID_ARG)
                xml = virNetworkGetXMLDesc(net, 0);     /* drivers without the flag */
        if (!xml) {
                cmd_error("network %s: cannot read its definition: %s", name, virtname_virt_error());
                goto out;
        }
        doc = xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc || !xmlDocGetRootElement(doc)) {
                cmd_error("network %s: libvirt returned XML we cannot parse", name);
                goto out;
        }
        c = edit(doc, name, want, enable);
        if (c < 0) {
                rc = -c;
                goto out;
        }
        if (c == 0) {
                printf("network %s: already %s\n", name, enable ? "enabled" : "disabled");
                rc = EXIT_OK;
                goto out;
        }
        xmlDocDumpMemory(doc, &out, &size);
        defined = out ? virNetworkDefineXML(conn, (const char *)out) : NULL;
        if (!defined) {
                cmd_error("network %s: libvirt refused the new definition: %s", name, virtname_virt_error());
                goto out;
        }
        virNetworkFree(defined);
        /* The running network keeps its dnsmasq until it restarts. */
        if (virNetworkIsActive(net) == 1)
                printf("network %s: its definition %s the lease helper %s.\n"
                       "It takes effect when the network restarts, which briefly cuts its guests off:\n"
                       "    virsh net-destroy %s && virsh net-start %s\n",
                       name, enable ? "now names" : "no longer names", helper, name, name);
        else
                printf("network %s: its definition %s the lease helper %s.\n"
                       "The network is not running; this takes effect when it starts:\n"
                       "    virsh net-start %s\n",
                       name, enable ? "now names" : "no longer names", helper, name);
        if (enable)
                printf("Then run 'virt-name-cache rebuild --connect %s' to record the leases it "
                       "already has.\n", uri);
        rc = EXIT_OK;
out:
        xmlFree(out);
        xmlFreeDoc(doc);
        free(xml);
        if (net)
                virNetworkFree(net);
        virConnectClose(conn);
        return rc;
}

int cmd_enable(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, true);
}

int cmd_disable(int argc, char **argv, const struct cmd_ctx *ctx)
{
        (void)ctx;
        return run(argc, argv, false);
}
