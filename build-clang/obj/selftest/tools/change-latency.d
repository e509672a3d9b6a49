build-clang/obj/selftest/tools/change-latency.o: \
  selftest/tools/change-latency.c cache/write/writer.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
