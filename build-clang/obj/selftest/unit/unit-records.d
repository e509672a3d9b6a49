build-clang/obj/selftest/unit/unit-records.o: \
  selftest/unit/unit-records.c cache/read/delta.h cache/read/schema.h \
  cache/read/names.h cache/read/record.h cache/read/reserved.h \
  selftest/unit/unit.h

cache/read/delta.h:

cache/read/schema.h:

cache/read/names.h:

cache/read/record.h:

cache/read/reserved.h:

selftest/unit/unit.h:
