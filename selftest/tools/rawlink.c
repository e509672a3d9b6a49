/* rawlink - frames in and out of one interface (rawlink.h). */
#define _GNU_SOURCE
#include "selftest/tools/rawlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int rawlink_open(struct rawlink *l, const char *ifname)
{
        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
        struct ifreq ifr;
        int err;

        memset(l, 0, sizeof(*l));
        if (strlen(ifname) >= sizeof(l->name))
                return -ENAMETOOLONG;
        strcpy(l->name, ifname);
        l->ifindex = (int)if_nametoindex(ifname);
        if (!l->ifindex)
                return -errno;
        l->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (l->fd < 0)
                return -errno;
        sll.sll_ifindex = l->ifindex;
        memset(&ifr, 0, sizeof(ifr));
        strcpy(ifr.ifr_name, ifname);
        if (bind(l->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
            ioctl(l->fd, SIOCGIFHWADDR, &ifr) < 0) {
                err = -errno;
                close(l->fd);
                return err;
        }
        memcpy(l->mac, ifr.ifr_hwaddr.sa_data, 6);
        return 0;
}

void rawlink_close(struct rawlink *l)
{
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -1;
}

int rawlink_send(const struct rawlink *l, const void *frame, size_t len)
{
        ssize_t n = send(l->fd, frame, len, 0);

        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t rawlink_recv(const struct rawlink *l, void *buf, size_t size, long deadline, int *pkttype)
{
        for (;;) {
                struct pollfd p = { .fd = l->fd, .events = POLLIN };
                struct sockaddr_ll from;
                socklen_t fromlen = sizeof(from);
                long left = deadline - rawlink_now_ms();
                ssize_t n;

                if (left <= 0)
                        return 0;
                n = poll(&p, 1, (int)left);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n <= 0)
                        continue;
                n = recvfrom(l->fd, buf, size, 0, (struct sockaddr *)&from, &fromlen);
                if (n < 0)
                        return errno == EINTR ? 0 : -errno;
                /* A packet socket sees what it sends, too. */
                if (from.sll_pkttype == PACKET_OUTGOING)
                        continue;
                *pkttype = from.sll_pkttype;
                return n;
        }
}

long rawlink_now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int rawlink_parse_mac(const char *s, unsigned char mac[6])
{
        return rawlink_parse_hex(s, mac, 6) == 6 && strlen(s) == 17 ? 0 : -EINVAL;
}

char *rawlink_format_mac(const unsigned char mac[6], char out[18])
{
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        return out;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int rawlink_parse_hex(const char *s, unsigned char *out, size_t size)
{
        size_t n = 0;

        while (*s) {
                int hi, lo;

                if (*s == ':' || *s == '-') {
                        s++;
                        continue;
                }
                hi = hexval(s[0]);
                lo = hi < 0 ? -1 : hexval(s[1]);
                if (lo < 0 || n == size)
                        return -EINVAL;
                out[n++] = (unsigned char)(hi << 4 | lo);
                s += 2;
        }
        return (int)n;
}

uint32_t rawlink_sum(const void *data, size_t len, uint32_t sum)
{
        const unsigned char *p = data;
        size_t i;

        for (i = 0; i + 1 < len; i += 2)
                sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t)p[len - 1] << 8;
        return sum;
}

uint16_t rawlink_fold(uint32_t sum)
{
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

static void put16(unsigned char *p, uint16_t v)
{
        p[0] = (unsigned char)(v >> 8);
        p[1] = (unsigned char)v;
}

void rawlink_ipv4_udp_checksums(unsigned char *ip)
{
        size_t total = (size_t)(ip[2] << 8 | ip[3]), udplen = total - 20;
        uint32_t sum;
        uint16_t c;

        put16(ip + 10, 0);
        put16(ip + 10, rawlink_fold(rawlink_sum(ip, 20, 0)));
        /* pseudo-header: source, destination, protocol, UDP length */
        sum = rawlink_sum(ip + 12, 8, IPPROTO_UDP + (uint32_t)udplen);
        put16(ip + 26, 0);
        c = rawlink_fold(rawlink_sum(ip + 20, udplen, sum));
        put16(ip + 26, c ? c : 0xffff);
}

void rawlink_ipv6_checksum(unsigned char *ip, size_t csum_off)
{
        size_t len = (size_t)(ip[4] << 8 | ip[5]);
        uint32_t sum = rawlink_sum(ip + 8, 32, (uint32_t)len + ip[6]);
        uint16_t c;

        put16(ip + 40 + csum_off, 0);
        c = rawlink_fold(rawlink_sum(ip + 40, len, sum));
        put16(ip + 40 + csum_off, ip[6] == IPPROTO_UDP && !c ? 0xffff : c);
}
