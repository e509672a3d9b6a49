/* dns-send - send the fleet DNS queue (cache/derive/queue.h) to the server
 * dns.conf names, and exit.
 *
 * A hook starts it, detached, after a commit that queued names
 * (--from-hook: it then backs off for a while after the server did not
 * answer, and the next event or the timer retries).  The package's timer
 * (virt-name-cache-dns.timer, or a cron line where there is no systemd)
 * runs it with --timer every minute: then it sends what waits, and
 * reconciles the whole zone when a name was not published, the last send
 * failed, or reconcile-interval (dns.conf) has passed since the last
 * whole reconcile; that heals a zone without any event (a server back,
 * rebuilt empty, a key fixed, a name another host released).  Either
 * way, a whole reconcile that is due (a rebuild, a new dns.conf, the
 * server back after a failure) is done at once, as dns-sync.  One runs
 * at a time, under a lock in the state directory; one that finds the
 * lock taken leaves: the running one looks at the queue again before it
 * stops.  Everything it has to say goes to the queue's status (doctor
 * shows it) and to syslog; it exits 0 unless it could not run at all.
 *
 *   dns-send [--from-hook | --timer] [--deadline MS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "dns/send.h"
#include "cache/read/paths.h"
#include "cache/derive/queue.h"

#define LOCK_NAME "dns-send.lock"
/* One pass's time on the network, in all. */
#define PASS_DEADLINE_MS 5000
/* Names one pass sends before it looks for newer ones. */
#define PASS_NAMES 256

/* The sender's lock: its descriptor, -EWOULDBLOCK when another sender
 * holds it, or another negative errno. */
static int take_lock(void)
{
        char state[PATH_MAX], path[PATH_MAX];
        int fd, rc;

        if ((rc = virtname_state_dir(NULL, state, sizeof(state))) < 0 ||
            (rc = virtname_path(path, sizeof(path), state, LOCK_NAME)) < 0)
                return rc;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                rc = -errno;
                close(fd);
                return rc;
        }
        return fd;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "from-hook", no_argument, NULL, 'f' },
                { "timer", no_argument, NULL, 't' },
                { "deadline", required_argument, NULL, 'd' },
                { NULL, 0, NULL, 0 },
        };
        struct virtname_dns_config conf;
        struct virtname_dns_send_stats st;
        unsigned deadline = PASS_DEADLINE_MS;
        bool from_hook = false, timer = false;
        char err[512];
        int c, lock, rc;

        while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
                if (c == 'f')
                        from_hook = true;
                else if (c == 't')
                        timer = true;
                else if (c == 'd')
                        deadline = (unsigned)strtoul(optarg, NULL, 10);
                else
                        return 2;
        }
        openlog("virt-name-cache-dns-send", LOG_PID, LOG_DAEMON);
        rc = virtname_dns_config_load(NULL, &conf, err, sizeof(err));
        if (rc == VIRTNAME_DNS_EABSENT)
                return 0;
        if (rc != VIRTNAME_DNS_OK) {
                syslog(LOG_ERR, "%s", err);
                return 1;
        }
        for (int pass = 0; pass < 100; pass++) {
                if ((lock = take_lock()) == -EWOULDBLOCK)
                        return 0;       /* the running sender looks again before it stops */
                if (lock < 0) {
                        syslog(LOG_ERR, "cannot lock %s in the state directory: %s", LOCK_NAME, strerror(-lock));
                        return 1;
                }
                rc = virtname_dns_send_queue(NULL, &conf, PASS_NAMES, deadline, from_hook, &st, err, sizeof(err));
                bool whole = st.full;
                if (timer && pass == 0)
                        whole = whole || st.problems || st.failing || rc != VIRTNAME_DNS_OK ||
                                virtname_dns_now_ns() - st.whole_ns >= (int64_t)conf.reconcile_s * 1000000000;
                if (rc != VIRTNAME_DNS_ESTORE && whole && !st.skipped && !st.stopped) {
                        /* The whole zone, in the background. */
                        struct virtname_dns_sync_stats sy;

                        rc = virtname_dns_sync_store(NULL, &conf, &sy, NULL, NULL, err, sizeof(err));
                        st.full = !sy.planned || sy.stopped;
                        if (st.full)
                                st.sent = st.failed = st.conflicts = 0;         /* no second pass */
                }
                close(lock);
                if (rc != VIRTNAME_DNS_OK)
                        syslog(LOG_WARNING, "%s (%zu names wait; the next change or the timer sends them)", err,
                               st.left);
                /* Until a pass finds nothing: names queued while one ran
                 * are this sender's (their own sender found the lock
                 * taken and left). */
                if (rc == VIRTNAME_DNS_ESTORE || st.full || st.skipped || st.sent + st.failed + st.conflicts == 0)
                        break;
        }
        return 0;
}
