build-clang/obj/cache/read/schema.o: cache/read/schema.c \
  cache/read/schema.h

cache/read/schema.h:
