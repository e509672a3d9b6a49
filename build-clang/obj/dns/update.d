build-clang/obj/dns/update.o: dns/update.c dns/op.h dns/update.h \
  dns/config.h cache/read/paths.h cache/write/errmsg.h

dns/op.h:

dns/update.h:

dns/config.h:

cache/read/paths.h:

cache/write/errmsg.h:
