/* probe-port - ask one port about addresses with cache/ingest/probe.h and
 * print what it said, one line per address ("ADDRESS answered" or
 * "ADDRESS silent"); exit 0.  For the tests of the probe itself.
 *
 *   probe-port PORT MAC DEADLINE_MS ADDRESS...
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/ingest/probe.h"
#include "cache/read/names.h"

int main(int argc, char **argv)
{
        struct virtname_probe_port port = { 0 }, *ports[1] = { &port };
        struct virtname_probe_addr addrs[16];
        char text[INET6_ADDRSTRLEN];
        int rc;

        if (argc < 5 || argc - 4 > 16 || strlen(argv[1]) >= sizeof(port.port) ||
            !virtname_mac_parse(argv[2], port.mac)) {
                fprintf(stderr, "usage: probe-port PORT MAC DEADLINE_MS ADDRESS...\n");
                return 2;
        }
        strcpy(port.port, argv[1]);
        port.addrs = addrs;
        for (int i = 4; i < argc; i++) {
                struct virtname_probe_addr *a = &addrs[port.n++];

                if (!virtname_addr_parse(argv[i], &a->family, a->addr)) {
                        fprintf(stderr, "probe-port: not an address: %s\n", argv[i]);
                        return 2;
                }
        }
        rc = virtname_probe(ports, 1, (unsigned)atoi(argv[3]));
        if (rc < 0 || port.err) {
                fprintf(stderr, "probe-port: %s\n", strerror(-(rc < 0 ? rc : port.err)));
                return 1;
        }
        for (size_t i = 0; i < port.n; i++)
                printf("%s %s\n", inet_ntop(addrs[i].family, addrs[i].addr, text, sizeof(text)),
                       addrs[i].answered ? "answered" : "silent");
        return 0;
}
