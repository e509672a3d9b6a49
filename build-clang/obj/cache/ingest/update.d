build-clang/obj/cache/ingest/update.o: cache/ingest/update.c \
  cache/derive/affected.h cache/derive/export.h cache/read/lookup.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h cache/write/publish.h cache/write/writer.h \
  cache/derive/hostsdir.h cache/derive/queue.h cache/ingest/spool.h \
  cache/ingest/update.h cache/read/paths.h cache/write/errmsg.h

cache/derive/affected.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/write/publish.h:

cache/write/writer.h:

cache/derive/hostsdir.h:

cache/derive/queue.h:

cache/ingest/spool.h:

cache/ingest/update.h:

cache/read/paths.h:

cache/write/errmsg.h:
