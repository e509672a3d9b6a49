build-clang/obj/selftest/tools/store-churn.o: \
  selftest/tools/store-churn.c cache/write/writer.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
