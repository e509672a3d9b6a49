/* errmsg.h - how the library says what went wrong: a message into the
 * caller's buffer, beside the error code it returns. */
#ifndef VIRTNAME_ERRMSG_H
#define VIRTNAME_ERRMSG_H

#include <stddef.h>

/* Format the message into ERR (ERRLEN bytes; none when ERR is NULL or
 * ERRLEN 0) and return RC, so that `return virtname_errf(...)` reports
 * and fails in one step. */
int virtname_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#endif
