/* probe.c - asking a domain's own port about an address (probe.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/probe.h"
#include "cache/read/wire.h"

/* When to ask again, in ms from the start; then every RETRY_MS. */
static const unsigned schedule[] = { 0, 20, 50, 100, 200, 400, 800, 1500, 2500, 4000 };
#define RETRY_MS 2000

/* A frame buffer whose IP header (after 14 bytes of Ethernet header)
 * is 4-byte aligned, as struct ip6_hdr wants: the frame starts
 * FRAME_PAD bytes in. */
#define FRAME_PAD 2
union frame {
        uint32_t align;
        uint8_t b[FRAME_PAD + 1600];
};

/* The sockets and addresses of one port being asked. */
struct asking {
        struct virtname_probe_port *p;
        int tap_fd, bridge_fd;         /* bound to the tap, and to its bridge */
        int tap_index;
        uint8_t bridge_mac[ETH_ALEN];
        uint8_t *seen;                 /* per address: 1 on the tap, 2 through the bridge */
};

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bridge the tap PORT is a port of, into BRIDGE. */
static int bridge_of(const char *port, char bridge[IF_NAMESIZE])
{
        char path[PATH_MAX], target[PATH_MAX];
        ssize_t n;
        const char *base;

        snprintf(path, sizeof(path), "/sys/class/net/%s/master", port);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
                return errno == ENOENT ? -ENOTCONN : -errno;
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (strlen(base) >= IF_NAMESIZE)
                return -ENOTCONN;
        strcpy(bridge, base);
        return 0;
}

/* A packet socket bound to interface INDEX that takes in only ARP and
 * IPv6 frames from MAC: the filter is attached before the bind, so no
 * other frame is ever queued. */
static int packet_socket(int index, const uint8_t mac[ETH_ALEN])
{
        /* BPF loads in network byte order */
        uint32_t hi = (uint32_t)virtname_be_get(mac, 4), lo = (uint32_t)virtname_be_get(mac + 4, 2);
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 6),          /* source MAC, first 4 bytes */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 6),
                BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 10),         /* and the last 2 */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo, 0, 4),
                BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),         /* EtherType */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_ARP, 1, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV6, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 0xffff),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                                   .sll_ifindex = index };
        /* Protocol 0: nothing arrives before the bind. */
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
            bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
                int e = errno;

                close(fd);
                return -e;
        }
        return fd;
}

static int open_port(struct asking *a)
{
        char bridge[IF_NAMESIZE];
        struct ifreq ifr = { 0 };
        int bridge_index, rc;

        if (!(a->tap_index = (int)if_nametoindex(a->p->port)))
                return -ENODEV;
        if ((rc = bridge_of(a->p->port, bridge)) < 0)
                return rc;
        if (!(bridge_index = (int)if_nametoindex(bridge)))
                return -ENOTCONN;
        if ((a->tap_fd = packet_socket(a->tap_index, a->p->mac)) < 0)
                return a->tap_fd;
        if ((a->bridge_fd = packet_socket(bridge_index, a->p->mac)) < 0)
                return a->bridge_fd;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
        if (ioctl(a->tap_fd, SIOCGIFHWADDR, &ifr) < 0)
                return -errno;
        memcpy(a->bridge_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
        return 0;
}

/* The IPv6 link-local address of MAC (modified EUI-64). */
static void link_local(const uint8_t mac[ETH_ALEN], struct in6_addr *out)
{
        uint8_t *b = out->s6_addr;

        memset(b, 0, 16);
        b[0] = 0xfe;
        b[1] = 0x80;
        b[8] = mac[0] ^ 2;
        b[9] = mac[1];
        b[10] = mac[2];
        b[11] = 0xff;
        b[12] = 0xfe;
        b[13] = mac[3];
        b[14] = mac[4];
        b[15] = mac[5];
}

/* The ICMPv6 checksum of LEN bytes at MSG from SRC to DST (RFC 4443). */
static uint16_t icmp6_sum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *msg, size_t len)
{
        uint32_t sum = 0;

        for (int i = 0; i < 16; i += 2)
                sum += (uint32_t)(virtname_be_get(src->s6_addr + i, 2) + virtname_be_get(dst->s6_addr + i, 2));
        sum += (uint32_t)len + IPPROTO_ICMPV6;
        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t)virtname_be_get(msg + i, 2);
        if (len % 2)
                sum += (uint32_t)msg[len - 1] << 8;     /* the last byte, padded with a zero */
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return htons((uint16_t)~sum);
}

/* Send the question about address Q out of the tap, from the bridge's
 * MAC, so that the answer comes to the host. */
static void ask(const struct asking *a, const struct virtname_probe_addr *q)
{
        union frame out = { 0 };
        uint8_t *frame = out.b + FRAME_PAD;
        struct ether_header *eh = (struct ether_header *)frame;
        struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = a->tap_index, .sll_halen = ETH_ALEN };
        size_t len;

        memcpy(eh->ether_shost, a->bridge_mac, ETH_ALEN);
        if (q->family == AF_INET) {
                struct ether_arp *arp = (struct ether_arp *)(eh + 1);

                memset(eh->ether_dhost, 0xff, ETH_ALEN);
                eh->ether_type = htons(ETHERTYPE_ARP);
                arp->arp_hrd = htons(ARPHRD_ETHER);
                arp->arp_pro = htons(ETHERTYPE_IP);
                arp->arp_hln = ETH_ALEN;
                arp->arp_pln = 4;
                arp->arp_op = htons(ARPOP_REQUEST);
                memcpy(arp->arp_sha, a->bridge_mac, ETH_ALEN);
                /* sender address 0.0.0.0: a probe, which the guest
                 * answers without learning anything */
                memcpy(arp->arp_tpa, q->addr, 4);
                len = sizeof(*eh) + sizeof(*arp);
        } else {
                struct ip6_hdr *ip = (struct ip6_hdr *)(eh + 1);
                struct nd_neighbor_solicit *ns = (struct nd_neighbor_solicit *)(ip + 1);
                struct nd_opt_hdr *opt = (struct nd_opt_hdr *)(ns + 1);
                size_t icmp_len = sizeof(*ns) + 8;
                uint8_t *dst = ip->ip6_dst.s6_addr;

                /* To the address's solicited-node group. */
                dst[0] = 0xff;
                dst[1] = 0x02;
                dst[11] = 0x01;
                dst[12] = 0xff;
                memcpy(dst + 13, q->addr + 13, 3);
                memcpy(eh->ether_dhost, (uint8_t[]){ 0x33, 0x33 }, 2);
                memcpy(eh->ether_dhost + 2, dst + 12, 4);
                eh->ether_type = htons(ETHERTYPE_IPV6);
                ip->ip6_flow = htonl(6u << 28);
                ip->ip6_plen = htons((uint16_t)icmp_len);
                ip->ip6_nxt = IPPROTO_ICMPV6;
                ip->ip6_hlim = 255;
                link_local(a->bridge_mac, &ip->ip6_src);
                ns->nd_ns_type = ND_NEIGHBOR_SOLICIT;
                memcpy(&ns->nd_ns_target, q->addr, 16);
                opt->nd_opt_type = ND_OPT_SOURCE_LINKADDR;
                opt->nd_opt_len = 1;
                memcpy(opt + 1, a->bridge_mac, ETH_ALEN);
                ns->nd_ns_cksum = icmp6_sum(&ip->ip6_src, &ip->ip6_dst, (const uint8_t *)ns, icmp_len);
                len = sizeof(*eh) + sizeof(*ip) + icmp_len;
        }
        memcpy(to.sll_addr, eh->ether_dhost, ETH_ALEN);
        /* A full queue or a port going away: asked again, or the deadline. */
        (void)sendto(a->tap_fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* The address FRAME (LEN bytes, from the port's MAC: the filter saw to
 * that) answers for, into FAMILY and ADDR: an ARP reply whose sender is
 * the MAC, or a neighbour advertisement. */
static bool answer_of(const struct asking *a, const uint8_t *frame, size_t len, int *family, uint8_t addr[16])
{
        const struct ether_header *eh = (const struct ether_header *)frame;

        if (len < sizeof(*eh))
                return false;
        if (ntohs(eh->ether_type) == ETHERTYPE_ARP && len >= sizeof(*eh) + sizeof(struct ether_arp)) {
                const struct ether_arp *arp = (const struct ether_arp *)(eh + 1);

                if (ntohs(arp->arp_hrd) != ARPHRD_ETHER || ntohs(arp->arp_pro) != ETHERTYPE_IP ||
                    arp->arp_hln != ETH_ALEN || arp->arp_pln != 4 || ntohs(arp->arp_op) != ARPOP_REPLY ||
                    memcmp(arp->arp_sha, a->p->mac, ETH_ALEN) != 0)
                        return false;
                *family = AF_INET;
                memset(addr, 0, 16);
                memcpy(addr, arp->arp_spa, 4);
                return true;
        }
        if (ntohs(eh->ether_type) == ETHERTYPE_IPV6 &&
            len >= sizeof(*eh) + sizeof(struct ip6_hdr) + sizeof(struct nd_neighbor_advert)) {
                const struct ip6_hdr *ip = (const struct ip6_hdr *)(eh + 1);
                const struct nd_neighbor_advert *na = (const struct nd_neighbor_advert *)(ip + 1);

                if (ip->ip6_nxt != IPPROTO_ICMPV6 || ip->ip6_hlim != 255 || na->nd_na_type != ND_NEIGHBOR_ADVERT ||
                    na->nd_na_code != 0)
                        return false;
                *family = AF_INET6;
                memcpy(addr, &na->nd_na_target, 16);
                return true;
        }
        return false;
}

/* Read what is waiting on FD (the tap's socket, or the bridge's: BIT). */
static void take_answers(struct asking *a, int fd, uint8_t bit)
{
        union frame in;
        uint8_t *frame = in.b + FRAME_PAD, addr[16];
        struct sockaddr_ll from;
        socklen_t fromlen = sizeof(from);
        ssize_t n;
        int family;

        while ((n = recvfrom(fd, frame, sizeof(in.b) - FRAME_PAD, 0, (struct sockaddr *)&from, &fromlen)) >= 0) {
                fromlen = sizeof(from);
                /* What the bridge sends the guest (our questions, other
                 * ports' frames) leaves through the tap: not the guest's. */
                if (from.sll_pkttype == PACKET_OUTGOING ||
                    !answer_of(a, frame, (size_t)n, &family, addr))
                        continue;
                for (size_t i = 0; i < a->p->n; i++)
                        if (a->p->addrs[i].family == family && memcmp(a->p->addrs[i].addr, addr, 16) == 0)
                                a->seen[i] |= bit;
        }
}

static bool all_answered(const struct asking *a)
{
        for (size_t i = 0; i < a->p->n; i++)
                if (a->seen[i] != 3)
                        return false;
        return true;
}

int virtname_probe(struct virtname_probe_port *const *ports, size_t n, unsigned deadline_ms)
{
        return virtname_probe_then(ports, n, deadline_ms, NULL, NULL);
}

int virtname_probe_then(struct virtname_probe_port *const *ports, size_t n, unsigned deadline_ms,
                        void (*then)(void *ctx), void *ctx)
{
        struct asking *a;
        struct pollfd *pfd;
        int64_t start = now_ms();
        size_t open = 0, round = 0;
        int rc = 0, last_err = -ENODEV;

        if (n > VIRTNAME_PROBE_PORTS_MAX)
                n = VIRTNAME_PROBE_PORTS_MAX;
        a = calloc(n ? n : 1, sizeof(*a));
        pfd = calloc(2 * (n ? n : 1), sizeof(*pfd));
        if (!a || !pfd) {
                free(a);
                free(pfd);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                a[i] = (struct asking){ .p = ports[i], .tap_fd = -1, .bridge_fd = -1 };
                for (size_t j = 0; j < ports[i]->n; j++)
                        ports[i]->addrs[j].answered = false;
                a[i].seen = calloc(ports[i]->n ? ports[i]->n : 1, 1);
                ports[i]->err = a[i].seen ? open_port(&a[i]) : -ENOMEM;
                if (ports[i]->err == 0)
                        open++;
                else
                        last_err = ports[i]->err;
        }
        if (open == 0 && n > 0)
                rc = last_err;
        for (;;) {
                int64_t elapsed = now_ms() - start, next;
                size_t np = 0, waiting = 0;

                /* Ask whoever has not answered everything, on schedule. */
                next = round < sizeof(schedule) / sizeof(schedule[0])
                               ? schedule[round]
                               : schedule[sizeof(schedule) / sizeof(schedule[0]) - 1] +
                                         (int64_t)(round + 1 - sizeof(schedule) / sizeof(schedule[0])) * RETRY_MS;
                if (elapsed >= next) {
                        for (size_t i = 0; i < n; i++)
                                for (size_t j = 0; ports[i]->err == 0 && j < ports[i]->n; j++)
                                        if (a[i].seen[j] != 3)
                                                ask(&a[i], &ports[i]->addrs[j]);
                        round++;
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        if (ports[i]->err || all_answered(&a[i]))
                                continue;
                        waiting++;
                        pfd[np++] = (struct pollfd){ .fd = a[i].tap_fd, .events = POLLIN };
                        pfd[np++] = (struct pollfd){ .fd = a[i].bridge_fd, .events = POLLIN };
                }
                if (waiting == 0 || elapsed >= deadline_ms)
                        break;
                if (next > deadline_ms)
                        next = deadline_ms;
                if (poll(pfd, np, (int)(next - elapsed)) < 0 && errno != EINTR)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (ports[i]->err)
                                continue;
                        take_answers(&a[i], a[i].tap_fd, 1);
                        take_answers(&a[i], a[i].bridge_fd, 2);
                }
        }
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; a[i].seen && j < ports[i]->n; j++)
                        ports[i]->addrs[j].answered = a[i].seen[j] == 3;
        /* Closing a packet socket waits for the network's RCU grace
         * period (tens of ms under load, two per port): what was said is
         * acted on first. */
        if (then)
                then(ctx);
        for (size_t i = 0; i < n; i++) {
                if (a[i].tap_fd >= 0)
                        close(a[i].tap_fd);
                if (a[i].bridge_fd >= 0)
                        close(a[i].bridge_fd);
                free(a[i].seen);
        }
        free(a);
        free(pfd);
        return rc;
}
