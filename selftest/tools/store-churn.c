/* store-churn - a writer that keeps changing the store, for the
 * concurrency test: each round moves guest "churnID" to new addresses,
 * one IPv4 and one IPv6 that encode the same round number, in ONE
 * transaction, so a reader must never see them disagree.
 *
 *   store-churn DIR ID ROUNDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdint.h>

#include "cache/write/writer.h"

static void set_addrs(struct virtname_lease *v4, struct virtname_lease *v6, int id, int n)
{
        memset(v4->addr, 0, 16);
        v4->addr[0] = 198, v4->addr[1] = 18, v4->addr[2] = (uint8_t)(100 + id), v4->addr[3] = (uint8_t)n;
        memset(v6->addr, 0, 16);
        v6->addr[0] = 0x20, v6->addr[1] = 0x01, v6->addr[2] = 0x0d, v6->addr[3] = 0xb8;
        v6->addr[13] = (uint8_t)id, v6->addr[15] = (uint8_t)n;
}

int main(int argc, char **argv)
{
        char name[32], err[512];
        struct virtname_lease v4 = { .family = AF_INET }, v6 = { .family = AF_INET6 };
        int id, rounds, prev = 0, busy = 0;

        if (argc != 4) {
                fprintf(stderr, "usage: store-churn DIR ID ROUNDS\n");
                return 2;
        }
        id = atoi(argv[2]);
        rounds = atoi(argv[3]);
        snprintf(name, sizeof(name), "churn%d", id);
        v4.hostname = v6.hostname = name;
        v4.network = v6.network = "churnnet";
        for (int r = 1; r <= rounds; r++) {
                struct virtname_writer *w;
                int n = r % 250 + 1, rc;

                rc = virtname_writer_open(argv[1], 10000, 0, &w, err, sizeof(err));
                if (rc < 0) {
                        fprintf(stderr, "store-churn %d: %s\n", id, err);
                        return 1;
                }
                if (prev) {
                        set_addrs(&v4, &v6, id, prev);
                        virtname_writer_del_lease(w, AF_INET, v4.addr, "churnnet", false);
                        virtname_writer_del_lease(w, AF_INET6, v6.addr, "churnnet", false);
                }
                set_addrs(&v4, &v6, id, n);
                rc = virtname_writer_put_lease(w, &v4);
                if (rc == 0)
                        rc = virtname_writer_put_lease(w, &v6);
                if (rc < 0) {
                        fprintf(stderr, "store-churn %d: %s\n", id, virtname_writer_error(w));
                        virtname_writer_close(w);
                        return 1;
                }
                rc = virtname_writer_commit(w, err, sizeof(err));
                if (rc < 0) {
                        fprintf(stderr, "store-churn %d: commit: %s\n", id, err);
                        return 1;
                }
                prev = n;
        }
        printf("store-churn %d: %d commits%s\n", id, rounds, busy ? "" : "");
        return 0;
}
