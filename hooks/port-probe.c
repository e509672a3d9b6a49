/* port-probe - ask a domain's own port whether its guest uses an address
 * (cache/ingest/probe.h), and record the answer.
 *
 *   port-probe lease NETWORK ADDRESS   the lease of ADDRESS on NETWORK
 *   port-probe domain NAME             every current lease of domain NAME
 *
 * The hooks start it, detached, after a lease event or a domain start
 * whose port has not answered in this run of the domain (hook.h): a
 * guest configures its address only after the DHCP acknowledgement
 * (IPv6: after duplicate address detection), and neither dnsmasq nor
 * libvirtd may wait for that.  It reads what to ask from the published
 * snapshot (waiting a little for an event still in the spool), asks
 * until every port has answered or PROBE_DEADLINE_MS has passed, and
 * records each answer, or the silence, as an event of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
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

/* What to ask now, from the published snapshot, into ASKS. */
static int plan(char **argv, struct virtname_asks *asks)
{
        struct virtname_snapshot *snap;
        struct virtname_view v;
        int64_t now = (int64_t)time(NULL);
        uint8_t addr[16];
        int family, rc;

        if ((rc = virtname_snapshot_load(virtname_store_dir(NULL), NULL, &snap)) < 0)
                return rc;
        if ((rc = virtname_snapshot_view(snap, &v)) == 0) {
                if (strcmp(argv[1], "domain") == 0)
                        rc = virtname_asks_domain(&v, argv[2], now, asks);
                else if (virtname_addr_parse(argv[3], &family, addr))
                        rc = virtname_asks_lease(&v, argv[2], family, addr, now, asks);
                else
                        rc = -EINVAL;
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(snap);
        return rc;
}

/* What the ports said, each as an event of its own. */
static void record(void *asks)
{
        hook_record_asks(asks, VIRTNAME_OBSERVED_TTL);
}

int main(int argc, char **argv)
{
        struct virtname_asks asks = { 0 };
        int rc = 0;

        hook_init("virt-name-cache-port-probe");
        alarm((PROBE_DEADLINE_MS + WAIT_FOR_STORE_MS) / 1000 + 10);
        if (!((argc == 4 && strcmp(argv[1], "lease") == 0) || (argc == 3 && strcmp(argv[1], "domain") == 0))) {
                fprintf(stderr, "usage: port-probe lease NETWORK ADDRESS | port-probe domain NAME\n");
                return 2;
        }
        for (int waited = 0; waited <= WAIT_FOR_STORE_MS && rc >= 0 && asks.n == 0; waited += 200) {
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
        rc = virtname_asks_probe_then(&asks, PROBE_DEADLINE_MS, record, &asks);
        if (rc < 0)
                hook_log(LOG_WARNING, "cannot ask the ports: %s", strerror(-rc));
        virtname_asks_free(&asks);
        return 0;
}
