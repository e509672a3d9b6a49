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
#include <dirent.h>
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

#include "cmd/bridge.h"
#include "cmd/cmd.h"
#include "cache/write/fileio.h"
#include "cache/libvirt/virconn.h"
#include "cache/derive/hostsdir.h"
#include "cache/read/paths.h"
#include "cache/ingest/update.h"

#define DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"
#define OPTION_PREFIX "dhcp-script="
#define HOSTSDIR_PREFIX "hostsdir="
#define IGNORE_NAMES "dhcp-ignore-names"
/* Where libvirt keeps the system's network definitions. */
#define LIBVIRT_NETWORKS_DIR "/etc/libvirt/qemu/networks"

static void usage(FILE *out, const char *cmd)
{
        bool enable = strcmp(cmd, "enable") == 0;

        fprintf(out,
                "Usage: virt-name-cache %s %s [--connect URI] [--helper PATH] [--no-restart]%s\n"
                "\n"
                "%s the definition of libvirt network NETWORK, in its <dnsmasq:options>:\n"
                "  dhcp-script=PATH          dnsmasq runs the lease helper at every lease change\n"
                "  hostsdir=DIR              its DNS server answers the store's names for the\n"
                "                            network (DIR is %s/dnsmasq/NETWORK)\n"
                "  dhcp-ignore-names         ... and no host name a guest sends, except\n"
                "                            through the name rules in DIR\n"
                "Everything else in the definition is kept.  A running network is restarted\n"
                "%sand the interfaces that were on its bridge are put back on the new one.\n"
                "\n"
                "  --connect URI  libvirt to change (default qemu:///system)\n"
                "  --helper PATH  the lease helper (default " VIRTNAME_LIBEXECDIR "/lease-helper)\n"
                "  --no-restart   leave a running network as it is until it restarts\n"
                "%s"
                "  -h, --help     this text\n",
                cmd, enable ? "NETWORK" : "NETWORK|--all", enable ? " [--no-dns]" : " [--remember]",
                enable ? "Add to" : "Remove from", VIRTNAME_STORE_DIR,
                enable ? "(after recording the leases it has, with the names their guests sent)\n" : "",
                enable ? "  --no-dns       the lease helper only: leave the network's DNS as it is\n"
                       : "  --all          every network whose definition names the helper or the\n"
                         "                 store's hosts directories\n"
                         "  --remember     note what was disabled, for the package's next\n"
                         "                 installation to offer back\n");
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
 * nothing to do, or an exit code (negated) after printing why (unless
 * QUIET).  *HAD_DNS (may be NULL): DOC had our hosts directory. */
static int edit(xmlDocPtr doc, const char *network, const struct want *want, bool enable, bool quiet,
                bool *had_dns)
{
        xmlNodePtr root = xmlDocGetRootElement(doc), options = find_options(root), script, dir, ignore;
        xmlChar *value = NULL;
        int rc = 0;

        script = find_option(options, OPTION_PREFIX, &value);
        dir = find_exact(options, want->hostsdir ? want->hostsdir : "");
        ignore = find_exact(options, IGNORE_NAMES);
        if (had_dns)
                *had_dns = dir != NULL;
        if (script && xmlStrcmp(value, BAD_CAST want->script) != 0) {
                if (quiet)
                        ;
                else if (enable)
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

/* What one run changes, and how. */
struct opts {
        const char *uri, *helper;
        bool enable;
        bool dns;                      /* enable: the hosts directory too */
        bool restart;                  /* restart a running network whose dnsmasq must change */
        bool remember;                 /* disable: note it for the next installation */
};

/* The document XML (may be NULL) holds, or NULL. */
static xmlDocPtr read_xml(const char *xml)
{
        xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL,
                                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                            : NULL;

        if (doc && !xmlDocGetRootElement(doc)) {
                xmlFreeDoc(doc);
                doc = NULL;
        }
        return doc;
}

/* The running definition of NET would change too: its dnsmasq is not
 * yet (or still) running the way the definition now says. */
static bool live_differs(virNetworkPtr net, const char *network, const struct want *want, bool enable)
{
        char *xml = virNetworkIsActive(net) == 1 ? virNetworkGetXMLDesc(net, 0) : NULL;
        xmlDocPtr doc = read_xml(xml);
        bool differs = doc && edit(doc, network, want, enable, true, NULL) == 1;

        xmlFreeDoc(doc);
        free(xml);
        return differs;
}

/* Stop and start NET again (its dnsmasq then runs the new definition),
 * and put the interfaces that were on its bridge back on the new one
 * (bridge.h).  Should it not start with the new definition, OLD_XML is
 * defined again and started.  Returns an exit code. */
static int restart(virConnectPtr conn, virNetworkPtr net, const char *network, const char *old_xml)
{
        struct bridge_ports ports;
        char *bridge = virNetworkGetBridgeName(net), done[1024], err[256];
        int rc, n;

        if (!bridge) {
                cmd_error("network %s: libvirt names no bridge for it: %s", network, virtname_virt_error());
                return EXIT_LIBVIRT;
        }
        rc = bridge_ports_read(bridge, &ports);
        if (rc < 0)
                cmd_warn("network %s: cannot list the interfaces on %s: %s", network, bridge, strerror(-rc));
        if (virNetworkDestroy(net) < 0) {
                cmd_error("network %s: cannot stop it: %s", network, virtname_virt_error());
                rc = EXIT_LIBVIRT;
                goto out;
        }
        rc = EXIT_OK;
        if (virNetworkCreate(net) < 0) {
                virNetworkPtr back;

                cmd_error("network %s did not start again: %s", network, virtname_virt_error());
                back = old_xml ? virNetworkDefineXML(conn, old_xml) : NULL;
                if (!back || virNetworkCreate(net) < 0) {
                        cmd_error("network %s is stopped: its guests are cut off until it starts "
                                  "(virsh net-start %s)", network, network);
                        if (back)
                                virNetworkFree(back);
                        rc = EXIT_LIBVIRT;
                        goto out;
                }
                virNetworkFree(back);
                cmd_error("network %s: its previous definition is back and running", network);
                rc = EXIT_LIBVIRT;
        }
        free(bridge);
        bridge = virNetworkGetBridgeName(net);
        n = bridge ? bridge_ports_restore(bridge, &ports, done, sizeof(done), err, sizeof(err)) : -ENODEV;
        if (n < 0) {
                char again[64];

                cmd_error("network %s: restarted, but not every guest interface is back on %s: %s; "
                          "restarting libvirtd puts them back (%s)", network, bridge ? bridge : "its bridge",
                          bridge ? err : virtname_virt_error(),
                          cmd_service("restart", "libvirtd", again, sizeof(again)));
                rc = EXIT_SYSTEM;
        } else {
                printf("network %s: restarted; %d interface%s put back on %s%s%s%s\n", network, n,
                       n == 1 ? "" : "s", bridge, n ? " (" : "", done, n ? ")" : "");
        }
out:
        bridge_ports_free(&ports);
        free(bridge);
        return rc;
}

/* The options enable and disable work with for NETWORK into WANT. */
static int wanted(const struct cmd_ctx *ctx, const struct opts *o, const char *network, struct want *want,
                  char *script, size_t script_cap, char *dir, size_t dir_cap)
{
        char path[PATH_MAX];
        const char *store = virtname_store_dir(ctx->db_dir);
        int rc;

        want->script = script;
        want->hostsdir = NULL;
        if (o->helper[0] != '/' || strpbrk(o->helper, "\n\r") ||
            (size_t)snprintf(script, script_cap, OPTION_PREFIX "%s", o->helper) >= script_cap) {
                cmd_error("the helper must be an absolute path");
                return EXIT_USAGE;
        }
        /* disable takes away whatever enable added */
        if (!o->enable || o->dns) {
                rc = virtname_hostsdir_path(store, network, path, sizeof(path));
                if (rc == -EINVAL && !o->enable)
                        return EXIT_OK;
                if (rc < 0 || strpbrk(path, "\n\r") || store[0] != '/') {
                        cmd_error("network %s: no hosts directory for its DNS can be named after it "
                                  "(use --no-dns)", network);
                        return EXIT_USAGE;
                }
                snprintf(dir, dir_cap, HOSTSDIR_PREFIX "%s", path);
                want->hostsdir = dir;
        }
        return EXIT_OK;
}

/* enable or disable one network, NAME (NET: looked up, or NULL). */
static int change(const struct cmd_ctx *ctx, virConnectPtr conn, virNetworkPtr net, const char *name,
                  const struct opts *o)
{
        char script[4096], dir[PATH_MAX + 16], *xml = NULL;
        struct want want;
        xmlDocPtr doc = NULL;
        xmlChar *out = NULL;
        bool active, differs, had_dns = false;
        int c, size, rc;

        rc = wanted(ctx, o, name, &want, script, sizeof(script), dir, sizeof(dir));
        if (rc != EXIT_OK)
                return rc;
        /* The persistent definition, not the running one. */
        xml = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
        if (!xml && virGetLastErrorCode() == VIR_ERR_INVALID_ARG)
                xml = virNetworkGetXMLDesc(net, 0);     /* drivers without the flag */
        if (!xml) {
                cmd_error("network %s: cannot read its definition: %s", name, virtname_virt_error());
                return EXIT_LIBVIRT;
        }
        rc = EXIT_LIBVIRT;
        if (!(doc = read_xml(xml))) {
                cmd_error("network %s: libvirt returned XML we cannot parse", name);
                goto out;
        }
        c = edit(doc, name, &want, o->enable, false, &had_dns);
        if (c < 0) {
                rc = -c;
                goto out;
        }
        if (c == 1) {
                virNetworkPtr defined;

                xmlDocDumpMemory(doc, &out, &size);
                defined = out ? virNetworkDefineXML(conn, (const char *)out) : NULL;
                if (!defined) {
                        cmd_error("network %s: libvirt refused the new definition: %s", name,
                                  virtname_virt_error());
                        goto out;
                }
                virNetworkFree(defined);
                printf("network %s: its definition %s the lease helper %s%s.\n", name,
                       o->enable ? "now names" : "no longer names", o->helper,
                       !want.hostsdir ? "" : o->enable ? ", and its DNS server answers the store's names"
                                                       : ", nor the store's names for its DNS server");
        }
        active = virNetworkIsActive(net) == 1;
        differs = live_differs(net, name, &want, o->enable);
        if (c == 0 && !differs)
                printf("network %s: already %s\n", name, o->enable ? "enabled" : "disabled");
        rc = EXIT_OK;
        /* Before dnsmasq restarts with our helper: the leases it has, with
         * the names their guests sent (libvirt's lease list still has
         * them; afterwards dnsmasq names leases after our hosts files). */
        if (o->enable && differs && o->restart) {
                printf("network %s: recording the leases it has before it restarts\n", name);
                if (cmd_rebuild_run(ctx, o->uri, NULL, false) != EXIT_OK)
                        cmd_warn("network %s: its leases were not recorded (see above); they are as their "
                                 "guests renew them", name);
        }
        /* The hosts directory is there before dnsmasq starts with it. */
        if (o->enable && want.hostsdir)
                rc = hostsdir(ctx, name, true);
        if (rc == EXIT_OK && differs && o->restart)
                rc = restart(conn, net, name, xml);
        else if (rc == EXIT_OK && differs)
                printf("It takes effect when the network restarts, which briefly cuts its guests off the "
                       "network\n(run 'virt-name-cache %s %s' without --no-restart, which puts them back):\n"
                       "    virsh net-destroy %s && virsh net-start %s\n",
                       o->enable ? "enable" : "disable", name, name, name);
        else if (rc == EXIT_OK && c == 1 && !active)
                printf("The network is not running; this takes effect when it starts:\n"
                       "    virsh net-start %s\n", name);
        if (rc == EXIT_OK && !o->enable && want.hostsdir)
                rc = hostsdir(ctx, name, false);
        if (rc == EXIT_OK && !o->enable && o->remember && (c == 1 || differs) &&
            cmd_remember(ctx, "network %s %s%s", o->uri, name, had_dns ? "" : " no-dns") < 0)
                cmd_warn("network %s: cannot note that it was disabled", name);
        if (rc == EXIT_OK && o->enable && c == 1 && !active)
                printf("Then run 'virt-name-cache rebuild --connect %s' to record the leases it "
                       "has.\n", o->uri);
out:
        xmlFree(out);
        xmlFreeDoc(doc);
        free(xml);
        return rc;
}

/* Does the definition XML name our lease helper or a hosts directory of
 * the store? */
static bool names_ours(const struct cmd_ctx *ctx, const char *xml, const char *helper)
{
        char root[PATH_MAX];

        return xml && ((strstr(xml, OPTION_PREFIX) && strstr(xml, helper)) ||
                       (virtname_hostsdir_path(virtname_store_dir(ctx->db_dir), NULL, root, sizeof(root)) == 0 &&
                        strstr(xml, HOSTSDIR_PREFIX) && strstr(xml, root)));
}

/* disable --all: every network whose definition (persistent or running)
 * names our lease helper or hosts directories. */
static int disable_all(const struct cmd_ctx *ctx, virConnectPtr conn, const struct opts *o)
{
        virNetworkPtr *nets = NULL;
        int n = virConnectListAllNetworks(conn, &nets, 0), rc = EXIT_OK, found = 0;

        if (n < 0) {
                cmd_error("cannot list the networks of %s: %s", o->uri, virtname_virt_error());
                return EXIT_LIBVIRT;
        }
        for (int i = 0; i < n; i++) {
                const char *name = virNetworkGetName(nets[i]);
                char *saved = virNetworkGetXMLDesc(nets[i], VIR_NETWORK_XML_INACTIVE);
                char *live = virNetworkIsActive(nets[i]) == 1 ? virNetworkGetXMLDesc(nets[i], 0) : NULL;
                bool ours = names_ours(ctx, saved, o->helper) || names_ours(ctx, live, o->helper);
                int one;

                free(saved);
                free(live);
                if (!ours)
                        continue;
                found++;
                if (virNetworkIsPersistent(nets[i]) != 1) {
                        cmd_warn("network %s is transient: its dnsmasq runs the lease helper until it stops",
                                 name);
                        continue;
                }
                one = change(ctx, conn, nets[i], name, o);
                if (one != EXIT_OK && rc == EXIT_OK)
                        rc = one;
        }
        for (int i = 0; i < n; i++)
                virNetworkFree(nets[i]);
        free(nets);
        if (!found)
                printf("no network of %s runs the lease helper\n", o->uri);
        return rc;
}

/* libvirt cannot be reached: the system's saved network definitions
 * (read only), to say which still name our files.  Returns how many. */
static int saved_ours(const struct cmd_ctx *ctx, const char *helper)
{
        DIR *d = opendir(LIBVIRT_NETWORKS_DIR);
        struct dirent *de;
        int n = 0;

        while (d && (de = readdir(d))) {
                char path[PATH_MAX], *xml;
                size_t len = strlen(de->d_name);

                if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0 ||
                    snprintf(path, sizeof(path), LIBVIRT_NETWORKS_DIR "/%s", de->d_name) >= (int)sizeof(path) ||
                    virtname_read_file_flags(path, 1 << 20, VIRTNAME_READ_NOFOLLOW, &xml, &len) < 0)
                        continue;
                if (names_ours(ctx, xml, helper)) {
                        cmd_error("network %.*s still names the lease helper or its hosts directory",
                                  (int)strlen(de->d_name) - 4, de->d_name);
                        n++;
                }
                free(xml);
        }
        if (d)
                closedir(d);
        return n;
}

static int run(int argc, char **argv, bool enable, const struct cmd_ctx *ctx)
{
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "helper", required_argument, NULL, 'H' },
                { "no-dns", no_argument, NULL, 'n' },
                { "no-restart", no_argument, NULL, 'R' },
                { "all", no_argument, NULL, 'a' },
                { "remember", no_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct opts o = { "qemu:///system", VIRTNAME_LIBEXECDIR "/lease-helper", enable, true, true, false };
        bool all = false;
        virConnectPtr conn;
        virNetworkPtr net;
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        o.uri = optarg;
                        break;
                case 'H':
                        o.helper = optarg;
                        break;
                case 'n':
                        o.dns = false;
                        break;
                case 'R':
                        o.restart = false;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'm':
                        o.remember = true;
                        break;
                case 'h':
                        usage(stdout, argv[0]);
                        return EXIT_OK;
                default:
                        usage(stderr, argv[0]);
                        return EXIT_USAGE;
                }
        }
        if (enable ? all || o.remember : !o.dns) {
                cmd_error("%s: %s is for %s only", argv[0], enable ? "--all/--remember" : "--no-dns",
                          enable ? "disable" : "enable");
                usage(stderr, argv[0]);
                return EXIT_USAGE;
        }
        if (argc - optind != (all ? 0 : 1)) {
                cmd_error("%s: give exactly one NETWORK%s", argv[0], enable ? "" : ", or --all");
                usage(stderr, argv[0]);
                return EXIT_USAGE;
        }

        conn = virtname_virt_open(o.uri, false);
        /* Nothing to restore where no saved definition names us (no
         * libvirt on this host, or none of its networks was enabled). */
        if (!conn && all && strcmp(o.uri, "qemu:///system") == 0) {
                char start[64];

                if (saved_ours(ctx, o.helper) == 0) {
                        printf("libvirt at %s is not reachable, and no saved network definition names the "
                               "lease helper\n", o.uri);
                        return EXIT_OK;
                }
                cmd_error("libvirt at %s is not reachable (%s): start libvirtd (%s), then run this again; "
                          "those networks cannot be restored without it", o.uri, virtname_virt_error(),
                          cmd_service("start", "libvirtd", start, sizeof(start)));
                return EXIT_LIBVIRT;
        }
        if (!conn) {
                cmd_error("cannot connect to libvirt at %s: %s", o.uri, virtname_virt_error());
                return EXIT_LIBVIRT;
        }
        if (all) {
                rc = disable_all(ctx, conn, &o);
        } else {
                net = virNetworkLookupByName(conn, argv[optind]);
                if (!net) {
                        cmd_error("network %s: %s", argv[optind], virtname_virt_error());
                        rc = EXIT_LIBVIRT;
                } else {
                        rc = change(ctx, conn, net, argv[optind], &o);
                        virNetworkFree(net);
                }
        }
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
