build-clang/obj/selftest/fuzz/snapfuzz.o: selftest/fuzz/snapfuzz.c \
  selftest/fuzz/fuzz.h cache/read/base.h cache/read/delta.h \
  cache/read/schema.h cache/read/paths.h cache/read/xxh3.h

selftest/fuzz/fuzz.h:

cache/read/base.h:

cache/read/delta.h:

cache/read/schema.h:

cache/read/paths.h:

cache/read/xxh3.h:
