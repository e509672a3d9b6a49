build-clang/pic/nss/snapshot.o: nss/snapshot.c nss/snapshot.h \
  cache/read/view.h cache/read/delta.h cache/read/schema.h \
  cache/read/paths.h cache/read/reader.h

nss/snapshot.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/schema.h:

cache/read/paths.h:

cache/read/reader.h:
