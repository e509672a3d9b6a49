build-clang/obj/cache/ingest/spool.o: cache/ingest/spool.c \
  cache/ingest/event.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/ingest/missed.h cache/read/paths.h \
  cache/ingest/spool.h cache/read/wire.h cache/read/xxh3.h

cache/ingest/event.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/writer.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/missed.h:

cache/read/paths.h:

cache/ingest/spool.h:

cache/read/wire.h:

cache/read/xxh3.h:
