/* watch - the optional watcher (packaging/virt-name-cache-watch.service):
 * what the host sees where no hook fires.
 *
 *   watch [--connect URI] [--ttl SECONDS]
 *
 * No hook fires when a guest with a static address, or one on a host
 * bridge no libvirt network owns, first talks to the host, nor when a
 * guest agent comes up.  The watcher listens, without polling, to
 *   - the kernel's neighbour table (rtnetlink, cache/ingest/neigh.h): an
 *     address and MAC the host learnt on a bridge is only a candidate;
 *     when it is the MAC of a running domain's interface there and the
 *     store does not have the address for it yet, the domain's own port
 *     is asked (asks.h, virtname_asks_seen()) and an answer recorded as
 *     an observed address.  The candidates of a moment are asked
 *     together, in a child process (at most CHILDREN at once), so that
 *     the loop never waits on a port; a MAC gets at most PER_MAC
 *     questions in RECENT_S seconds (a guest inventing addresses by the
 *     thousand gets no more);
 *   - libvirt's domain events: a guest agent that connects is asked for
 *     its interfaces' addresses (agent.h; its claim about itself), a few
 *     times while the guest configures them, each time by a child with a
 *     deadline (at most AGENT_CHILDREN at once); one that let the
 *     deadline pass is not asked for HUNG_MS, so that a guest cannot
 *     keep the watcher's children, or libvirtd's workers, busy by
 *     reconnecting its agent; a change of our <metadata>
 *     (no hook fires for it) records the domain again;
 * and, every TTL/2 seconds, renews what would expire: the observed
 * addresses' ports asked again (an answer renews, silence deletes), the
 * connected agents asked again.  Everything goes through the same writer
 * as the hooks' events (hook.h).  It answers no lookup: stopping it
 * loses nothing but freshness (observed and agent addresses expire after
 * TTL), and it starts again from the neighbour table and libvirt's
 * state.  One runs at a time (a lock in the state directory, which
 * doctor looks at).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "cache/ingest/asks.h"
#include "cache/ingest/neigh.h"
#include "cache/libvirt/agent.h"
#include "cache/libvirt/virconn.h"
#include "cache/libvirt/virxml.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"
#include "hooks/hook.h"

/* A candidate asked about lately is not asked again for this long: a
 * silent one (a spoofer's) would otherwise be asked at every change of
 * its neighbour entry. */
#define RECENT_S 5
#define RECENT_MAX 1024
/* Questions per MAC in RECENT_S seconds, at most. */
#define PER_MAC 16
/* Candidates waiting for a child, at most. */
#define PENDING_MAX 1024
/* Children asking ports at once, at most; how long one asks: the guest
 * has just used the address, so a live one answers at once. */
#define CHILDREN 4
#define SEEN_PROBE_MS 3000
/* How long candidates gather before a child takes them. */
#define GATHER_MS 5
/* When a connected agent is asked, in seconds after it connects: the
 * guest may configure its addresses after the agent starts. */
static const int agent_steps[] = { 0, 3, 10, 30, 90 };
#define AGENT_STEPS ((int)(sizeof(agent_steps) / sizeof(agent_steps[0])))
#define AGENTS_MAX 256
/* Agents asked at once, at most (each by a child, agent.h); when all are
 * busy, the next is tried this much later. */
#define AGENT_CHILDREN 4
#define AGENT_RETRY_MS 500
/* An agent that did not answer in time is not asked for this long. */
#define HUNG_MS 600000
/* Reconnecting to libvirtd: first after this, doubling up to the max. */
#define RECONNECT_MS 2000
#define RECONNECT_MAX_MS 300000

struct recent {
        int family;
        uint8_t addr[16], mac[VIRTNAME_MAC_LEN];
        int64_t when;
};

struct agent_child {
        struct virtname_agent_child child;
        char name[VIRTNAME_NAME_MAX + 1];
        int watch, timer;
};

struct hung {
        char name[VIRTNAME_NAME_MAX + 1];
        int64_t until;                 /* monotonic ms */
};

struct agent_due {
        char name[VIRTNAME_NAME_MAX + 1];
        int step;
        int64_t due;                   /* monotonic ms */
};

static struct {
        const char *uri;
        unsigned ttl;
        struct virtname_snapshot *snap;
        virConnectPtr conn;
        int cb_agent, cb_meta;
        int reconnect_timer, reconnect_ms, agent_timer;
        struct virtname_neigh_sock *neigh;
        struct recent recent[RECENT_MAX];
        size_t recent_next;
        struct virtname_neigh pending[PENDING_MAX];
        size_t n_pending;
        bool refresh_due;              /* the expiring observed addresses to be asked too */
        int batch_timer;
        struct { pid_t pid; int fd, watch; } child[CHILDREN];
        size_t n_children;
        int lock_fd;
        struct agent_due due[AGENTS_MAX];
        size_t n_due;
        struct agent_child agents[AGENT_CHILDREN];
        size_t n_agents;
        struct hung hung[AGENTS_MAX];
        size_t hung_next;
} W = { .cb_agent = -1, .cb_meta = -1, .reconnect_timer = -1, .agent_timer = -1, .batch_timer = -1 };

static int64_t mono_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The published snapshot as it is now (kept between events), or NULL. */
static const struct virtname_snapshot *snapshot(void)
{
        const char *dir = virtname_store_dir(NULL);
        struct virtname_snapshot *s;

        if (W.snap && virtname_snapshot_current(W.snap, dir))
                return W.snap;
        if (virtname_snapshot_load(dir, W.snap, &s) < 0)
                return NULL;
        virtname_snapshot_unref(W.snap);
        W.snap = s;
        return s;
}

/* --- neighbours ------------------------------------------------------------ */

/* Was this candidate asked lately, or its MAC too often? */
static bool asked_lately(const struct virtname_neigh *n, int64_t now)
{
        int per_mac = 0;

        for (size_t i = 0; i < RECENT_MAX; i++) {
                const struct recent *r = &W.recent[i];

                if (!r->when || now - r->when >= RECENT_S || memcmp(r->mac, n->mac, VIRTNAME_MAC_LEN) != 0)
                        continue;
                if ((r->family == n->family && memcmp(r->addr, n->addr, 16) == 0) || ++per_mac >= PER_MAC)
                        return true;
        }
        return false;
}

/* Gather candidates for GATHER_MS, then (a child free) ask. */
static void batch_soon(void)
{
        if (W.n_children < CHILDREN)
                virEventUpdateTimeout(W.batch_timer, GATHER_MS);
}

/* A neighbour the host learnt: the port of the domain with its MAC on
 * that bridge is to be asked, when the store has not got the address
 * for it yet. */
static int seen(const struct virtname_neigh *n, void *ctx)
{
        const struct virtname_snapshot *s;
        struct virtname_asks asks = { 0 };
        struct virtname_view v;
        char path[64], addr[INET6_ADDRSTRLEN], mac[18];
        int64_t now = (int64_t)time(NULL);
        struct recent *r;
        int rc;

        (void)ctx;
        snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", n->dev);
        if (access(path, F_OK) < 0 || W.n_pending == PENDING_MAX || asked_lately(n, now) || !(s = snapshot()) ||
            virtname_snapshot_view(s, &v) < 0)
                return 0;
        rc = virtname_asks_seen(&v, n->dev, n->mac, n->family, n->addr, now, W.ttl / 2, &asks);
        virtname_view_end(&v);
        if (rc == 0 && asks.n > 0) {
                r = &W.recent[W.recent_next++ % RECENT_MAX];
                *r = (struct recent){ .family = n->family, .when = now };
                memcpy(r->addr, n->addr, 16);
                memcpy(r->mac, n->mac, VIRTNAME_MAC_LEN);
                W.pending[W.n_pending++] = *n;
                virtname_mac_format(n->mac, mac);
                hook_log(LOG_INFO, "%s at %s on %s: asking its domain's port",
                         inet_ntop(n->family, n->addr, addr, sizeof(addr)), mac, n->dev);
                batch_soon();
        }
        virtname_asks_free(&asks);
        return 0;
}

static void record(void *asks)
{
        hook_record_asks(asks, W.ttl);
}

/* In a child: ask the ports about CANDIDATES (N) and, when REFRESH, the
 * observed addresses about to expire; record what they said. */
static void ask_ports(const struct virtname_neigh *candidates, size_t n, bool refresh)
{
        struct virtname_snapshot *s;
        struct virtname_asks asks = { 0 };
        struct virtname_view v;
        int64_t now = (int64_t)time(NULL);

        if (virtname_snapshot_load(virtname_store_dir(NULL), NULL, &s) < 0)
                return;
        if (virtname_snapshot_view(s, &v) == 0) {
                for (size_t i = 0; i < n; i++)
                        virtname_asks_seen(&v, candidates[i].dev, candidates[i].mac, candidates[i].family,
                                           candidates[i].addr, now, W.ttl / 2, &asks);
                if (refresh)
                        virtname_asks_expiring(&v, now, W.ttl * 3 / 4, &asks, NULL);
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(s);
        if (asks.n)
                virtname_asks_probe_then(&asks, refresh ? 10000 : SEEN_PROBE_MS, record, &asks);
        virtname_asks_free(&asks);
}

static void on_child(int watch, int fd, int events, void *opaque)
{
        (void)fd, (void)events, (void)opaque;
        for (size_t i = 0; i < W.n_children; i++) {
                if (W.child[i].watch != watch)
                        continue;
                while (waitpid(W.child[i].pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                virEventRemoveHandle(watch);
                close(W.child[i].fd);
                W.child[i] = W.child[--W.n_children];
                break;
        }
        if (W.n_pending || W.refresh_due)
                batch_soon();
}

/* What gathered goes to a new child. */
static void on_batch(int timer, void *opaque)
{
        pid_t pid;
        int fd;

        (void)opaque;
        virEventUpdateTimeout(timer, -1);
        if ((!W.n_pending && !W.refresh_due) || W.n_children == CHILDREN)
                return;
        pid = fork();
        if (pid == 0) {
                close(W.lock_fd);       /* the watcher's, not its child's */
                ask_ports(W.pending, W.n_pending, W.refresh_due);
                _exit(0);
        }
        if (pid < 0 || (fd = (int)pidfd_open(pid, 0)) < 0) {
                hook_log(LOG_WARNING, "cannot ask the ports: %m");
                if (pid > 0)
                        waitpid(pid, NULL, 0);
                return;
        }
        W.child[W.n_children] = (typeof(W.child[0])){ pid, fd,
                                                      virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE, on_child,
                                                                        NULL, NULL) };
        W.n_children++;
        W.n_pending = 0;
        W.refresh_due = false;
}

static void on_neigh(int watch, int fd, int events, void *opaque)
{
        int rc = virtname_neigh_read(W.neigh, seen, NULL);

        (void)watch, (void)fd, (void)events, (void)opaque;
        if (rc == -ENOBUFS) {
                /* The kernel dropped news: the whole table again. */
                hook_log(LOG_NOTICE, "neighbour events were lost; reading the table again");
                rc = virtname_neigh_dump(seen, NULL);
        }
        if (rc < 0)
                hook_log(LOG_WARNING, "neighbour table: %s", strerror(-rc));
}

/* --- guest agents and metadata ---------------------------------------------- */

/* NAME into DST (VIRTNAME_NAME_MAX + 1 bytes; both may be in W). */
static void copy_name(char *dst, const char *name)
{
        size_t len = strnlen(name, VIRTNAME_NAME_MAX);

        memmove(dst, name, len);
        dst[len] = '\0';
}

/* The agent's answer (or its silence) from child C. */
static void agent_done(struct agent_child *c)
{
        struct virtname_agent_addr addrs[VIRTNAME_AGENT_ADDRS_MAX];
        struct virtname_event e = { 0 };
        char err[256], what[320];
        int32_t id;
        size_t n;
        int rc = virtname_agent_finish(&c->child, addrs, &n, &id, err, sizeof(err));

        virEventRemoveHandle(c->watch);
        virEventRemoveTimeout(c->timer);
        if (rc == -ETIMEDOUT) {
                /* Not asked again for a while, whatever its agent does:
                 * each question ties up one of libvirtd's workers until
                 * the agent answers or goes. */
                struct hung *h = &W.hung[W.hung_next++ % AGENTS_MAX];

                copy_name(h->name, c->name);
                h->until = mono_ms() + HUNG_MS;
                hook_log(LOG_WARNING, "domain %s: its guest agent did not answer in %d ms; not asked for %d s",
                         c->name, VIRTNAME_AGENT_DEADLINE_MS, HUNG_MS / 1000);
        } else if (rc == 0 && id >= 0) {
                snprintf(what, sizeof(what), "domain %.200s: its guest agent's addresses", c->name);
                virtname_event_agent(&e, c->name, id, (int64_t)time(NULL), W.ttl, addrs, n);
                hook_submit(&e, what);
                virtname_event_free(&e);
        }
        *c = W.agents[--W.n_agents];
}

static void on_agent_answer(int watch, int fd, int events, void *opaque)
{
        (void)fd, (void)events, (void)opaque;
        for (size_t i = 0; i < W.n_agents; i++)
                if (W.agents[i].watch == watch) {
                        agent_done(&W.agents[i]);
                        return;
                }
}

static void on_agent_deadline(int timer, void *opaque)
{
        (void)opaque;
        for (size_t i = 0; i < W.n_agents; i++)
                if (W.agents[i].timer == timer) {
                        agent_done(&W.agents[i]);
                        return;
                }
}

/* Is domain NAME's agent being asked, or one that did not answer lately? */
static bool agent_busy(const char *name)
{
        int64_t now = mono_ms();

        for (size_t i = 0; i < W.n_agents; i++)
                if (strcmp(W.agents[i].name, name) == 0)
                        return true;
        for (size_t i = 0; i < AGENTS_MAX; i++)
                if (W.hung[i].until > now && strcmp(W.hung[i].name, name) == 0)
                        return true;
        return false;
}

/* Start asking domain NAME's agent, in a child (agent.h); false when
 * all AGENT_CHILDREN are busy (asked later). */
static bool ask_agent(const char *name)
{
        struct agent_child *c = &W.agents[W.n_agents];
        int rc;

        if (agent_busy(name))
                return true;
        if (W.n_agents == AGENT_CHILDREN)
                return false;
        if ((rc = virtname_agent_start(W.uri, name, &c->child)) < 0) {
                hook_log(LOG_WARNING, "domain %s: cannot ask its guest agent: %s", name, strerror(-rc));
                return true;
        }
        copy_name(c->name, name);
        c->watch = virEventAddHandle(c->child.fd, VIR_EVENT_HANDLE_READABLE, on_agent_answer, NULL, NULL);
        c->timer = virEventAddTimeout(VIRTNAME_AGENT_DEADLINE_MS, on_agent_deadline, NULL, NULL);
        W.n_agents++;
        if (c->watch < 0 || c->timer < 0) {
                hook_log(LOG_WARNING, "domain %s: cannot wait for its guest agent: %s", name, virtname_virt_error());
                agent_done(c);
        }
        return true;
}

/* Set the agent timer to the next ask due. */
static void agent_timer_set(void)
{
        int64_t next = -1, now = mono_ms();

        for (size_t i = 0; i < W.n_due; i++)
                if (next < 0 || W.due[i].due < next)
                        next = W.due[i].due;
        if (W.agent_timer >= 0)
                virEventUpdateTimeout(W.agent_timer, next < 0 ? -1 : next <= now ? 0 : (int)(next - now));
}

/* Ask domain NAME's agent now and at the steps after (ONCE: now only,
 * unless it is due already). */
static void agent_schedule(const char *name, bool once)
{
        size_t i;

        for (i = 0; i < W.n_due && strcmp(W.due[i].name, name) != 0; i++)
                ;
        if (i < W.n_due && once)
                return;
        if (i == W.n_due) {
                if (W.n_due == AGENTS_MAX || strlen(name) > VIRTNAME_NAME_MAX)
                        return;
                W.n_due++;
        }
        snprintf(W.due[i].name, sizeof(W.due[i].name), "%s", name);
        W.due[i].step = once ? AGENT_STEPS - 1 : 0;
        W.due[i].due = mono_ms();
        agent_timer_set();
}

static void on_agent_timer(int timer, void *opaque)
{
        int64_t now = mono_ms();

        (void)timer, (void)opaque;
        for (size_t i = 0; i < W.n_due;) {
                struct agent_due *d = &W.due[i];

                if (d->due > now) {
                        i++;
                        continue;
                }
                if (!ask_agent(d->name)) {
                        d->due = now + AGENT_RETRY_MS;  /* every child busy */
                        i++;
                } else if (++d->step < AGENT_STEPS) {
                        d->due += 1000LL * (agent_steps[d->step] - agent_steps[d->step - 1]);
                        i++;
                } else {
                        *d = W.due[--W.n_due];
                }
        }
        agent_timer_set();
}

static void on_agent(virConnectPtr conn, virDomainPtr dom, int state, int reason, void *opaque)
{
        (void)conn, (void)reason, (void)opaque;
        if (state == VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED)
                agent_schedule(virDomainGetName(dom), false);
}

/* The domain's XML now: its record again, with the administrator's
 * addresses of its <metadata> (a change of which runs no hook). */
static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri, void *opaque)
{
        struct virtname_xml_domain x;
        struct virtname_event e = { 0 };
        char err[256], what[320], *xml;
        bool running = virDomainIsActive(dom) == 1;

        (void)conn, (void)opaque;
        if (type != VIR_DOMAIN_METADATA_ELEMENT || !nsuri || strcmp(nsuri, VIRTNAME_XML_NS) != 0)
                return;
        xml = virDomainGetXMLDesc(dom, 0);
        snprintf(what, sizeof(what), "domain %.200s metadata", virDomainGetName(dom));
        if (!xml || virtname_xml_parse_domain(xml, strlen(xml), &x, err, sizeof(err)) < 0) {
                hook_log(LOG_WARNING, "%s: %s", what, xml ? err : virtname_virt_error());
                free(xml);
                return;
        }
        free(xml);
        x.d.updated = (int64_t)time(NULL);
        hook_domain_state(&x, running ? VIRTNAME_STATE_RUNNING : VIRTNAME_STATE_SHUTOFF);
        virtname_event_domain(&e, &x);
        hook_submit(&e, what);
        virtname_event_free(&e);
        virtname_xml_domain_free(&x);
}

/* Every running domain whose agent is connected (its live XML says so):
 * asked again. */
static void ask_connected_agents(void)
{
        virDomainPtr *doms = NULL;
        int n = W.conn ? virConnectListAllDomains(W.conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE) : 0;

        for (int i = 0; i < n; i++) {
                struct virtname_xml_domain x;
                char err[256], *xml = virDomainGetXMLDesc(doms[i], 0);

                if (xml && virtname_xml_parse_domain(xml, strlen(xml), &x, err, sizeof(err)) == 0) {
                        if (x.agent_connected)
                                agent_schedule(x.d.name, true);
                        virtname_xml_domain_free(&x);
                }
                free(xml);
                virDomainFree(doms[i]);
        }
        free(doms);
}

/* --- libvirt's connection --------------------------------------------------- */

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
        (void)conn, (void)opaque;
        hook_log(LOG_WARNING, "the connection to libvirt at %s closed (reason %d); reconnecting", W.uri, reason);
        W.reconnect_ms = RECONNECT_MS;
        virEventUpdateTimeout(W.reconnect_timer, W.reconnect_ms);
}

static void disconnect(void)
{
        if (!W.conn)
                return;
        if (W.cb_agent >= 0)
                virConnectDomainEventDeregisterAny(W.conn, W.cb_agent);
        if (W.cb_meta >= 0)
                virConnectDomainEventDeregisterAny(W.conn, W.cb_meta);
        virConnectUnregisterCloseCallback(W.conn, on_close);
        virConnectClose(W.conn);
        W.conn = NULL;
        W.cb_agent = W.cb_meta = -1;
}

/* libvirt takes every domain event callback as its generic type.  The
 * compound literal checks CB against the event's own typedef; the cast
 * goes through void (*)(void), which gcc's and clang's
 * -Wcast-function-type (clang 19: -Wcast-function-type-mismatch, in
 * -Wextra) accept as deliberate. */
#define EVENT_CALLBACK(type, cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(type){ cb })

static bool connect_libvirt(void)
{
        disconnect();
        if (!(W.conn = virtname_virt_open(W.uri, false)))
                return false;
        W.cb_agent = virConnectDomainEventRegisterAny(W.conn, NULL, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                                      EVENT_CALLBACK(virConnectDomainEventAgentLifecycleCallback, on_agent), NULL, NULL);
        W.cb_meta = virConnectDomainEventRegisterAny(W.conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                                     EVENT_CALLBACK(virConnectDomainEventMetadataChangeCallback, on_metadata), NULL, NULL);
        if (W.cb_agent < 0 || W.cb_meta < 0 || virConnectRegisterCloseCallback(W.conn, on_close, NULL, NULL) < 0) {
                hook_log(LOG_WARNING, "libvirt at %s: cannot register for events: %s", W.uri, virtname_virt_error());
                disconnect();
                return false;
        }
        hook_log(LOG_INFO, "listening to libvirt at %s", W.uri);
        ask_connected_agents();
        return true;
}

static void on_reconnect(int timer, void *opaque)
{
        (void)opaque;
        if (connect_libvirt()) {
                virEventUpdateTimeout(timer, -1);
                return;
        }
        hook_log(LOG_NOTICE, "libvirt at %s: %s; trying again in %d s", W.uri, virtname_virt_error(),
                 W.reconnect_ms / 1000);
        W.reconnect_ms = W.reconnect_ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : W.reconnect_ms * 2;
        virEventUpdateTimeout(timer, W.reconnect_ms);
}

/* --- renewal ------------------------------------------------------------------ */

/* Observed addresses whose answer ends within 3/4 TTL: their ports asked
 * again (an answer renews, silence deletes); agents asked again. */
static void on_refresh(int timer, void *opaque)
{
        (void)timer, (void)opaque;
        W.refresh_due = true;
        batch_soon();
        ask_connected_agents();
}

/* --- main ---------------------------------------------------------------------- */

/* Only one watcher: an exclusive lock on the state directory's
 * watch.lock, held while it runs (doctor tries it). */
static int take_lock(void)
{
        char state[PATH_MAX], path[PATH_MAX];
        int fd;

        if (virtname_state_dir(NULL, state, sizeof(state)) < 0 ||
            virtname_path(path, sizeof(path), state, VIRTNAME_WATCH_LOCK_NAME) < 0)
                return -ENAMETOOLONG;
        if (mkdir(state, 0755) < 0 && errno != EEXIST)
                return -errno;
        if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int e = errno == EWOULDBLOCK ? EBUSY : errno;

                close(fd);
                return -e;
        }
        return fd;      /* held until we exit */
}

static void usage(FILE *out)
{
        fprintf(out, "Usage: watch [--connect URI] [--ttl SECONDS]\n"
                     "\n"
                     "Record the addresses the host sees its guests use (the neighbour table, each\n"
                     "asked on the domain's own port) and the ones their guest agents report, as\n"
                     "they appear (virt-name-cache(1), WATCHER).\n"
                     "\n"
                     "  --connect URI   libvirt (default qemu:///system)\n"
                     "  --ttl SECONDS   how long such an address holds unless seen again (default %d,\n"
                     "                  at most that); renewed every SECONDS/2\n",
                VIRTNAME_OBSERVED_TTL);
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "ttl", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        char *end;
        int c, rc = 0;

        W.uri = "qemu:///system";
        W.ttl = VIRTNAME_OBSERVED_TTL;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        W.uri = optarg;
                        break;
                case 't':
                        errno = 0;
                        W.ttl = (unsigned)strtoul(optarg, &end, 10);
                        if (errno || *end || W.ttl < 2 || W.ttl > VIRTNAME_OBSERVED_TTL) {
                                fprintf(stderr, "watch: --ttl: 2 to %d seconds\n", VIRTNAME_OBSERVED_TTL);
                                return 2;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        hook_init("virt-name-cache-watch");
        alarm(0);                       /* a daemon, not a hook: no deadline */
        if ((W.lock_fd = take_lock()) < 0) {
                fprintf(stderr, "watch: %s\n", W.lock_fd == -EBUSY ? "another watcher is running"
                                                                    : strerror(-W.lock_fd));
                return 1;
        }
        if (virEventRegisterDefaultImpl() < 0 || (rc = virtname_neigh_listen(&W.neigh)) < 0 ||
            virEventAddHandle(virtname_neigh_fd(W.neigh), VIR_EVENT_HANDLE_READABLE, on_neigh, NULL, NULL) < 0) {
                fprintf(stderr, "watch: cannot listen to the neighbour table: %s\n",
                        W.neigh ? virtname_virt_error() : strerror(-rc));
                return 1;
        }
        W.reconnect_timer = virEventAddTimeout(-1, on_reconnect, NULL, NULL);
        W.agent_timer = virEventAddTimeout(-1, on_agent_timer, NULL, NULL);
        W.batch_timer = virEventAddTimeout(-1, on_batch, NULL, NULL);
        if (W.reconnect_timer < 0 || W.agent_timer < 0 || W.batch_timer < 0 ||
            virEventAddTimeout((int)(W.ttl / 2 * 1000), on_refresh, NULL, NULL) < 0) {
                fprintf(stderr, "watch: cannot set its timers: %s\n", virtname_virt_error());
                return 1;
        }
        hook_log(LOG_INFO, "watching the neighbour table; addresses hold %u s", W.ttl);
        /* What the host knows already, then what comes. */
        if ((rc = virtname_neigh_dump(seen, NULL)) < 0)
                hook_log(LOG_WARNING, "neighbour table: %s", strerror(-rc));
        W.reconnect_ms = RECONNECT_MS;
        if (!connect_libvirt()) {
                hook_log(LOG_NOTICE, "libvirt at %s: %s; trying again in %d s", W.uri, virtname_virt_error(),
                         W.reconnect_ms / 1000);
                virEventUpdateTimeout(W.reconnect_timer, W.reconnect_ms);
        }
        for (;;)
                if (virEventRunDefaultImpl() < 0)
                        hook_log(LOG_WARNING, "event loop: %s", virtname_virt_error());
}
