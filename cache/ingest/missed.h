/* missed.h - remembering events the store missed.
 *
 * A hook or the lease helper must exit 0 whatever happens.  An event it
 * cannot apply now waits in the spool (spool.h); one that can never be
 * applied (malformed input, a damaged store that had to be started anew,
 * a spool that cannot be written) is missed: it is logged and noted in
 * STATE/missed.log (root only, one line per event, best effort).
 * `virt-name-cache doctor` reports the lines, and `rebuild`, which
 * recreates everything from libvirt, clears them.
 */
#ifndef VIRTNAME_MISSED_H
#define VIRTNAME_MISSED_H

#include <stddef.h>

#define VIRTNAME_MISSED_NAME "missed.log"

/* Append "UNIXTIME SOURCE: WHAT" to STATE/missed.log (STATE: the state
 * directory, paths.h).  Returns 0 or a negative errno. */
int virtname_missed_note(const char *state, const char *source, const char *what);

/* Count the noted events and copy the last line (without newline) into
 * LAST.  Returns the count (0 when there is no log), or a negative errno. */
long virtname_missed_count(const char *state, char *last, size_t lastcap);

/* Forget every noted event.  Returns 0 or a negative errno. */
int virtname_missed_clear(const char *state);

#endif
