build-clang/pic/cache/read/reader.o: cache/read/reader.c \
  cache/read/base.h cache/read/lookup.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h \
  cache/read/paths.h cache/read/reader.h

cache/read/base.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/paths.h:

cache/read/reader.h:
