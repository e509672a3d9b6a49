build-clang/obj/cmd/rebuild.o: cmd/rebuild.c cmd/cmd.h \
  cache/ingest/missed.h cache/read/paths.h cache/ingest/sources.h \
  cache/write/writer.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/ingest/update.h

cmd/cmd.h:

cache/ingest/missed.h:

cache/read/paths.h:

cache/ingest/sources.h:

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/update.h:
