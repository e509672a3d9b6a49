/* lease-event.c - dnsmasq's dhcp-script event (lease-event.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks/lease-event.h"
#include "cache/read/names.h"

int lease_event_read(int argc, char **argv, struct virtname_lease *l, const char **why, const char **dropped)
{
        const char *expires = getenv("DNSMASQ_LEASE_EXPIRES"), *length = getenv("DNSMASQ_LEASE_LENGTH");
        struct virtname_lease_input in = { .address = argc > 3 ? argv[3] : NULL,
                                           .hostname = getenv("DNSMASQ_SUPPLIED_HOSTNAME"),
                                           .iaid = getenv("DNSMASQ_IAID") };
        int family = AF_INET;
        uint8_t addr[16], mac[VIRTNAME_MAC_LEN];

        *dropped = NULL;
        /* DHCPv4 passes the MAC; DHCPv6 passes the DUID and, when dnsmasq
         * knows it, the MAC in DNSMASQ_MAC. */
        if (in.address && virtname_addr_parse(in.address, &family, addr) && family == AF_INET6) {
                in.mac = getenv("DNSMASQ_MAC");
                in.clientid = argc > 2 ? argv[2] : NULL;
        } else {
                in.mac = argc > 2 ? argv[2] : NULL;
                in.clientid = getenv("DNSMASQ_CLIENT_ID");
        }
        /* Relayed: the MAC is a relay option or a relayed chaddr, which
         * the guest that forged the relay message wrote. */
        if (getenv("DNSMASQ_RELAY_ADDRESS"))
                in.mac = NULL;
        if (in.mac && !virtname_mac_parse(in.mac, mac)) {
                *why = family == AF_INET6 ? "the client's MAC is not an Ethernet address"
                                          : "the client's hardware address is not Ethernet's";
                return -EPROTO;
        }
        /* When the client asked: now, unless dnsmasq replays leases it
         * restored (at its start, or SIGHUP). */
        in.seen = getenv("DNSMASQ_DATA_MISSING") ? 0 : (int64_t)time(NULL);
        /* Expiry: absolute, or a length from now (dnsmasq built without a
         * reliable clock); 0 means an infinite lease. */
        if (expires)
                in.expiry = strtoll(expires, NULL, 10);
        else if (length && strtoll(length, NULL, 10) > 0)
                in.expiry = (int64_t)time(NULL) + strtoll(length, NULL, 10);
        return virtname_lease_from_input(&in, l, why, dropped);
}

const char *lease_event_bridge(void)
{
        const char *bridge = getenv("VIR_BRIDGE_NAME");

        return bridge ? bridge : getenv("DNSMASQ_INTERFACE");
}

static bool keeps_name(char **argv)
{
        return argv[1][0] == 'o' && !getenv("DNSMASQ_SUPPLIED_HOSTNAME");
}

void lease_event_encode(char **argv, const struct virtname_lease *l, struct virtname_event *e)
{
        virtname_event_lease(e, keeps_name(argv) ? 'k' : argv[1][0], l, lease_event_bridge(),
                             getenv("DNSMASQ_DOMAIN"));
}

bool lease_event_is_replay(char **argv)
{
        return keeps_name(argv) && getenv("DNSMASQ_DATA_MISSING");
}

bool lease_event_passes_kept_name(int argc, char **argv, const struct virtname_lease *l)
{
        return lease_event_is_replay(argv) && argc < 5 && (l->flags & VIRTNAME_LEASE_HAS_MAC);
}

const char *lease_libvirt_helper(void)
{
        const char *helper = getenv("VIRT_NAME_CACHE_LEASESHELPER");

        if (!helper || !*helper)
                helper = VIRTNAME_LIBVIRT_LEASESHELPER;
        return access(helper, X_OK) == 0 ? helper : NULL;
}

int lease_hand_on(char **argv)
{
        const char *helper;

        /* exec keeps a pending alarm */
        alarm(0);
        if (!(helper = lease_libvirt_helper()))
                return 0;       /* no libvirt helper: the store was all there was to do */
        argv[0] = (char *)helper;
        closelog();
        execv(helper, argv);
        openlog("virt-name-cache-lease-helper", LOG_PID, LOG_DAEMON);
        syslog(LOG_ERR, "cannot run %s: %m", helper);
        return 0;
}

int lease_run_init(const char *helper, char **argv, bool without_names)
{
        char *line = NULL;
        size_t cap = 0;
        int fds[2] = { -1, -1 }, status = 0;
        FILE *in;
        pid_t pid;

        argv[0] = (char *)helper;
        fflush(stdout);
        if ((without_names && pipe2(fds, O_CLOEXEC) < 0) || (pid = fork()) < 0) {
                syslog(LOG_ERR, "init: cannot run %s: %m", helper);
                return 1;
        }
        if (pid == 0) {
                if (without_names && dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execv(helper, argv);
                _exit(127);
        }
        if (!without_names)
                goto wait;
        close(fds[1]);
        in = fdopen(fds[0], "r");
        while (in && getline(&line, &cap, in) > 0) {
                char *field[5];
                int n = 0;

                for (char *p = line, *save = NULL; n < 5 && (p = strtok_r(p, " \n", &save)); p = NULL)
                        field[n++] = p;
                if (n >= 4 && strcmp(field[0], "duid") != 0)
                        printf("%s %s %s *%s%s\n", field[0], field[1], field[2], n > 4 ? " " : "",
                               n > 4 ? field[4] : "");
                else if (n > 0)
                        printf("%s%s%s\n", field[0], n > 1 ? " " : "", n > 1 ? field[1] : "");
        }
        free(line);
        if (in)
                fclose(in);
        else
                close(fds[0]);
        fflush(stdout);
wait:
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
