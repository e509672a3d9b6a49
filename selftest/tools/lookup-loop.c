/* lookup-loop - resolve names through glibc with one NSS module for a
 * fixed time and count: the reader side of the concurrency test and the
 * benchmark's lookup loop.
 *
 *   lookup-loop [-4] [-t SECONDS] [-f NAMES-FILE] [-c] MODULE [NAME...]
 *
 * -4 asks for IPv4 only (AF_INET); default AF_UNSPEC.  -c checks
 * consistency: every name must resolve, and a name "churnN" must have an
 * IPv4 and an IPv6 address written in the same transaction (same last
 * byte).  Prints "lookups N failures N inconsistent N per-second N" at
 * the end, or when SIGINT or SIGTERM stops it early.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern int __nss_configure_lookup(const char *db, const char *service);

/* SIGINT or SIGTERM end the loop early; the counts are printed. */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
        (void)sig;
        stop = 1;
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char **read_names(const char *path, size_t *n)
{
        FILE *f = fopen(path, "re");
        char line[512], **names = NULL;
        size_t cap = 0;

        if (!f) {
                perror(path);
                exit(2);
        }
        *n = 0;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (!line[0])
                        continue;
                if (*n == cap) {
                        cap = cap ? cap * 2 : 1024;
                        names = realloc(names, cap * sizeof(*names));
                        if (!names)
                                exit(2);
                }
                names[(*n)++] = strdup(line);
        }
        fclose(f);
        return names;
}

/* Same round in both families? (see store-churn.c) */
static bool consistent(const struct addrinfo *ai)
{
        int v4 = -1, v6 = -1;

        for (const struct addrinfo *p = ai; p; p = p->ai_next) {
                if (p->ai_family == AF_INET)
                        v4 = ((const uint8_t *)&((struct sockaddr_in *)p->ai_addr)->sin_addr)[3];
                else if (p->ai_family == AF_INET6)
                        v6 = ((struct sockaddr_in6 *)p->ai_addr)->sin6_addr.s6_addr[15];
        }
        return v4 >= 0 && v4 == v6;
}

int main(int argc, char **argv)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
        double seconds = 1, start, end;
        char **names = NULL;
        size_t n = 0;
        unsigned long lookups = 0, failures = 0, inconsistent = 0, seed = 1;
        bool check = false;
        int c;

        while ((c = getopt(argc, argv, "4t:f:c")) != -1) {
                switch (c) {
                case '4':
                        hints.ai_family = AF_INET;
                        break;
                case 't':
                        seconds = atof(optarg);
                        break;
                case 'f':
                        names = read_names(optarg, &n);
                        break;
                case 'c':
                        check = true;
                        break;
                default:
                        return 2;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "usage: lookup-loop [-4] [-t SECONDS] [-f FILE] [-c] MODULE [NAME...]\n");
                return 2;
        }
        if (__nss_configure_lookup("hosts", argv[optind]) != 0) {
                fprintf(stderr, "cannot configure module %s\n", argv[optind]);
                return 2;
        }
        if (!names) {
                names = argv + optind + 1;
                n = (size_t)(argc - optind - 1);
        }
        if (n == 0)
                return 2;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        start = now();
        end = start + seconds;
        do {
                /* Names in pseudo-random order; a few lookups between clock
                 * reads (a slow module still stops on time). */
                for (int i = 0; i < 4; i++) {
                        const char *name;

                        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
                        name = names[(seed >> 33) % n];
                        lookups++;
                        if (getaddrinfo(name, NULL, &hints, &ai) != 0) {
                                failures++;
                                if (check && failures <= 5)
                                        fprintf(stderr, "lookup of %s failed\n", name);
                                continue;
                        }
                        if (check && strncmp(name, "churn", 5) == 0 && !consistent(ai)) {
                                inconsistent++;
                                if (inconsistent <= 5)
                                        fprintf(stderr, "%s: IPv4 and IPv6 from different commits\n", name);
                        }
                        freeaddrinfo(ai);
                }
        } while (!stop && now() < end);
        printf("lookups %lu failures %lu inconsistent %lu per-second %.0f\n", lookups, failures,
               inconsistent, lookups / (now() - start));
        return check && (failures || inconsistent) ? 1 : 0;
}
