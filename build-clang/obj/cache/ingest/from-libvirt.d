build-clang/obj/cache/ingest/from-libvirt.o: cache/ingest/from-libvirt.c \
  cache/ingest/edit.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/ingest/lease.h cache/ingest/prior.h \
  cache/read/names.h cache/ingest/sources.h cache/libvirt/virconn.h

cache/ingest/edit.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/writer.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/lease.h:

cache/ingest/prior.h:

cache/read/names.h:

cache/ingest/sources.h:

cache/libvirt/virconn.h:
