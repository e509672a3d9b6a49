/* lookup-steps - a long-running resolver driven line by line: for each
 * name read from standard input it prints "NAME ADDRESS..." (or "NAME -")
 * as getaddrinfo(AF_INET) through one NSS source sees it now; "quit" ends
 * it.  Tests change the store between two lines.
 *
 *   lookup-steps SOURCE        (e.g. virtname)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

extern int __nss_configure_lookup(const char *db, const char *service);

int main(int argc, char **argv)
{
        char line[512];

        if (argc != 2) {
                fprintf(stderr, "usage: lookup-steps SOURCE\n");
                return 2;
        }
        __nss_configure_lookup("hosts", argv[1]);
        setvbuf(stdout, NULL, _IOLBF, 0);
        while (fgets(line, sizeof(line), stdin)) {
                struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai, *p;
                char addr[INET_ADDRSTRLEN];

                line[strcspn(line, "\r\n")] = '\0';
                if (strcmp(line, "quit") == 0)
                        break;
                printf("%s", line);
                if (getaddrinfo(line, NULL, &hints, &ai) != 0) {
                        printf(" -\n");
                        continue;
                }
                for (p = ai; p; p = p->ai_next)
                        printf(" %s", inet_ntop(AF_INET, &((struct sockaddr_in *)p->ai_addr)->sin_addr,
                                                addr, sizeof(addr)));
                printf("\n");
                freeaddrinfo(ai);
        }
        return 0;
}
