build-clang/obj/cache/derive/resolved.o: cache/derive/resolved.c \
  cache/derive/resolved.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cache/write/fileio.h

cache/derive/resolved.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cache/write/fileio.h:
