build-clang/obj/proxy/known-hosts.o: proxy/known-hosts.c proxy/proxy.h \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/names.h \
  cache/write/fileio.h

proxy/proxy.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:

cache/write/fileio.h:
