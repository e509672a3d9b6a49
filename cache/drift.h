/* drift.h - remembering changes the store missed.
 *
 * A hook or the lease helper must exit 0 whatever happens, so when it
 * cannot record an event (writer lock busy too long, disk full, damaged
 * store) it notes the event in DIR/drift.log (root-only, one line per
 * event, best effort).  `virt-name-cache doctor` reports the lines and
 * `rebuild`, which recreates everything, clears them. */
#ifndef VNC_DRIFT_H
#define VNC_DRIFT_H

#include <stddef.h>

#define VNC_DRIFT_NAME "drift.log"

/* Append "UNIXTIME SOURCE: WHAT" to DIR/drift.log (DIR NULL: the default
 * store directory).  Returns 0 or a negative errno. */
int vnc_drift_note(const char *dir, const char *source, const char *what);

/* Count the noted events and copy the last line (without newline) into
 * LAST.  Returns the count (0 when there is no log), or a negative errno. */
long vnc_drift_count(const char *dir, char *last, size_t lastcap);

/* Forget every noted event.  Returns 0 or a negative errno. */
int vnc_drift_clear(const char *dir);

#endif
