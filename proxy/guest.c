/* guest.c - which libvirt domain a host name means.
 *
 * qemu/GUEST, qemu:system/GUEST or qemu:session/GUEST, where GUEST is one
 * of the names libvirt gives a domain: its name, its UUID or its ID, as
 * libvirt's own ssh proxy reads them (qemu/ = system domains, then session
 * domains).  A host name a guest sent in DHCP is never one of them: the
 * guest chooses it, so it could claim another domain's name, UUID or ID.
 *
 * The store of the scope answers first; libvirt (read-only) when the
 * store lacks the domain, its VSOCK CID or its UUID.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "proxy/proxy.h"
#include "cache/read/lookup.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"
#include "cache/libvirt/virconn.h"
#include "cache/libvirt/virxml.h"

enum scope { SYSTEM, SESSION };

static bool valid_utf8(const unsigned char *s)
{
        while (*s) {
                int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
                                      : (*s & 0xf8) == 0xf0 ? 3 : -1;

                if (n < 0 || (n == 1 && *s < 0xc2))
                        return false;
                s++;
                for (; n > 0; n--, s++)
                        if ((*s & 0xc0) != 0x80)
                                return false;
        }
        return true;
}

/* qemu/NAME, qemu:system/NAME, qemu:session/NAME: 0, or
 * PROXY_EXIT_USAGE (said). */
static int parse_host(const char *host, enum scope scopes[2], int *n, const char **name)
{
        static const struct { const char *prefix; enum scope s[2]; int n; } forms[] = {
                { "qemu/", { SYSTEM, SESSION }, 2 },
                { "qemu:system/", { SYSTEM }, 1 },
                { "qemu:session/", { SESSION }, 1 },
        };

        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                size_t len = strlen(forms[i].prefix);

                if (strncmp(host, forms[i].prefix, len) != 0)
                        continue;
                *name = host + len;
                memcpy(scopes, forms[i].s, sizeof(forms[i].s));
                *n = forms[i].n;
                if (!**name)
                        return proxy_usage("bad host '%s': no guest name after '%s'", host,
                                           forms[i].prefix);
                if (strnlen(*name, VIRTNAME_NAME_MAX + 1) > VIRTNAME_NAME_MAX)
                        return proxy_usage("bad host: guest name longer than %d bytes",
                                           VIRTNAME_NAME_MAX);
                for (const unsigned char *p = (const unsigned char *)*name; *p; p++)
                        if (*p < 0x20 || *p == 0x7f || *p == '/')
                                return proxy_usage("bad host '%s': the guest name may not contain '/' "
                                                   "or control characters", host);
                if (!valid_utf8((const unsigned char *)*name))
                        return proxy_usage("bad host: the guest name is not valid UTF-8");
                return 0;
        }
        return proxy_usage("bad host '%s': expected qemu/GUEST, qemu:system/GUEST or "
                           "qemu:session/GUEST", host);
}

static const char *session_dir(char *buf, size_t cap)
{
        const char *dir = getenv("VIRT_NAME_CACHE_SESSION_DIR"), *state, *home;

        if (dir && *dir)
                return dir;
        state = getenv("XDG_STATE_HOME");
        home = getenv("HOME");
        if (state && *state)
                snprintf(buf, cap, "%s/virt-name-cache", state);
        else if (home && *home)
                snprintf(buf, cap, "%s/.local/state/virt-name-cache", home);
        else
                return NULL;
        return buf;
}

bool guest_pinnable(const struct guest *g)
{
        return g->cid != 0 || g->n_addrs > 0;
}

/* An address to connect to but not to trust a first host key from. */
static void add_claim_addr(struct guest *g, const struct virtname_addr *a)
{
        if (g->n_claims < GUEST_ADDRS_MAX)
                g->claims[g->n_claims++] = *a;
}

/* A current lease of one of the domain's (network, MAC) pairs that its
 * port has not answered for: only DHCP says it is the guest's. */
static int add_claim(const struct virtname_lease_view *l, bool answering, void *ctx)
{
        struct guest *g = ctx;

        if (answering) {
                struct virtname_addr a = { .family = l->family, .expiry = l->expiry };

                memcpy(a.addr, l->addr, 16);
                add_claim_addr(g, &a);
        }
        return 0;
}

/* Everything the proxy reads from a store, in this one function: the
 * domain WHAT names (domain name, UUID or ID: virtname_find_domain never
 * looks at guest-sent host names) and the current addresses of that
 * domain's own name.  Returns 0 with G filled in, -ENOENT, or another
 * -errno. */
static int store_lookup(const char *dir, const char *what, struct guest *g)
{
        static struct virtname_answer ans;      /* 2 KiB: off the stack */
        char key[VIRTNAME_NAME_MAX + 1];
        struct virtname_domain_view dom;
        struct virtname_snapshot *snap;
        struct virtname_view view;
        int rc = virtname_snapshot_load(dir, NULL, &snap);

        if (rc < 0) {
                proxy_say("%s: %s", dir, virtname_snapshot_strerror(rc));
                return rc;
        }
        rc = virtname_snapshot_view(snap, &view);
        if (rc < 0) {
                virtname_snapshot_unref(snap);
                return rc;
        }
        /* ssh lower-cases host names: a name that several domains have in
         * other cases cannot say which of them was meant. */
        rc = virtname_name_normalise(what, key) >= 0 && virtname_name_ambiguous(&view, key)
                     ? -ENOTUNIQ : virtname_find_domain(&view, what, &dom);
        if (rc == 0) {
                snprintf(g->domain, sizeof(g->domain), "%.*s", (int)dom.name.len, dom.name.p);
                g->has_uuid = dom.has_uuid;
                if (dom.has_uuid)
                        memcpy(g->uuid, dom.uuid, sizeof(g->uuid));
                g->cid = dom.cid;
                g->running_known = dom.state != VIRTNAME_STATE_UNKNOWN;
                g->running = dom.state == VIRTNAME_STATE_RUNNING;
                /* A domain name resolves to the leases of its own
                 * (network, MAC) pairs only; the source makes sure of it.
                 * What its port answered for or an administrator gave it
                 * may pin a host key; what its guest agent says is its
                 * claim, to connect to only (virt-name-cache(1), NAME RULES). */
                if (virtname_resolve(&view, g->domain, AF_UNSPEC, (int64_t)time(NULL), &ans) == 0 &&
                    ans.known && ans.source == VIRTNAME_SRC_DOMAIN)
                        for (size_t i = 0; i < ans.n; i++) {
                                if (ans.addr[i].rank < VIRTNAME_RANK_PORT)
                                        add_claim_addr(g, &ans.addr[i]);
                                else if (g->n_addrs < GUEST_ADDRS_MAX)
                                        g->addrs[g->n_addrs++] = ans.addr[i];
                        }
                /* None its ports answered for: what DHCP says, to connect
                 * to but never to trust a first host key from. */
                if (g->n_addrs == 0 && g->n_claims == 0 && g->running) {
                        struct virtname_iface_view f;
                        size_t pos = 0;

                        while (virtname_domain_iface_next(&dom, &pos, &f))
                                if (f.network.len)
                                        virtname_iface_leases(&view, f.network, f.mac, (int64_t)time(NULL), add_claim,
                                                              g);
                }
        } else if (rc != -ENOENT) {
                proxy_say("%s: %s", dir, strerror(-rc));
        }
        virtname_view_end(&view);
        virtname_snapshot_unref(snap);
        return rc;
}

/* ssh lower-cases host names, libvirt's names are case-sensitive: the one
 * domain whose name is NAME in another case.  Several (MyVM and MYVM for
 * myvm) is no answer: *AMBIGUOUS is set. */
static virDomainPtr lookup_any_case(virConnectPtr conn, const char *name, bool *ambiguous)
{
        virDomainPtr *doms = NULL, found = NULL;
        int n = virConnectListAllDomains(conn, &doms, 0);

        for (int i = 0; i < n; i++) {
                if (strcasecmp(virDomainGetName(doms[i]), name) != 0) {
                        virDomainFree(doms[i]);
                } else if (!found) {
                        found = doms[i];
                } else {
                        *ambiguous = true;
                        virDomainFree(doms[i]);
                }
        }
        free(doms);
        if (found && *ambiguous) {
                virDomainFree(found);
                found = NULL;
        }
        return found;
}

static bool parse_id(const char *s, int *id)
{
        long v = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                v = v * 10 + (*s - '0');
                if (v > INT32_MAX)
                        return false;
        }
        *id = (int)v;
        return true;
}

/* The domain WHAT names at CONN: name, the name in any case, UUID, ID. */
static virDomainPtr lookup_alias(virConnectPtr conn, const char *what, bool *ambiguous)
{
        uint8_t uuid[VIRTNAME_UUID_LEN];
        /* In any case first: ssh lower-cases host names, so an exact match
         * says nothing when another domain has the name in another case. */
        virDomainPtr dom = lookup_any_case(conn, what, ambiguous);
        int id;
        if (!dom && !*ambiguous && virtname_uuid_parse(what, uuid))
                dom = virDomainLookupByUUID(conn, uuid);
        if (!dom && !*ambiguous && parse_id(what, &id))
                dom = virDomainLookupByID(conn, id);
        return dom;
}

static void uuid_format(const uint8_t *u, char out[GUEST_UUID_TEXT])
{
        snprintf(out, GUEST_UUID_TEXT,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                 u[12], u[13], u[14], u[15]);
}

void guest_uuid_text(const struct guest *g, char out[GUEST_UUID_TEXT])
{
        uuid_format(g->uuid, out);
}

/* Ask libvirt (read-only) about the guest.  KNOWN: the store has it (G
 * holds its name and maybe its UUID), and libvirt must not contradict the
 * UUID.  Returns 0 with G filled in, -ENOENT (libvirt does not know it or
 * cannot be asked; nothing said), or EXIT_FAILURE when the guest cannot
 * be told for sure (said). */
static int from_libvirt(enum scope scope, struct guest *g, bool known)
{
        const char *uri = getenv("VIRT_NAME_CACHE_LIBVIRT_URI");
        char err[256], a[GUEST_UUID_TEXT], b[GUEST_UUID_TEXT], *xml;
        uint8_t uuid[VIR_UUID_BUFLEN];
        struct virtname_xml_domain x;
        virDomainPtr dom = NULL;
        bool ambiguous = false;
        virConnectPtr conn;
        int rc = 0;

        if (!uri || !*uri)
                uri = scope == SYSTEM ? "qemu:///system" : "qemu:///session";
        conn = virtname_virt_open(uri, true);
        if (!conn) {
                proxy_say("libvirt at %s: %s", uri, virtname_virt_error());
                return -ENOENT;
        }
        /* The store's domain by its UUID, else by its exact name (to
         * catch a store that missed a recreation); else the alias. */
        if (known && g->has_uuid)
                dom = virDomainLookupByUUID(conn, g->uuid);
        if (known && !dom)
                dom = virDomainLookupByName(conn, g->domain);
        if (!known)
                dom = lookup_alias(conn, g->name, &ambiguous);
        if (!dom) {
                if (ambiguous)
                        rc = proxy_die("guest name '%s' matches several domains at %s that "
                                       "differ only in case: use its UUID", g->name, uri);
                else
                        proxy_say("%s: not known to libvirt at %s", g->name, uri);
                virConnectClose(conn);
                return ambiguous ? rc : -ENOENT;
        }
        if (virDomainGetUUID(dom, uuid) < 0) {
                rc = proxy_die("guest %s: libvirt at %s cannot say its UUID: %s",
                               virDomainGetName(dom), uri, virtname_virt_error());
                goto out;
        }
        if (known && g->has_uuid && memcmp(uuid, g->uuid, sizeof(g->uuid)) != 0) {
                uuid_format(g->uuid, a);
                uuid_format(uuid, b);
                rc = proxy_die("guest %s: %s says UUID %s, libvirt at %s says %s: refusing "
                               "to guess (virt-name-cache rebuild updates the store)",
                               g->domain, g->where, a, uri, b);
                goto out;
        }
        memcpy(g->uuid, uuid, sizeof(g->uuid));
        g->has_uuid = true;
        snprintf(g->domain, sizeof(g->domain), "%s", virDomainGetName(dom));
        g->running_known = true;
        g->running = virDomainIsActive(dom) == 1;
        xml = g->running ? virDomainGetXMLDesc(dom, 0) : NULL;
        if (xml && virtname_xml_parse_domain(xml, strlen(xml), &x, err, sizeof(err)) == 0) {
                g->cid = x.d.cid;
                virtname_xml_domain_free(&x);
        }
        free(xml);
        if (!g->where[0])
                snprintf(g->where, sizeof(g->where), "libvirt at %s", uri);
        proxy_say("%s: from libvirt at %s: %s, CID %u", g->domain, uri,
                  g->running ? "running" : "not running", (unsigned)g->cid);
out:
        virDomainFree(dom);
        virConnectClose(conn);
        return rc;
}

/* The store directory of SCOPE (SBUF holds it), or NULL. */
static const char *scope_dir(enum scope scope, char *sbuf, size_t cap)
{
        return scope == SYSTEM ? virtname_store_dir(NULL) : session_dir(sbuf, cap);
}

/* Does the store of SCOPE know a domain WHAT names?  (For messages.) */
static bool in_store(enum scope scope, const char *what)
{
        struct guest other;
        char sbuf[PATH_MAX];
        const char *dir = scope_dir(scope, sbuf, sizeof(sbuf));
        bool verbose = proxy_verbose;
        int rc;

        memset(&other, 0, sizeof(other));
        proxy_verbose = false;
        rc = dir ? store_lookup(dir, what, &other) : -ENOENT;
        proxy_verbose = verbose;
        return rc == 0;
}

int guest_find(const char *host, struct guest *g)
{
        enum scope scopes[2];
        char sbuf[PATH_MAX];
        const char *name = NULL, *dir;
        int n = 0, rc;

        memset(g, 0, sizeof(*g));
        if ((rc = parse_host(host, scopes, &n, &name)))
                return rc;
        g->name = name;
        for (int i = 0; i < n; i++) {
                /* libvirt answers qemu:///session with the system's guests
                 * when root asks: root's session guests are only those of
                 * a session store it keeps. */
                bool known = false, ask = !(scopes[i] == SESSION && geteuid() == 0);

                dir = scope_dir(scopes[i], sbuf, sizeof(sbuf));
                rc = dir ? store_lookup(dir, name, g) : -ENOENT;
                if (rc == -ENOTUNIQ)
                        return proxy_die("guest name '%s' matches several domains in %s that differ only in "
                                         "case (ssh lower-cases host names): use its UUID or ID", name, dir);
                if (rc == 0) {
                        known = true;
                        snprintf(g->where, sizeof(g->where), "the store in %s", dir);
                }
                /* The store answers for a guest whose UUID it knows and
                 * whether it runs, with a way to reach it (a running guest
                 * without a CID has no VSOCK device): no libvirt
                 * connection on the way to the guest. */
                if (ask && (!known || !g->has_uuid || !g->running_known ||
                            (!g->cid && !g->n_addrs && !g->n_claims))) {
                        rc = from_libvirt(scopes[i], g, known);
                        if (rc > 0)
                                return rc;
                        known = known || rc == 0;
                }
                if (known)
                        return 0;
        }
        if (n == 1 && scopes[0] == SESSION && geteuid() == 0)
                return proxy_die("unknown guest '%s' among root's session guests (libvirt has none "
                                 "for root: its qemu:///session is the system's): use qemu/%s or "
                                 "qemu:system/%s", name, name, name);
        /* Known in the other scope: say which host name reaches it. */
        if (n == 1 && in_store(scopes[0] == SYSTEM ? SESSION : SYSTEM, name))
                return proxy_die("unknown guest '%s' at %s; %s has one of that name: use qemu:%s/%s", name,
                                 scopes[0] == SYSTEM ? "qemu:///system" : "qemu:///session",
                                 scopes[0] == SYSTEM ? "your session" : "the system",
                                 scopes[0] == SYSTEM ? "session" : "system", name);
        return proxy_die("unknown guest '%s'", name);
}
