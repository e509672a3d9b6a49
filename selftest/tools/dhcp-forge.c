/* dhcp-forge - the DHCP packets a hostile guest sends and a real client
 * cannot, built whole and sent over a raw AF_PACKET socket with the
 * interface's OWN Ethernet source (so libvirt's no-mac-spoofing passes
 * them: it checks the frame, not the payload).  What comes back is
 * printed.  libc only; also linked statically to run inside the busybox
 * guest of selftest/lib-guest.sh, where it is the DHCPv6 client as well.
 *
 *   dhcp-forge IFACE v4 [--chaddr MAC] [--client-id HEX | --no-client-id]
 *              [--hostname NAME] [--request ADDR] [--htype N] [--no-broadcast]
 *   dhcp-forge IFACE release --chaddr MAC --addr ADDR --server ADDR
 *              [--client-id HEX | --no-client-id] [--ip-src ADDR]
 *   dhcp-forge IFACE v6 [--duid HEX | --duid random] [--count N]
 *              [--hostname NAME] [--relay-mac MAC [--link-address ADDR]]
 *   any of them: [--timeout MS] for each exchange (default 30000)
 *                [--eth-src MAC] (a forged Ethernet source: what libvirt's
 *                no-mac-spoofing drops, to show that it does)
 *
 * v4: DISCOVER, then REQUEST of the offered address.  chaddr is the
 *   interface's MAC unless given, the client id (61) 01+interface MAC
 *   unless given, the broadcast flag set (without it the server answers
 *   the chaddr's MAC, which need not be ours).  --request: option 50 in
 *   the DISCOVER.  --htype 6: a hardware type other than Ethernet, same
 *   6-byte chaddr.  Prints "offer ADDR server SERVER", then "ack ADDR" or
 *   "nak".
 * release: one DHCPRELEASE of ADDR (ciaddr, IP source ADDR, to SERVER,
 *   server id SERVER), client id 01+chaddr unless given (what udhcpc and
 *   dhclient send).  --ip-src 0.0.0.0: from 0.0.0.0 to 255.255.255.255
 *   (what libvirt's no-ip-spoofing lets through as DHCP; the kernel drops
 *   0.0.0.0 to a unicast address).  Nothing answers a release: prints
 *   "release ADDR sent".
 * v6: SOLICIT, then REQUEST of the advertised address, COUNT times, from
 *   the interface's link-local address (past DAD: the server answers it).
 *   DUID: DUID-LL of the interface's MAC unless given; "random": a fresh
 *   DUID-UUID and IAID for each exchange.  --hostname: the FQDN option
 *   (39).  --relay-mac MAC: every message wrapped in a RELAY-FORW that we
 *   send ourselves, as a relay agent would, carrying option 79 (RFC 6939,
 *   the client's link-layer address) = MAC, peer address fe80::EUI-64 of
 *   MAC, link address --link-address (default ::; dnsmasq picks the
 *   range by it and answers nothing without one in a range's prefix).
 *   Prints "advertise ADDR" and "reply ADDR duid HEX iaid N" for each.
 *
 * Exit status: 0 when every exchange ended in an ack/reply, 1 when one
 * did not (nak, no address, nothing in time), 2 on bad usage or a system
 * error.
 */
#define _GNU_SOURCE
#include "selftest/tools/rawlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define RESEND_MS 2000

/* A bounded byte buffer: writes past its end set overflow, nothing more. */
struct buf {
        unsigned char *p;
        size_t len, size;
        int overflow;
};

static void put(struct buf *b, const void *data, size_t n)
{
        if (b->len + n > b->size) {
                b->overflow = 1;
                return;
        }
        memcpy(b->p + b->len, data, n);
        b->len += n;
}

static void put8(struct buf *b, unsigned v)
{
        unsigned char c = (unsigned char)v;

        put(b, &c, 1);
}

static void put16(struct buf *b, unsigned v)
{
        put8(b, v >> 8);
        put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
        put16(b, v >> 16);
        put16(b, v & 0xffff);
}

static unsigned get16(const unsigned char *p)
{
        return (unsigned)(p[0] << 8 | p[1]);
}

static struct {
        const char *ifname;
        struct rawlink link;
        long timeout_ms;
        unsigned char chaddr[6];
        int have_chaddr;
        unsigned char clid[64];
        int clid_len;                /* -1: send none; 0: the default */
        const char *hostname;
        struct in_addr request, addr, server, ip_src;
        int have_ip_src;
        int htype, broadcast, count;
        unsigned char duid[130];
        int duid_len;                /* -1: random each time; 0: DUID-LL */
        unsigned char relay_mac[6];
        int relay;
        unsigned char eth_src[6];    /* the frames' source: the interface's */
        int have_eth_src;
        struct in6_addr link_address;
} opt = { .clid_len = 0, .htype = 1, .broadcast = 1, .count = 1, .timeout_ms = 30000 };

/* Send frame, then wait for a frame match() accepts, sending it again
 * every RESEND_MS: 1 when one came, 0 at the timeout, -1 on an error. */
static int exchange(const unsigned char *frame, size_t len,
                    int (*match)(const unsigned char *, size_t, void *), void *ctx)
{
        long end = rawlink_now_ms() + opt.timeout_ms, next = 0;
        unsigned char in[2048];

        for (;;) {
                long now = rawlink_now_ms();
                int pkttype, err;
                ssize_t n;

                if (now >= end)
                        return 0;
                if (now >= next) {
                        err = rawlink_send(&opt.link, frame, len);
                        if (err < 0) {
                                fprintf(stderr, "dhcp-forge: send on %s: %s\n", opt.ifname, strerror(-err));
                                return -1;
                        }
                        next = now + RESEND_MS;
                }
                n = rawlink_recv(&opt.link, in, sizeof(in), next < end ? next : end, &pkttype);
                if (n < 0) {
                        fprintf(stderr, "dhcp-forge: receive on %s: %s\n", opt.ifname, strerror((int)-n));
                        return -1;
                }
                if (n > 0 && match(in, (size_t)n, ctx))
                        return 1;
        }
}

/* --- DHCPv4 ------------------------------------------------------------ */

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6, RELEASE = 7 };

struct v4reply {
        uint32_t xid;
        int asked, type;
        struct in_addr yiaddr, server;
};

/* Ethernet + IPv4 + UDP 68 -> 67 around a BOOTREQUEST of message type
 * type; returns the frame's length, 0 if it did not fit. */
static size_t v4_frame(unsigned char *f, size_t size, int type, uint32_t xid, struct in_addr ciaddr,
                       struct in_addr server, struct in_addr want, struct in_addr ipsrc, struct in_addr ipdst)
{
        static const unsigned char params[] = { 1, 3, 6, 12, 15, 28 };
        struct buf b = { f, 0, size, 0 };
        unsigned char zero[10 + 64 + 128] = { 0 }, own_clid[7] = { 1 };
        size_t bootp;

        put(&b, "\xff\xff\xff\xff\xff\xff", 6);           /* Ethernet: to all */
        put(&b, opt.eth_src, 6);
        put16(&b, 0x0800);
        put(&b, zero, 20 + 8);                           /* IPv4, UDP: below */
        bootp = b.len;
        put8(&b, 1);                                     /* BOOTREQUEST */
        put8(&b, (unsigned)opt.htype);
        put8(&b, 6);
        put8(&b, 0);
        put32(&b, xid);
        put16(&b, 0);                                    /* secs */
        put16(&b, opt.broadcast ? 0x8000 : 0);
        put(&b, &ciaddr, 4);
        put(&b, zero, 12);                               /* yiaddr, siaddr, giaddr */
        put(&b, opt.chaddr, 6);
        put(&b, zero, 10 + 64 + 128);                    /* chaddr's rest, sname, file */
        put32(&b, 0x63825363);
        put8(&b, 53);
        put8(&b, 1);
        put8(&b, (unsigned)type);
        if (opt.clid_len > 0) {
                put8(&b, 61);
                put8(&b, (unsigned)opt.clid_len);
                put(&b, opt.clid, (size_t)opt.clid_len);
        } else if (opt.clid_len == 0) {
                memcpy(own_clid + 1, type == RELEASE ? opt.chaddr : opt.link.mac, 6);
                put8(&b, 61);
                put8(&b, 7);
                put(&b, own_clid, 7);
        }
        if (want.s_addr) {
                put8(&b, 50);
                put8(&b, 4);
                put(&b, &want, 4);
        }
        if (server.s_addr) {
                put8(&b, 54);
                put8(&b, 4);
                put(&b, &server, 4);
        }
        if (opt.hostname && type != RELEASE) {
                put8(&b, 12);
                put8(&b, (unsigned)strlen(opt.hostname));
                put(&b, opt.hostname, strlen(opt.hostname));
        }
        if (type != RELEASE) {
                put8(&b, 55);
                put8(&b, sizeof(params));
                put(&b, params, sizeof(params));
        }
        put8(&b, 255);
        if (b.len - bootp < 300)                         /* BOOTP's minimum */
                put(&b, zero, 300 - (b.len - bootp));
        if (b.overflow)
                return 0;
        /* IPv4 header, then UDP */
        f[14] = 0x45;
        f[16] = (unsigned char)((b.len - 14) >> 8);
        f[17] = (unsigned char)(b.len - 14);
        f[22] = 64;
        f[23] = IPPROTO_UDP;
        memcpy(f + 26, &ipsrc, 4);
        memcpy(f + 30, &ipdst, 4);
        f[34 + 1] = 68;
        f[36 + 1] = 67;
        f[38] = (unsigned char)((b.len - 34) >> 8);
        f[39] = (unsigned char)(b.len - 34);
        rawlink_ipv4_udp_checksums(f + 14);
        return b.len;
}

/* A BOOTREPLY to our xid, to UDP port 68: its type, yiaddr, server id. */
static int v4_match(const unsigned char *f, size_t len, void *ctx)
{
        struct v4reply *r = ctx;
        const unsigned char *bootp, *o, *end = f + len;
        uint32_t xid;
        size_t ihl;

        if (len < 14 + 20 || get16(f + 12) != 0x0800 || f[23] != IPPROTO_UDP)
                return 0;
        ihl = (size_t)(f[14] & 15) * 4;
        if (ihl < 20 || len < 14 + ihl + 8 + 240 || get16(f + 14 + ihl + 2) != 68)
                return 0;
        bootp = f + 14 + ihl + 8;
        memcpy(&xid, bootp + 4, 4);
        if (bootp[0] != 2 || ntohl(xid) != r->xid || get16(bootp + 236) != 0x6382 ||
            get16(bootp + 238) != 0x5363)
                return 0;
        r->type = 0;
        r->server.s_addr = 0;
        memcpy(&r->yiaddr, bootp + 16, 4);
        for (o = bootp + 240; o < end && *o != 255;) {
                if (*o == 0) {
                        o++;
                        continue;
                }
                if (o + 2 > end || o + 2 + o[1] > end)
                        break;
                if (o[0] == 53 && o[1] == 1)
                        r->type = o[2];
                if (o[0] == 54 && o[1] == 4)
                        memcpy(&r->server, o + 2, 4);
                o += 2 + o[1];
        }
        return r->type != 0;
}

/* The answer to what we asked: an OFFER to a DISCOVER, an ACK or a NAK
 * to a REQUEST (the server may repeat an OFFER meanwhile). */
static int v4_answer(const unsigned char *f, size_t len, void *ctx)
{
        struct v4reply *r = ctx;

        if (!v4_match(f, len, ctx))
                return 0;
        return r->asked == DISCOVER ? r->type == OFFER : r->type == ACK || r->type == NAK;
}

static int run_v4(void)
{
        unsigned char f[1024];
        struct in_addr none = { 0 }, all = { INADDR_BROADCAST };
        struct v4reply r = { .asked = DISCOVER };
        char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
        size_t len;
        int got;

        if (getrandom(&r.xid, sizeof(r.xid), 0) != sizeof(r.xid))
                return 2;
        len = v4_frame(f, sizeof(f), DISCOVER, r.xid, none, none, opt.request, none, all);
        if (!len)
                return 2;
        got = exchange(f, len, v4_answer, &r);
        if (got <= 0) {
                if (!got)
                        printf("no offer\n");
                return got < 0 ? 2 : 1;
        }
        printf("offer %s server %s\n", inet_ntop(AF_INET, &r.yiaddr, a, sizeof(a)),
               inet_ntop(AF_INET, &r.server, s, sizeof(s)));
        fflush(stdout);
        len = v4_frame(f, sizeof(f), REQUEST, r.xid, none, r.server, r.yiaddr, none, all);
        r.asked = REQUEST;
        got = len ? exchange(f, len, v4_answer, &r) : -1;
        if (got <= 0) {
                if (!got)
                        printf("no ack\n");
                return got < 0 ? 2 : 1;
        }
        if (r.type == NAK) {
                printf("nak\n");
                return 1;
        }
        printf("ack %s\n", inet_ntop(AF_INET, &r.yiaddr, a, sizeof(a)));
        return 0;
}

static int run_release(void)
{
        unsigned char f[1024];
        struct in_addr none = { 0 }, all = { INADDR_BROADCAST };
        uint32_t xid;
        size_t len;
        int err;

        if (!opt.have_chaddr || !opt.addr.s_addr || !opt.server.s_addr) {
                fprintf(stderr, "dhcp-forge: release needs --chaddr, --addr and --server\n");
                return 2;
        }
        if (getrandom(&xid, sizeof(xid), 0) != sizeof(xid))
                return 2;
        if (opt.have_ip_src && !opt.ip_src.s_addr)
                len = v4_frame(f, sizeof(f), RELEASE, xid, opt.addr, opt.server, none, none, all);
        else
                len = v4_frame(f, sizeof(f), RELEASE, xid, opt.addr, opt.server, none,
                               opt.have_ip_src ? opt.ip_src : opt.addr, opt.server);
        if (!len)
                return 2;
        err = rawlink_send(&opt.link, f, len);
        if (err < 0) {
                fprintf(stderr, "dhcp-forge: send on %s: %s\n", opt.ifname, strerror(-err));
                return 2;
        }
        printf("release %s sent\n", inet_ntoa(opt.addr));
        return 0;
}

/* --- DHCPv6 ------------------------------------------------------------ */

enum { SOLICIT6 = 1, ADVERTISE6 = 2, REQUEST6 = 3, REPLY6 = 7, RELAY_FORW = 12, RELAY_REPL = 13 };
enum { O_CLIENTID = 1, O_SERVERID = 2, O_IA_NA = 3, O_IAADDR = 5, O_ELAPSED = 8, O_RELAY_MSG = 9,
       O_STATUS = 13, O_FQDN = 39, O_CLIENT_LINKLAYER = 79 };

struct v6reply {
        uint32_t xid;
        int want;                        /* ADVERTISE6 or REPLY6 */
        struct in6_addr addr;
        unsigned char serverid[130];
        size_t serverid_len;
};

/* The option code in options [p, end): its data and length, or NULL. */
static const unsigned char *opt6_find(const unsigned char *p, const unsigned char *end, unsigned code,
                                      size_t *len)
{
        while (p + 4 <= end) {
                size_t n = get16(p + 2);

                if (p + 4 + n > end)
                        return NULL;
                if (get16(p) == code) {
                        *len = n;
                        return p + 4;
                }
                p += 4 + n;
        }
        return NULL;
}

static void opt6(struct buf *b, unsigned code, const void *data, size_t n)
{
        put16(b, code);
        put16(b, (unsigned)n);
        put(b, data, n);
}

/* name in DNS wire format, a partial name (no root label) unless it ends
 * in a dot, as dhclient sends "send fqdn.fqdn". */
static void put_dns_name(struct buf *b, const char *name)
{
        const char *label = name;

        while (*label) {
                size_t n = strcspn(label, ".");

                put8(b, (unsigned)n);
                put(b, label, n);
                label += n;
                if (*label == '.') {
                        label++;
                        if (!*label)
                                put8(b, 0);
                }
        }
}

/* The client message: type, xid, our DUID and IAID, and for a REQUEST the
 * server's id and the address advertised. */
static void v6_message(struct buf *b, int type, uint32_t xid, const unsigned char *duid, size_t duid_len,
                       uint32_t iaid, const struct v6reply *adv)
{
        unsigned char ia[12 + 4 + 24], fqdn[300], elapsed[2] = { 0 };
        struct buf iab = { ia, 0, sizeof(ia), 0 }, fb = { fqdn, 0, sizeof(fqdn), 0 };

        put32(b, (uint32_t)type << 24 | (xid & 0xffffff));
        opt6(b, O_CLIENTID, duid, duid_len);
        if (adv)
                opt6(b, O_SERVERID, adv->serverid, adv->serverid_len);
        put32(&iab, iaid);
        put32(&iab, 0);                                  /* T1, T2: the server's choice */
        put32(&iab, 0);
        if (adv) {
                put16(&iab, O_IAADDR);
                put16(&iab, 24);
                put(&iab, &adv->addr, 16);
                put32(&iab, 0);
                put32(&iab, 0);
        }
        opt6(b, O_IA_NA, ia, iab.len);
        opt6(b, O_ELAPSED, elapsed, sizeof(elapsed));
        if (opt.hostname) {
                put8(&fb, 0);                            /* flags: no S, the server updates nothing */
                put_dns_name(&fb, opt.hostname);
                if (fb.overflow)
                        b->overflow = 1;
                opt6(b, O_FQDN, fqdn, fb.len);
        }
}

static void eui64_link_local(const unsigned char mac[6], struct in6_addr *a)
{
        memset(a, 0, sizeof(*a));
        a->s6_addr[0] = 0xfe;
        a->s6_addr[1] = 0x80;
        a->s6_addr[8] = mac[0] ^ 2;
        a->s6_addr[9] = mac[1];
        a->s6_addr[10] = mac[2];
        a->s6_addr[11] = 0xff;
        a->s6_addr[12] = 0xfe;
        memcpy(&a->s6_addr[13], mac + 3, 3);
}

/* msg wrapped as from a relay agent when --relay-mac is given, in UDP from
 * src to All_DHCP_Relay_Agents_and_Servers, in IPv6, in Ethernet. */
static size_t v6_frame(unsigned char *f, size_t size, const struct in6_addr *src, const unsigned char *msg,
                       size_t msg_len)
{
        static const unsigned char servers[16] = { 0xff, 2, [13] = 1, [15] = 2 };
        struct buf b = { f, 0, size, 0 };
        unsigned char lla[8] = { 0, 1 };
        struct in6_addr peer;
        size_t udp;

        put(&b, "\x33\x33\x00\x01\x00\x02", 6);
        put(&b, opt.eth_src, 6);
        put16(&b, 0x86dd);
        put32(&b, 6u << 28);
        put16(&b, 0);                                    /* payload length, below */
        put8(&b, IPPROTO_UDP);
        put8(&b, 1);                                     /* hop limit: this link */
        put(&b, src, 16);
        put(&b, servers, 16);
        udp = b.len;
        put16(&b, opt.relay ? 547 : 546);
        put16(&b, 547);
        put32(&b, 0);                                    /* length, checksum: below */
        if (opt.relay) {
                eui64_link_local(opt.relay_mac, &peer);
                put8(&b, RELAY_FORW);
                put8(&b, 0);                             /* hop count */
                put(&b, &opt.link_address, 16);
                put(&b, &peer, 16);
                opt6(&b, O_RELAY_MSG, msg, msg_len);
                memcpy(lla + 2, opt.relay_mac, 6);
                opt6(&b, O_CLIENT_LINKLAYER, lla, sizeof(lla));
        } else {
                put(&b, msg, msg_len);
        }
        if (b.overflow)
                return 0;
        f[18] = (unsigned char)((b.len - udp) >> 8);
        f[19] = (unsigned char)(b.len - udp);
        f[udp + 4] = f[18];
        f[udp + 5] = f[19];
        rawlink_ipv6_checksum(f + 14, 6);
        return b.len;
}

/* A server's answer to xid (unwrapped from a RELAY-REPL when we relay):
 * its server id and the first address of its IA_NA. */
static int v6_match(const unsigned char *f, size_t len, void *ctx)
{
        struct v6reply *r = ctx;
        const unsigned char *m, *end = f + len, *p, *ia, *a;
        size_t n, ialen, alen;

        if (len < 14 + 40 + 8 + 4 || get16(f + 12) != 0x86dd || f[20] != IPPROTO_UDP ||
            get16(f + 56) != (opt.relay ? 547 : 546))
                return 0;
        m = f + 14 + 40 + 8;
        if (opt.relay) {
                if (m[0] != RELAY_REPL || m + 34 > end || !(p = opt6_find(m + 34, end, O_RELAY_MSG, &n)))
                        return 0;
                m = p;
                end = p + n;
                if (n < 4)
                        return 0;
        }
        if (m[0] != r->want || ((uint32_t)(m[1] << 16 | m[2] << 8 | m[3])) != (r->xid & 0xffffff))
                return 0;
        p = opt6_find(m + 4, end, O_SERVERID, &n);
        if (!p || n > sizeof(r->serverid))
                return 0;
        memcpy(r->serverid, p, n);
        r->serverid_len = n;
        memset(&r->addr, 0, sizeof(r->addr));
        ia = opt6_find(m + 4, end, O_IA_NA, &ialen);
        if (ia && ialen >= 12 && (a = opt6_find(ia + 12, ia + ialen, O_IAADDR, &alen)) && alen >= 24)
                memcpy(&r->addr, a, 16);
        return 1;
}

static int link_local(struct in6_addr *a)
{
        struct ifaddrs *all, *i;
        int found = 0;

        if (getifaddrs(&all) < 0)
                return 0;
        for (i = all; i && !found; i = i->ifa_next)
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 && !strcmp(i->ifa_name, opt.ifname) &&
                    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr)) {
                        *a = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
                        found = 1;
                }
        freeifaddrs(all);
        return found;
}

static int v6_step(int type, struct v6reply *r, const unsigned char *duid, size_t duid_len, uint32_t iaid,
                   const struct in6_addr *src)
{
        unsigned char msg[512], f[1024];
        struct buf m = { msg, 0, sizeof(msg), 0 };
        size_t len;

        v6_message(&m, type, r->xid, duid, duid_len, iaid, type == REQUEST6 ? r : NULL);
        len = m.overflow ? 0 : v6_frame(f, sizeof(f), src, msg, m.len);
        if (!len)
                return -1;
        r->want = type == SOLICIT6 ? ADVERTISE6 : REPLY6;
        return exchange(f, len, v6_match, r);
}

static int run_v6(void)
{
        unsigned char duid[130];
        struct in6_addr src;
        char a[INET6_ADDRSTRLEN], hex[2 * sizeof(duid) + 1];
        int i, got;

        if (!link_local(&src)) {
                fprintf(stderr, "dhcp-forge: %s has no link-local IPv6 address\n", opt.ifname);
                return 2;
        }
        for (i = 0; i < opt.count; i++) {
                struct v6reply r = { 0 };
                size_t duid_len, k;
                uint32_t iaid;

                if (opt.duid_len > 0) {
                        memcpy(duid, opt.duid, (size_t)opt.duid_len);
                        duid_len = (size_t)opt.duid_len;
                } else if (opt.duid_len == 0) {          /* DUID-LL, Ethernet */
                        memcpy(duid, "\0\3\0\1", 4);
                        memcpy(duid + 4, opt.link.mac, 6);
                        duid_len = 10;
                } else {                                 /* DUID-UUID, a new one */
                        memcpy(duid, "\0\4", 2);
                        duid_len = 18;
                        if (getrandom(duid + 2, 16, 0) != 16)
                                return 2;
                }
                if (opt.duid_len < 0) {
                        if (getrandom(&iaid, sizeof(iaid), 0) != sizeof(iaid))
                                return 2;
                } else {
                        iaid = (uint32_t)opt.link.mac[2] << 24 | (uint32_t)opt.link.mac[3] << 16 |
                               (uint32_t)opt.link.mac[4] << 8 | opt.link.mac[5];
                }
                if (getrandom(&r.xid, sizeof(r.xid), 0) != sizeof(r.xid))
                        return 2;
                got = v6_step(SOLICIT6, &r, duid, duid_len, iaid, &src);
                if (got > 0 && IN6_IS_ADDR_UNSPECIFIED(&r.addr))
                        got = -2;
                if (got > 0) {
                        printf("advertise %s\n", inet_ntop(AF_INET6, &r.addr, a, sizeof(a)));
                        fflush(stdout);
                        got = v6_step(REQUEST6, &r, duid, duid_len, iaid, &src);
                }
                if (got > 0 && IN6_IS_ADDR_UNSPECIFIED(&r.addr))
                        got = -2;
                if (got <= 0) {
                        printf(got == -2 ? "no address\n" : got == 0 ? "no answer\n" : "error\n");
                        return got == -1 ? 2 : 1;
                }
                for (k = 0; k < duid_len; k++)
                        sprintf(hex + 2 * k, "%02x", duid[k]);
                printf("reply %s duid %s iaid %u\n", inet_ntop(AF_INET6, &r.addr, a, sizeof(a)), hex, iaid);
                fflush(stdout);
        }
        return 0;
}

/* --- the command line -------------------------------------------------- */

static int usage(void)
{
        fprintf(stderr,
                "usage: dhcp-forge IFACE v4 [--chaddr MAC] [--client-id HEX | --no-client-id]\n"
                "                  [--hostname NAME] [--request ADDR] [--htype N] [--no-broadcast]\n"
                "       dhcp-forge IFACE release --chaddr MAC --addr ADDR --server ADDR\n"
                "                  [--client-id HEX | --no-client-id] [--ip-src ADDR]\n"
                "       dhcp-forge IFACE v6 [--duid HEX | --duid random] [--count N] [--hostname NAME]\n"
                "                  [--relay-mac MAC [--link-address ADDR]]\n"
                "       any: [--timeout MS] [--eth-src MAC]\n");
        return 2;
}

static int parse(int argc, char **argv, const char **mode)
{
        static const struct option longopts[] = {
                { "chaddr", required_argument, NULL, 'c' },
                { "client-id", required_argument, NULL, 'i' },
                { "no-client-id", no_argument, NULL, 'I' },
                { "hostname", required_argument, NULL, 'h' },
                { "request", required_argument, NULL, 'r' },
                { "htype", required_argument, NULL, 't' },
                { "no-broadcast", no_argument, NULL, 'B' },
                { "addr", required_argument, NULL, 'a' },
                { "server", required_argument, NULL, 's' },
                { "duid", required_argument, NULL, 'd' },
                { "count", required_argument, NULL, 'n' },
                { "relay-mac", required_argument, NULL, 'm' },
                { "link-address", required_argument, NULL, 'l' },
                { "timeout", required_argument, NULL, 'T' },
                { "eth-src", required_argument, NULL, 'e' },
                { "ip-src", required_argument, NULL, 'p' },
                { 0 }
        };
        int c, ok = 1, which = 0;

        while ((c = getopt_long(argc, argv, "", longopts, &which)) != -1) {
                switch (c) {
                case 'c': ok = rawlink_parse_mac(optarg, opt.chaddr) == 0; opt.have_chaddr = 1; break;
                case 'i': opt.clid_len = rawlink_parse_hex(optarg, opt.clid, sizeof(opt.clid)); ok = opt.clid_len > 0; break;
                case 'I': opt.clid_len = -1; break;
                case 'h': opt.hostname = optarg; ok = strlen(optarg) > 0 && strlen(optarg) < 256; break;
                case 'r': ok = inet_pton(AF_INET, optarg, &opt.request) == 1; break;
                case 't': opt.htype = atoi(optarg); ok = opt.htype > 0 && opt.htype < 256; break;
                case 'B': opt.broadcast = 0; break;
                case 'a': ok = inet_pton(AF_INET, optarg, &opt.addr) == 1; break;
                case 's': ok = inet_pton(AF_INET, optarg, &opt.server) == 1; break;
                case 'd':
                        opt.duid_len = strcmp(optarg, "random") ? rawlink_parse_hex(optarg, opt.duid, sizeof(opt.duid)) : -1;
                        ok = opt.duid_len != 0 && opt.duid_len >= -1;
                        break;
                case 'n': opt.count = atoi(optarg); ok = opt.count > 0; break;
                case 'm': ok = rawlink_parse_mac(optarg, opt.relay_mac) == 0; opt.relay = 1; break;
                case 'l': ok = inet_pton(AF_INET6, optarg, &opt.link_address) == 1; break;
                case 'T': opt.timeout_ms = atol(optarg); ok = opt.timeout_ms > 0; break;
                case 'e': ok = rawlink_parse_mac(optarg, opt.eth_src) == 0; opt.have_eth_src = 1; break;
                case 'p': ok = inet_pton(AF_INET, optarg, &opt.ip_src) == 1; opt.have_ip_src = 1; break;
                default: ok = 0;
                }
                if (!ok) {
                        if (c != '?')
                                fprintf(stderr, "dhcp-forge: bad --%s %s\n", longopts[which].name,
                                        optarg ? optarg : "");
                        return -1;
                }
        }
        if (argc - optind != 2)
                return -1;
        opt.ifname = argv[optind];
        *mode = argv[optind + 1];
        return 0;
}

int main(int argc, char **argv)
{
        const char *mode;
        int err, rc;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (parse(argc, argv, &mode) < 0 || (strcmp(mode, "v4") && strcmp(mode, "release") && strcmp(mode, "v6")))
                return usage();
        err = rawlink_open(&opt.link, opt.ifname);
        if (err < 0) {
                fprintf(stderr, "dhcp-forge: %s: %s\n", opt.ifname, strerror(-err));
                return 2;
        }
        if (!opt.have_chaddr)
                memcpy(opt.chaddr, opt.link.mac, 6);
        if (!opt.have_eth_src)
                memcpy(opt.eth_src, opt.link.mac, 6);
        if (!strcmp(mode, "v4"))
                rc = run_v4();
        else if (!strcmp(mode, "release"))
                rc = run_release();
        else
                rc = run_v6();
        rawlink_close(&opt.link);
        return rc;
}
