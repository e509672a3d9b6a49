/* hostaddr.c - this host's own addresses are never a guest's
 * (hostaddr.h). */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/libvirt/hostaddr.h"

/* Is SA the address (FAMILY) ADDR? */
static bool is(const struct sockaddr *sa, int family, const uint8_t addr[16])
{
        if (!sa || sa->sa_family != family)
                return false;
        if (family == AF_INET)
                return memcmp(&((const struct sockaddr_in *)sa)->sin_addr, addr, 4) == 0;
        return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr, 16) == 0;
}

static bool host_has(const struct ifaddrs *all, int family, const uint8_t addr[16])
{
        for (const struct ifaddrs *i = all; i; i = i->ifa_next)
                if (is(i->ifa_addr, family, addr) ||
                    ((i->ifa_flags & IFF_BROADCAST) && is(i->ifa_broadaddr, family, addr)))
                        return true;
        return false;
}

int virtname_drop_host_addresses(struct virtname_agent_addr *a, size_t *n)
{
        struct ifaddrs *all;
        size_t kept = 0;

        if (getifaddrs(&all) < 0) {
                int e = errno;

                *n = 0;
                return -e;
        }
        for (size_t i = 0; i < *n; i++)
                if (!host_has(all, a[i].family, a[i].addr))
                        a[kept++] = a[i];
        *n = kept;
        freeifaddrs(all);
        return 0;
}
