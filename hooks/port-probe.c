/* port-probe - ask a domain's own port whether its guest uses an address
 * (cache/ingest/probe.h), and record the answer.
 *
 *   port-probe lease NETWORK ADDRESS   the lease of ADDRESS on NETWORK
 *   port-probe domain NAME             every current lease of domain NAME
 *
 * The hooks start it, detached, after a lease event or a domain start
 * whose port has not answered in this run of the domain (hook.h): a
 * guest configures its address only after the DHCP acknowledgement
 * (IPv6: after duplicate address detection), and neither dnsmasq nor
 * libvirtd may wait for that.  It reads what to ask from the published
 * snapshot (waiting a little for an event still in the spool), asks
 * until every port has answered or PROBE_DEADLINE_MS has passed, and
 * records each answer, or the silence, as an event of its own.
 *
 * Any guest can put a running domain's MAC in its DHCP requests, each a
 * lease event: so at most PROBE_SLOTS processes ask at all (a lock per
 * slot in the state directory's probe/), and a question is asked by one
 * process at a time.  A question is first a file in probe/pending/, one
 * per port and request (the same request again is the same file:
 * merged); whoever holds a slot takes every file whose lock (one of
 * LOCK_BUCKETS, by the file's name) it gets, asks them together, and
 * looks again.  A process that finds no free slot leaves its file: every
 * slot holder looks at probe/pending/ after letting its slot go, so no
 * question waits for a next event.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cache/ingest/asks.h"
#include "cache/read/names.h"
#include "cache/read/paths.h"
#include "cache/read/reader.h"
#include "hooks/hook.h"

/* How long a port is asked: a guest that boots slowly, or runs a DHCP
 * client that checks its address first (RFC 5227: some seconds). */
#define PROBE_DEADLINE_MS 30000
/* The first answers are recorded after this long (probe()). */
#define FIRST_PASS_MS 3000
/* How long the event that caused us may wait in the spool. */
#define WAIT_FOR_STORE_MS 3000
/* Processes asking ports at once, at most. */
#define PROBE_SLOTS 8
/* Questions waiting, at most (more are dropped: the lease stays
 * dnsmasq's claim until its port is asked). */
#define PENDING_MAX 512
/* Request locks (lock.NN). */
#define LOCK_BUCKETS 64
/* Requests taken in one round, at most. */
#define ROUND_MAX 64

static char dir[PATH_MAX / 2], pend[PATH_MAX / 2 + 16];  /* STATE/probe, STATE/probe/pending */

/* What to ask for request REQ (argv-like: "lease" NETWORK ADDRESS or
 * "domain" NAME), from view V, into ASKS. */
static int plan_one(const struct virtname_view *v, char *const *req, int64_t now, struct virtname_asks *asks)
{
        uint8_t addr[16];
        int family;

        if (strcmp(req[0], "domain") == 0)
                return virtname_asks_domain(v, req[1], now, asks);
        if (req[2] && virtname_addr_parse(req[2], &family, addr))
                return virtname_asks_lease(v, req[1], family, addr, now, asks);
        return -EINVAL;
}

/* The N requests REQS planned against the published snapshot into ASKS. */
static int plan(char *const (*reqs)[3], size_t n, struct virtname_asks *asks)
{
        struct virtname_snapshot *snap;
        struct virtname_view v;
        int64_t now = (int64_t)time(NULL);
        int rc;

        if ((rc = virtname_snapshot_load(virtname_store_dir(NULL), NULL, &snap)) < 0)
                return rc;
        if ((rc = virtname_snapshot_view(snap, &v)) == 0) {
                for (size_t i = 0; i < n && rc >= 0; i++)
                        rc = plan_one(&v, reqs[i], now, asks);
                virtname_view_end(&v);
        }
        virtname_snapshot_unref(snap);
        return rc;
}

/* A name safe as a file name's part (a tap's: the kernel allows no '/'). */
static bool port_ok(const char *port)
{
        return *port && *port != '.' && !strchr(port, '/') && !strchr(port, ':');
}

/* Request REQ (its text TEXT) for each port of ASKS, as a file
 * pending/PORT:HASH (the same request: the same file). */
static void queue(const char *text, const struct virtname_asks *asks)
{
        char tmp[PATH_MAX + 32], path[PATH_MAX + 64];
        unsigned long long h = 1469598103934665603ULL;  /* FNV-1a */
        size_t waiting = 0;
        struct dirent *de;
        DIR *d;

        for (const char *c = text; *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || (mkdir(pend, 0700) < 0 && errno != EEXIST) ||
            !(d = opendir(pend))) {
                hook_log(LOG_WARNING, "%s: %m", pend);
                return;
        }
        while ((de = readdir(d)))
                waiting += de->d_name[0] != '.';
        closedir(d);
        for (size_t i = 0; i < asks->n; i++) {
                const char *port = asks->a[i].port.port;
                int fd;

                if (!port_ok(port))
                        continue;
                if (waiting >= PENDING_MAX) {
                        hook_log(LOG_NOTICE, "port %s: %zu questions wait already; not asked: %s", port, waiting,
                                 text);
                        continue;
                }
                snprintf(tmp, sizeof(tmp), "%s/.new.%d", pend, (int)getpid());
                snprintf(path, sizeof(path), "%s/%s:%016llx", pend, port, h);
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0 ||
                    rename(tmp, path) < 0) {
                        hook_log(LOG_WARNING, "%s: %m", path);
                        unlink(tmp);
                        if (fd >= 0)
                                close(fd);
                }
                waiting++;
        }
}

/* An exclusive lock on DIR/NAME without waiting: its descriptor, or -1. */
static int try_lock(const char *name)
{
        char path[PATH_MAX + 32];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
                return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                return fd;
        close(fd);
        return -1;
}

static int take_slot(void)
{
        char name[32];
        int fd = -1;

        for (int i = 0; i < PROBE_SLOTS && fd < 0; i++) {
                snprintf(name, sizeof(name), "slot.%d", i);
                fd = try_lock(name);
        }
        return fd;
}

/* A request file's lock: one of LOCK_BUCKETS by its name's hash (a
 * bounded number of lock files; two requests sharing one merely take
 * turns). */
static unsigned bucket_of(const char *file)
{
        unsigned long long h = 1469598103934665603ULL;  /* FNV-1a */

        for (const char *c = file; *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        return (unsigned)(h % LOCK_BUCKETS);
}

/* The request locks we hold in a round, and the ports of their files. */
struct held {
        int fd[LOCK_BUCKETS];
        char port[ROUND_MAX][IF_NAMESIZE];
        size_t n;                      /* ports */
};

/* Take request file FILE (of PORT) in this round: its lock, unless
 * another process holds it (false). */
static bool take(struct held *h, const char *file, const char *port)
{
        unsigned b = bucket_of(file);
        char name[32];
        size_t i;

        if (strlen(port) >= IF_NAMESIZE || !port_ok(port))
                return false;
        if (h->fd[b] < 0) {
                snprintf(name, sizeof(name), "lock.%02u", b);
                if ((h->fd[b] = try_lock(name)) < 0)
                        return false;
        }
        for (i = 0; i < h->n && strcmp(h->port[i], port) != 0; i++)
                ;
        if (i == h->n && h->n < ROUND_MAX)
                strcpy(h->port[h->n++], port);
        return true;
}

static bool holds_port(const struct held *h, const char *port)
{
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->port[i], port) == 0)
                        return true;
        return false;
}

/* A request file's text: "lease NETWORK ADDRESS" or "domain NAME". */
static bool parse(char *text, char *req[3])
{
        char *save = NULL;

        req[0] = strtok_r(text, "\n", &save);
        req[1] = strtok_r(NULL, "\n", &save);
        req[2] = strtok_r(NULL, "\n", &save);
        return req[1] && ((strcmp(req[0], "lease") == 0 && req[2]) || (strcmp(req[0], "domain") == 0 && !req[2]));
}

/* What the ports said, each as an event of its own. */
static void record(void *asks)
{
        hook_record_asks(asks, VIRTNAME_OBSERVED_TTL);
}

/* The answered addresses of ASKS moved into DONE (the same ports, only
 * those addresses); asks left with none dropped.  False: out of memory
 * (ASKS as it was). */
static bool take_answered(struct virtname_asks *asks, struct virtname_asks *done)
{
        size_t kept = 0;

        if (!(done->a = calloc(asks->n ? asks->n : 1, sizeof(*done->a))))
                return false;
        done->cap = asks->n;
        for (size_t i = 0; i < asks->n; i++) {
                struct virtname_ask *a = &asks->a[i], *d = &done->a[done->n];
                size_t left = 0;

                *d = *a;
                if (!(d->port.addrs = calloc(a->port.n, sizeof(*d->port.addrs)))) {
                        asks->a[kept++] = *a;   /* asked again, as if unanswered */
                        continue;
                }
                d->port.n = 0;
                for (size_t j = 0; j < a->port.n; j++) {
                        if (a->port.addrs[j].answered)
                                d->port.addrs[d->port.n++] = a->port.addrs[j];
                        else
                                a->port.addrs[left++] = a->port.addrs[j];
                }
                a->port.n = left;
                if (d->port.n)
                        done->n++;
                else
                        free(d->port.addrs);
                if (left)
                        asks->a[kept++] = *a;
                else
                        free(a->port.addrs);
        }
        asks->n = kept;
        return true;
}

/* Ask ASKS and record what they said: what answers within FIRST_PASS_MS
 * at once (a port asked about addresses nobody has, a forger's, is
 * silent for the whole deadline: its guest's own lease need not wait for
 * that), the rest at the deadline. */
static void probe(struct virtname_asks *asks)
{
        struct virtname_asks done = { 0 };
        int rc;

        if (!asks->n)
                return;
        if ((rc = virtname_asks_probe(asks, FIRST_PASS_MS)) < 0) {
                hook_log(LOG_WARNING, "cannot ask the ports: %s", strerror(-rc));
                return;
        }
        if (!take_answered(asks, &done))
                hook_log(LOG_ERR, "cannot record what the ports said: out of memory");
        else if (done.n)
                hook_record_asks(&done, VIRTNAME_OBSERVED_TTL);
        virtname_asks_free(&done);
        if (asks->n && (rc = virtname_asks_probe_then(asks, PROBE_DEADLINE_MS - FIRST_PASS_MS, record, asks)) < 0)
                hook_log(LOG_WARNING, "cannot ask the ports: %s", strerror(-rc));
}

static bool release(struct held *h)
{
        for (unsigned b = 0; b < LOCK_BUCKETS; b++)
                if (h->fd[b] >= 0)
                        close(h->fd[b]);
        return false;
}

/* One round: the pending files of every port whose lock we get, asked
 * together.  False when there were none (LEFT: some wait for a port
 * another process asks). */
static bool round_once(bool *left)
{
        static char texts[ROUND_MAX][512];
        char path[PATH_MAX + 300], *reqs[ROUND_MAX][3];
        struct virtname_asks asks = { 0 };
        struct held h = { .n = 0 };
        struct dirent *de;
        size_t n = 0, kept = 0;
        DIR *d;
        int rc;

        *left = false;
        if (!(d = opendir(pend)))
                return false;
        for (unsigned b = 0; b < LOCK_BUCKETS; b++)
                h.fd[b] = -1;
        while ((de = readdir(d)) && n < ROUND_MAX) {
                char *colon = strrchr(de->d_name, ':'), port[IF_NAMESIZE];
                ssize_t len;
                int fd;

                if (de->d_name[0] == '.' || !colon || colon - de->d_name >= IF_NAMESIZE)
                        continue;
                snprintf(port, sizeof(port), "%.*s", (int)(colon - de->d_name), de->d_name);
                if (!take(&h, de->d_name, port)) {
                        *left = true;
                        continue;
                }
                snprintf(path, sizeof(path), "%s/%s", pend, de->d_name);
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                len = fd < 0 ? -1 : read(fd, texts[n], sizeof(texts[n]) - 1);
                if (fd >= 0)
                        close(fd);
                unlink(path);
                if (len > 0) {
                        texts[n][len] = '\0';
                        n += parse(texts[n], reqs[n]);
                }
        }
        closedir(d);
        if (h.n == 0)
                return release(&h);
        if ((rc = plan((char *const (*)[3])reqs, n, &asks)) < 0 && rc != -ENOENT)
                hook_log(LOG_WARNING, "what to ask: %s", strerror(-rc));
        /* Only the ports we hold: another's request files wait for it. */
        for (size_t i = 0; i < asks.n; i++) {
                if (holds_port(&h, asks.a[i].port.port))
                        asks.a[kept++] = asks.a[i];
                else
                        free(asks.a[i].port.addrs);
        }
        asks.n = kept;
        alarm(PROBE_DEADLINE_MS / 1000 + 10);
        probe(&asks);
        virtname_asks_free(&asks);
        release(&h);
        return true;
}

/* Is a question waiting for a port no process asks? */
static bool waiting(void)
{
        char name[32];
        struct dirent *de;
        bool any = false;
        DIR *d;

        if (!(d = opendir(pend)))
                return false;
        while (!any && (de = readdir(d))) {
                char *colon = strrchr(de->d_name, ':');
                int fd;

                if (de->d_name[0] == '.' || !colon)
                        continue;
                snprintf(name, sizeof(name), "lock.%02u", bucket_of(de->d_name));
                if ((fd = try_lock(name)) >= 0) {
                        any = true;
                        close(fd);
                }
        }
        closedir(d);
        return any;
}

/* Ask what waits while a slot is ours; after letting it go, look again:
 * a process that found every slot taken left its question to us (and a
 * question for a port being asked is taken by that port's asker, which
 * looks again after letting the port go). */
static void drain(void)
{
        bool left;
        int slot;

        do {
                if ((slot = take_slot()) < 0)
                        return;
                while (round_once(&left))
                        ;
                close(slot);
        } while (waiting());
}

int main(int argc, char **argv)
{
        struct virtname_asks asks = { 0 };
        char state[PATH_MAX], text[512];
        char *req[3] = { NULL, NULL, NULL };
        int rc = 0;

        hook_init("virt-name-cache-port-probe");
        alarm(WAIT_FOR_STORE_MS / 1000 + 10);
        if (!((argc == 4 && strcmp(argv[1], "lease") == 0) || (argc == 3 && strcmp(argv[1], "domain") == 0)) ||
            strchr(argv[2], '\n') || (argc == 4 && strchr(argv[3], '\n'))) {
                fprintf(stderr, "usage: port-probe lease NETWORK ADDRESS | port-probe domain NAME\n");
                return 2;
        }
        if (virtname_state_dir(NULL, state, sizeof(state)) < 0 ||
            snprintf(dir, sizeof(dir), "%s/probe", state) >= (int)sizeof(dir) ||
            snprintf(pend, sizeof(pend), "%s/pending", dir) >= (int)sizeof(pend) ||
            snprintf(text, sizeof(text), "%s\n%s\n%s", argv[1], argv[2], argc == 4 ? argv[3] : "") >=
                    (int)sizeof(text)) {
                hook_log(LOG_WARNING, "%s %s: %s", argv[1], argv[2], strerror(ENAMETOOLONG));
                return 0;
        }
        for (int i = 1; i < argc; i++)
                req[i - 1] = argv[i];
        for (int waited = 0; waited <= WAIT_FOR_STORE_MS && rc >= 0 && asks.n == 0; waited += 200) {
                if (waited)
                        usleep(200 * 1000);
                rc = plan((char *const (*)[3])&req, 1, &asks);
        }
        if (rc < 0 && rc != -ENOENT)
                hook_log(LOG_WARNING, "%s %s: %s", argv[1], argv[2], strerror(-rc));
        if (rc >= 0 && asks.n > 0)
                queue(text, &asks);
        virtname_asks_free(&asks);
        drain();
        return 0;
}
