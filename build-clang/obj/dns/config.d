build-clang/obj/dns/config.o: dns/config.c dns/config.h \
  cache/read/paths.h cache/write/errmsg.h cache/write/fileio.h

dns/config.h:

cache/read/paths.h:

cache/write/errmsg.h:

cache/write/fileio.h:
