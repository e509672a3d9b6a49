build-clang/obj/cache/read/reserved.o: cache/read/reserved.c \
  cache/read/names.h cache/read/schema.h cache/read/reserved.h

cache/read/names.h:

cache/read/schema.h:

cache/read/reserved.h:
