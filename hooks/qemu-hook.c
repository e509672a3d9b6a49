/* qemu-hook.c - libvirt's qemu hook (/etc/libvirt/hooks/qemu.d/).
 *
 * libvirtd runs it as   qemu-hook DOMAIN OPERATION SUB-OPERATION EXTRA
 * with the domain's XML on standard input, and a non-zero exit from
 * "prepare" would stop the guest from starting: so it always exits 0 and
 * prints nothing (for "migrate" and "restore", printing nothing tells
 * libvirt to keep its XML). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "cache/libvirt/virxml.h"

/* What each operation means for the domain's record. */
static const struct {
        const char *op;
        enum virtname_domain_state state;
} operations[] = {
        { "prepare", VIRTNAME_STATE_RUNNING },  /* starting: ID (and CID) assigned */
        { "start", VIRTNAME_STATE_RUNNING },
        { "started", VIRTNAME_STATE_RUNNING },
        { "reconnect", VIRTNAME_STATE_RUNNING },     /* libvirtd restarted, guest still up */
        { "attach", VIRTNAME_STATE_RUNNING },        /* an existing QEMU process taken over */
        { "migrate", VIRTNAME_STATE_RUNNING },       /* incoming migration */
        { "restore", VIRTNAME_STATE_RUNNING },
        { "stopped", VIRTNAME_STATE_SHUTOFF },
        { "release", VIRTNAME_STATE_SHUTOFF },
};

/* libvirt has no hook for "undefine".  A domain released while it has no
 * persistent configuration is transient (or was undefined while running)
 * and is gone now; one undefined while shut off is dropped by the next
 * rebuild.  Only a definite ENOENT counts: unreadable means unknown. */
#define QEMU_CONFIG_DIR "/etc/libvirt/qemu"

static bool domain_is_gone(const char *name)
{
        char path[sizeof(QEMU_CONFIG_DIR) + 256 + 8];
        struct stat st;

        if (strchr(name, '/') || strlen(name) > 255 || stat(QEMU_CONFIG_DIR, &st) < 0)
                return false;
        snprintf(path, sizeof(path), "%s/%s.xml", QEMU_CONFIG_DIR, name);
        return access(path, F_OK) < 0 && errno == ENOENT;
}

/* After a start (and a reconnect, which is a libvirtd restart): ask the
 * domain's ports about its leases, which they have not answered for in
 * this run. */
static void ask_ports(const struct virtname_view *v, void *ctx)
{
        hook_ask_domain(v, ctx);
}

int main(int argc, char **argv)
{
        struct virtname_xml_domain x;
        struct virtname_event e = { 0 };
        char what[320], err[512];
        size_t len, i;
        char *xml;
        int rc;

        hook_init("virt-name-cache-qemu-hook");
        if (argc < 3)
                return 0;
        for (i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
                if (strcmp(argv[2], operations[i].op) == 0)
                        break;
        if (i == sizeof(operations) / sizeof(operations[0]))
                return 0;               /* nothing we keep changes */
        snprintf(what, sizeof(what), "domain %.200s %s", argv[1], argv[2]);
        xml = hook_read_stdin(&len);
        if (!xml) {
                hook_missed(what, "no domain XML on standard input");
                return 0;
        }
        rc = virtname_xml_parse_domain(xml, len, &x, err, sizeof(err));
        free(xml);
        if (rc < 0) {
                hook_missed(what, "%s", err);
                return 0;
        }
        x.d.updated = (int64_t)time(NULL);
        hook_domain_state(&x, operations[i].state);
        if (strcmp(argv[2], "release") == 0 && domain_is_gone(x.d.name))
                virtname_event_domain_gone(&e, x.d.name);
        else
                virtname_event_domain(&e, &x);
        if (strcmp(argv[2], "started") == 0 || strcmp(argv[2], "reconnect") == 0)
                hook_submit_then(&e, what, ask_ports, x.name);
        else
                hook_submit(&e, what);
        virtname_event_free(&e);
        virtname_xml_domain_free(&x);
        return 0;
}
