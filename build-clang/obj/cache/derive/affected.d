build-clang/obj/cache/derive/affected.o: cache/derive/affected.c \
  cache/derive/affected.h cache/derive/export.h cache/read/lookup.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h cache/write/publish.h cache/write/writer.h \
  cache/read/names.h

cache/derive/affected.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/write/publish.h:

cache/write/writer.h:

cache/read/names.h:
