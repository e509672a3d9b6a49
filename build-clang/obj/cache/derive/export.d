build-clang/obj/cache/derive/export.o: cache/derive/export.c \
  cache/derive/export.h cache/read/lookup.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h \
  cache/read/names.h

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:
