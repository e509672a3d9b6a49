/* virconn.h - connecting to libvirt the way all our programs do: quietly,
 * reporting libvirt's errors ourselves, in context. */
#ifndef VNC_VIRCONN_H
#define VNC_VIRCONN_H

#include <stdbool.h>

#include <libvirt/libvirt.h>

/* Open URI (read-only when READONLY) with libvirt's own printing of
 * errors on stderr switched off.  NULL on failure: vnc_virt_error() says
 * why. */
virConnectPtr vnc_virt_open(const char *uri, bool readonly);

/* The message of the last libvirt error of this thread. */
const char *vnc_virt_error(void);

#endif
