/* missed.h - remembering changes the store missed.
 *
 * A hook or the lease helper must exit 0 whatever happens, so when it
 * cannot record an event (writer lock busy too long, disk full, damaged
 * store) it notes the event in DIR/missed.log (root-only, one line per
 * event, best effort).  `virt-name-cache doctor` reports the lines and
 * `rebuild`, which recreates everything, clears them. */
#ifndef VIRTNAME_MISSED_H
#define VIRTNAME_MISSED_H

#include <stddef.h>

#define VIRTNAME_MISSED_NAME "missed.log"

/* Append "UNIXTIME SOURCE: WHAT" to DIR/missed.log (DIR NULL: the default
 * store directory).  Returns 0 or a negative errno. */
int virtname_missed_note(const char *dir, const char *source, const char *what);

/* Count the noted events and copy the last line (without newline) into
 * LAST.  Returns the count (0 when there is no log), or a negative errno. */
long virtname_missed_count(const char *dir, char *last, size_t lastcap);

/* Forget every noted event.  Returns 0 or a negative errno. */
int virtname_missed_clear(const char *dir);

#endif
