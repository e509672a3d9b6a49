build-clang/obj/cache/ingest/lease.o: cache/ingest/lease.c \
  cache/ingest/lease.h cache/read/record.h cache/read/schema.h \
  cache/read/names.h cache/read/reserved.h

cache/ingest/lease.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/names.h:

cache/read/reserved.h:
