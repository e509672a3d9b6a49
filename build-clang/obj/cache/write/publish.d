build-clang/obj/cache/write/publish.o: cache/write/publish.c \
  cache/read/base.h cache/read/delta.h cache/read/schema.h \
  cache/write/fileio.h cache/read/paths.h cache/write/publish.h \
  cache/write/errmsg.h

cache/read/base.h:

cache/read/delta.h:

cache/read/schema.h:

cache/write/fileio.h:

cache/read/paths.h:

cache/write/publish.h:

cache/write/errmsg.h:
