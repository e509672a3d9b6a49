/* from-leasefiles.c - importing libvirt's dnsmasq state directory:
 * NETWORK.conf (bridge and DNS domain), BRIDGE.status (leases, JSON) and
 * BRIDGE.macs (domain MACs, JSON). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/read/lookup.h"
#include "cache/ingest/lease.h"
#include "cache/ingest/prior.h"
#include "cache/read/names.h"
#include "cache/ingest/sources.h"
#include "cache/write/fileio.h"
#include "cache/write/grow.h"

/* libvirt's files for 100,000 guests are ~15 MB; refuse absurd ones. */
#define MAX_FILE_SIZE ((size_t)256 << 20)
/* libvirt's NETWORK.conf is a few hundred bytes. */
#define MAX_CONF_SIZE ((size_t)1 << 20)
/* A domain with more NICs than this is recorded with the first ones. */
#define MAX_IFACES 64

struct import {
        struct virtname_writer *w;
        const char *dir;
        virtname_warn_fn warn;
        struct virtname_import_stats *st;
        int64_t now;
};

/* A network as its .conf file describes it. */
struct net {
        char name[NAME_MAX + 1];
        char bridge[NAME_MAX + 1];
        char suffix[VIRTNAME_NAME_MAX + 1];
};

static bool has_suffix(const char *name, const char *suffix, size_t *stem)
{
        size_t n = strlen(name), s = strlen(suffix);

        if (n <= s || strcmp(name + n - s, suffix) != 0)
                return false;
        *stem = n - s;
        return true;
}

/* A string member of OBJ, NULL when absent; -EBADMSG when not a string. */
static int get_string(json_object *obj, const char *key, const char **out)
{
        json_object *v;

        *out = NULL;
        if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        *out = json_object_get_string(v);
        return 0;
}

/* NETWORK.conf: libvirt writes interface= and domain= lines. */
static int read_conf(struct import *im, const char *path, struct net *n)
{
        char line[1024];
        FILE *f = virtname_open_file(path, MAX_CONF_SIZE, VIRTNAME_READ_NOFOLLOW);

        if (!f) {
                int rc = -errno;

                virtname_import_warn(im->warn, "%s: %s", path, virtname_read_strerror(rc));
                return rc;
        }
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (strncmp(line, "interface=", 10) == 0)
                        snprintf(n->bridge, sizeof(n->bridge), "%.*s",
                                 (int)sizeof(n->bridge) - 1, line + 10);
                else if (strncmp(line, "domain=", 7) == 0) {
                        /* "domain=lab.test" or "domain=lab.test,198.18.0.0/24,local" */
                        line[7 + strcspn(line + 7, ",")] = '\0';
                        if (virtname_hostname_valid(line + 7))
                                virtname_name_normalise(line + 7, n->suffix);
                        else
                                virtname_import_warn(im->warn, "%s: ignoring invalid domain '%s'", path, line + 7);
                }
        }
        fclose(f);
        return 0;
}

static int import_lease(struct import *im, const char *path, size_t idx,
                        json_object *e, const struct net *n)
{
        struct virtname_lease_input in = { 0 };
        struct virtname_prior kept;
        struct virtname_lease l;
        const char *why, *dropped;
        json_object *exp;
        int rc;

        if (!json_object_is_type(e, json_type_object) ||
            get_string(e, "ip-address", &in.address) < 0 || get_string(e, "mac-address", &in.mac) < 0 ||
            get_string(e, "hostname", &in.hostname) < 0 || get_string(e, "client-id", &in.clientid) < 0 ||
            get_string(e, "iaid", &in.iaid) < 0 || !in.address ||
            !json_object_object_get_ex(e, "expiry-time", &exp) ||
            !json_object_is_type(exp, json_type_int)) {
                virtname_import_warn(im->warn, "%s: entry %zu: not a lease (needs string ip-address, integer expiry-time)",
                      path, idx);
                return -EBADMSG;
        }
        in.expiry = json_object_get_int64(exp);
        if (virtname_lease_from_input(&in, &l, &why, &dropped) < 0) {
                virtname_import_warn(im->warn, "%s: entry %zu: %s '%.64s'", path, idx, why,
                                     strcmp(why, "invalid MAC") == 0 ? in.mac
                                     : strcmp(why, "invalid address") == 0 ? in.address : "");
                return -EBADMSG;
        }
        if (dropped)
                virtname_import_warn(im->warn, "%s: entry %zu (%s): ignoring %s host name", path, idx,
                                     in.address, dropped);
        if (l.expiry != 0 && l.expiry <= im->now)
                return 0;       /* expired: nothing to keep */
        l.network = n->name;
        l.suffix = n->suffix[0] ? n->suffix : NULL;
        virtname_prior_lease(im->w, &l, &kept);
        rc = virtname_writer_put_lease(im->w, &l);
        if (rc < 0)
                return rc;
        im->st->leases++;
        return 0;
}

static bool seen_mac(const struct virtname_iface *ifaces, size_t n, const uint8_t *mac)
{
        for (size_t i = 0; i < n; i++)
                if (memcmp(ifaces[i].mac, mac, VIRTNAME_MAC_LEN) == 0)
                        return true;
        return false;
}

/* Merge the MACs of one .macs entry into the domain (a domain with NICs
 * on several networks appears in several files). */
static int import_domain(struct import *im, const char *path, size_t idx,
                         json_object *e, const struct net *n)
{
        struct virtname_iface ifaces[MAX_IFACES];
        char nets[MAX_IFACES][NAME_MAX + 1];   /* networks of ifaces read back */
        char key[VIRTNAME_NAME_MAX + 1];
        struct virtname_domain_view old;
        struct virtname_domain d = { .id = -1 };
        json_object *macs;
        const char *name;
        size_t n_ifaces = 0, pos = 0;
        int len, rc;

        if (!json_object_is_type(e, json_type_object) || get_string(e, "domain", &name) < 0 ||
            !name || !json_object_object_get_ex(e, "macs", &macs) ||
            !json_object_is_type(macs, json_type_array)) {
                virtname_import_warn(im->warn, "%s: entry %zu: needs a string 'domain' and an array 'macs'", path, idx);
                return -EBADMSG;
        }
        len = virtname_name_normalise(name, key);
        if (len < 0) {
                virtname_import_warn(im->warn, "%s: entry %zu: invalid domain name", path, idx);
                return -EBADMSG;
        }
        /* The domain's MACs from files read before, with their networks. */
        rc = virtname_get_domain(virtname_writer_view(im->w), &(MDB_val){ (size_t)len, key }, &old);
        if (rc == 0) {
                struct virtname_iface_view f;

                while (n_ifaces < MAX_IFACES && virtname_domain_iface_next(&old, &pos, &f)) {
                        snprintf(nets[n_ifaces], sizeof(nets[0]), "%.*s", (int)f.network.len, f.network.p);
                        memcpy(ifaces[n_ifaces].mac, f.mac, VIRTNAME_MAC_LEN);
                        ifaces[n_ifaces].network = f.network.len ? nets[n_ifaces] : NULL;
                        ifaces[n_ifaces].filter = NULL;
                        n_ifaces++;
                }
        } else if (rc != -ENOENT) {
                return rc;
        } else {
                im->st->domains++;
        }
        for (size_t i = 0; i < json_object_array_length(macs); i++) {
                json_object *m = json_object_array_get_idx(macs, i);
                const char *s = json_object_is_type(m, json_type_string) ? json_object_get_string(m) : NULL;

                if (n_ifaces == MAX_IFACES) {
                        virtname_import_warn(im->warn, "%s: entry %zu (%s): more than %d MACs, ignoring the rest",
                              path, idx, name, MAX_IFACES);
                        break;
                }
                if (!s || !virtname_mac_parse(s, ifaces[n_ifaces].mac)) {
                        virtname_import_warn(im->warn, "%s: entry %zu (%s): ignoring invalid MAC", path, idx, name);
                        im->st->skipped++;
                        continue;
                }
                if (!seen_mac(ifaces, n_ifaces, ifaces[n_ifaces].mac)) {
                        ifaces[n_ifaces].filter = NULL;
                        ifaces[n_ifaces++].network = n->name;
                }
        }
        d.name = name;
        d.updated = im->now;
        d.n_ifaces = n_ifaces;
        d.ifaces = ifaces;
        return virtname_writer_put_domain(im->w, &d);
}

typedef int (*entry_fn)(struct import *im, const char *path, size_t idx,
                        json_object *e, const struct net *n);

static size_t skip_space(const char *buf, size_t len, size_t pos)
{
        while (pos < len && strchr(" \t\r\n", buf[pos]))
                pos++;
        return pos;
}

/* Import every entry of one JSON array file, one element at a time: the
 * parser never holds more than one entry (libvirt's files for 100,000
 * guests are ~15 MB; a whole tree of them is several times that).
 * Entries that are not well formed are skipped with a warning; a file
 * that is not a JSON array counts as a bad file (the rebuild then changes
 * nothing).  Only writer failures are returned. */
static int import_file(struct import *im, const char *path, const struct net *n, entry_fn fn)
{
        json_tokener *tok = NULL;
        char *buf = NULL;
        size_t len = 0, pos, idx = 0;
        const char *bad = NULL;
        int rc = virtname_read_file_flags(path, MAX_FILE_SIZE, VIRTNAME_READ_NOFOLLOW, &buf, &len);

        if (rc == -ENOENT)
                return 0;
        if (rc < 0) {
                virtname_import_warn(im->warn, "%s: %s", path,
                                     rc == -EFBIG ? "file too large" : virtname_read_strerror(rc));
                im->st->bad_files++;
                return rc == -ENOMEM ? rc : 0;
        }
        pos = skip_space(buf, len, 0);
        /* libvirt's helper leaves an empty file when a network has no leases. */
        if (pos == len)
                goto out;
        if (buf[pos] != '[') {
                /* Valid JSON of another kind (the whole file), or not JSON
                 * at all (a number at its start is not enough)? */
                json_tokener *t = json_tokener_new();
                json_object *o = t ? json_tokener_parse_ex(t, buf + pos, (int)(len - pos)) : NULL;
                size_t end = t ? pos + (size_t)json_tokener_get_parse_end(t) : pos;
                bool whole;

                if (!o && t && json_tokener_get_error(t) == json_tokener_continue) {
                        /* a number or literal that ends the file ends there */
                        o = json_tokener_parse_ex(t, "", 1);
                        end = len;
                }
                whole = o && skip_space(buf, len, end) == len;

                bad = whole ? "expected a JSON array" : "not valid JSON";
                json_object_put(o);
                if (t)
                        json_tokener_free(t);
                goto out;
        }
        pos = skip_space(buf, len, pos + 1);
        if (pos < len && buf[pos] == ']')
                goto end;
        tok = json_tokener_new();
        if (!tok) {
                rc = -ENOMEM;
                goto out;
        }
        for (;;) {
                json_object *e;

                json_tokener_reset(tok);
                e = json_tokener_parse_ex(tok, buf + pos, (int)(len - pos > INT_MAX ? INT_MAX : len - pos));
                if (!e) {
                        enum json_tokener_error err = json_tokener_get_error(tok);

                        bad = err == json_tokener_continue || err == json_tokener_success
                                  ? "truncated" : json_tokener_error_desc(err);
                        break;
                }
                pos += (size_t)json_tokener_get_parse_end(tok);
                rc = fn(im, path, idx++, e, n);
                json_object_put(e);
                if (rc == -EBADMSG) {
                        im->st->skipped++;
                        rc = 0;
                }
                if (rc < 0)
                        break;
                pos = skip_space(buf, len, pos);
                if (pos < len && buf[pos] == ',') {
                        pos = skip_space(buf, len, pos + 1);
                        continue;
                }
                if (pos < len && buf[pos] == ']')
                        break;
                bad = pos < len ? "expected ',' or ']' between entries" : "truncated";
                break;
        }
end:
        if (!bad && rc == 0 && skip_space(buf, len, pos + 1) != len)
                bad = "trailing data after the array";
out:
        if (bad && rc == 0) {
                virtname_import_warn(im->warn, "%s: %s%s (at byte %zu)", path,
                                     buf[skip_space(buf, len, 0)] == '[' ? "not valid JSON: " : "", bad, pos);
                im->st->bad_files++;
        }
        if (tok)
                json_tokener_free(tok);
        free(buf);
        return rc;
}

static int import_network(struct import *im, const struct net *n)
{
        struct virtname_network rec = {
                .name = n->name,
                .bridge = n->bridge[0] ? n->bridge : NULL,
                .suffix = n->suffix[0] ? n->suffix : NULL,
                .active = true,
                .updated = im->now,
        };
        char path[PATH_MAX];
        int rc = virtname_writer_put_network(im->w, &rec);

        if (rc < 0)
                return rc;
        im->st->networks++;
        if (!n->bridge[0])
                return 0;
        if (snprintf(path, sizeof(path), "%s/%s.status", im->dir, n->bridge) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        rc = import_file(im, path, n, import_lease);
        if (rc < 0)
                return rc;
        snprintf(path, sizeof(path), "%s/%s.macs", im->dir, n->bridge);
        return import_file(im, path, n, import_domain);
}

/* Room for one more network, zeroed. */
static bool grow(struct net **nets, size_t n, size_t *cap)
{
        if (!VIRTNAME_GROW(*nets, *cap, n + 1))
                return false;
        memset(&(*nets)[n], 0, sizeof(**nets));
        return true;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct net *)a)->name, ((const struct net *)b)->name);
}

int virtname_import_lease_dir(struct virtname_writer *w, const char *dir,
                         virtname_warn_fn warn,
                         struct virtname_import_stats *st, char *err, size_t errlen)
{
        struct import im = { w, dir, warn, st, (int64_t)time(NULL) };
        struct net *nets = NULL;
        size_t n_nets = 0, cap = 0;
        struct dirent *de;
        DIR *d = opendir(dir);
        int rc = 0;

        if (!d) {
                rc = -errno;
                snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
                return rc;
        }
        /* Networks first: their .conf names the bridge the other files use. */
        while ((de = readdir(d))) {
                size_t stem;
                char path[PATH_MAX];

                if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".conf", &stem))
                        continue;
                if (!grow(&nets, n_nets, &cap)) {
                        rc = -ENOMEM;
                        break;
                }
                snprintf(nets[n_nets].name, sizeof(nets[0].name), "%.*s", (int)stem, de->d_name);
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if (read_conf(&im, path, &nets[n_nets]) < 0) {
                        st->bad_files++;
                        continue;
                }
                if (!nets[n_nets].bridge[0])
                        virtname_import_warn(im.warn, "%s: no interface= line; its leases cannot be found", path);
                n_nets++;
        }
        /* Lease files whose bridge no .conf names: keep them, under the
         * bridge's name. */
        rewinddir(d);
        while (rc == 0 && (de = readdir(d))) {
                size_t stem;
                bool known = false;

                if (de->d_name[0] == '.' || (!has_suffix(de->d_name, ".status", &stem) &&
                                             !has_suffix(de->d_name, ".macs", &stem)))
                        continue;
                for (size_t i = 0; i < n_nets && !known; i++)
                        known = strlen(nets[i].bridge) == stem &&
                                strncmp(nets[i].bridge, de->d_name, stem) == 0;
                if (known)
                        continue;
                if (!grow(&nets, n_nets, &cap)) {
                        rc = -ENOMEM;
                        break;
                }
                snprintf(nets[n_nets].name, sizeof(nets[0].name), "%.*s", (int)stem, de->d_name);
                snprintf(nets[n_nets].bridge, sizeof(nets[0].bridge), "%.*s", (int)stem, de->d_name);
                virtname_import_warn(im.warn, "%s/%s: no network configuration names this bridge; "
                      "recording its leases under network '%s'", dir, de->d_name, nets[n_nets].name);
                n_nets++;
        }
        closedir(d);
        /* Sorted, so that rebuilds are reproducible. */
        if (n_nets)
                qsort(nets, n_nets, sizeof(*nets), by_name);
        for (size_t i = 0; rc == 0 && i < n_nets; i++)
                rc = import_network(&im, &nets[i]);
        free(nets);
        if (rc < 0)
                snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : virtname_writer_error(w));
        return rc;
}
