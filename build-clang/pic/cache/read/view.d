build-clang/pic/cache/read/view.o: cache/read/view.c cache/read/view.h \
  cache/read/delta.h cache/read/schema.h

cache/read/view.h:

cache/read/delta.h:

cache/read/schema.h:
