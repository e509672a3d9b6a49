build-clang/pic/cache/read/delta.o: cache/read/delta.c cache/read/delta.h \
  cache/read/schema.h cache/read/wire.h cache/read/xxh3.h

cache/read/delta.h:

cache/read/schema.h:

cache/read/wire.h:

cache/read/xxh3.h:
