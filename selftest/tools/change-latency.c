/* change-latency - the cost of one lease change becoming visible: a
 * writer commit (with its snapshot publish) until getaddrinfo in this
 * process, through the virtname module, returns the new address.
 *
 *   change-latency DIR COUNT      prints the median and max in ms
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache/write/writer.h"

extern int __nss_configure_lookup(const char *db, const char *service);

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* Does NAME resolve to 198.19.255.LAST? */
static int visible(const char *name, int last)
{
        struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
        int ok = 0;

        if (getaddrinfo(name, NULL, &hints, &ai) != 0)
                return 0;
        for (struct addrinfo *p = ai; p; p = p->ai_next)
                ok |= ((uint8_t *)&((struct sockaddr_in *)p->ai_addr)->sin_addr)[3] == last;
        freeaddrinfo(ai);
        return ok;
}

int main(int argc, char **argv)
{
        struct virtname_lease l = { .family = AF_INET, .hostname = "latencyprobe", .network = "bench" };
        int count = argc == 3 ? atoi(argv[2]) : 0;
        double *ms;
        char err[512];

        if (count <= 0) {
                fprintf(stderr, "usage: change-latency DIR COUNT\n");
                return 2;
        }
        ms = calloc((size_t)count, sizeof(*ms));
        __nss_configure_lookup("hosts", "virtname");
        visible("latencyprobe", 0);     /* load the module first */
        for (int i = 0; i < count; i++) {
                struct virtname_writer *w;
                double t0 = now_ms();
                int last = 1 + i % 250;

                l.addr[0] = 198, l.addr[1] = 19, l.addr[2] = 255, l.addr[3] = (uint8_t)last;
                if (virtname_writer_open(argv[1], 10000, 0, &w, err, sizeof(err)) < 0 ||
                    virtname_writer_put_lease(w, &l) < 0 || virtname_writer_commit(w, err, sizeof(err)) < 0) {
                        fprintf(stderr, "change-latency: %s\n", err);
                        return 1;
                }
                while (!visible("latencyprobe", last))
                        if (now_ms() - t0 > 10000) {
                                fprintf(stderr, "change-latency: change %d never became visible\n", i);
                                return 1;
                        }
                ms[i] = now_ms() - t0;
        }
        qsort(ms, (size_t)count, sizeof(*ms), cmp);
        printf("median %.2f max %.2f\n", ms[count / 2], ms[count - 1]);
        return 0;
}
