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

__attribute__((format(printf, 1, 0)))
static void say(const char *fmt, va_list ap)
{
        fprintf(stderr, PROG ": ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void proxy_say(const char *fmt, ...)
{
        va_list ap;

        if (!proxy_verbose)
                return;
        va_start(ap, fmt);
        say(fmt, ap);
        va_end(ap);
}

int proxy_die(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        say(fmt, ap);
        va_end(ap);
        return EXIT_FAILURE;
}

int proxy_usage(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        say(fmt, ap);
        va_end(ap);
        return PROXY_EXIT_USAGE;
}

/* How long a TCP connect may take. */
static int tcp_timeout_ms(void)
{
        const char *s = getenv("VIRT_NAME_CACHE_CONNECT_TIMEOUT");
        int secs = s ? atoi(s) : 10;

        return (secs > 0 && secs < 3600 ? secs : 10) * 1000;
}

/* How long a VSOCK connect may take before TCP is tried: short, since a
 * guest whose VSOCK answers at all answers at once.  --vsock-timeout or
 * VIRT_NAME_CACHE_VSOCK_TIMEOUT (milliseconds). */
#define VSOCK_TIMEOUT_MS 1000
static int vsock_timeout = -1;

static bool parse_ms(const char *s, int *ms)
{
        char *end;
        long v;

        errno = 0;
        v = s ? strtol(s, &end, 10) : -1;
        if (!s || errno || end == s || *end || v < 1 || v > 600000)
                return false;
        *ms = (int)v;
        return true;
}

static int vsock_timeout_ms(void)
{
        int ms;

        if (vsock_timeout > 0)
                return vsock_timeout;
        return parse_ms(getenv("VIRT_NAME_CACHE_VSOCK_TIMEOUT"), &ms) ? ms : VSOCK_TIMEOUT_MS;
}

/* Non-blocking connect with a timeout of MS; the socket or -errno. */
static int connect_to(int family, const struct sockaddr *sa, socklen_t len, int ms)
{
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
        socklen_t elen = sizeof(err);
        struct pollfd p;

        if (fd < 0)
                return -errno;
        /* The kernel's own VSOCK connect timeout (2 s by default) is ours. */
        if (family == AF_VSOCK) {
                struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

                (void)setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv));
        }
        if (connect(fd, sa, len) < 0) {
                if (errno != EINPROGRESS) {
                        err = errno;
                        close(fd);
                        return -err;
                }
                p = (struct pollfd){ .fd = fd, .events = POLLOUT };
                if (poll(&p, 1, ms) == 0) {
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
                "Usage: " PROG " [-v] [--vsock-timeout MS] HOST PORT\n"
                "       " PROG " [-v] --known-hosts INVOCATION HOST TYPE FINGERPRINT KEY\n"
                "       " PROG " [-v] --forget HOST|UUID\n"
                "\n"
                "ssh ProxyCommand (with ProxyUseFdpass yes) for HOST = qemu/GUEST,\n"
                "qemu:system/GUEST or qemu:session/GUEST, GUEST a libvirt domain name,\n"
                "UUID or ID.  Connects over VSOCK to the guest's CID (for at most MS ms,\n"
                "default 1000), else over TCP to its current address, and passes the socket\n"
                "to ssh.  --known-hosts is ssh's KnownHostsCommand (%%I %%H %%t %%f %%K): the\n"
                "guest's host keys, kept per UUID; --forget forgets them.  See " PROG "(1).\n");
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
        const struct virtname_addr *addrs;
        struct guest g;
        char tried[512] = "";
        unsigned long port;
        size_t n;
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
        /* TCP: the addresses the domain's ports answered for, else (said)
         * the ones only DHCP says are its. */
        addrs = g.n_addrs ? g.addrs : g.claims;
        n = g.n_addrs ? g.n_addrs : g.n_claims;
        if (g.cid) {
                struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_cid = g.cid,
                                          .svm_port = (unsigned)port };

                proxy_say("connecting over VSOCK to CID %u port %lu (at most %d ms)", (unsigned)g.cid, port,
                          vsock_timeout_ms());
                fd = connect_to(AF_VSOCK, (struct sockaddr *)&vm, sizeof(vm), vsock_timeout_ms());
                snprintf(tried, sizeof(tried), "VSOCK CID %u: %s", (unsigned)g.cid,
                         fd == -ETIMEDOUT ? "timed out" : fd < 0 ? strerror(-fd) : "ok");
                if (fd < 0 && n == 0)
                        return proxy_die("cannot connect to %s over VSOCK (CID %u, port %lu): %s",
                                         g.domain, (unsigned)g.cid, port,
                                         fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
                if (fd >= 0)
                        proxy_say("connected over VSOCK; handing the socket to ssh");
                else
                        proxy_say("%s; trying TCP", tried);
        } else if (n == 0) {
                return proxy_die("guest %s has no VSOCK device and %s has no current address for it%s",
                                 g.domain, g.where, strncmp(g.where, "libvirt", 7) == 0
                                 ? " (the store does not know it: is its network enabled? "
                                   "virt-name-cache enable NETWORK)" : "");
        }
        if (fd < 0 && !g.n_addrs)
                fprintf(stderr, PROG ": guest %s: its port has answered for no address yet; trying the "
                        "ones only its guest agent or DHCP says are its (a first host key seen this way is not "
                        "recorded)\n", g.domain);
        for (size_t i = 0; i < n && fd < 0; i++) {
                struct sockaddr_storage ss;
                char text[INET6_ADDRSTRLEN];
                socklen_t len = tcp_address(&addrs[i], port, &ss);

                inet_ntop(addrs[i].family, addrs[i].addr, text, sizeof(text));
                proxy_say("%sconnecting over TCP to %s port %lu", g.cid ? "" : "no VSOCK CID; ", text, port);
                fd = connect_to(addrs[i].family, (struct sockaddr *)&ss, len, tcp_timeout_ms());
                snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s (%s)",
                         tried[0] ? ", " : "", text,
                         fd == -ETIMEDOUT ? "timed out" : fd < 0 ? strerror(-fd) : "ok");
                if (fd >= 0)
                        proxy_say("connected over TCP; handing the socket to ssh");
        }
        if (fd < 0)
                return proxy_die("cannot connect to %s port %lu: %s", g.domain, port, tried);
        rc = pass_fd(fd);
        close(fd);
        return rc;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "vsock-timeout", required_argument, NULL, 'w' },
                { "known-hosts", no_argument, NULL, 'K' },
                { "forget", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int opt, mode = 0, want;

        while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
                if (opt == 'v') {
                        proxy_verbose = true;
                } else if (opt == 'w') {
                        if (!parse_ms(optarg, &vsock_timeout))
                                return proxy_usage("bad --vsock-timeout '%s': milliseconds, 1 to 600000",
                                                   optarg);
                } else if (opt == 'K' || opt == 'F') {
                        mode = opt;
                } else if (opt == 'h') {
                        usage(stdout);
                        return EXIT_SUCCESS;
                } else {
                        usage(stderr);
                        return PROXY_EXIT_USAGE;
                }
        }
        want = mode == 'K' ? 5 : mode == 'F' ? 1 : 2;
        if (argc - optind != want) {
                usage(stderr);
                return PROXY_EXIT_USAGE;
        }
        argv += optind;
        if (mode == 'K')
                return known_hosts_command(argv[0], argv[1], argv[2], argv[3], argv[4]);
        if (mode == 'F')
                return known_hosts_forget(argv[0]);
        return proxy(argv[0], argv[1]);
}
