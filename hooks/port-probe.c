/* port-probe - ask a domain's own port whether its guest uses an address
 * (cache/ingest/probe.h), and record the answer.
 *
 *   port-probe lease NETWORK ADDRESS   the lease of ADDRESS on NETWORK
 *   port-probe domain NAME             every current lease of domain NAME
 *   port-probe seen BRIDGE MAC ADDRESS TTL
 *                                      ADDRESS, which the host saw at MAC on
 *                                      BRIDGE (the watcher: its neighbour
 *                                      table), on the port of the domain
 *                                      with that MAC there; an answer is an
 *                                      observed address for TTL seconds
 *   port-probe expiring SECONDS        the observed addresses whose last
 *                                      answer ends within SECONDS (the
 *                                      watcher's refresh)
 *
 * The hooks start it, detached, after a lease event or a domain start
 * whose port has not answered in this run of the domain (hook.h), and the
 * watcher (watch.c) when the host sees a guest's address: a guest
 * configures its address only after the DHCP acknowledgement (IPv6:
 * after duplicate address detection), and neither dnsmasq nor libvirtd
 * nor the watcher may wait for that.  It reads what to ask from the
 * published snapshot (waiting a little for an event still in the spool),
 * asks until every port has answered or PROBE_DEADLINE_MS has passed, and
 * records each answer, or the silence, as an event of its own (of an
 * address only seen: its answer only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/asks.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"
#include "hooks/hook.h"

/* How long a port is asked: a guest that boots slowly, or runs a DHCP
 * client that checks its address first (RFC 5227: some seconds). */
#define PROBE_DEADLINE_MS 30000
/* How long the event that caused us may wait in the spool. */
#define WAIT_FOR_STORE_MS 3000

/* An observed address's TTL, when the watcher gives none that fits. */
static unsigned ttl = VIRTNAME_OBSERVED_TTL;

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v == 0 || v > max)
                return false;
        *out = (unsigned)v;
        return true;
}

/* What to ask now, from the published snapshot, into ASKS. */
static int plan(char **argv, struct virtname_asks *asks)
{
        struct virtname_snapshot *snap;
        struct virtname_view v;
        int64_t now = (int64_t)time(NULL);
        uint8_t addr[16], mac[VIRTNAME_MAC_LEN];
        unsigned within;
        int family, rc;

        if ((rc = virtname_snapshot_load(virtname_store_dir(NULL), NULL, &snap)) < 0)
                return rc;
        if ((rc = virtname_snapshot_view(snap, &v)) == 0) {
                if (strcmp(argv[1], "domain") == 0)
                        rc = virtname_asks_domain(&v, argv[2], now, asks);
                else if (strcmp(argv[1], "expiring") == 0)
                        rc = parse_uint(argv[2], VIRTNAME_OBSERVED_TTL, &within)
                                     ? virtname_asks_expiring(&v, now, within, asks, NULL)
                                     : -EINVAL;
                else if (strcmp(argv[1], "seen") == 0)
                        rc = virtname_mac_parse(argv[3], mac) && virtname_addr_parse(argv[4], &family, addr) &&
                                             parse_uint(argv[5], VIRTNAME_OBSERVED_TTL, &ttl)
                                     ? virtname_asks_seen(&v, argv[2], mac, family, addr, now, ttl / 2, asks)
                                     : -EINVAL;
                else if (virtname_addr_parse(argv[3], &family, addr))
                        rc = virtname_asks_lease(&v, argv[2], family, addr, now, asks);
                else
                        rc = -EINVAL;
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(snap);
        return rc;
}

static void record(const struct virtname_ask *a, const struct virtname_probe_addr *q, int64_t when)
{
        struct virtname_event e = { 0 };
        char what[160], text[INET6_ADDRSTRLEN] = "?";

        inet_ntop(q->family, q->addr, text, sizeof(text));
        snprintf(what, sizeof(what), "port %s asked about %s", a->port.port, text);
        if (a->observe && !q->answered) {
                /* Seen, and never answered for: nothing to record. */
                hook_log(LOG_NOTICE, "%s: no answer, not recorded", what);
                return;
        }
        if (a->observe)
                virtname_event_observed(&e, a->network, a->port.mac, q->family, q->addr, a->port.port, a->id, when,
                                        ttl);
        else
                virtname_event_proof(&e, a->network, a->port.mac, q->family, q->addr,
                                     q->answered ? VIRTNAME_EV_PORT : VIRTNAME_EV_SILENT, a->port.port, a->id, when);
        hook_submit(&e, what);
        virtname_event_free(&e);
}

int main(int argc, char **argv)
{
        struct virtname_asks asks = { 0 };
        int rc = 0, wait_ms = WAIT_FOR_STORE_MS;

        hook_init("virt-name-cache-port-probe");
        alarm((PROBE_DEADLINE_MS + WAIT_FOR_STORE_MS) / 1000 + 10);
        if (!((argc == 4 && strcmp(argv[1], "lease") == 0) || (argc == 3 && strcmp(argv[1], "domain") == 0) ||
              (argc == 3 && strcmp(argv[1], "expiring") == 0) || (argc == 6 && strcmp(argv[1], "seen") == 0))) {
                fprintf(stderr, "usage: port-probe lease NETWORK ADDRESS | port-probe domain NAME |\n"
                                "       port-probe seen BRIDGE MAC ADDRESS TTL | port-probe expiring SECONDS\n");
                return 2;
        }
        /* The watcher's questions come from the store as it is. */
        if (strcmp(argv[1], "seen") == 0 || strcmp(argv[1], "expiring") == 0)
                wait_ms = 0;
        for (int waited = 0; waited <= wait_ms && rc >= 0 && asks.n == 0; waited += 200) {
                if (waited)
                        usleep(200 * 1000);
                rc = plan(argv, &asks);
        }
        if (rc < 0 || asks.n == 0) {
                if (rc < 0 && rc != -ENOENT)
                        hook_log(LOG_WARNING, "%s %s: %s", argv[1], argv[2], strerror(-rc));
                virtname_asks_free(&asks);
                return 0;
        }
        rc = virtname_asks_probe(&asks, PROBE_DEADLINE_MS);
        if (rc < 0)
                hook_log(LOG_WARNING, "cannot ask the ports: %s", strerror(-rc));
        for (size_t i = 0; i < asks.n; i++) {
                if (asks.a[i].port.err) {
                        hook_log(LOG_NOTICE, "port %s: %s", asks.a[i].port.port, strerror(-asks.a[i].port.err));
                        continue;
                }
                for (size_t j = 0; j < asks.a[i].port.n; j++)
                        record(&asks.a[i], &asks.a[i].port.addrs[j], (int64_t)time(NULL));
        }
        virtname_asks_free(&asks);
        return 0;
}
