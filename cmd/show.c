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
                json_object_array_add(ifaces, i);
        }
        json_object_object_add(o, "interfaces", ifaces);
        return o;
}

json_object *show_lease_json(const struct virtname_lease_view *l, bool answering)
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
