build-clang/obj/selftest/fuzz/hookfuzz.o: selftest/fuzz/hookfuzz.c \
  selftest/fuzz/fuzz.h cache/read/lookup.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h \
  cache/read/names.h cache/read/paths.h cache/read/reader.h

selftest/fuzz/fuzz.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:

cache/read/paths.h:

cache/read/reader.h:
