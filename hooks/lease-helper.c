/* lease-helper.c - dnsmasq's dhcp-script for libvirt networks.
 *
 * dnsmasq runs it as   lease-helper add|old|del MAC|DUID ADDRESS [HOSTNAME]
 * (and init, tftp, arp...) with the lease's details in DNSMASQ_*
 * variables.  We record add/old/del in the store, then exec libvirt's own
 * libvirt_leaseshelper with the same arguments, environment, standard
 * input and output, so its lease files, `virsh net-dhcp-leases` and the
 * output `init` owes dnsmasq stay exactly as without us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "store/ingest.h"
#include "store/names.h"

#define LIBVIRT_HELPER "/usr/lib/libvirt/libvirt_leaseshelper"

/* Fill L from dnsmasq's arguments and environment.  Returns 0, or -1
 * for an event that cannot be recorded (logged). */
static int lease_from_event(char **argv, int argc, struct virtname_lease *l, const char *what)
{
        const char *expires = getenv("DNSMASQ_LEASE_EXPIRES"), *length = getenv("DNSMASQ_LEASE_LENGTH");
        struct virtname_lease_input in = { .address = argc > 3 ? argv[3] : NULL,
                                           .hostname = argc > 4 ? argv[4] : NULL,
                                           .iaid = getenv("DNSMASQ_IAID") };
        const char *why, *dropped;
        int family;
        uint8_t addr[16];

        /* DHCPv4 passes the MAC; DHCPv6 passes the DUID and, when dnsmasq
         * knows it, the MAC in DNSMASQ_MAC. */
        if (in.address && virtname_addr_parse(in.address, &family, addr) && family == AF_INET6) {
                in.mac = getenv("DNSMASQ_MAC");
                in.clientid = argv[2];
        } else {
                in.mac = argv[2];
                in.clientid = getenv("DNSMASQ_CLIENT_ID");
        }
        /* Expiry: absolute, or a length from now (dnsmasq built without a
         * reliable clock); 0 means an infinite lease. */
        if (expires)
                in.expiry = strtoll(expires, NULL, 10);
        else if (length && strtoll(length, NULL, 10) > 0)
                in.expiry = (int64_t)time(NULL) + strtoll(length, NULL, 10);
        if (virtname_lease_from_input(&in, l, &why, &dropped) < 0) {
                hook_missed(what, "%s in the event ('%.64s %.64s')", why, argv[2],
                            in.address ? in.address : "");
                return -1;
        }
        if (dropped)
                hook_log(LOG_WARNING, "%s: ignoring the %s host name '%.64s' the guest sent%s", what,
                         dropped, argv[4], strcmp(dropped, "reserved") == 0
                                           ? " (localhost, this host's names, names in /etc/hosts and "
                                             "the like are never a guest's)" : "");
        return 0;
}

/* Record one add/old/del event. */
static void record(int argc, char **argv)
{
        const char *bridge = getenv("VIR_BRIDGE_NAME"), *domain = getenv("DNSMASQ_DOMAIN");
        struct virtname_event e = { 0 };
        struct virtname_lease l = { 0 };
        char what[160];

        snprintf(what, sizeof(what), "lease %s %.64s", argv[1], argc > 3 ? argv[3] : "?");
        if (lease_from_event(argv, argc, &l, what) < 0)
                return;
        if (!bridge)
                bridge = getenv("DNSMASQ_INTERFACE");
        virtname_event_lease(&e, argv[1][0], &l, bridge, domain);
        hook_submit(&e, what);
        virtname_event_free(&e);
}

int main(int argc, char **argv)
{
        const char *helper = getenv("VIRT_NAME_CACHE_LEASESHELPER");

        hook_init("virt-name-cache-lease-helper");
        if (argc >= 2 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "old") == 0 ||
                          strcmp(argv[1], "del") == 0))
                record(argc, argv);
        closelog();

        /* Hand the event on, unchanged.  The deadline alarm must not
         * follow libvirt's helper: exec keeps pending alarms. */
        alarm(0);
        if (!helper || !*helper)
                helper = LIBVIRT_HELPER;
        if (access(helper, X_OK) < 0)
                return 0;       /* no libvirt helper: the store was all there was to do */
        argv[0] = (char *)helper;
        execv(helper, argv);
        openlog("virt-name-cache-lease-helper", LOG_PID, LOG_DAEMON);
        syslog(LOG_ERR, "cannot run %s: %m", helper);
        return 0;
}
