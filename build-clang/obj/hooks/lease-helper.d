build-clang/obj/hooks/lease-helper.o: hooks/lease-helper.c hooks/hook.h \
  cache/ingest/event.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/derive/hostsdir.h cache/derive/export.h \
  cache/read/lookup.h cache/ingest/lease.h cache/read/names.h \
  cache/read/paths.h cache/read/reader.h

hooks/hook.h:

cache/ingest/event.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/writer.h:

cache/read/view.h:

cache/read/delta.h:

cache/derive/hostsdir.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/ingest/lease.h:

cache/read/names.h:

cache/read/paths.h:

cache/read/reader.h:
