/* resolved.c - a network's DNS domain registered with systemd-resolved
 * over D-Bus (resolved.h says what and why). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "cache/derive/resolved.h"
#include "cache/write/fileio.h"

#define RESOLVE1 "org.freedesktop.resolve1"
#define RESOLVE1_PATH "/org/freedesktop/resolve1"
#define RESOLVE1_MANAGER RESOLVE1 ".Manager"
#define RESOLVE1_LINK RESOLVE1 ".Link"

const char resolved_not_local_only[] = "its domain is not localOnly='yes': its dnsmasq would send "
        "unknown names in it back to systemd-resolved, a loop";

struct resolved {
        sd_bus *bus;
        uint64_t deadline;      /* CLOCK_MONOTONIC, microseconds */
};

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Microseconds left before the deadline, 0 when it has passed. */
static uint64_t left(const struct resolved *r)
{
        uint64_t now = now_usec();

        return now < r->deadline ? r->deadline - now : 0;
}

int resolved_link_of(const struct virtname_xml_network *net, struct resolved_link *l, const char **why)
{
        memset(l, 0, sizeof(*l));
        l->network = net->name;
        l->bridge = net->bridge;
        l->domain = net->suffix;
        if (!net->suffix)
                *why = "no DNS domain";
        else if (net->dns_off)
                *why = "its DNS is turned off (<dns enable='no'/>)";
        else if (!net->domain_local)
                *why = resolved_not_local_only;
        else if (!net->bridge)
                *why = "no bridge";
        else if (net->n_addrs == 0)
                *why = "no IP address";
        else
                *why = NULL;
        if (*why)
                return 0;
        /* IPv4 first: the server resolved tries first. */
        for (int family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0)
                for (size_t i = 0; i < net->n_addrs; i++)
                        if (net->addrs[i].family == family && l->n_servers < 2)
                                l->servers[l->n_servers++] = net->addrs[i];
        l->ifindex = (int)if_nametoindex(net->bridge);
        return 1;
}

bool resolved_enabled(const char **file)
{
        const char *path = secure_getenv(VIRTNAME_RESOLVED_CONF_ENV);
        char word[16] = "";
        FILE *f;

        *file = path && *path ? path : VIRTNAME_RESOLVED_CONF;
        f = virtname_open_file(*file, 4096, 0);
        if (!f)
                return errno == ENOENT;
        if (fscanf(f, "%15s", word) != 1)
                word[0] = '\0';
        fclose(f);
        return strcasecmp(word, "yes") == 0;
}

/* "what: why" into MSG; returns RC. */
static int say(char *msg, size_t msglen, int rc, const char *what, const sd_bus_error *e)
{
        snprintf(msg, msglen, "%s: %s", what, rc == -ETIMEDOUT ? "no answer in time" :
                 e && e->message ? e->message : strerror(-rc));
        return rc;
}

/* A method call to DEST with auto-start off: a resolved the administrator
 * stopped or disabled must not be started by us. */
static int new_call(struct resolved *r, sd_bus_message **m, const char *dest, const char *path,
                    const char *iface, const char *member)
{
        int rc = sd_bus_message_new_method_call(r->bus, m, dest, path, iface, member);

        if (rc >= 0)
                rc = sd_bus_message_set_auto_start(*m, 0);
        return rc;
}

/* Send M, wait for the reply within what is left of the deadline. */
static int call(struct resolved *r, sd_bus_message *m, sd_bus_error *e, sd_bus_message **reply)
{
        uint64_t usec = left(r);

        if (usec == 0)
                return -ETIMEDOUT;
        return sd_bus_call(r->bus, m, usec, e, reply);
}

/* Authentication and Hello, within the deadline (sd_bus_call would wait
 * for them with sd-bus's own 25 s timeout). */
static int wait_ready(struct resolved *r)
{
        int rc;

        while ((rc = sd_bus_is_ready(r->bus)) == 0) {
                uint64_t usec;

                rc = sd_bus_process(r->bus, NULL);
                if (rc < 0)
                        return rc;
                if (rc > 0)
                        continue;
                usec = left(r);
                if (usec == 0)
                        return -ETIMEDOUT;
                rc = sd_bus_wait(r->bus, usec);
                if (rc < 0)
                        return rc;
        }
        return rc < 0 ? rc : 0;
}

void resolved_close(struct resolved *r)
{
        if (!r)
                return;
        sd_bus_close_unref(r->bus);     /* no flush: nothing of ours is unsent */
        free(r);
}

int resolved_open(struct resolved **out, unsigned timeout_ms, char *msg, size_t msglen)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        struct resolved *r = calloc(1, sizeof(*r));
        int rc, owned = 0;

        *out = NULL;
        if (!r)
                return say(msg, msglen, -ENOMEM, "systemd-resolved", NULL);
        r->deadline = now_usec() + (uint64_t)timeout_ms * 1000;
        rc = sd_bus_open_system(&r->bus);
        if (rc == -ENOENT || rc == -ECONNREFUSED) {
                snprintf(msg, msglen, "no system bus (%s): systemd-resolved not asked", strerror(-rc));
                rc = 0;
                goto out;
        }
        if (rc >= 0)
                rc = wait_ready(r);
        if (rc < 0) {
                say(msg, msglen, rc, "the system bus", NULL);
                goto out;
        }
        rc = new_call(r, &m, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                      "NameHasOwner");
        if (rc >= 0)
                rc = sd_bus_message_append(m, "s", RESOLVE1);
        if (rc >= 0)
                rc = call(r, m, &e, &reply);
        if (rc >= 0)
                rc = sd_bus_message_read(reply, "b", &owned);
        if (rc < 0) {
                say(msg, msglen, rc, "the system bus: NameHasOwner", &e);
                goto out;
        }
        if (!owned)
                snprintf(msg, msglen, "systemd-resolved is not running");
        rc = owned ? 1 : 0;
out:
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        if (rc > 0)
                *out = r;
        else
                resolved_close(r);
        return rc;
}

/* Manager.MEMBER(IFINDEX, ...): the rest of the arguments from L for
 * SetLinkDNS and SetLinkDomains, false for SetLinkDefaultRoute; the reply
 * in *REPLY when REPLY is not NULL. */
static int manager_call(struct resolved *r, const char *member, int ifindex, const struct resolved_link *l,
                        sd_bus_error *e, sd_bus_message **reply)
{
        sd_bus_message *m = NULL, *rep = NULL;
        int rc = new_call(r, &m, RESOLVE1, RESOLVE1_PATH, RESOLVE1_MANAGER, member);

        if (rc >= 0)
                rc = sd_bus_message_append(m, "i", ifindex);
        if (rc >= 0 && strcmp(member, "SetLinkDNS") == 0) {
                rc = sd_bus_message_open_container(m, 'a', "(iay)");
                for (size_t i = 0; rc >= 0 && i < l->n_servers; i++) {
                        rc = sd_bus_message_open_container(m, 'r', "iay");
                        if (rc >= 0)
                                rc = sd_bus_message_append(m, "i", l->servers[i].family);
                        if (rc >= 0)
                                rc = sd_bus_message_append_array(m, 'y', l->servers[i].addr,
                                                                 l->servers[i].family == AF_INET ? 4 : 16);
                        if (rc >= 0)
                                rc = sd_bus_message_close_container(m);
                }
                if (rc >= 0)
                        rc = sd_bus_message_close_container(m);
        } else if (rc >= 0 && strcmp(member, "SetLinkDomains") == 0) {
                rc = sd_bus_message_append(m, "a(sb)", 1, l->domain, 1);       /* 1: routing only */
        } else if (rc >= 0 && strcmp(member, "SetLinkDefaultRoute") == 0) {
                rc = sd_bus_message_append(m, "b", 0);
        }
        if (rc >= 0)
                rc = call(r, m, e, &rep);
        sd_bus_message_unref(m);
        if (reply)
                *reply = rep;
        else
                sd_bus_message_unref(rep);
        return rc;
}

int resolved_set(struct resolved *r, const struct resolved_link *l, char *msg, size_t msglen)
{
        static const char *const members[] = { "SetLinkDNS", "SetLinkDomains", "SetLinkDefaultRoute" };
        int rc = 0;

        if (l->ifindex <= 0)
                return say(msg, msglen, -ENODEV, l->bridge, NULL);
        for (size_t i = 0; rc >= 0 && i < sizeof(members) / sizeof(members[0]); i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;

                rc = manager_call(r, members[i], l->ifindex, l, &e, NULL);
                /* Before systemd 240 there is no DefaultRoute: with only a
                 * routing domain the link is no default route anyway. */
                if (rc < 0 && i == 2 && sd_bus_error_has_name(&e, SD_BUS_ERROR_UNKNOWN_METHOD))
                        rc = 0;
                if (rc < 0)
                        say(msg, msglen, rc, members[i], &e);
                sd_bus_error_free(&e);
        }
        return rc;
}

int resolved_revert(struct resolved *r, int ifindex, char *msg, size_t msglen)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int rc = manager_call(r, "RevertLink", ifindex, NULL, &e, NULL);

        if (rc < 0 && sd_bus_error_has_name(&e, RESOLVE1 ".NoSuchLink"))
                rc = 0;         /* the link is gone, and its settings with it */
        else if (rc < 0)
                say(msg, msglen, rc, "RevertLink", &e);
        else
                rc = 1;
        sd_bus_error_free(&e);
        return rc;
}

/* Link property NAME of link object PATH, entered as a variant of TYPE. */
static int get_property(struct resolved *r, const char *path, const char *name, const char *type,
                        sd_bus_error *e, sd_bus_message **reply)
{
        sd_bus_message *m = NULL;
        int rc = new_call(r, &m, RESOLVE1, path, "org.freedesktop.DBus.Properties", "Get");

        *reply = NULL;
        if (rc >= 0)
                rc = sd_bus_message_append(m, "ss", RESOLVE1_LINK, name);
        if (rc >= 0)
                rc = call(r, m, e, reply);
        if (rc >= 0)
                rc = sd_bus_message_enter_container(*reply, 'v', type);
        sd_bus_message_unref(m);
        return rc;
}

/* Append S to the list in BUF. */
static void add(char *buf, size_t len, const char *s)
{
        size_t n = strlen(buf);

        snprintf(buf + n, len - n, "%s%s", n ? " " : "", s);
}

int resolved_compare(struct resolved *r, const struct resolved_link *l, char *msg, size_t msglen)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path, *what = "GetLink";
        char servers[256] = "", domains[512] = "";
        bool found[2] = { false, false }, domain = false;
        int rc, family, routing, default_route = 0;

        if (l->ifindex <= 0)
                return say(msg, msglen, -ENODEV, l->bridge, NULL);
        rc = manager_call(r, "GetLink", l->ifindex, NULL, &e, &reply);
        if (rc < 0 && sd_bus_error_has_name(&e, RESOLVE1 ".NoSuchLink")) {
                snprintf(msg, msglen, "systemd-resolved does not know link %s", l->bridge);
                rc = 0;
                goto out;
        }
        if (rc >= 0)
                rc = sd_bus_message_read(reply, "o", &path);
        if (rc < 0)
                goto fail;
        /* PATH lives in REPLY: keep it until the end. */
        {
                sd_bus_message *p = NULL;

                what = "DNS";
                rc = get_property(r, path, "DNS", "a(iay)", &e, &p);
                if (rc >= 0)
                        rc = sd_bus_message_enter_container(p, 'a', "(iay)");
                while (rc >= 0 && (rc = sd_bus_message_enter_container(p, 'r', "iay")) > 0) {
                        const void *a;
                        size_t n;
                        char s[INET6_ADDRSTRLEN];

                        rc = sd_bus_message_read(p, "i", &family);
                        if (rc >= 0)
                                rc = sd_bus_message_read_array(p, 'y', &a, &n);
                        if (rc >= 0)
                                rc = sd_bus_message_exit_container(p);
                        if (rc < 0 || n != (family == AF_INET ? 4u : 16u))
                                break;
                        for (size_t i = 0; i < l->n_servers; i++)
                                found[i] |= l->servers[i].family == family &&
                                            memcmp(l->servers[i].addr, a, n) == 0;
                        add(servers, sizeof(servers), inet_ntop(family, a, s, sizeof(s)) ? s : "?");
                }
                sd_bus_message_unref(p);
                if (rc < 0)
                        goto fail;

                what = "Domains";
                rc = get_property(r, path, "Domains", "a(sb)", &e, &p);
                if (rc >= 0)
                        rc = sd_bus_message_enter_container(p, 'a', "(sb)");
                while (rc >= 0) {
                        const char *d;
                        char s[300];

                        rc = sd_bus_message_read(p, "(sb)", &d, &routing);
                        if (rc <= 0)
                                break;
                        domain |= strcasecmp(d, l->domain) == 0;
                        snprintf(s, sizeof(s), "%s%s", routing ? "~" : "", d);
                        add(domains, sizeof(domains), s);
                }
                sd_bus_message_unref(p);
                if (rc < 0)
                        goto fail;

                /* Before systemd 240 there is no DefaultRoute. */
                what = "DefaultRoute";
                rc = get_property(r, path, "DefaultRoute", "b", &e, &p);
                if (rc >= 0)
                        rc = sd_bus_message_read(p, "b", &default_route);
                sd_bus_message_unref(p);
                if (rc < 0 && sd_bus_error_has_name(&e, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                        rc = 0;
                if (rc < 0)
                        goto fail;
        }
        rc = domain && found[0] && (l->n_servers < 2 || found[1]) && !default_route;
        snprintf(msg, msglen, "DNS servers: %s; domains: %s%s", servers[0] ? servers : "none",
                 domains[0] ? domains : "none", default_route ? "; a default route for all names" : "");
        goto out;
fail:
        say(msg, msglen, rc, what, &e);
out:
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        return rc;
}

/* "198.18.7.1 2001:db8::1" */
static void servers_text(const struct resolved_link *l, char *buf, size_t len)
{
        buf[0] = '\0';
        for (size_t i = 0; i < l->n_servers; i++) {
                char s[INET6_ADDRSTRLEN];

                add(buf, len, inet_ntop(l->servers[i].family, l->servers[i].addr, s, sizeof(s)) ? s : "?");
        }
}

void resolved_hook_started(const struct virtname_xml_network *net)
{
        struct resolved_link l;
        struct resolved *r;
        const char *why, *file;
        char msg[512], servers[128];
        uint64_t t0;
        int rc;

        if (!resolved_link_of(net, &l, &why)) {
                syslog(LOG_DEBUG, "network %s: nothing for systemd-resolved: %s", net->name, why);
                return;
        }
        if (!resolved_enabled(&file)) {
                syslog(LOG_DEBUG, "network %s: systemd-resolved not asked: turned off in %s", net->name, file);
                return;
        }
        if (l.ifindex <= 0) {
                syslog(LOG_WARNING, "network %s: bridge %s does not exist: not registered with "
                       "systemd-resolved", net->name, net->bridge);
                return;
        }
        t0 = now_usec();
        rc = resolved_open(&r, RESOLVED_HOOK_TIMEOUT_MS, msg, sizeof(msg));
        if (rc <= 0) {
                syslog(rc < 0 ? LOG_WARNING : LOG_DEBUG, "network %s: %s (%.1f ms)", net->name, msg,
                       (double)(now_usec() - t0) / 1000);
                return;
        }
        rc = resolved_set(r, &l, msg, sizeof(msg));
        resolved_close(r);
        servers_text(&l, servers, sizeof(servers));
        if (rc < 0)
                syslog(LOG_WARNING, "network %s: cannot give systemd-resolved the DNS settings of %s "
                       "(names in %s to %s): %s", net->name, l.bridge, l.domain, servers, msg);
        else
                syslog(LOG_INFO, "network %s: systemd-resolved sends names in %s to %s on %s (%.1f ms)",
                       net->name, l.domain, servers, l.bridge, (double)(now_usec() - t0) / 1000);
}

void resolved_hook_stopped(const struct virtname_xml_network *net)
{
        struct resolved_link l;
        struct resolved *r;
        const char *why, *file;
        char msg[512];
        int rc;

        /* Only a link we registered: never another bridge's settings (a
         * network in bridge mode has no address, and none of ours). */
        if (!resolved_link_of(net, &l, &why) || l.ifindex <= 0 || !resolved_enabled(&file))
                return;         /* libvirt deleted the bridge: its settings went with it */
        rc = resolved_open(&r, RESOLVED_HOOK_TIMEOUT_MS, msg, sizeof(msg));
        if (rc <= 0) {
                syslog(rc < 0 ? LOG_WARNING : LOG_DEBUG, "network %s: %s", net->name, msg);
                return;
        }
        rc = resolved_revert(r, l.ifindex, msg, sizeof(msg));
        resolved_close(r);
        if (rc < 0)
                syslog(LOG_WARNING, "network %s: systemd-resolved: %s", net->name, msg);
        else if (rc > 0)
                syslog(LOG_INFO, "network %s: systemd-resolved settings of %s reverted", net->name, l.bridge);
}
