/* network.c - `virt-name-cache enable|disable NETWORK`: make a libvirt
 * network's dnsmasq run our lease helper and answer the store's names,
 * through the network's definition (dnsmasq:options), keeping everything
 * else in it.
 *
 * libvirt starts dnsmasq with --dhcp-script=libvirt_leaseshelper on the
 * command line; a dhcp-script line in the configuration file (where
 * libvirt writes dnsmasq:options) takes precedence, and our helper hands
 * every event on to libvirt's.  For DNS, hostsdir= names the directory
 * the writer keeps the network's names in (cache/derive/hostsdir.h), and
 * dhcp-ignore-names keeps the host names guests send out of dnsmasq's
 * own DNS: they reach it only through the name rules, in that
 * directory. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cmd/cmd.h"
#include "cache/libvirt/virconn.h"
#include "cache/derive/hostsdir.h"
#include "cache/read/paths.h"
#include "cache/ingest/update.h"

#ifndef VIRTNAME_LIBEXECDIR
#define VIRTNAME_LIBEXECDIR "/usr/libexec/virt-name-cache"
#endif
#define DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"
#define OPTION_PREFIX "dhcp-script="
#define HOSTSDIR_PREFIX "hostsdir="
#define IGNORE_NAMES "dhcp-ignore-names"

static void usage(FILE *out, const char *cmd)
{
        bool enable = strcmp(cmd, "enable") == 0;

        fprintf(out,
                "Usage: virt-name-cache %s NETWORK [--connect URI] [--helper PATH]%s\n"
                "\n"
                "%s the definition of libvirt network NETWORK, in its <dnsmasq:options>:\n"
                "  dhcp-script=PATH          dnsmasq runs the lease helper at every lease change\n"
                "  hostsdir=DIR              its DNS server answers the store's names for the\n"
                "                            network (DIR is %s/dnsmasq/NETWORK)\n"
                "  dhcp-ignore-names         ... and no host name a guest sends, except\n"
                "                            through the name rules in DIR\n"
                "Everything else in the definition is kept.  It takes effect when the network\n"
                "next starts (a running network: when it restarts).\n"
                "\n"
                "  --connect URI  libvirt to change (default qemu:///system)\n"
                "  --helper PATH  the lease helper (default " VIRTNAME_LIBEXECDIR "/lease-helper)\n"
                "%s"
                "  -h, --help     this text\n",
                cmd, enable ? " [--no-dns]" : "", enable ? "Add to" : "Remove from", VIRTNAME_STORE_DIR,
                enable ? "  --no-dns       the lease helper only: leave the network's DNS as it is\n" : "");
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

/* The first <dnsmasq:option> of OPTIONS whose value starts with PREFIX
 * (its value in *VALUE, to xmlFree), or NULL. */
static xmlNodePtr find_option(xmlNodePtr options, const char *prefix, xmlChar **value)
{
        for (xmlNodePtr c = options ? options->children : NULL; c; c = c->next) {
                xmlChar *v;

                if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "option") != 0)
                        continue;
                v = xmlGetProp(c, BAD_CAST "value");
                if (v && xmlStrncmp(v, BAD_CAST prefix, (int)strlen(prefix)) == 0) {
                        *value = v;
                        return c;
                }
                xmlFree(v);
        }
        *value = NULL;
        return NULL;
}

/* The <dnsmasq:option> whose value is exactly VALUE, or NULL. */
static xmlNodePtr find_exact(xmlNodePtr options, const char *value)
{
        for (xmlNodePtr c = options ? options->children : NULL; c; c = c->next) {
                xmlChar *v;
                bool same;

                if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "option") != 0)
                        continue;
                v = xmlGetProp(c, BAD_CAST "value");
                same = v && xmlStrcmp(v, BAD_CAST value) == 0;
                xmlFree(v);
                if (same)
                        return c;
        }
        return NULL;
}

/* Add <dnsmasq:option value=VALUE/> under ROOT's <dnsmasq:options>. */
static int add_option(xmlDocPtr doc, xmlNodePtr root, const char *value)
{
        xmlNsPtr ns = xmlSearchNsByHref(doc, root, BAD_CAST DNSMASQ_NS);
        xmlNodePtr options, opt;

        if (!ns)
                ns = xmlNewNs(root, BAD_CAST DNSMASQ_NS, BAD_CAST "dnsmasq");
        if (!ns)
                return -1;
        options = find_options(root);
        if (!options)
                options = xmlNewChild(root, ns, BAD_CAST "options", NULL);
        opt = options ? xmlNewChild(options, ns, BAD_CAST "option", NULL) : NULL;
        return opt && xmlNewProp(opt, BAD_CAST "value", BAD_CAST value) ? 0 : -1;
}

static void drop_option(xmlNodePtr opt)
{
        xmlNodePtr options = opt->parent;

        xmlUnlinkNode(opt);
        xmlFreeNode(opt);
        /* Drop the element we may have added, if now empty. */
        if (options && !xmlFirstElementChild(options)) {
                xmlUnlinkNode(options);
                xmlFreeNode(options);
        }
}

/* What enable adds and disable takes away. */
struct want {
        const char *script;            /* "dhcp-script=HELPER" */
        const char *hostsdir;          /* "hostsdir=DIR", NULL: no DNS */
};

/* Change the definition in DOC; returns 1 when changed, 0 when there was
 * nothing to do, or an exit code (negated) after printing why. */
static int edit(xmlDocPtr doc, const char *network, const struct want *want, bool enable)
{
        xmlNodePtr root = xmlDocGetRootElement(doc), options = find_options(root), script, dir, ignore;
        xmlChar *value = NULL;
        int rc = 0;

        script = find_option(options, OPTION_PREFIX, &value);
        dir = find_exact(options, want->hostsdir ? want->hostsdir : "");
        ignore = find_exact(options, IGNORE_NAMES);
        if (script && xmlStrcmp(value, BAD_CAST want->script) != 0) {
                if (enable)
                        cmd_error("network %s already runs '%s' as its dnsmasq script; not replacing it",
                                  network, (const char *)value);
                else
                        cmd_error("network %s runs '%s', not this lease helper; leaving it",
                                  network, (const char *)value);
                xmlFree(value);
                return -EXIT_USAGE;
        }
        xmlFree(value);
        if (enable) {
                /* The script, and for DNS the hosts directory and no
                 * guest-sent names in dnsmasq's own DNS: those reach it
                 * only through our rules, in the directory. */
                if ((!script && add_option(doc, root, want->script) < 0) ||
                    (want->hostsdir && !dir && add_option(doc, root, want->hostsdir) < 0) ||
                    (want->hostsdir && !ignore && add_option(doc, root, IGNORE_NAMES) < 0)) {
                        cmd_error("out of memory");
                        return -EXIT_SYSTEM;
                }
                rc = !script || (want->hostsdir && (!dir || !ignore));
        } else {
                /* dhcp-ignore-names goes only with our directory: it came
                 * with it. */
                if (dir && ignore) {
                        drop_option(ignore);
                        rc = 1;
                }
                if (dir) {
                        drop_option(dir);
                        rc = 1;
                }
                if (script) {
                        drop_option(script);
                        rc = 1;
                }
        }
        return rc;
}

/* The hosts directory for NETWORK's dnsmasq: created and filled now, so
 * that it is there when dnsmasq next starts (the network hook fills it
 * again then); or removed. */
static int hostsdir(const struct cmd_ctx *ctx, const char *network, bool enable)
{
        struct virtname_update *u;
        struct virtname_writer *w;
        char err[512];
        int rc = virtname_update_open(ctx->db_dir, 5000, 0, &u, err, sizeof(err));

        if (rc < 0)
                return cmd_store_failed(ctx, enable ? "enable" : "disable", rc, err);
        w = virtname_update_writer(u);
        if (!enable) {
                char path[PATH_MAX];

                rc = virtname_hostsdir_remove(virtname_writer_store_dir(w), network);
                virtname_hostsdir_path(virtname_writer_store_dir(w), network, path, sizeof(path));
                virtname_update_close(u);
                if (rc < 0)
                        cmd_error("cannot remove %s: %s", path, strerror(-rc));
                return rc < 0 ? EXIT_SYSTEM : EXIT_OK;
        }
        if (!virtname_hostsdir_network_ok(network)) {
                cmd_error("network '%.64s': no hosts directory can be named after it", network);
                virtname_update_close(u);
                return EXIT_USAGE;
        }
        rc = virtname_writer_resync(w, network);
        if (rc == 0)
                rc = virtname_update_commit(u, 0, NULL, err, sizeof(err));
        else
                snprintf(err, sizeof(err), "%s", virtname_writer_error(w));
        virtname_update_close(u);
        if (rc < 0) {
                cmd_error("%s", err);
                return EXIT_STORE;
        }
        return EXIT_OK;
}

static int run(int argc, char **argv, bool enable, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "helper", required_argument, NULL, 'H' },
                { "no-dns", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *uri = "qemu:///system", *helper = VIRTNAME_LIBEXECDIR "/lease-helper", *name;
        char script[4096], dir[PATH_MAX + 16];
        struct want want = { script, dir };
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
                case 'n':
                        want.hostsdir = NULL;
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
            (size_t)snprintf(script, sizeof(script), OPTION_PREFIX "%s", helper) >= sizeof(script)) {
                cmd_error("the helper must be an absolute path");
                return EXIT_USAGE;
        }
        if (!enable)
                want.hostsdir = dir;    /* take away whatever enable added */
        if (want.hostsdir) {
                char path[PATH_MAX];
                const char *store = virtname_store_dir(ctx->db_dir);

                rc = virtname_hostsdir_path(store, name, path, sizeof(path));
                if (rc == -EINVAL && !enable) {
                        want.hostsdir = NULL;
                } else if (rc < 0 || strpbrk(path, "\n\r") || store[0] != '/') {
                        cmd_error("network %s: no hosts directory for its DNS can be named after it "
                                  "(use --no-dns)", name);
                        return EXIT_USAGE;
                } else {
                        snprintf(dir, sizeof(dir), HOSTSDIR_PREFIX "%s", path);
                }
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
        c = edit(doc, name, &want, enable);
        if (c < 0) {
                rc = -c;
                goto out;
        }
        if (c == 0) {
                printf("network %s: already %s\n", name, enable ? "enabled" : "disabled");
                rc = want.hostsdir ? hostsdir(ctx, name, enable) : EXIT_OK;
                goto out;
        }
        xmlDocDumpMemory(doc, &out, &size);
        defined = out ? virNetworkDefineXML(conn, (const char *)out) : NULL;
        if (!defined) {
                cmd_error("network %s: libvirt refused the new definition: %s", name, virtname_virt_error());
                goto out;
        }
        virNetworkFree(defined);
        rc = want.hostsdir ? hostsdir(ctx, name, enable) : EXIT_OK;
        printf("network %s: its definition %s the lease helper %s%s.\n", name,
               enable ? "now names" : "no longer names", helper,
               !want.hostsdir ? "" : enable ? ", and its DNS server answers the store's names"
                                            : ", nor the store's names for its DNS server");
        /* The running network keeps its dnsmasq until it restarts. */
        if (virNetworkIsActive(net) == 1)
                printf("It takes effect when the network restarts, which briefly cuts its guests off:\n"
                       "    virsh net-destroy %s && virsh net-start %s\n", name, name);
        else
                printf("The network is not running; this takes effect when it starts:\n"
                       "    virsh net-start %s\n", name);
        if (enable)
                printf("Then run 'virt-name-cache rebuild --connect %s' to record the leases it "
                       "already has.\n", uri);
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
        return run(argc, argv, true, ctx);
}

int cmd_disable(int argc, char **argv, const struct cmd_ctx *ctx)
{
        return run(argc, argv, false, ctx);
}
