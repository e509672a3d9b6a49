/* proxy.h - what the parts of the ssh proxy share: which guest a host
 * name means (guest.c), the guests' host keys (known-hosts.c), and the
 * program's messages (ssh-proxy.c).
 *
 * Errors.  What the proxy tells ssh and the user is its exit status
 * (virt-name-cache-ssh-proxy(1), EXIT STATUS) and one line on stderr:
 * EXIT_SUCCESS, EXIT_FAILURE, or PROXY_EXIT_USAGE for a bad host name or
 * bad arguments.  That is the convention inside it too: a function that
 * fails for good says why (proxy_die, proxy_usage) and returns that exit
 * status, which each of the three modes (proxy(), known_hosts_command(),
 * known_hosts_forget()) hands to main() as it is.  (0 or -errno would
 * only be turned back into the same three numbers in main(), with the
 * message already written where the failure was.)  A function that only
 * looks (the store, libvirt, a connect, a file that may not be there)
 * returns 0 or a negative errno and says nothing, for its caller to
 * decide; the two that do both, from_libvirt() and kh_lock(), return a
 * negative errno for what they leave to the caller and an exit status
 * for what they said. */
#ifndef VIRTNAME_PROXY_H
#define VIRTNAME_PROXY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/read/lookup.h"
#include "cache/read/schema.h"

#define PROG "virt-name-cache-ssh-proxy"
#define PROXY_EXIT_USAGE 2
#define GUEST_ADDRS_MAX 8
#define GUEST_UUID_TEXT 37             /* 36 characters and the NUL */

/* A libvirt domain, as libvirt names it, and how to reach it. */
struct guest {
        const char *name;              /* GUEST as given in the host name */
        char domain[VIRTNAME_NAME_MAX + 1];  /* libvirt's name for it */
        bool has_uuid;
        uint8_t uuid[VIRTNAME_UUID_LEN];
        bool running_known, running;
        uint32_t cid;                  /* 0: no VSOCK device known */
        size_t n_addrs;                /* its current addresses, for TCP: the ones its own */
        struct virtname_addr addrs[GUEST_ADDRS_MAX];  /* ports answered for or an administrator gave
                                                       * it (lookup.h) */
        size_t n_claims;               /* when there are none: the ones only its guest */
        struct virtname_addr claims[GUEST_ADDRS_MAX]; /* agent reports, else the current leases of
                                                       * its MACs that only DHCP says are its */
        char where[PATH_MAX + 64];     /* where it was found, for messages */
};

/* The guest HOST (qemu/GUEST, qemu:system/GUEST or qemu:session/GUEST)
 * means.  GUEST is one of libvirt's names for a domain: its name, UUID or
 * ID, never a host name a guest sent.  qemu/ looks at system domains,
 * then session domains.  Returns 0, or the exit status of a failure it
 * said: EXIT_FAILURE for an unknown guest or one whose identity cannot
 * be told for sure, PROXY_EXIT_USAGE for a bad host name. */
int guest_find(const char *host, struct guest *g);

/* May a host key first seen on a connection to G be recorded (trust on
 * first use)?  Only when the connection can only have reached G: over
 * VSOCK (its own device), or TCP to an address its own port answered for
 * or an administrator gave it (never one only its guest agent or DHCP
 * says is its). */
bool guest_pinnable(const struct guest *g);

/* G's UUID as libvirt writes it: 36 lower-case characters with dashes. */
void guest_uuid_text(const struct guest *g, char out[GUEST_UUID_TEXT]);

/* ssh's KnownHostsCommand (known-hosts.c): INVOCATION, HOST, TYPE,
 * FINGERPRINT and KEY are ssh's %I %H %t %f %K.  Returns the exit status. */
int known_hosts_command(const char *invocation, const char *host, const char *type,
                        const char *fingerprint, const char *key);

/* Forget the host keys recorded for WHAT: qemu/GUEST (and the other
 * forms) or a UUID.  Returns the exit status. */
int known_hosts_forget(const char *what);

extern bool proxy_verbose;

/* A message on stderr when -v was given. */
void proxy_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A one-line error on stderr; returns EXIT_FAILURE. */
int proxy_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same for bad input (a host name, arguments); returns
 * PROXY_EXIT_USAGE. */
int proxy_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
