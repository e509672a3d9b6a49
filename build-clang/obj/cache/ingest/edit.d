build-clang/obj/cache/ingest/edit.o: cache/ingest/edit.c \
  cache/ingest/edit.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/read/lookup.h cache/read/names.h

cache/ingest/edit.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/writer.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/lookup.h:

cache/read/names.h:
