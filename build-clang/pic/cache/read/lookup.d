build-clang/pic/cache/read/lookup.o: cache/read/lookup.c \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/names.h \
  cache/read/reserved.h

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:

cache/read/reserved.h:
