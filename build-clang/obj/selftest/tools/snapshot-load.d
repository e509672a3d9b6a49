build-clang/obj/selftest/tools/snapshot-load.o: \
  selftest/tools/snapshot-load.c cache/read/reader.h cache/read/delta.h \
  cache/read/schema.h cache/read/view.h

cache/read/reader.h:

cache/read/delta.h:

cache/read/schema.h:

cache/read/view.h:
