/* show.c - opening the snapshot and formatting records for `list`
 * and `query`. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd/show.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"

int show_open(const struct cmd_ctx *ctx, struct show *s)
{
        const char *dir = virtname_store_dir(ctx->db_dir);
        int rc = virtname_snapshot_load(dir, NULL, &s->snap);

        if (rc == 0 && virtname_snapshot_view(s->snap, &s->view) < 0) {
                virtname_snapshot_unref(s->snap);
                rc = -EIO;
        }
        if (rc == 0)
                return EXIT_OK;
        s->snap = NULL;
        if (rc == -ENOENT || rc == -ENOTDIR)
                cmd_error("no snapshot in %s (after a reboot, run 'virt-name-cache publish' as root; "
                          "on a new host, 'virt-name-cache rebuild')", dir);
        else
                cmd_error("the snapshot in %s cannot be used: %s; run 'virt-name-cache rebuild' as "
                          "root", dir, virtname_snapshot_strerror(rc));
        return EXIT_STORE;
}

void show_close(struct show *s)
{
        if (!s->snap)
                return;
        virtname_view_end(&s->view);
        virtname_snapshot_unref(s->snap);
        s->snap = NULL;
}

const char *show_source(enum virtname_source src)
{
        switch (src) {
        case VIRTNAME_SRC_DOMAIN:
                return "libvirt domain name";
        case VIRTNAME_SRC_STATIC:
                return "static host of a network";
        case VIRTNAME_SRC_GUEST:
                return "host name a guest sent";
        default:
                return "none";
        }
}

const char *show_rank(enum virtname_rank rank)
{
        switch (rank) {
        case VIRTNAME_RANK_ADMIN:
                return "admin";
        case VIRTNAME_RANK_PORT:
                return "port";
        case VIRTNAME_RANK_AGENT:
                return "agent";
        default:
                return "claim";
        }
}

const char *show_addr(int family, const uint8_t *addr, char *buf, size_t cap)
{
        if (!inet_ntop(family, addr, buf, (socklen_t)cap))
                snprintf(buf, cap, "?");
        return buf;
}

const char *show_time(int64_t t, char *buf, size_t cap)
{
        time_t tt = (time_t)t;
        struct tm tm;

        if (t == 0)
                snprintf(buf, cap, "never");
        else if (!localtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                snprintf(buf, cap, "%lld", (long long)t);
        return buf;
}

const char *show_uuid(const uint8_t *u, char *buf, size_t cap)
{
        snprintf(buf, cap,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                 u[12], u[13], u[14], u[15]);
        return buf;
}

const char *show_state(enum virtname_domain_state s)
{
        switch (s) {
        case VIRTNAME_STATE_RUNNING:
                return "running";
        case VIRTNAME_STATE_SHUTOFF:
                return "shut off";
        default:
                return "unknown";
        }
}

const char *show_str(struct virtname_str s, char *buf, size_t cap)
{
        size_t n = s.len < cap - 1 ? s.len : cap - 1;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s.p[i];

                buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
        buf[n] = '\0';
        return buf;
}

static json_object *json_str(struct virtname_str s)
{
        return s.len ? json_object_new_string_len(s.p, (int)s.len) : NULL;
}

json_object *show_domain_json(const struct virtname_domain_view *d)
{
        json_object *o = json_object_new_object(), *ifaces = json_object_new_array();
        char buf[64];
        struct virtname_iface_view f;
        size_t pos = 0;

        json_object_object_add(o, "name", json_str(d->name));
        json_object_object_add(o, "uuid", d->has_uuid ?
                               json_object_new_string(show_uuid(d->uuid, buf, sizeof(buf))) : NULL);
        json_object_object_add(o, "id", d->id >= 0 ? json_object_new_int(d->id) : NULL);
        json_object_object_add(o, "state", json_object_new_string(show_state(d->state)));
        json_object_object_add(o, "cid", d->cid ? json_object_new_int64(d->cid) : NULL);
        json_object_object_add(o, "updated", json_object_new_int64(d->updated));
        while (virtname_domain_iface_next(d, &pos, &f)) {
                json_object *i = json_object_new_object();

                virtname_mac_format(f.mac, buf);
                json_object_object_add(i, "mac", json_object_new_string(buf));
                json_object_object_add(i, "network", json_str(f.network));
                json_object_object_add(i, "nwfilter", json_str(f.filter));
                json_object_object_add(i, "port", json_str(f.port));
                json_object_array_add(ifaces, i);
        }
        json_object_object_add(o, "interfaces", ifaces);
        return o;
}

/* The running owner of L's (network, MAC), or NULL. */
static const struct virtname_domain_view *running_owner(const struct virtname_view *v,
                                                        const struct virtname_lease_view *l,
                                                        struct virtname_domain_view *d)
{
        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC) || !l->network.len ||
            virtname_iface_owner(v, l->network, l->mac, d) < 0)
                return NULL;
        return d;
}

const char *show_evidence_word(const struct virtname_view *v, const struct virtname_lease_view *l)
{
        int rank = virtname_lease_rank(v, l);

        if (rank == VIRTNAME_RANK_ADMIN)
                return "admin";
        if (rank == VIRTNAME_RANK_PORT)
                return l->flags & VIRTNAME_LEASE_RELEASED ? "released" : "port";
        if (rank == VIRTNAME_RANK_AGENT)
                return "agent";
        if (!(l->flags & VIRTNAME_LEASE_HAS_MAC))
                return "none";
        if (l->flags & VIRTNAME_LEASE_OBSERVED)
                return "stale";
        return l->evidence == VIRTNAME_EV_SILENT ? "silent" : "claim";
}

const char *show_evidence(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now,
                          char *buf, size_t cap)
{
        struct virtname_domain_view d;
        const struct virtname_domain_view *owner = running_owner(v, l, &d);
        char port[64], when[32], until[32], name[VIRTNAME_NAME_MAX + 1];
        const char *w = show_evidence_word(v, l);

        show_str(l->port, port, sizeof(port));
        show_time(l->proved, when, sizeof(when));
        show_time(l->expiry, until, sizeof(until));
        if (strcmp(w, "admin") == 0)
                snprintf(buf, cap, "%s", l->flags & VIRTNAME_LEASE_STATIC
                                                 ? "a static host of the network (an administrator's)"
                                                 : "an administrator's address for the domain (its <metadata>)");
        else if (strcmp(w, "none") == 0)
                snprintf(buf, cap, "the guest's own claim (no MAC: a relayed or restored DHCP message)");
        else if (strcmp(w, "port") == 0 || strcmp(w, "released") == 0)
                snprintf(buf, cap, "its domain's port %s answered for it (%s)%s%s%s", port, when,
                         strcmp(w, "released") == 0 ? "; DHCP says released: the port is asked again" : "",
                         l->flags & VIRTNAME_LEASE_OBSERVED ? "; seen by the host, not leased: holds until " : "",
                         l->flags & VIRTNAME_LEASE_OBSERVED ? until : "");
        else if (strcmp(w, "agent") == 0)
                snprintf(buf, cap, "its domain's guest agent reported it (%s): the domain's own claim, never "
                         "pinned by the ssh proxy%s%s", when,
                         l->flags & VIRTNAME_LEASE_OBSERVED ? "; holds until " : "",
                         l->flags & VIRTNAME_LEASE_OBSERVED ? until : "");
        else if (strcmp(w, "stale") == 0)
                snprintf(buf, cap, "seen (or reported by a guest agent) in another run of %s, on another port, "
                         "or for a domain not running: not an address of its now",
                         owner ? show_str(owner->name, name, sizeof(name)) : "its domain");
        else if (!owner)
                snprintf(buf, cap, "a DHCP claim: no domain has this MAC on this network");
        else if (owner->state != VIRTNAME_STATE_RUNNING)
                snprintf(buf, cap, "a DHCP claim: domain %s is %s", show_str(owner->name, name, sizeof(name)),
                         owner->state == VIRTNAME_STATE_SHUTOFF ? "shut off"
                                                                : "not known to run (its port is not known)");
        else if (l->evidence == VIRTNAME_EV_SILENT && owner->id == l->proved_id)
                snprintf(buf, cap, "a DHCP claim: domain %s's port %s did not answer for it (asked %s): "
                         "another guest may have put this MAC in its DHCP request",
                         show_str(owner->name, name, sizeof(name)), port, when);
        else
                snprintf(buf, cap, "a DHCP claim: domain %s's port has not answered for it yet",
                         show_str(owner->name, name, sizeof(name)));
        (void)now;
        return buf;
}

const char *show_unanswered(const struct virtname_view *v, const struct virtname_lease_view *l, int64_t now)
{
        struct virtname_domain_view d;
        const struct virtname_domain_view *owner = running_owner(v, l, &d);
        struct virtname_network_view n;
        MDB_val k = { l->network.len, (void *)l->network.p }, data;

        if (!virtname_lease_current(l, now))
                return "expired";
        if (l->network.len && virtname_view_get(v, VIRTNAME_DB_NETWORKS, &k, &data) == 0 &&
            virtname_network_decode(data.mv_data, data.mv_size, &n) == 0 && !n.active)
                return "its network is stopped (kept for its next start)";
        if (owner && owner->state == VIRTNAME_STATE_SHUTOFF)
                return "its domain is shut off";
        return "another lease of the same MAC on the same network answers (the one its port answered "
               "for, or else the one asked for last)";
}

json_object *show_lease_json(const struct virtname_view *v, const struct virtname_lease_view *l, bool answering,
                             int64_t now)
{
        json_object *o = json_object_new_object();
        char buf[INET6_ADDRSTRLEN];

        json_object_object_add(o, "address",
                               json_object_new_string(show_addr(l->family, l->addr, buf, sizeof(buf))));
        json_object_object_add(o, "family", json_object_new_int(l->family == AF_INET6 ? 6 : 4));
        if (l->flags & VIRTNAME_LEASE_HAS_MAC) {
                virtname_mac_format(l->mac, buf);
                json_object_object_add(o, "mac", json_object_new_string(buf));
        } else {
                json_object_object_add(o, "mac", NULL);
        }
        json_object_object_add(o, "hostname", json_str(l->hostname));
        json_object_object_add(o, "network", json_str(l->network));
        json_object_object_add(o, "suffix", json_str(l->suffix));
        json_object_object_add(o, "expiry", json_object_new_int64(l->expiry));
        json_object_object_add(o, "static", json_object_new_boolean(l->flags & VIRTNAME_LEASE_STATIC));
        json_object_object_add(o, "answering", json_object_new_boolean(answering));
        json_object_object_add(o, "evidence", json_object_new_string(show_evidence_word(v, l)));
        json_object_object_add(o, "port", json_str(l->port));
        json_object_object_add(o, "asked", l->proved ? json_object_new_int64(l->proved) : NULL);
        json_object_object_add(o, "why_not_answering",
                               answering ? NULL : json_object_new_string(show_unanswered(v, l, now)));
        return o;
}

int show_json_print(json_object *doc)
{
        const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
        int rc = s && printf("%s\n", s) >= 0 ? EXIT_OK : EXIT_SYSTEM;

        json_object_put(doc);
        return rc;
}
