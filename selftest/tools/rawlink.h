/* rawlink - what the selftest tools that build whole frames share: an
 * AF_PACKET socket bound to one interface (a frame sent goes out of that
 * interface only, with the interface's own Ethernet source unless the
 * caller writes another), frames received with their packet type, the
 * Internet checksum, MAC parsing and a monotonic clock.  libc only: the
 * tools also run statically linked inside a busybox guest.
 */
#ifndef SELFTEST_TOOLS_RAWLINK_H
#define SELFTEST_TOOLS_RAWLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rawlink {
        int fd;
        int ifindex;
        unsigned char mac[6];        /* the interface's own MAC */
        char name[IF_NAMESIZE];
};

/* 0, or -errno (no such interface, not root). */
int rawlink_open(struct rawlink *l, const char *ifname);
void rawlink_close(struct rawlink *l);
/* 0, or -errno. */
int rawlink_send(const struct rawlink *l, const void *frame, size_t len);
/* The next frame that came IN on the interface (never one we sent),
 * waiting until deadline (rawlink_now_ms() clock): its length, 0 at the
 * deadline, -errno.  *pkttype: PACKET_HOST, PACKET_BROADCAST, ... */
ssize_t rawlink_recv(const struct rawlink *l, void *buf, size_t size, long deadline, int *pkttype);

long rawlink_now_ms(void);
/* 0, or -EINVAL: "52:54:00:12:34:56". */
int rawlink_parse_mac(const char *s, unsigned char mac[6]);
/* "52:54:00:12:34:56" into out (18 bytes). */
char *rawlink_format_mac(const unsigned char mac[6], char out[18]);
/* Hex bytes with or without ':' between them ("01:52:54:..." or
 * "0152..."): their number, or -EINVAL (odd digits, too many). */
int rawlink_parse_hex(const char *s, unsigned char *out, size_t size);

/* One's-complement sum of data added to sum (for pseudo-headers). */
uint32_t rawlink_sum(const void *data, size_t len, uint32_t sum);
uint16_t rawlink_fold(uint32_t sum);
/* Fill in the IPv4 header checksum and the UDP checksum of the IPv4 UDP
 * packet at ip (header without options, UDP header and payload after it). */
void rawlink_ipv4_udp_checksums(unsigned char *ip);
/* The UDP or ICMPv6 checksum of an IPv6 packet at ip (no extension
 * headers): written at offset csum_off in the payload. */
void rawlink_ipv6_checksum(unsigned char *ip, size_t csum_off);

#endif
