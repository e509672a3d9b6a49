/* ssh-proxy.c - ssh's ProxyCommand for `ssh user@qemu/GUEST`.
 *
 *   ssh-proxy [-v] HOST PORT        (ssh runs it as: ssh-proxy %h %p)
 *
 * HOST is qemu/GUEST, qemu:system/GUEST or qemu:session/GUEST; GUEST a
 * libvirt domain name, UUID or ID (never a host name a guest sent).  The
 * guest's VSOCK CID comes from the store (else from libvirt's live XML);
 * we connect AF_VSOCK to it, or TCP to the guest's current address when
 * it has no VSOCK device, hand the connected socket to ssh over stdout
 * (ProxyUseFdpass) and exit: no bytes pass through us.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "store/lookup.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/reader.h"
#include "import/virconn.h"
#include "import/virxml.h"

#define PROG "virt-name-cache-ssh-proxy"

enum scope { SYSTEM, SESSION };

struct target {
        const char *name;              /* as given */
        char domain[VIRTNAME_NAME_MAX + 1];  /* the domain's name, when known */
        bool found, running_known, running;
        uint32_t cid;
        size_t n_addrs;
        struct virtname_addr addrs[8];
        char where[PATH_MAX + 64];     /* where it was found, for -v */
};

static bool verbose;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
        va_list ap;

        if (!verbose)
                return;
        va_start(ap, fmt);
        fprintf(stderr, PROG ": ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        fprintf(stderr, PROG ": ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

static bool valid_utf8(const unsigned char *s)
{
        while (*s) {
                int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
                                      : (*s & 0xf8) == 0xf0 ? 3 : -1;

                if (n < 0 || (n == 1 && *s < 0xc2))
                        return false;
                s++;
                for (; n > 0; n--, s++)
                        if ((*s & 0xc0) != 0x80)
                                return false;
        }
        return true;
}

/* qemu/NAME, qemu:system/NAME, qemu:session/NAME. */
static int parse_host(const char *host, enum scope scopes[2], int *n, const char **name)
{
        static const struct { const char *prefix; enum scope s[2]; int n; } forms[] = {
                { "qemu/", { SYSTEM, SESSION }, 2 },
                { "qemu:system/", { SYSTEM }, 1 },
                { "qemu:session/", { SESSION }, 1 },
        };

        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                size_t len = strlen(forms[i].prefix);

                if (strncmp(host, forms[i].prefix, len) != 0)
                        continue;
                *name = host + len;
                memcpy(scopes, forms[i].s, sizeof(forms[i].s));
                *n = forms[i].n;
                if (!**name)
                        return die("bad host '%s': no guest name after '%s'", host, forms[i].prefix);
                if (strnlen(*name, VIRTNAME_NAME_MAX + 1) > VIRTNAME_NAME_MAX)
                        return die("bad host: guest name longer than %d bytes", VIRTNAME_NAME_MAX);
                for (const unsigned char *p = (const unsigned char *)*name; *p; p++)
                        if (*p < 0x20 || *p == 0x7f || *p == '/')
                                return die("bad host '%s': the guest name may not contain '/' "
                                           "or control characters", host);
                if (!valid_utf8((const unsigned char *)*name))
                        return die("bad host: the guest name is not valid UTF-8");
                return 0;
        }
        return die("bad host '%s': expected qemu/GUEST, qemu:system/GUEST or qemu:session/GUEST",
                   host);
}

static const char *session_dir(char *buf, size_t cap)
{
        const char *dir = getenv("VIRT_NAME_CACHE_SESSION_DIR"), *state, *home;

        if (dir && *dir)
                return dir;
        state = getenv("XDG_STATE_HOME");
        home = getenv("HOME");
        if (state && *state)
                snprintf(buf, cap, "%s/virt-name-cache", state);
        else if (home && *home)
                snprintf(buf, cap, "%s/.local/state/virt-name-cache", home);
        else
                return NULL;
        return buf;
}

/* Look NAME up in the store in DIR: a libvirt domain name, UUID or ID
 * only, never a host name a guest sent (a guest could call itself
 * anything). */
static void from_store(const char *dir, struct target *t)
{
        struct virtname_domain_view dom;
        struct virtname_snapshot *snap;
        struct virtname_view view;
        static struct virtname_answer ans;
        int64_t now = (int64_t)time(NULL);
        int rc = virtname_snapshot_load(dir, NULL, &snap);

        if (rc < 0) {
                say("%s: %s", dir, virtname_snapshot_strerror(rc));
                return;
        }
        if (virtname_snapshot_view(snap, &view) < 0) {
                virtname_snapshot_unref(snap);
                return;
        }
        rc = virtname_find_domain(&view, t->name, &dom);
        if (rc == 0) {
                t->found = true;
                snprintf(t->domain, sizeof(t->domain), "%.*s", (int)dom.name.len, dom.name.p);
                t->cid = dom.cid;
                if (dom.state != VIRTNAME_STATE_UNKNOWN) {
                        t->running_known = true;
                        t->running = dom.state == VIRTNAME_STATE_RUNNING;
                }
                /* The domain's current addresses, for TCP when it has no CID. */
                if (virtname_resolve(&view, t->domain, AF_UNSPEC, now, &ans) == 0) {
                        t->n_addrs = ans.n < 8 ? ans.n : 8;
                        memcpy(t->addrs, ans.addr, t->n_addrs * sizeof(t->addrs[0]));
                }
                snprintf(t->where, sizeof(t->where), "the store in %s", dir);
        }
        virtname_view_end(&view);
        virtname_snapshot_unref(snap);
}

/* ssh lower-cases host names, libvirt's names are case-sensitive: find
 * the one domain whose name matches NAME in any case. */
static virDomainPtr lookup_any_case(virConnectPtr conn, const char *name)
{
        virDomainPtr *doms = NULL, found = NULL;
        int n = virConnectListAllDomains(conn, &doms, 0);

        for (int i = 0; i < n; i++) {
                if (!found && strcasecmp(virDomainGetName(doms[i]), name) == 0)
                        found = doms[i];
                else
                        virDomainFree(doms[i]);
        }
        free(doms);
        return found;
}

/* Ask libvirt (read-only) for the domain and its live CID. */
static void from_libvirt(enum scope scope, struct target *t)
{
        const char *uri = getenv("VIRT_NAME_CACHE_LIBVIRT_URI");
        struct virtname_xml_domain x;
        virConnectPtr conn;
        virDomainPtr dom = NULL;
        char err[256], *xml;
        unsigned long id;
        char *end;

        if (!uri || !*uri)
                uri = scope == SYSTEM ? "qemu:///system" : "qemu:///session";
        conn = virtname_virt_open(uri, true);
        if (!conn) {
                say("libvirt at %s: %s", uri, virtname_virt_error());
                return;
        }
        dom = virDomainLookupByName(conn, t->found ? t->domain : t->name);
        if (!dom)
                dom = lookup_any_case(conn, t->found ? t->domain : t->name);
        if (!dom && strlen(t->name) >= 32)
                dom = virDomainLookupByUUIDString(conn, t->name);
        if (!dom) {
                errno = 0;
                id = strtoul(t->name, &end, 10);
                if (errno == 0 && *end == '\0' && end != t->name && id <= INT32_MAX)
                        dom = virDomainLookupByID(conn, (int)id);
        }
        if (dom) {
                t->found = true;
                t->running_known = true;
                t->running = virDomainIsActive(dom) == 1;
                snprintf(t->domain, sizeof(t->domain), "%s", virDomainGetName(dom));
                xml = t->running ? virDomainGetXMLDesc(dom, 0) : NULL;
                if (xml && virtname_xml_parse_domain(xml, strlen(xml), &x, err, sizeof(err)) == 0) {
                        t->cid = x.d.cid;
                        virtname_xml_domain_free(&x);
                }
                free(xml);
                if (!t->where[0])
                        snprintf(t->where, sizeof(t->where), "libvirt at %s", uri);
                say("%s: from libvirt at %s: %s, CID %u", t->domain, uri,
                    t->running ? "running" : "not running", (unsigned)t->cid);
                virDomainFree(dom);
        } else {
                say("%s: not known to libvirt at %s", t->name, uri);
        }
        virConnectClose(conn);
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
                return die("cannot hand the connection to ssh: %s (is ProxyUseFdpass set?)",
                           strerror(errno));
        return 0;
}

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: " PROG " [-v] HOST PORT\n"
                "\n"
                "ssh ProxyCommand (with ProxyUseFdpass yes) for HOST = qemu/GUEST,\n"
                "qemu:system/GUEST or qemu:session/GUEST, GUEST a libvirt domain name,\n"
                "UUID or ID.  Connects over VSOCK to the guest's CID, or over TCP to its\n"
                "current address, and passes the socket to ssh.  See " PROG "(1).\n");
}

int main(int argc, char **argv)
{
        enum scope scopes[2];
        struct target t = { 0 };
        char sbuf[PATH_MAX], tried[512] = "";
        const char *dir;
        unsigned long port;
        char *end;
        int n_scopes = 0, fd = -ENOENT, opt;
        struct stat st;

        while ((opt = getopt(argc, argv, "vh")) != -1) {
                if (opt == 'v') {
                        verbose = true;
                } else if (opt == 'h') {
                        usage(stdout);
                        return 0;
                } else {
                        usage(stderr);
                        return 2;
                }
        }
        if (argc - optind != 2) {
                usage(stderr);
                return 2;
        }
        errno = 0;
        port = strtoul(argv[optind + 1], &end, 10);
        if (errno || *end || end == argv[optind + 1] || port == 0 || port > 65535)
                return die("bad port '%s'", argv[optind + 1]);
        if (parse_host(argv[optind], scopes, &n_scopes, &t.name))
                return 2;

        for (int i = 0; i < n_scopes && !t.found; i++) {
                dir = scopes[i] == SYSTEM ? virtname_store_dir(NULL) : session_dir(sbuf, sizeof(sbuf));
                if (dir)
                        from_store(dir, &t);
                if (!t.found || !t.cid)
                        from_libvirt(scopes[i], &t);
        }
        if (!t.found)
                return die("unknown guest '%s'", t.name);
        if (t.running_known && !t.running)
                return die("guest %s is not running", t.domain[0] ? t.domain : t.name);
        say("%s: found in %s", t.domain[0] ? t.domain : t.name, t.where);

        if (fstat(STDOUT_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode))
                return die("standard output is not a socket: run me from ssh with ProxyUseFdpass yes");
        if (t.cid) {
                struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_cid = t.cid,
                                          .svm_port = (unsigned)port };

                say("connecting over VSOCK to CID %u port %lu", (unsigned)t.cid, port);
                fd = connect_to(AF_VSOCK, (struct sockaddr *)&vm, sizeof(vm));
                if (fd < 0)
                        return die("cannot connect to %s over VSOCK (CID %u, port %lu): %s",
                                   t.domain[0] ? t.domain : t.name, (unsigned)t.cid, port,
                                   fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
                say("connected over VSOCK; handing the socket to ssh");
        } else {
                if (t.n_addrs == 0)
                        return die("guest %s has no VSOCK device and no current address",
                                   t.domain[0] ? t.domain : t.name);
                for (size_t i = 0; i < t.n_addrs && fd < 0; i++) {
                        struct sockaddr_storage ss = { 0 };
                        char text[INET6_ADDRSTRLEN];
                        socklen_t len;

                        inet_ntop(t.addrs[i].family, t.addrs[i].addr, text, sizeof(text));
                        if (t.addrs[i].family == AF_INET) {
                                struct sockaddr_in *in = (struct sockaddr_in *)&ss;

                                in->sin_family = AF_INET;
                                in->sin_port = htons((uint16_t)port);
                                memcpy(&in->sin_addr, t.addrs[i].addr, 4);
                                len = sizeof(*in);
                        } else {
                                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

                                in6->sin6_family = AF_INET6;
                                in6->sin6_port = htons((uint16_t)port);
                                memcpy(&in6->sin6_addr, t.addrs[i].addr, 16);
                                len = sizeof(*in6);
                        }
                        say("no VSOCK CID; connecting over TCP to %s port %lu", text, port);
                        fd = connect_to(t.addrs[i].family, (struct sockaddr *)&ss, len);
                        snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s (%s)",
                                 i ? ", " : "", text,
                                 fd == -ETIMEDOUT ? "timed out" : fd < 0 ? strerror(-fd) : "ok");
                }
                if (fd < 0)
                        return die("cannot connect to %s over TCP port %lu: %s",
                                   t.domain[0] ? t.domain : t.name, port, tried);
                say("connected over TCP; handing the socket to ssh");
        }
        if (pass_fd(fd))
                return 1;
        close(fd);
        return 0;
}
