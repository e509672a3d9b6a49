build-clang/obj/cache/ingest/prior.o: cache/ingest/prior.c \
  cache/derive/hostsdir.h cache/derive/export.h cache/read/lookup.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h cache/ingest/prior.h cache/read/names.h \
  cache/write/writer.h

cache/derive/hostsdir.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/prior.h:

cache/read/names.h:

cache/write/writer.h:
