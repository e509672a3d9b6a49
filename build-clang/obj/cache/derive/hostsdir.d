build-clang/obj/cache/derive/hostsdir.o: cache/derive/hostsdir.c \
  cache/derive/hostsdir.h cache/derive/export.h cache/read/lookup.h \
  cache/read/record.h cache/read/schema.h cache/read/view.h \
  cache/read/delta.h cache/read/paths.h cache/write/errmsg.h

cache/derive/hostsdir.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/paths.h:

cache/write/errmsg.h:
