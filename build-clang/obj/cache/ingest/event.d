build-clang/obj/cache/ingest/event.o: cache/ingest/event.c \
  cache/derive/hostsdir.h cache/derive/export.h cache/read/lookup.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h cache/ingest/edit.h cache/libvirt/virxml.h \
  cache/write/writer.h cache/ingest/event.h cache/read/names.h \
  cache/read/wire.h

cache/derive/hostsdir.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/edit.h:

cache/libvirt/virxml.h:

cache/write/writer.h:

cache/ingest/event.h:

cache/read/names.h:

cache/read/wire.h:
