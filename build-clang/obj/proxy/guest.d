build-clang/obj/proxy/guest.o: proxy/guest.c proxy/proxy.h \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/names.h \
  cache/read/paths.h cache/read/reader.h cache/libvirt/virconn.h \
  cache/libvirt/virxml.h

proxy/proxy.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/names.h:

cache/read/paths.h:

cache/read/reader.h:

cache/libvirt/virconn.h:

cache/libvirt/virxml.h:
