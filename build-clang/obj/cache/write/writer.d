build-clang/obj/cache/write/writer.o: cache/write/writer.c \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/names.h \
  cache/read/paths.h cache/read/reserved.h cache/write/fileio.h \
  cache/write/publish.h cache/write/writer.h

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:

cache/read/paths.h:

cache/read/reserved.h:

cache/write/fileio.h:

cache/write/publish.h:

cache/write/writer.h:
