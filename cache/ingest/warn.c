/* warn.c - warnings of the rebuild sources, one line each. */
#include <stdarg.h>
#include <stdio.h>

#include "cache/ingest/sources.h"

void virtname_import_warn(virtname_warn_fn warn, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        if (!warn)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        warn(msg);
}
