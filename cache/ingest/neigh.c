/* neigh.c - the kernel's neighbour table over rtnetlink (neigh.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "cache/ingest/neigh.h"

struct virtname_neigh_sock {
        struct mnl_socket *nl;
};

struct walk {
        virtname_neigh_fn fn;
        void *ctx;
        int rc;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, NDA_MAX) > 0)
                tb[type] = attr;
        return MNL_CB_OK;
}

/* One RTM_NEWNEIGH message. */
static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
        struct walk *w = data;
        const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *tb[NDA_MAX + 1] = { 0 };
        struct virtname_neigh n = { 0 };
        size_t alen;

        if (nlh->nlmsg_type != RTM_NEWNEIGH || (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) ||
            (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP | NUD_NONE)) || (nd->ndm_flags & NTF_PROXY))
                return MNL_CB_OK;
        mnl_attr_parse(nlh, sizeof(*nd), attr_cb, tb);
        if (!tb[NDA_DST] || !tb[NDA_LLADDR] || mnl_attr_get_payload_len(tb[NDA_LLADDR]) != VIRTNAME_MAC_LEN)
                return MNL_CB_OK;
        alen = mnl_attr_get_payload_len(tb[NDA_DST]);
        if (alen != (nd->ndm_family == AF_INET ? 4u : 16u) || !if_indextoname((unsigned)nd->ndm_ifindex, n.dev))
                return MNL_CB_OK;
        n.family = nd->ndm_family;
        memcpy(n.addr, mnl_attr_get_payload(tb[NDA_DST]), alen);
        memcpy(n.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), VIRTNAME_MAC_LEN);
        if ((w->rc = w->fn(&n, w->ctx)) != 0)
                return MNL_CB_STOP;
        return MNL_CB_OK;
}

/* Open a socket (FLAGS: SOCK_NONBLOCK or 0), bound to GROUPS. */
static int open_nl(int flags, unsigned groups, struct mnl_socket **out)
{
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | flags);
        int e;

        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
                e = errno;
                mnl_socket_close(nl);
                return -e;
        }
        *out = nl;
        return 0;
}

int virtname_neigh_listen(struct virtname_neigh_sock **out)
{
        struct virtname_neigh_sock *s = calloc(1, sizeof(*s));
        int rc = s ? open_nl(SOCK_NONBLOCK, 1u << (RTNLGRP_NEIGH - 1), &s->nl) : -ENOMEM;

        if (rc < 0) {
                free(s);
                return rc;
        }
        *out = s;
        return 0;
}

int virtname_neigh_fd(const struct virtname_neigh_sock *s)
{
        return mnl_socket_get_fd(s->nl);
}

int virtname_neigh_read(struct virtname_neigh_sock *s, virtname_neigh_fn fn, void *ctx)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct walk w = { fn, ctx, 0 };
        ssize_t n;

        while ((n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf))) > 0)
                if (mnl_cb_run(buf, (size_t)n, 0, 0, neigh_cb, &w) == MNL_CB_STOP && w.rc)
                        return w.rc;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

void virtname_neigh_close(struct virtname_neigh_sock *s)
{
        if (!s)
                return;
        mnl_socket_close(s->nl);
        free(s);
}

/* Send a dump request for FAMILY's table and run the answer through W. */
static int dump_family(struct mnl_socket *nl, int family, struct walk *w)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ndmsg *nd;
        unsigned seq = (unsigned)time(NULL), portid = mnl_socket_get_portid(nl);
        ssize_t n;
        int rc = MNL_CB_OK;

        nlh->nlmsg_type = RTM_GETNEIGH;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = seq;
        nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
        nd->ndm_family = (uint8_t)family;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        while (rc > MNL_CB_STOP) {
                n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                rc = mnl_cb_run(buf, (size_t)n, seq, portid, neigh_cb, w);
        }
        if (rc == MNL_CB_ERROR)
                return -errno;
        return w->rc;
}

int virtname_neigh_dump(virtname_neigh_fn fn, void *ctx)
{
        struct walk w = { fn, ctx, 0 };
        struct mnl_socket *nl;
        int rc = open_nl(0, 0, &nl);

        if (rc < 0)
                return rc;
        rc = dump_family(nl, AF_INET, &w);
        if (rc == 0)
                rc = dump_family(nl, AF_INET6, &w);
        mnl_socket_close(nl);
        return rc;
}
