build-clang/obj/hooks/network-hook.o: hooks/network-hook.c hooks/hook.h \
  cache/ingest/event.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/derive/hostsdir.h cache/derive/export.h \
  cache/read/lookup.h cache/read/paths.h cache/derive/resolved.h

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

cache/read/paths.h:

cache/derive/resolved.h:
