/* bridge.c - a bridge's ports, noted and put back (bridge.h), through
 * sysfs and the bridge ioctl. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/bridge.h"
#include "cache/write/fileio.h"
#include "cache/write/grow.h"

#define SYS_NET "/sys/class/net"
static const char *const flag_names[] = { "isolated", "learning", "unicast_flood" };

static int *flag_of(struct bridge_port *p, size_t i)
{
        return i == 0 ? &p->isolated : i == 1 ? &p->learning : &p->unicast_flood;
}

/* A bridge-port flag of PORT: 0, 1, or -1 (not there: an older kernel). */
static int read_flag(const char *port, const char *flag)
{
        char path[PATH_MAX], *text;
        size_t len;
        int v = -1;

        if (snprintf(path, sizeof(path), SYS_NET "/%s/brport/%s", port, flag) >= (int)sizeof(path) ||
            virtname_read_file(path, 4096, &text, &len) < 0)
                return -1;
        if (text[0] == '0' || text[0] == '1')
                v = text[0] - '0';
        free(text);
        return v;
}

static int write_flag(const char *port, const char *flag, int v)
{
        char path[PATH_MAX];
        int fd, rc = 0;

        if (snprintf(path, sizeof(path), SYS_NET "/%s/brport/%s", port, flag) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (write(fd, v ? "1\n" : "0\n", 2) != 2)
                rc = -errno;
        close(fd);
        return rc;
}

int bridge_ports_read(const char *bridge, struct bridge_ports *out)
{
        char path[PATH_MAX];
        struct dirent *de;
        size_t cap = 0;
        DIR *d;

        out->n = 0;
        out->port = NULL;
        if (snprintf(path, sizeof(path), SYS_NET "/%s/brif", bridge) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        d = opendir(path);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                struct bridge_port *p;

                if (de->d_name[0] == '.' || strlen(de->d_name) >= IF_NAMESIZE)
                        continue;
                if (!VIRTNAME_GROW(out->port, cap, out->n + 1)) {
                        closedir(d);
                        bridge_ports_free(out);
                        return -ENOMEM;
                }
                p = &out->port[out->n++];
                memcpy(p->name, de->d_name, strlen(de->d_name) + 1);     /* fits: checked above */
                for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
                        *flag_of(p, i) = read_flag(p->name, flag_names[i]);
        }
        closedir(d);
        return 0;
}

/* PORT onto BRIDGE, with SIOCBRADDIF (what brctl addif does). */
static int add_port(int sock, const char *bridge, const char *port)
{
        struct ifreq ifr;

        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
        ifr.ifr_ifindex = (int)if_nametoindex(port);
        if (ifr.ifr_ifindex == 0)
                return -ENODEV;
        return ioctl(sock, SIOCBRADDIF, &ifr) < 0 && errno != EBUSY ? -errno : 0;
}

int bridge_ports_restore(const char *bridge, const struct bridge_ports *p, char *done, size_t donecap,
                         char *err, size_t errlen)
{
        int sock = socket(AF_LOCAL, SOCK_STREAM | SOCK_CLOEXEC, 0), n = 0, rc = 0;

        if (donecap)
                done[0] = '\0';
        if (sock < 0) {
                snprintf(err, errlen, "socket: %s", strerror(errno));
                return -errno;
        }
        for (size_t i = 0; i < p->n && rc == 0; i++) {
                struct bridge_port port = p->port[i];

                rc = add_port(sock, bridge, port.name);
                if (rc == -ENODEV) {
                        rc = 0;         /* gone meanwhile (its guest stopped) */
                        continue;
                }
                for (size_t f = 0; rc == 0 && f < sizeof(flag_names) / sizeof(flag_names[0]); f++)
                        if (*flag_of(&port, f) >= 0 && read_flag(port.name, flag_names[f]) != *flag_of(&port, f))
                                rc = write_flag(port.name, flag_names[f], *flag_of(&port, f));
                if (rc < 0) {
                        snprintf(err, errlen, "%s onto %s: %s", port.name, bridge, strerror(-rc));
                        break;
                }
                n++;
                if (donecap && strlen(done) + strlen(port.name) + 3 < donecap)
                        snprintf(done + strlen(done), donecap - strlen(done), "%s%s", n > 1 ? ", " : "",
                                 port.name);
        }
        close(sock);
        return rc < 0 ? rc : n;
}

void bridge_ports_free(struct bridge_ports *p)
{
        free(p->port);
        p->port = NULL;
        p->n = 0;
}
