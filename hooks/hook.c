/* hook.c - logging, input and store access for the hooks. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "store/missed.h"
#include "hook.h"

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
        hook_name = name;
        /* VIRT_NAME_CACHE_LOG_STDERR=1 copies the messages to stderr (tests). */
        openlog(name, LOG_PID | (getenv("VIRT_NAME_CACHE_LOG_STDERR") ? LOG_PERROR : 0), LOG_DAEMON);
        signal(SIGALRM, deadline);
        alarm(HOOK_DEADLINE_S);
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
        char why[512];
        va_list ap;
        int rc;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        syslog(LOG_ERR, "%s: not recorded: %s (run 'virt-name-cache rebuild')", what, why);
        snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]", what);
        rc = virtname_missed_note(NULL, hook_name, why);
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

struct virtname_writer *hook_writer(const char *what)
{
        struct virtname_writer *w;
        char err[512];
        int rc = virtname_writer_open(NULL, HOOK_LOCK_TIMEOUT_MS, 0, &w, err, sizeof(err));

        if (rc == -EBADMSG || rc == -EIO) {
                /* A damaged private store: start a new one (the old one is
                 * kept aside); only a rebuild brings back what it held. */
                hook_missed("store", "damaged store recreated: %s", err);
                rc = virtname_writer_open(NULL, HOOK_LOCK_TIMEOUT_MS, VIRTNAME_WRITER_RECREATE, &w, err,
                                     sizeof(err));
        }
        if (rc < 0) {
                hook_missed(what, "%s", err);
                return NULL;
        }
        return w;
}

int hook_commit(struct virtname_writer *w, const char *what)
{
        char err[512];
        int rc = virtname_writer_commit(w, err, sizeof(err));

        if (rc == -EAGAIN) {
                /* Saved, not yet visible: the next change publishes it. */
                hook_log(LOG_WARNING, "%s: %s", what, err);
                virtname_missed_note(NULL, hook_name, err);
                return 0;
        }
        if (rc < 0) {
                hook_missed(what, "%s", err);
                return -1;
        }
        return 0;
}
