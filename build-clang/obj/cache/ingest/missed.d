build-clang/obj/cache/ingest/missed.o: cache/ingest/missed.c \
  cache/ingest/missed.h cache/read/paths.h cache/write/fileio.h

cache/ingest/missed.h:

cache/read/paths.h:

cache/write/fileio.h:
