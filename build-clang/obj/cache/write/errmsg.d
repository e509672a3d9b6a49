build-clang/obj/cache/write/errmsg.o: cache/write/errmsg.c \
  cache/write/errmsg.h

cache/write/errmsg.h:
