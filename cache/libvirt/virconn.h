/* virconn.h - connecting to libvirt the way all our programs do: quietly,
 * reporting libvirt's errors ourselves, in context. */
#ifndef VIRTNAME_VIRCONN_H
#define VIRTNAME_VIRCONN_H

#include <stdbool.h>

#include <libvirt/libvirt.h>

/* Open URI (read-only when READONLY) with libvirt's own printing of
 * errors on stderr switched off.  NULL on failure: virtname_virt_error() says
 * why. */
virConnectPtr virtname_virt_open(const char *uri, bool readonly);

/* The message of the last libvirt error of this thread. */
const char *virtname_virt_error(void);

#endif
