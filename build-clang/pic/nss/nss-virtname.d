build-clang/pic/nss/nss-virtname.o: nss/nss-virtname.c \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h nss/snapshot.h

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

nss/snapshot.h:
