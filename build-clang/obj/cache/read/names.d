build-clang/obj/cache/read/names.o: cache/read/names.c cache/read/names.h \
  cache/read/schema.h

cache/read/names.h:

cache/read/schema.h:
