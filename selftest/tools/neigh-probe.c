/* neigh-probe - does whatever sits behind bridge port PORT answer for
 * ADDRESS?  Sends one ARP who-has ADDRESS (sender IP 0.0.0.0, an ARP
 * probe) or, for an IPv6 address, a neighbour solicitation from :: to
 * ADDRESS's solicited-node group, out of PORT only (a packet socket bound
 * to the port: the bridge never forwards it), and waits for the answer
 * coming IN on PORT.  The Ethernet source is PORT's bridge's MAC (the
 * host asking), or --from MAC.
 *
 *   neigh-probe PORT ADDRESS [--from MAC] [--timeout MS] [--tries N]
 *
 * Asks again every 500 ms (a guest under TCG is slow), up to N times
 * (default 10).  Prints "reply ADDRESS from MAC after N ms" and exits 0,
 * or prints "no reply" and exits 1; 2 on bad usage or a system error.
 */
#define _GNU_SOURCE
#include "selftest/tools/rawlink.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTERVAL_MS 500

/* The MAC of the bridge PORT belongs to, if it is a bridge port. */
static int bridge_mac(const char *port, unsigned char mac[6])
{
        char path[128], text[32] = "";
        FILE *f;

        snprintf(path, sizeof(path), "/sys/class/net/%s/master/address", port);
        f = fopen(path, "re");
        if (!f)
                return -1;
        if (!fgets(text, sizeof(text), f))
                text[0] = 0;
        fclose(f);
        text[strcspn(text, "\n")] = 0;
        return rawlink_parse_mac(text, mac);
}

static size_t arp_probe(unsigned char *f, const unsigned char from[6], const struct in_addr *target)
{
        memset(f, 0, 42);
        memset(f, 0xff, 6);
        memcpy(f + 6, from, 6);
        f[12] = 0x08, f[13] = 0x06;
        f[15] = 1;                       /* Ethernet */
        f[16] = 0x08;                    /* IPv4 */
        f[18] = 6, f[19] = 4;
        f[21] = 1;                       /* request */
        memcpy(f + 22, from, 6);         /* sender IP stays 0.0.0.0 */
        memcpy(f + 38, target, 4);
        return 42;
}

static size_t nd_solicit(unsigned char *f, const unsigned char from[6], const struct in6_addr *target)
{
        unsigned char *ip = f + 14;

        memset(f, 0, 14 + 40 + 24);
        f[0] = 0x33, f[1] = 0x33, f[2] = 0xff;
        memcpy(f + 3, &target->s6_addr[13], 3);
        memcpy(f + 6, from, 6);
        f[12] = 0x86, f[13] = 0xdd;
        ip[0] = 0x60;
        ip[5] = 24;                      /* payload: the NS, no source link-layer option from :: */
        ip[6] = 58;                      /* ICMPv6 */
        ip[7] = 255;
        ip[24] = 0xff, ip[25] = 0x02, ip[35] = 1, ip[36] = 0xff;   /* ff02::1:ffXX:XXXX */
        memcpy(ip + 37, &target->s6_addr[13], 3);
        ip[40] = 135;                    /* neighbour solicitation */
        memcpy(ip + 48, target, 16);
        rawlink_ipv6_checksum(ip, 2);
        return 14 + 40 + 24;
}

/* An ARP reply from ADDRESS, or a neighbour advertisement for it. */
static int answers(const unsigned char *f, size_t len, int family, const void *target)
{
        if (family == AF_INET)
                return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 && !memcmp(f + 28, target, 4);
        return len >= 14 + 40 + 24 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 && f[54] == 136 &&
               !memcmp(f + 62, target, 16);
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "from", required_argument, NULL, 'f' },
                { "timeout", required_argument, NULL, 't' },
                { "tries", required_argument, NULL, 'n' },
                { 0 }
        };
        unsigned char from[6], frame[128], in[2048];
        unsigned char target[16];
        int c, family, have_from = 0, tries = 10, sent = 0, pkttype, err;
        long start, next = 0, end;
        struct rawlink l;
        char mac[18];
        size_t len;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                if (c == 'f' && rawlink_parse_mac(optarg, from) == 0)
                        have_from = 1;
                else if (c == 'n' && atoi(optarg) > 0)
                        tries = atoi(optarg);
                else if (c != 't' || atoi(optarg) <= 0)
                        goto usage;
                else
                        tries = (atoi(optarg) + INTERVAL_MS - 1) / INTERVAL_MS;
        }
        if (argc - optind != 2)
                goto usage;
        family = strchr(argv[optind + 1], ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, argv[optind + 1], target) != 1)
                goto usage;
        err = rawlink_open(&l, argv[optind]);
        if (err < 0) {
                fprintf(stderr, "neigh-probe: %s: %s\n", argv[optind], strerror(-err));
                return 2;
        }
        if (!have_from && bridge_mac(argv[optind], from) < 0)
                memcpy(from, l.mac, 6);
        len = family == AF_INET ? arp_probe(frame, from, (struct in_addr *)target)
                                : nd_solicit(frame, from, (struct in6_addr *)target);
        start = rawlink_now_ms();
        end = start + (long)tries * INTERVAL_MS;
        for (;;) {
                long now = rawlink_now_ms();
                ssize_t n;

                if (now >= end)
                        break;
                if (now >= next && sent < tries) {
                        err = rawlink_send(&l, frame, len);
                        if (err < 0) {
                                fprintf(stderr, "neigh-probe: send on %s: %s\n", l.name, strerror(-err));
                                return 2;
                        }
                        sent++;
                        next = now + INTERVAL_MS;
                }
                n = rawlink_recv(&l, in, sizeof(in), next < end ? next : end, &pkttype);
                if (n < 0)
                        return 2;
                if (n > 0 && answers(in, (size_t)n, family, target)) {
                        printf("reply %s from %s after %ld ms\n", argv[optind + 1],
                               rawlink_format_mac(in + 6, mac), rawlink_now_ms() - start);
                        return 0;
                }
        }
        printf("no reply\n");
        return 1;
usage:
        fprintf(stderr, "usage: neigh-probe PORT ADDRESS [--from MAC] [--timeout MS] [--tries N]\n");
        return 2;
}
