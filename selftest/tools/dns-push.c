/* dns-push - drive the dns/ library by hand or from a test: publish
 * names, reconcile, list what this host owns in the zone.
 *
 *   dns-push [--conf DIR] [--deadline MS] COMMAND  (MS: all messages' time in all)
 *   dns-push [--conf DIR] config                 load and summarise dns.conf
 *   dns-push [--conf DIR] name GUEST             the DNS name GUEST is published under
 *   dns-push [--conf DIR] publish NAME [ADDR...] NAME gets exactly ADDRs (none: released)
 *   dns-push [--conf DIR] push                   stdin "NAME ADDR [TTL]" or "NAME -":
 *                                                publish each name, in order of appearance
 *   dns-push [--conf DIR] sync                   stdin "NAME ADDR [TTL]": reconcile the zone
 *   dns-push [--conf DIR] owned                  this host's records in the zones (AXFR)
 *
 * Exit status: the library's result (0 ok, 1 conflict, 2 network, 3
 * refused, 4 bad input, 5 other); 64 usage; 78 configuration.
 * DIR defaults to $VIRT_NAME_CACHE_CONF, then /etc/virt-name-cache.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns/config.h"
#include "dns/update.h"
#include "dns/zone.h"

static double now(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int parse_addr(const char *s, struct virtname_dns_record *r)
{
        *r = (struct virtname_dns_record){ 0 };         /* no_reverse too */
        if (inet_pton(AF_INET, s, r->addr) == 1)
                r->family = AF_INET;
        else if (inet_pton(AF_INET6, s, r->addr) == 1)
                r->family = AF_INET6;
        else
                return -1;
        return 0;
}

/* stdin into records; "NAME -" lines (no address) keep the name with none */
struct input {
        struct virtname_dns_record *r;
        size_t n, cap;
        char **names;                   /* distinct names in order of appearance */
        size_t nnames, capnames;
};

static int read_input(struct input *in)
{
        char line[512];
        int ln = 0;

        while (fgets(line, sizeof(line), stdin)) {
                char name[256], addr[64];
                unsigned long ttl = 0;
                int f;
                ln++;
                if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
                        continue;
                f = sscanf(line, "%255s %63s %lu", name, addr, &ttl);
                if (f < 2) {
                        fprintf(stderr, "dns-push: stdin:%d: expected NAME ADDR [TTL] or NAME -\n", ln);
                        return -1;
                }
                size_t k;
                for (k = 0; k < in->nnames && strcmp(in->names[k], name) != 0; k++)
                        ;
                if (k == in->nnames) {
                        if (in->nnames == in->capnames) {
                                in->capnames = in->capnames ? in->capnames * 2 : 64;
                                in->names = realloc(in->names, in->capnames * sizeof(*in->names));
                                if (!in->names)
                                        return -1;
                        }
                        if (!(in->names[in->nnames++] = strdup(name)))
                                return -1;
                }
                if (strcmp(addr, "-") == 0)
                        continue;
                if (in->n == in->cap) {
                        in->cap = in->cap ? in->cap * 2 : 1024;
                        in->r = realloc(in->r, in->cap * sizeof(*in->r));
                        if (!in->r)
                                return -1;
                }
                struct virtname_dns_record *r = &in->r[in->n];
                if (parse_addr(addr, r) < 0) {
                        fprintf(stderr, "dns-push: stdin:%d: '%s' is not an address\n", ln, addr);
                        return -1;
                }
                r->name = in->names[k];
                r->ttl = (uint32_t)ttl;
                in->n++;
        }
        return 0;
}

static void print_rr(void *arg, const char *line)
{
        fprintf((FILE *)arg, "%s\n", line);
}

static void print_note(void *arg, const char *name, int result, const char *why)
{
        (void)result;
        fprintf((FILE *)arg, "%s: %s\n", name, why);
}

int main(int argc, char **argv)
{
        const char *dir = NULL;
        struct virtname_dns_config c;
        struct virtname_dns_session *s;
        char err[600];
        int a = 1, rc;

        unsigned deadline = 0;
        for (;;) {
                if (a + 1 < argc && strcmp(argv[a], "--conf") == 0)
                        dir = argv[a + 1];
                else if (a + 1 < argc && strcmp(argv[a], "--deadline") == 0)
                        deadline = (unsigned)strtoul(argv[a + 1], NULL, 10);
                else
                        break;
                a += 2;
        }
        if (a >= argc) {
                fprintf(stderr, "usage: dns-push [--conf DIR] [--deadline MS] config|publish NAME [ADDR...]|push|sync|owned\n");
                return 64;
        }
        const char *cmd = argv[a++];
        rc = virtname_dns_config_load(dir, &c, err, sizeof(err));
        if (rc != VIRTNAME_DNS_OK) {
                fprintf(stderr, "dns-push: %s\n", err);
                return 78;
        }
        if (strcmp(cmd, "config") == 0) {
                printf("server %s#%u zone %s names %s host-label %s owner %s key %s (%s) ttl %u timeout %u ms\n",
                       c.server, c.port, c.zone, c.names == VIRTNAME_DNS_NAMES_HOST ? "host" : "flat",
                       c.host_label, c.owner, c.key.name, c.key.algorithm, c.ttl, c.timeout_ms);
                for (size_t i = 0; i < c.nreverse; i++)
                        printf("reverse-zone %s\n", c.reverse[i]);
                for (size_t i = 0; i < c.nnets; i++) {
                        char net[64];
                        inet_ntop(c.nets[i].family, c.nets[i].addr, net, sizeof(net));
                        printf("reverse-net %s/%u\n", net, c.nets[i].prefix);
                }
                printf("reconcile-interval %u\nid %s\n", c.reconcile_s, c.owner_id);
                return 0;
        }
        if (strcmp(cmd, "name") == 0 && a < argc) {
                char fqdn[300];
                if ((rc = virtname_dns_fqdn(&c, argv[a], fqdn, sizeof(fqdn), err, sizeof(err)))) {
                        fprintf(stderr, "dns-push: %s\n", err);
                        return rc;
                }
                printf("%s\n", fqdn);
                return 0;
        }
        if ((rc = virtname_dns_open(&c, &s, err, sizeof(err))) != VIRTNAME_DNS_OK) {
                fprintf(stderr, "dns-push: %s\n", err);
                return rc;
        }
        virtname_dns_set_deadline(s, deadline);
        double t0 = now();
        if (strcmp(cmd, "publish") == 0 && a < argc) {
                const char *name = argv[a++];
                size_t n = (size_t)(argc - a);
                struct virtname_dns_record *r = calloc(n ? n : 1, sizeof(*r));
                if (!r)
                        return 5;
                for (size_t i = 0; i < n; i++) {
                        if (parse_addr(argv[a + (int)i], &r[i]) < 0) {
                                fprintf(stderr, "dns-push: '%s' is not an address\n", argv[a + (int)i]);
                                return 64;
                        }
                        r[i].name = name;
                }
                rc = virtname_dns_publish(s, name, r, n, err, sizeof(err));
                free(r);
                if (rc != VIRTNAME_DNS_OK)
                        fprintf(stderr, "dns-push: %s\n", err);
        } else if (strcmp(cmd, "push") == 0 || strcmp(cmd, "sync") == 0) {
                struct input in = { 0 };
                if (read_input(&in) < 0)
                        return 64;
                if (cmd[1] == 'u') {
                        /* each name with its records, in order of appearance */
                        rc = VIRTNAME_DNS_OK;
                        struct virtname_dns_record *g = calloc(in.n ? in.n : 1, sizeof(*g));
                        for (size_t k = 0; g && k < in.nnames; k++) {
                                size_t m = 0;
                                for (size_t i = 0; i < in.n; i++)
                                        if (in.r[i].name == in.names[k])
                                                g[m++] = in.r[i];
                                int r1 = virtname_dns_publish(s, in.names[k], g, m, err, sizeof(err));
                                if (r1 != VIRTNAME_DNS_OK) {
                                        fprintf(stderr, "dns-push: %s\n", err);
                                        if (rc == VIRTNAME_DNS_OK || r1 == VIRTNAME_DNS_ENET)
                                                rc = r1;
                                }
                        }
                        free(g);
                } else {
                        struct virtname_dns_sync_stats st;
                        rc = virtname_dns_sync(s, in.r, in.n, &st, print_note, stderr, err, sizeof(err));
                        if (rc != VIRTNAME_DNS_OK)
                                fprintf(stderr, "dns-push: %s\n", err);
                        printf("sync: %zu names: %zu claimed, %zu changed, %zu released, %zu unchanged, "
                               "%zu conflicts, %zu failed; PTR: %zu claimed, %zu changed, %zu released, "
                               "%zu unchanged, %zu conflicts, %zu failed; %zu RRs transferred\n",
                               st.names, st.claimed, st.changed, st.released, st.unchanged, st.conflicts,
                               st.failed, st.ptr_claimed, st.ptr_changed, st.ptr_released, st.ptr_unchanged,
                               st.ptr_conflicts, st.ptr_failed, st.zone_rrs);
                }
                for (size_t k = 0; k < in.nnames; k++)
                        free(in.names[k]);
                free(in.names);
                free(in.r);
        } else if (strcmp(cmd, "owned") == 0) {
                rc = virtname_dns_owned(s, print_rr, stdout, err, sizeof(err));
                if (rc != VIRTNAME_DNS_OK)
                        fprintf(stderr, "dns-push: %s\n", err);
        } else {
                fprintf(stderr, "dns-push: unknown command '%s'\n", cmd);
                virtname_dns_close(s);
                return 64;
        }
        struct virtname_dns_counts k;
        virtname_dns_counts(s, &k);
        fprintf(stderr, "dns-push: %s took %.3f s (%lu queries, %lu updates, %lu transfers)\n", cmd, now() - t0,
                k.queries, k.updates, k.axfrs);
        virtname_dns_close(s);
        return rc;
}
