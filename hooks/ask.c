/* ask.c - starting port-probe when a lease's port has to be asked
 * (hook.h). */
#include <arpa/inet.h>
#include <stdio.h>
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
