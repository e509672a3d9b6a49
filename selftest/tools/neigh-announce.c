/* neigh-announce - what a hostile guest sends to take an address on its
 * segment: gratuitous ARP (IPv4: a request whose sender and target are
 * ADDRESS) or an unsolicited neighbour advertisement (IPv6: to ff02::1,
 * override flag, target ADDRESS), out of IFACE, with the Ethernet source
 * and the link-layer address in the message both MAC (default: IFACE's
 * own; another's to forge it).  --to TARGET (IPv4) asks for TARGET
 * instead: a request for the host's own address makes the host learn
 * the sender, where a gratuitous one only updates what it knows
 * (arp_accept is 0 by default).
 *
 *   neigh-announce IFACE ADDRESS [--mac MAC] [--to TARGET] [--count N]
 *
 * Sends N (default 3) 200 ms apart; prints "sent N" and exits 0, or 2
 * on bad usage or a system error.
 */
#define _GNU_SOURCE
#include "selftest/tools/rawlink.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t garp(unsigned char *f, const unsigned char mac[6], const struct in_addr *addr,
                   const struct in_addr *target)
{
        memset(f, 0, 42);
        memset(f, 0xff, 6);
        memcpy(f + 6, mac, 6);
        f[12] = 0x08, f[13] = 0x06;
        f[15] = 1;                       /* Ethernet */
        f[16] = 0x08;                    /* IPv4 */
        f[18] = 6, f[19] = 4;
        f[21] = 1;                       /* request */
        memcpy(f + 22, mac, 6);          /* sender: MAC at ADDRESS */
        memcpy(f + 28, addr, 4);
        memcpy(f + 38, target, 4);       /* target: ADDRESS too, or --to */
        return 42;
}

static size_t unsolicited_na(unsigned char *f, const unsigned char mac[6], const struct in6_addr *addr)
{
        unsigned char *ip = f + 14;

        memset(f, 0, 14 + 40 + 32);
        f[0] = 0x33, f[1] = 0x33, f[5] = 1;     /* all nodes */
        memcpy(f + 6, mac, 6);
        f[12] = 0x86, f[13] = 0xdd;
        ip[0] = 0x60;
        ip[5] = 32;
        ip[6] = 58;                      /* ICMPv6 */
        ip[7] = 255;
        memcpy(ip + 8, addr, 16);        /* from ADDRESS */
        ip[24] = 0xff, ip[25] = 0x02, ip[39] = 1;
        ip[40] = 136;                    /* neighbour advertisement */
        ip[44] = 0x20;                   /* override */
        memcpy(ip + 48, addr, 16);
        ip[64] = 2, ip[65] = 1;          /* target link-layer address */
        memcpy(ip + 66, mac, 6);
        rawlink_ipv6_checksum(ip, 2);
        return 14 + 40 + 32;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "mac", required_argument, NULL, 'm' },
                { "count", required_argument, NULL, 'c' },
                { "to", required_argument, NULL, 't' },
                { 0 }
        };
        unsigned char mac[6], frame[128], addr[16];
        struct in_addr to = { 0 };
        int c, family, have_mac = 0, have_to = 0, count = 3, err;
        struct rawlink l;
        size_t len;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                if (c == 'm' && rawlink_parse_mac(optarg, mac) == 0)
                        have_mac = 1;
                else if (c == 'c' && atoi(optarg) > 0)
                        count = atoi(optarg);
                else if (c == 't' && inet_pton(AF_INET, optarg, &to) == 1)
                        have_to = 1;
                else
                        goto usage;
        }
        if (argc - optind != 2)
                goto usage;
        family = strchr(argv[optind + 1], ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, argv[optind + 1], addr) != 1)
                goto usage;
        if ((err = rawlink_open(&l, argv[optind])) < 0) {
                fprintf(stderr, "neigh-announce: %s: %s\n", argv[optind], strerror(-err));
                return 2;
        }
        if (!have_mac)
                memcpy(mac, l.mac, 6);
        len = family == AF_INET ? garp(frame, mac, (struct in_addr *)addr, have_to ? &to : (struct in_addr *)addr)
                                : unsolicited_na(frame, mac, (struct in6_addr *)addr);
        for (int i = 0; i < count; i++) {
                if (i)
                        nanosleep(&(struct timespec){ 0, 200 * 1000000L }, NULL);
                if ((err = rawlink_send(&l, frame, len)) < 0) {
                        fprintf(stderr, "neigh-announce: send on %s: %s\n", l.name, strerror(-err));
                        return 2;
                }
        }
        printf("sent %d\n", count);
        return 0;
usage:
        fprintf(stderr, "usage: neigh-announce IFACE ADDRESS [--mac MAC] [--to TARGET] [--count N]\n");
        return 2;
}
