build-clang/pic/cache/read/record.o: cache/read/record.c \
  cache/read/record.h cache/read/schema.h cache/read/wire.h

cache/read/record.h:

cache/read/schema.h:

cache/read/wire.h:
