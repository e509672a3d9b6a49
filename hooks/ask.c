/* ask.c - starting port-probe when a lease's port has to be asked, and
 * recording what the ports said (hook.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/ingest/asks.h"
#include "hooks/hook.h"

/* Is there anything to ask (V NULL: maybe; port-probe looks)? */
static bool worth_asking(const struct virtname_view *v, struct virtname_asks *asks, int rc)
{
        bool any = !v || (rc == 0 && asks->n > 0);

        virtname_asks_free(asks);
        return any;
}

void hook_ask_lease(const struct virtname_view *v, const char *network, int family, const uint8_t addr[16])
{
        struct virtname_asks asks = { 0 };
        char text[INET6_ADDRSTRLEN];
        const char *args[] = { "lease", network, text, NULL };
        int rc = v ? virtname_asks_lease(v, network, family, addr, (int64_t)time(NULL), &asks) : 0;

        if (network && inet_ntop(family, addr, text, sizeof(text)) && worth_asking(v, &asks, rc))
                hook_spawn("port-probe", "VIRT_NAME_CACHE_PORT_PROBE", args);
}

void hook_ask_domain(const struct virtname_view *v, const char *name)
{
        struct virtname_asks asks = { 0 };
        const char *args[] = { "domain", name, NULL };
        int rc = v ? virtname_asks_domain(v, name, (int64_t)time(NULL), &asks) : 0;

        if (worth_asking(v, &asks, rc))
                hook_spawn("port-probe", "VIRT_NAME_CACHE_PORT_PROBE", args);
}

/* What the port said about Q, into E (false: nothing to record). */
static bool record(const struct virtname_ask *a, const struct virtname_probe_addr *q, unsigned ttl, int64_t when,
                   struct virtname_event *e)
{
        char text[INET6_ADDRSTRLEN] = "?";

        if (a->observe && !q->answered) {
                /* Seen, and never answered for: nothing to record. */
                inet_ntop(q->family, q->addr, text, sizeof(text));
                hook_log(LOG_NOTICE, "port %s: no answer for %s, not recorded", a->port.port, text);
                return false;
        }
        if (a->observe)
                virtname_event_observed(e, a->network, a->port.mac, q->family, q->addr, a->port.port, a->id, when,
                                        ttl);
        else
                virtname_event_proof(e, a->network, a->port.mac, q->family, q->addr,
                                     q->answered ? VIRTNAME_EV_PORT : VIRTNAME_EV_SILENT, a->port.port, a->id, when);
        return true;
}

void hook_record_asks(const struct virtname_asks *asks, unsigned ttl)
{
        struct virtname_event *e;
        size_t n = 0, max = 0;
        int64_t now = (int64_t)time(NULL);

        for (size_t i = 0; i < asks->n; i++)
                max += asks->a[i].port.n;
        if (!(e = calloc(max ? max : 1, sizeof(*e)))) {
                hook_log(LOG_ERR, "cannot record what the ports said: out of memory");
                return;
        }
        for (size_t i = 0; i < asks->n; i++) {
                if (asks->a[i].port.err) {
                        hook_log(LOG_NOTICE, "port %s: %s", asks->a[i].port.port, strerror(-asks->a[i].port.err));
                        continue;
                }
                for (size_t j = 0; j < asks->a[i].port.n; j++)
                        n += record(&asks->a[i], &asks->a[i].port.addrs[j], ttl, now, &e[n]);
        }
        /* One commit for all of them. */
        hook_submit_many(e, n, "what the ports said");
        for (size_t i = 0; i < n; i++)
                virtname_event_free(&e[i]);
        free(e);
}
