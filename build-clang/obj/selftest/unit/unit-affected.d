build-clang/obj/selftest/unit/unit-affected.o: \
  selftest/unit/unit-affected.c cache/derive/affected.h \
  cache/derive/export.h cache/read/lookup.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h \
  cache/write/publish.h cache/write/writer.h selftest/unit/unit.h

cache/derive/affected.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/write/publish.h:

cache/write/writer.h:

selftest/unit/unit.h:
