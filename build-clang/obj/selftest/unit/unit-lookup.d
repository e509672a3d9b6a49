build-clang/obj/selftest/unit/unit-lookup.o: selftest/unit/unit-lookup.c \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/reader.h \
  cache/write/writer.h selftest/unit/unit.h

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/reader.h:

cache/write/writer.h:

selftest/unit/unit.h:
