/* hook.c - logging, input and store access for the hooks. */
#define _GNU_SOURCE
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "cache/ingest/missed.h"
#include "cache/read/paths.h"
#include "cache/ingest/spool.h"
#include "cache/ingest/update.h"

static const char *hook_name = "virt-name-cache";

/* The last resort against a hang: never block libvirtd or dnsmasq. */
static void deadline(int sig)
{
        static const char msg[] = "virt-name-cache hook: deadline reached, exiting\n";

        (void)sig;
        (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
        _exit(0);
}

void hook_init(const char *name)
{
        unsigned left;

        hook_name = name;
        /* VIRT_NAME_CACHE_LOG_STDERR=1 copies the messages to stderr (tests). */
        openlog(name, LOG_PID | (getenv("VIRT_NAME_CACHE_LOG_STDERR") ? LOG_PERROR : 0), LOG_DAEMON);
        /* What is left of a deadline already running (the lease helper's
         * front set it before it loaded lease-record.so). */
        left = alarm(0);
        signal(SIGALRM, deadline);
        alarm(left ? left : HOOK_DEADLINE_S);
}

void hook_log(int priority, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsyslog(priority, fmt, ap);
        va_end(ap);
}

void hook_missed(const char *what, const char *fmt, ...)
{
        char why[512], state[PATH_MAX];
        va_list ap;
        int rc;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        syslog(LOG_ERR, "%s: not recorded: %s (run 'virt-name-cache rebuild')", what, why);
        snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]", what);
        rc = virtname_state_dir(NULL, state, sizeof(state));
        if (rc == 0)
                rc = virtname_missed_note(state, hook_name, why);
        if (rc < 0)
                syslog(LOG_ERR, "cannot note the missed event in the missed-events log: %s", strerror(-rc));
}

char *hook_read_stdin(size_t *len)
{
        size_t cap = 65536, n = 0;
        char *buf = malloc(cap + 1);
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

        if (!buf)
                return NULL;
        for (;;) {
                ssize_t r;

                if (n == cap) {
                        char *more;

                        if (cap >= HOOK_MAX_INPUT) {
                                hook_log(LOG_ERR, "input larger than %u bytes", HOOK_MAX_INPUT);
                                free(buf);
                                return NULL;
                        }
                        cap *= 2;
                        more = realloc(buf, cap + 1);
                        if (!more) {
                                free(buf);
                                return NULL;
                        }
                        buf = more;
                }
                /* libvirt writes the whole document at once; don't wait forever. */
                if (poll(&p, 1, 3000) == 0) {
                        hook_log(LOG_ERR, "no complete input within 3 s");
                        free(buf);
                        return NULL;
                }
                r = read(STDIN_FILENO, buf + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        hook_log(LOG_ERR, "cannot read standard input: %m");
                        free(buf);
                        return NULL;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = '\0';
        *len = n;
        return buf;
}

void hook_spawn(const char *program, const char *env, const char *const *args)
{
        const char *path = secure_getenv(env);
        char fallback[PATH_MAX];
        const char *argv[8];
        size_t n = 0;
        pid_t pid;

        if (!path || !*path) {
                snprintf(fallback, sizeof(fallback), "%s/%s", VIRTNAME_LIBEXECDIR, program);
                path = fallback;
        }
        argv[n++] = path;
        while (args && *args && n < sizeof(argv) / sizeof(argv[0]) - 1)
                argv[n++] = *args++;
        argv[n] = NULL;
        pid = fork();
        if (pid < 0) {
                hook_log(LOG_WARNING, "cannot start %s: %s", path, strerror(errno));
                return;
        }
        if (pid == 0) {
                int fd;

                alarm(0);
                setsid();
                if (fork() != 0)
                        _exit(0);
                fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
                        _exit(1);
                closefrom(3);
                execv(path, (char *const *)argv);
                syslog(LOG_WARNING, "cannot run %s: %m", path);
                _exit(1);
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* A commit queued names for the fleet DNS (cache/derive/queue.h): start the
 * sender (dns-sync sends the queue if it cannot run). */
static void start_dns_sender(const struct virtname_commit_info *info)
{
        static bool started;
        static const char *const args[] = { "--from-hook", NULL };

        if (started || !info || (info->queued == 0 && !info->queued_full))
                return;
        started = true;
        hook_spawn("dns-send", "VIRT_NAME_CACHE_DNS_SEND", args);
}

/* After our unlock: events other hooks spooled while we held the lock
 * are applied now, not at some later event.  A hook that spools first
 * writes its file, then tries the lock once; a writer that unlocks then
 * looks at the spool: so one of them always applies each event. */
static void apply_pending(const char *state)
{
        for (int round = 0; round < 3; round++) {
                struct virtname_update *u;
                struct virtname_commit_info info;
                int64_t oldest;
                char err[512];

                if (virtname_spool_count(state, &oldest) <= 0)
                        return;
                if (virtname_update_open(NULL, 0, VIRTNAME_WRITER_RECREATE, &u, err, sizeof(err)) < 0)
                        return;         /* another writer has the lock, and the spool */
                if (virtname_update_commit(u, 0, &info, err, sizeof(err)) < 0)
                        hook_log(LOG_WARNING, "spooled events: %s", err);
                virtname_update_close(u);
        }
}

static void spool(const char *state, const struct virtname_event *e, const char *what,
                  const char *why)
{
        char err[512];

        if (virtname_spool_put(state, e->p, e->len, err, sizeof(err)) < 0) {
                hook_missed(what, "%s; %s", why, err);
                return;
        }
        hook_log(LOG_NOTICE, "%s: %s; spooled for the next writer", what, why);
}

void hook_submit(const struct virtname_event *e, const char *what)
{
        hook_submit_then(e, what, NULL, NULL);
}

/* The writer for a hook, waiting for the lock at most
 * HOOK_LOCK_TIMEOUT_MS; a store found damaged and started anew is
 * reported. */
static int open_update(struct virtname_update **u, char *err, size_t errlen)
{
        int rc = virtname_update_open(NULL, HOOK_LOCK_TIMEOUT_MS, VIRTNAME_WRITER_RECREATE, u, err, errlen);

        if (rc == 0 && virtname_writer_recreated(virtname_update_writer(*u)))
                hook_missed("store", "the private store was damaged and is started anew (the "
                            "damaged one is kept beside it); run 'virt-name-cache rebuild'");
        return rc;
}

void hook_settle_then(hook_settled_fn then, void *ctx)
{
        char err[512], state[PATH_MAX];
        struct virtname_update *u;
        struct virtname_commit_info info;
        int rc;

        if (virtname_state_dir(NULL, state, sizeof(state)) < 0 || open_update(&u, err, sizeof(err)) < 0)
                return;         /* the next event's writer does it */
        rc = virtname_update_commit(u, 0, &info, err, sizeof(err));
        if (rc == 0)
                then(virtname_update_writer(u), ctx);
        else
                hook_log(LOG_WARNING, "%s", err);
        virtname_update_close(u);
        start_dns_sender(rc == 0 || rc == -EAGAIN ? &info : NULL);
        apply_pending(state);
}

void hook_submit_then(const struct virtname_event *e, const char *what, hook_then_fn then, void *ctx)
{
        char err[512], state[PATH_MAX], applied[320];
        struct virtname_update *u;
        struct virtname_writer *w;
        struct virtname_commit_info info;
        int rc;

        if (e->bad) {
                hook_missed(what, "the event does not fit in a record (a string over 64 KiB)");
                return;
        }
        if (virtname_state_dir(NULL, state, sizeof(state)) < 0) {
                hook_missed(what, "state directory path too long");
                return;
        }
        rc = open_update(&u, err, sizeof(err));
        if (rc == -ETIMEDOUT) {
                spool(state, e, what, err);
                apply_pending(state);
                if (then)
                        then(NULL, ctx);
                return;
        }
        if (rc < 0) {
                /* No usable store (disk full, unwritable): keep the event
                 * if anything can. */
                spool(state, e, what, err);
                return;
        }
        w = virtname_update_writer(u);
        rc = virtname_event_apply(w, e->p, e->len, applied, sizeof(applied));
        if (rc == -EBADMSG || rc == -EINVAL) {
                hook_missed(what, "%s", rc == -EBADMSG ? "cannot decode the event"
                                                        : virtname_writer_error(w));
                virtname_update_close(u);
                apply_pending(state);
                return;
        }
        if (rc < 0) {
                snprintf(err, sizeof(err), "%s", virtname_writer_error(w));
                virtname_update_close(u);
                spool(state, e, what, err);
                return;
        }
        rc = virtname_update_commit(u, 0, &info, err, sizeof(err));
        /* What follows from the store as committed (W's view now). */
        if (then && (rc == 0 || rc == -EAGAIN))
                then(virtname_writer_view(w)->txn ? virtname_writer_view(w) : NULL, ctx);
        virtname_update_close(u);
        if (rc == -EAGAIN)
                hook_log(LOG_WARNING, "%s: %s", what, err);     /* saved; the next writer publishes */
        else if (rc < 0)
                spool(state, e, what, err);
        if (then && rc < 0 && rc != -EAGAIN)
                then(NULL, ctx);
        start_dns_sender(rc == 0 || rc == -EAGAIN ? &info : NULL);
        apply_pending(state);
}

void hook_domain_state(struct virtname_xml_domain *x, enum virtname_domain_state state)
{
        x->d.state = state;
        if (state != VIRTNAME_STATE_SHUTOFF)
                return;
        x->d.id = -1;
        x->d.cid = 0;
        for (size_t i = 0; i < x->d.n_ifaces; i++)
                x->ifaces[i].port = NULL;
}

void hook_submit_many(const struct virtname_event *e, size_t n, const char *what)
{
        char err[512], state[PATH_MAX], applied[320];
        struct virtname_update *u;
        struct virtname_commit_info info;
        size_t i;
        int rc = virtname_state_dir(NULL, state, sizeof(state));

        for (i = 0; i < n && !e[i].bad; i++)
                ;
        if (n < 2 || i < n || rc < 0) {
                for (i = 0; i < n; i++)
                        hook_submit(&e[i], what);
                return;
        }
        rc = virtname_update_open(NULL, HOOK_LOCK_TIMEOUT_MS, VIRTNAME_WRITER_RECREATE, &u, err, sizeof(err));
        if (rc < 0) {
                for (i = 0; i < n; i++)
                        spool(state, &e[i], what, err);
                if (rc == -ETIMEDOUT)
                        apply_pending(state);
                return;
        }
        if (virtname_writer_recreated(virtname_update_writer(u)))
                hook_missed("store", "the private store was damaged and is started anew (the "
                            "damaged one is kept beside it); run 'virt-name-cache rebuild'");
        for (i = 0; rc == 0 && i < n; i++)
                rc = virtname_event_apply(virtname_update_writer(u), e[i].p, e[i].len, applied, sizeof(applied));
        if (rc < 0) {
                /* One of them cannot be applied: each on its own, so
                 * that the others are not lost with it. */
                virtname_update_close(u);
                for (i = 0; i < n; i++)
                        hook_submit(&e[i], what);
                return;
        }
        rc = virtname_update_commit(u, 0, &info, err, sizeof(err));
        virtname_update_close(u);
        if (rc == -EAGAIN)
                hook_log(LOG_WARNING, "%s: %s", what, err);     /* saved; the next writer publishes */
        for (i = 0; rc < 0 && rc != -EAGAIN && i < n; i++)
                spool(state, &e[i], what, err);
        start_dns_sender(rc == 0 || rc == -EAGAIN ? &info : NULL);
        apply_pending(state);
}

void hook_republish(const char *what)
{
        char err[512], state[PATH_MAX];
        struct virtname_update *u;
        struct virtname_commit_info info;
        int rc = virtname_update_open(NULL, 2000, VIRTNAME_WRITER_RECREATE, &u, err, sizeof(err));

        if (rc < 0) {
                hook_log(LOG_WARNING, "%s: %s", what, err);
                return;
        }
        if (virtname_writer_recreated(virtname_update_writer(u)))
                hook_missed("store", "the private store was damaged and is started anew; run "
                            "'virt-name-cache rebuild'");
        rc = virtname_update_commit(u, 0, &info, err, sizeof(err));
        virtname_update_close(u);
        start_dns_sender(rc == 0 || rc == -EAGAIN ? &info : NULL);
        if (rc < 0)
                hook_log(LOG_WARNING, "%s: %s", what, err);
        if (virtname_state_dir(NULL, state, sizeof(state)) == 0)
                apply_pending(state);
}
