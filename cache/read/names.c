/* names.c - lookup keys and host name rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cache/read/names.h"

int virtname_name_normalise(const char *name, char out[VIRTNAME_NAME_MAX + 1])
{
        size_t len = 0;

        /* strnlen(name, VIRTNAME_NAME_MAX + 2), which gcc flags once
         * inlined (LTO) into callers that pass a VIRTNAME_NAME_MAX + 1
         * buffer: the bound exceeds the object, though no byte past its
         * NUL is read. */
        while (len < VIRTNAME_NAME_MAX + 2 && name[len])
                len++;

        if (len > 1 && name[len - 1] == '.')
                len--;
        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)name[i];

                if (c < 0x20 || c == 0x7f || c == '/')
                        return -EINVAL;
                out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
        }
        out[len] = '\0';
        return (int)len;
}

static bool hostname_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool virtname_hostname_valid(const char *name)
{
        size_t len = strnlen(name, VIRTNAME_NAME_MAX + 1), label = 0;

        if (len == 0 || len > VIRTNAME_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (name[i] == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                } else if (!hostname_char(name[i]) || ++label > 63) {
                        return false;
                }
        }
        return label > 0;
}

bool virtname_name_split(const char *name, size_t *base_len, const char **suffix)
{
        const char *dot = strchr(name, '.');

        if (!dot || dot == name || dot[1] == '\0')
                return false;
        *base_len = (size_t)(dot - name);
        *suffix = dot + 1;
        return true;
}

static int hexdigit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool virtname_mac_parse(const char *s, uint8_t mac[VIRTNAME_MAC_LEN])
{
        for (int i = 0; i < VIRTNAME_MAC_LEN; i++) {
                int hi = hexdigit(s[0]), lo = hi < 0 ? -1 : hexdigit(s[1]);

                if (lo < 0)
                        return false;
                mac[i] = (uint8_t)(hi << 4 | lo);
                s += 2;
                if (i < VIRTNAME_MAC_LEN - 1 && *s != ':' && *s != '-')
                        return false;
                if (i < VIRTNAME_MAC_LEN - 1)
                        s++;
        }
        return *s == '\0';
}

void virtname_mac_format(const uint8_t mac[VIRTNAME_MAC_LEN], char out[18])
{
        static const char hex[] = "0123456789abcdef";

        for (int i = 0; i < VIRTNAME_MAC_LEN; i++) {
                out[3 * i] = hex[mac[i] >> 4];
                out[3 * i + 1] = hex[mac[i] & 15];
                out[3 * i + 2] = i < VIRTNAME_MAC_LEN - 1 ? ':' : '\0';
        }
}

bool virtname_addr_parse(const char *s, int *family, uint8_t addr[16])
{
        memset(addr, 0, 16);
        if (inet_pton(AF_INET, s, addr) == 1) {
                *family = AF_INET;
                return true;
        }
        if (inet_pton(AF_INET6, s, addr) == 1) {
                *family = AF_INET6;
                return true;
        }
        return false;
}

bool virtname_addr_unicast(int family, const uint8_t addr[16])
{
        static const uint8_t zero[16];

        if (family == AF_INET)
                return addr[0] != 0 && addr[0] != 127 && addr[0] < 224 && !(addr[0] == 169 && addr[1] == 254);
        /* ::/96 (unspecified, loopback, IPv4-compatible) and
         * ::ffff:0:0/96 (IPv4-mapped): an IPv6 socket connects to the
         * IPv4 address inside, which is not the guest's to claim. */
        return family == AF_INET6 && memcmp(addr, zero, 12) != 0 &&
               !(memcmp(addr, zero, 10) == 0 && addr[10] == 0xff && addr[11] == 0xff) && addr[0] != 0xff &&
               !(addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80);
}

bool virtname_uuid_parse(const char *s, uint8_t uuid[VIRTNAME_UUID_LEN])
{
        size_t n = 0;

        for (; *s; s++) {
                int hi, lo;

                if (*s == '-')
                        continue;
                if (n == VIRTNAME_UUID_LEN || (hi = hexdigit(s[0])) < 0 || (lo = hexdigit(s[1])) < 0)
                        return false;
                uuid[n++] = (uint8_t)(hi << 4 | lo);
                s++;
        }
        return n == VIRTNAME_UUID_LEN;
}
