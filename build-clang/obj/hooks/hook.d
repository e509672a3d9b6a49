build-clang/obj/hooks/hook.o: hooks/hook.c hooks/hook.h \
  cache/ingest/event.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/writer.h cache/read/view.h \
  cache/read/delta.h cache/ingest/missed.h cache/read/paths.h \
  cache/ingest/spool.h cache/ingest/update.h

hooks/hook.h:

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

cache/ingest/update.h:
