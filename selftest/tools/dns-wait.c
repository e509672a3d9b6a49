/* dns-wait - how long until a DNS server answers what a command changed:
 * run COMMAND, then ask SERVER for NAME every millisecond until the
 * answer is WANT, and print the milliseconds from the command's start to
 * that answer, and the command's own.
 *
 *   dns-wait SERVER NAME A|AAAA WANT [TIMEOUT-MS] -- COMMAND [ARGS...]
 *
 * WANT is the addresses, space-separated in any order, or "none" (no
 * such name, or no address).  Exit 0 when it came, 1 at the timeout.
 * (dig under `ip netns exec` costs tens of milliseconds a run: too coarse
 * for this; one ldns resolver here costs well under one.)
 */
#define _GNU_SOURCE
#include <ldns/ldns.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The answer's addresses, sorted, space-separated, into OUT ("none"). */
static void answer(ldns_resolver *r, ldns_rdf *name, ldns_rr_type type, char *out, size_t cap)
{
        ldns_pkt *p = ldns_resolver_query(r, name, type, LDNS_RR_CLASS_IN, LDNS_RD);
        ldns_rr_list *l = p ? ldns_pkt_rr_list_by_type(p, type, LDNS_SECTION_ANSWER) : NULL;
        char *a[64];
        size_t n = 0;

        snprintf(out, cap, "%s", p ? "none" : "error");
        for (size_t i = 0; l && i < ldns_rr_list_rr_count(l) && n < 64; i++)
                a[n++] = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, i), 0));
        qsort(a, n, sizeof(*a), cmp);
        if (n)
                out[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(out);

                snprintf(out + len, cap - len, "%s%s", i ? " " : "", a[i]);
                free(a[i]);
        }
        ldns_rr_list_deep_free(l);
        ldns_pkt_free(p);
}

int main(int argc, char **argv)
{
        ldns_resolver *r = ldns_resolver_new();
        ldns_rdf *server, *name;
        ldns_rr_type type;
        char want[1024], got[1024];
        char *words[64];
        size_t n = 0;
        double t0, t_cmd, timeout = 10000;
        int i = 5, status;
        pid_t pid;

        if (argc < 7 || !r) {
                fprintf(stderr, "usage: dns-wait SERVER NAME A|AAAA WANT [TIMEOUT-MS] -- COMMAND [ARGS...]\n");
                return 2;
        }
        if (strcmp(argv[i], "--") != 0)
                timeout = atof(argv[i++]);
        if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
                return 2;
        server = ldns_rdf_new_frm_str(strchr(argv[1], ':') ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, argv[1]);
        name = ldns_dname_new_frm_str(argv[2]);
        type = strcmp(argv[3], "AAAA") == 0 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
        if (!server || !name || ldns_resolver_push_nameserver(r, server) != LDNS_STATUS_OK)
                return 2;
        ldns_resolver_set_retry(r, 1);
        ldns_resolver_set_timeout(r, (struct timeval){ 0, 200000 });
        snprintf(want, sizeof(want), "%s", argv[4]);
        for (char *p = strtok(want, " "); p && n < 64; p = strtok(NULL, " "))
                words[n++] = strdup(p);
        qsort(words, n, sizeof(*words), cmp);
        want[0] = '\0';
        for (size_t k = 0; k < n; k++) {
                strcat(want, k ? " " : "");
                strcat(want, words[k]);
                free(words[k]);
        }
        t0 = now_ms();
        if (posix_spawnp(&pid, argv[i + 1], NULL, NULL, argv + i + 1, environ) != 0) {
                perror(argv[i + 1]);
                return 2;
        }
        while (waitpid(pid, &status, 0) < 0)
                ;
        t_cmd = now_ms() - t0;
        for (;;) {
                /* a resolver that timed out once marks the server dead: reset it */
                ldns_resolver_set_nameserver_rtt(r, 0, LDNS_RESOLV_RTT_MIN);
                answer(r, name, type, got, sizeof(got));
                if (strcmp(got, want) == 0)
                        break;
                if (now_ms() - t0 > timeout) {
                        printf("timeout %.1f %.1f (last answer: %s)\n", now_ms() - t0, t_cmd, got);
                        return 1;
                }
                struct timespec ms = { 0, 1000000 };
                nanosleep(&ms, NULL);
        }
        printf("%.1f %.1f\n", now_ms() - t0, t_cmd);
        return 0;
}
