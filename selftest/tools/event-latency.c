/* event-latency - what one lease event costs a reader that is already
 * running: the time from spawning the lease helper until this process
 * resolves the new lease, and the cost of this process's first lookup
 * of an unrelated name after the event against its usual lookup.
 *
 *   event-latency COUNT PROBE-NAME HELPER BRIDGE
 *
 * Each round spawns HELPER add MAC ADDRESS NAME twice (the store
 * directory and the rest come from the environment): once while this
 * process waits, then times one lookup of PROBE-NAME (the first after the
 * event) and a second one (the usual cost); once while it polls
 * getaddrinfo(NAME) until the new lease answers.  It also spawns
 * /bin/true and times the lookup after it: what any other process
 * running in between costs this one (cold caches and TLB), with no new
 * snapshot to read.  Prints the medians "visible-ms first-us usual-us",
 * the 90th percentile of first-us and the median lookup after /bin/true.
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
extern int __nss_configure_lookup(const char *db, const char *service);

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static int resolves(const char *name)
{
        struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;

        if (getaddrinfo(name, NULL, &hints, &ai) != 0)
                return 0;
        freeaddrinfo(ai);
        return 1;
}

/* Microseconds one lookup of NAME takes. */
static double lookup_us(const char *name)
{
        double t = now_us();

        resolves(name);
        return now_us() - t;
}

/* Run ARGS to its end: 0, or -1 when it could not be started. */
static int run(char **args)
{
        pid_t pid;
        int status;

        if (posix_spawn(&pid, args[0], NULL, NULL, args, environ) != 0 || waitpid(pid, &status, 0) < 0) {
                perror(args[0]);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        int count = argc == 5 ? atoi(argv[1]) : 0;
        double *vis, *first, *usual, *noop;

        if (count <= 0) {
                fprintf(stderr, "usage: event-latency COUNT PROBE-NAME HELPER BRIDGE\n");
                return 2;
        }
        vis = calloc((size_t)count, sizeof(double));
        first = calloc((size_t)count, sizeof(double));
        usual = calloc((size_t)count, sizeof(double));
        noop = calloc((size_t)count, sizeof(double));
        __nss_configure_lookup("hosts", "virtname");
        if (!resolves(argv[2])) {
                fprintf(stderr, "event-latency: %s does not resolve\n", argv[2]);
                return 1;
        }
        for (int i = 0; i < count; i++) {
                char mac[32], addr[32], name[32], action[] = "add";
                char *args[] = { argv[3], action, mac, addr, name, NULL };
                char true_path[] = "/bin/true", *true_args[] = { true_path, NULL };
                double t0;
                pid_t pid;
                int status;

                setenv("VIR_BRIDGE_NAME", argv[4], 1);
                /* An event while this process does nothing: its next
                 * lookup is the first after the event (it reads the new
                 * delta, or maps a new base). */
                snprintf(mac, sizeof(mac), "52:54:00:fd:%02x:%02x", (i >> 8) & 255, i & 255);
                snprintf(addr, sizeof(addr), "198.19.253.%d", 1 + i % 250);
                snprintf(name, sizeof(name), "evquiet%d", i);
                setenv("DNSMASQ_SUPPLIED_HOSTNAME", name, 1);
                if (run(args) < 0)
                        return 1;
                first[i] = lookup_us(argv[2]);
                usual[i] = lookup_us(argv[2]);
                /* Another process ran, and the store did not change. */
                if (run(true_args) < 0)
                        return 1;
                noop[i] = lookup_us(argv[2]);
                /* An event this process waits for: from spawning the
                 * helper until the new lease resolves here. */
                snprintf(mac, sizeof(mac), "52:54:00:fe:%02x:%02x", (i >> 8) & 255, i & 255);
                snprintf(addr, sizeof(addr), "198.19.254.%d", 1 + i % 250);
                snprintf(name, sizeof(name), "evlat%d", i);
                setenv("DNSMASQ_SUPPLIED_HOSTNAME", name, 1);
                t0 = now_us();
                if (posix_spawn(&pid, argv[3], NULL, NULL, args, environ) != 0) {
                        perror("posix_spawn");
                        return 1;
                }
                while (!resolves(name))
                        if (now_us() - t0 > 10e6) {
                                fprintf(stderr, "event-latency: %s never became visible\n", name);
                                return 1;
                        }
                vis[i] = (now_us() - t0) / 1e3;
                waitpid(pid, &status, 0);
        }
        qsort(vis, (size_t)count, sizeof(double), cmp);
        qsort(first, (size_t)count, sizeof(double), cmp);
        qsort(usual, (size_t)count, sizeof(double), cmp);
        qsort(noop, (size_t)count, sizeof(double), cmp);
        printf("%.2f %.1f %.1f %.1f %.1f\n", vis[count / 2], first[count / 2], usual[count / 2],
               first[count * 9 / 10], noop[count / 2]);
        return 0;
}
