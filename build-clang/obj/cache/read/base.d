build-clang/obj/cache/read/base.o: cache/read/base.c cache/read/base.h \
  cache/read/wire.h cache/read/xxh3.h

cache/read/base.h:

cache/read/wire.h:

cache/read/xxh3.h:
