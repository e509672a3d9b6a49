build-clang/obj/cache/ingest/warn.o: cache/ingest/warn.c \
  cache/ingest/sources.h cache/write/writer.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h

cache/ingest/sources.h:

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
