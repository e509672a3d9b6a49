build-clang/obj/hooks/daemon-hook.o: hooks/daemon-hook.c hooks/hook.h \
  cache/ingest/event.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h

hooks/hook.h:

cache/ingest/event.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/writer.h:

cache/read/view.h:

cache/read/delta.h:
