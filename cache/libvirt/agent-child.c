/* agent-child.c - asking a guest agent from a child process with a
 * deadline (agent.h): an agent that never answers costs the child, not
 * the hook, the watcher or the rebuild that asked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/libvirt/agent.h"
#include "cache/libvirt/virconn.h"

/* What the child writes, in one write() (so at most PIPE_BUF bytes: it
 * arrives whole or not at all). */
struct answer {
        int rc;
        int32_t id;
        size_t n;
        struct virtname_agent_addr addrs[VIRTNAME_AGENT_ADDRS_MAX];
        char err[256];
};
_Static_assert(sizeof(struct answer) <= PIPE_BUF, "an agent's answer fits in one atomic pipe write");

static void ask_in_child(const char *uri, const char *name, pid_t parent, int fd)
{
        struct answer a = { .rc = -ENOTCONN, .id = -1 };
        virConnectPtr conn;
        virDomainPtr dom;

        /* Dies with its parent: a child left blocked would keep the
         * parent's locks and a libvirtd worker. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(1);
        if (!(conn = virtname_virt_open(uri, false)))
                snprintf(a.err, sizeof(a.err), "%s: %s", uri, virtname_virt_error());
        else if (!(dom = virDomainLookupByName(conn, name)))
                snprintf(a.err, sizeof(a.err), "%s", virtname_virt_error());
        else {
                a.id = (int32_t)virDomainGetID(dom);
                a.rc = virtname_agent_addresses(dom, a.addrs, &a.n, a.err, sizeof(a.err));
        }
        /* No virConnectClose(): the parent's connection is ours too, in
         * memory; _exit() touches neither. */
        _exit(write(fd, &a, sizeof(a)) == (ssize_t)sizeof(a) ? 0 : 1);
}

int virtname_agent_start(const char *uri, const char *name, struct virtname_agent_child *c)
{
        pid_t parent = getpid();
        int p[2];

        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        c->pid = fork();
        if (c->pid < 0) {
                int e = errno;

                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (c->pid == 0) {
                close(p[0]);
                ask_in_child(uri, name, parent, p[1]);
        }
        close(p[1]);
        c->fd = p[0];
        return 0;
}

int virtname_agent_finish(struct virtname_agent_child *c, struct virtname_agent_addr *out, size_t *n, int32_t *id,
                          char *err, size_t errlen)
{
        struct answer a;
        ssize_t got;

        while ((got = read(c->fd, &a, sizeof(a))) < 0 && errno == EINTR)
                ;
        if (got != (ssize_t)sizeof(a))
                kill(c->pid, SIGKILL);  /* ours, not reaped yet: the PID is still its */
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        close(c->fd);
        c->fd = -1;
        c->pid = 0;
        *n = 0;
        *id = -1;
        if (got != (ssize_t)sizeof(a)) {
                snprintf(err, errlen, "%s", got < 0 && errno == EAGAIN ? "no answer in time (asked again later)"
                                                                        : "the asking process failed");
                return got < 0 && errno == EAGAIN ? -ETIMEDOUT : -EIO;
        }
        a.n = a.n > VIRTNAME_AGENT_ADDRS_MAX ? VIRTNAME_AGENT_ADDRS_MAX : a.n;
        memcpy(out, a.addrs, a.n * sizeof(a.addrs[0]));
        *n = a.n;
        *id = a.id;
        a.err[sizeof(a.err) - 1] = '\0';
        if (a.rc < 0)
                snprintf(err, errlen, "%s", a.err);
        return a.rc;
}

int virtname_agent_ask(const char *uri, const char *name, unsigned deadline_ms, struct virtname_agent_addr *out,
                       size_t *n, int32_t *id, char *err, size_t errlen)
{
        struct virtname_agent_child c;
        struct pollfd pfd;
        int rc;

        *n = 0;
        if ((rc = virtname_agent_start(uri, name, &c)) < 0) {
                snprintf(err, errlen, "cannot start a process to ask it: %s", strerror(-rc));
                return rc;
        }
        pfd = (struct pollfd){ .fd = c.fd, .events = POLLIN };
        while (poll(&pfd, 1, (int)deadline_ms) < 0 && errno == EINTR)
                ;       /* a signal restarts the wait: at worst a little longer */
        return virtname_agent_finish(&c, out, n, id, err, errlen);
}
