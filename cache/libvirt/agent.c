/* agent.c - a domain's addresses as its guest agent reports them
 * (agent.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/libvirt/agent.h"
#include "cache/libvirt/hostaddr.h"
#include "cache/libvirt/virconn.h"
#include "cache/read/names.h"

int virtname_agent_addresses(virDomainPtr dom, struct virtname_agent_addr *out, size_t *n,
                             char *err, size_t errlen)
{
        virDomainInterfacePtr *ifaces = NULL;
        int count;

        *n = 0;
        count = virDomainInterfaceAddresses(dom, &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
        if (count < 0) {
                snprintf(err, errlen, "%s", virtname_virt_error());
                return -ENOTCONN;
        }
        for (int i = 0; i < count; i++) {
                uint8_t mac[VIRTNAME_MAC_LEN];

                /* Loopback has no MAC (or 00:00:00:00:00:00): no interface of the domain's. */
                if (!ifaces[i]->hwaddr || !virtname_mac_parse(ifaces[i]->hwaddr, mac))
                        continue;
                for (unsigned j = 0; j < ifaces[i]->naddrs && *n < VIRTNAME_AGENT_ADDRS_MAX; j++) {
                        const virDomainIPAddress *a = &ifaces[i]->addrs[j];
                        struct virtname_agent_addr *o = &out[*n];

                        if (!a->addr || !virtname_addr_parse(a->addr, &o->family, o->addr) ||
                            (o->family == AF_INET) != (a->type == VIR_IP_ADDR_TYPE_IPV4) ||
                            !virtname_addr_unicast(o->family, o->addr))
                                continue;
                        memcpy(o->mac, mac, VIRTNAME_MAC_LEN);
                        (*n)++;
                }
        }
        for (int i = 0; i < count; i++)
                virDomainInterfaceFree(ifaces[i]);
        free(ifaces);
        /* This host's own addresses are not the guest's (hostaddr.h). */
        if ((count = virtname_drop_host_addresses(out, n)) < 0)
                snprintf(err, errlen, "cannot read this host's addresses: %s", strerror(-count));
        return count < 0 ? count : 0;
}
