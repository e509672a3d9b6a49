build-clang/obj/cmd/publish.o: cmd/publish.c cmd/cmd.h cache/read/paths.h \
  cache/write/publish.h cache/read/schema.h cache/ingest/update.h \
  cache/write/writer.h cache/read/record.h cache/read/view.h \
  cache/read/delta.h

cmd/cmd.h:

cache/read/paths.h:

cache/write/publish.h:

cache/read/schema.h:

cache/ingest/update.h:

cache/write/writer.h:

cache/read/record.h:

cache/read/view.h:

cache/read/delta.h:
