build-clang/obj/cache/write/fileio.o: cache/write/fileio.c \
  cache/write/fileio.h

cache/write/fileio.h:
