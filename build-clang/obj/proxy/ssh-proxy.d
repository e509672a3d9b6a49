build-clang/obj/proxy/ssh-proxy.o: proxy/ssh-proxy.c proxy/proxy.h \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h

proxy/proxy.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
