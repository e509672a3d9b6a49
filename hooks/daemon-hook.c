/* daemon-hook.c - libvirt's daemon hook (/etc/libvirt/hooks/daemon.d/).
 *
 * libvirtd runs it as   daemon-hook - start - start   when it starts, and
 * with "reload begin SIGHUP" when it reloads.  The snapshot readers use
 * lives on tmpfs: after a reboot it is gone until a writer publishes it
 * again, so libvirtd's start publishes it (and applies spooled events)
 * before any guest or network event arrives.  Always exits 0. */
#include <string.h>

#include "hooks/hook.h"

int main(int argc, char **argv)
{
        hook_init("virt-name-cache-daemon-hook");
        if (argc >= 3 && (strcmp(argv[2], "start") == 0 || strcmp(argv[2], "reload") == 0))
                hook_republish("libvirtd start");
        return 0;
}
