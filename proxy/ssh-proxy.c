/* ssh-proxy.c - ssh's ProxyCommand and KnownHostsCommand for
 * `ssh user@qemu/GUEST`.
 *
 *   ssh-proxy [-v] HOST PORT        (ProxyCommand ssh-proxy %h %p)
 *   ssh-proxy --known-hosts %I %H %t %f %K   (KnownHostsCommand)
 *   ssh-proxy --forget HOST|UUID
 *
 * HOST is qemu/GUEST, qemu:system/GUEST or qemu:session/GUEST; GUEST a
 * libvirt domain name, UUID or ID (guest.c finds the domain).  As the
 * ProxyCommand we connect AF_VSOCK to the guest's CID, or TCP to its
 * current address when it has no VSOCK device, hand the connected socket
 * to ssh over stdout (ProxyUseFdpass) and exit: no bytes pass through us.
 * The other two modes are the guests' host keys (known-hosts.c).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxy/proxy.h"

bool proxy_verbose;

void proxy_say(const char *fmt, ...)
{
        va_list ap;

        if (!proxy_verbose)
                return;
        va_start(ap, fmt);
        fprintf(stderr, PROG ": ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

int proxy_die(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        fprintf(stderr, PROG ": ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

static int timeout_ms(void)
{
        const char *s = getenv("VIRT_NAME_CACHE_CONNECT_TIMEOUT");
        int secs = s ? atoi(s) : 10;

        return (secs > 0 && secs < 3600 ? secs : 10) * 1000;
}

/* Non-blocking connect with a timeout; the socket or -errno. */
static int connect_to(int family, const struct sockaddr *sa, socklen_t len)
{
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
        socklen_t elen = sizeof(err);
        struct pollfd p;

        if (fd < 0)
                return -errno;
        if (connect(fd, sa, len) < 0) {
                if (errno != EINPROGRESS) {
                        err = errno;
                        close(fd);
                        return -err;
                }
                p = (struct pollfd){ .fd = fd, .events = POLLOUT };
                if (poll(&p, 1, timeout_ms()) == 0) {
                        close(fd);
                        return -ETIMEDOUT;
                }
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
                        close(fd);
                        return -(err ? err : EIO);
                }
        }
        /* ssh expects a blocking socket. */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return fd;
}

/* Give FD to ssh over stdout (ProxyUseFdpass). */
static int pass_fd(int fd)
{
        char byte = 0, ctl[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { &byte, 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                              .msg_controllen = sizeof(ctl) };
        struct cmsghdr *c;
        ssize_t r;

        memset(ctl, 0, sizeof(ctl));
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        do
                r = sendmsg(STDOUT_FILENO, &msg, 0);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return proxy_die("cannot hand the connection to ssh: %s (is ProxyUseFdpass set?)",
                                 strerror(errno));
        return 0;
}

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: " PROG " [-v] HOST PORT\n"
                "       " PROG " [-v] --known-hosts INVOCATION HOST TYPE FINGERPRINT KEY\n"
                "       " PROG " [-v] --forget HOST|UUID\n"
                "\n"
                "ssh ProxyCommand (with ProxyUseFdpass yes) for HOST = qemu/GUEST,\n"
                "qemu:system/GUEST or qemu:session/GUEST, GUEST a libvirt domain name,\n"
                "UUID or ID.  Connects over VSOCK to the guest's CID, or over TCP to its\n"
                "current address, and passes the socket to ssh.  --known-hosts is ssh's\n"
                "KnownHostsCommand (%%I %%H %%t %%f %%K): the guest's host keys, kept per\n"
                "UUID; --forget forgets them.  See " PROG "(1).\n");
}

/* The socket address of A, port PORT, in SS; returns its length. */
static socklen_t tcp_address(const struct virtname_addr *a, unsigned long port,
                             struct sockaddr_storage *ss)
{
        memset(ss, 0, sizeof(*ss));
        if (a->family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)ss;

                in->sin_family = AF_INET;
                in->sin_port = htons((uint16_t)port);
                memcpy(&in->sin_addr, a->addr, 4);
                return sizeof(*in);
        } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                memcpy(&in6->sin6_addr, a->addr, 16);
                return sizeof(*in6);
        }
}

/* The ProxyCommand: connect to HOST's PORT and hand the socket to ssh. */
static int proxy(const char *host, const char *port_text)
{
        struct guest g;
        char tried[512] = "";
        unsigned long port;
        char *end;
        int fd = -ENOENT, rc;
        struct stat st;

        errno = 0;
        port = strtoul(port_text, &end, 10);
        if (errno || *end || end == port_text || port == 0 || port > 65535)
                return proxy_die("bad port '%s'", port_text);
        rc = guest_find(host, &g);
        if (rc)
                return rc;
        if (g.running_known && !g.running)
                return proxy_die("guest %s is not running", g.domain);
        proxy_say("%s: found in %s", g.domain, g.where);

        if (fstat(STDOUT_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode))
                return proxy_die("standard output is not a socket: run me from ssh with "
                                 "ProxyUseFdpass yes");
        if (g.cid) {
                struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_cid = g.cid,
                                          .svm_port = (unsigned)port };

                proxy_say("connecting over VSOCK to CID %u port %lu", (unsigned)g.cid, port);
                fd = connect_to(AF_VSOCK, (struct sockaddr *)&vm, sizeof(vm));
                if (fd < 0)
                        return proxy_die("cannot connect to %s over VSOCK (CID %u, port %lu): %s",
                                         g.domain, (unsigned)g.cid, port,
                                         fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
                proxy_say("connected over VSOCK; handing the socket to ssh");
        } else {
                const struct virtname_addr *addrs = g.n_addrs ? g.addrs : g.claims;
                size_t n = g.n_addrs ? g.n_addrs : g.n_claims;

                if (n == 0)
                        return proxy_die("guest %s has no VSOCK device and no current address",
                                         g.domain);
                if (!g.n_addrs)
                        fprintf(stderr, PROG ": guest %s: its port has answered for no address yet; trying the "
                                "ones only its guest agent or DHCP says are its (a first host key seen this way is "
                                "not recorded)\n", g.domain);
                for (size_t i = 0; i < n && fd < 0; i++) {
                        struct sockaddr_storage ss;
                        char text[INET6_ADDRSTRLEN];
                        socklen_t len = tcp_address(&addrs[i], port, &ss);

                        inet_ntop(addrs[i].family, addrs[i].addr, text, sizeof(text));
                        proxy_say("no VSOCK CID; connecting over TCP to %s port %lu", text, port);
                        fd = connect_to(addrs[i].family, (struct sockaddr *)&ss, len);
                        snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s (%s)",
                                 i ? ", " : "", text,
                                 fd == -ETIMEDOUT ? "timed out" : fd < 0 ? strerror(-fd) : "ok");
                }
                if (fd < 0)
                        return proxy_die("cannot connect to %s over TCP port %lu: %s",
                                         g.domain, port, tried);
                proxy_say("connected over TCP; handing the socket to ssh");
        }
        rc = pass_fd(fd);
        close(fd);
        return rc;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "known-hosts", no_argument, NULL, 'K' },
                { "forget", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int opt, mode = 0, want;

        while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
                if (opt == 'v') {
                        proxy_verbose = true;
                } else if (opt == 'K' || opt == 'F') {
                        mode = opt;
                } else if (opt == 'h') {
                        usage(stdout);
                        return 0;
                } else {
                        usage(stderr);
                        return 2;
                }
        }
        want = mode == 'K' ? 5 : mode == 'F' ? 1 : 2;
        if (argc - optind != want) {
                usage(stderr);
                return 2;
        }
        argv += optind;
        if (mode == 'K')
                return known_hosts_command(argv[0], argv[1], argv[2], argv[3], argv[4]);
        if (mode == 'F')
                return known_hosts_forget(argv[0]);
        return proxy(argv[0], argv[1]);
}
