build-clang/obj/dns/zone.o: dns/zone.c dns/op.h dns/update.h dns/config.h \
  cache/read/paths.h dns/zone.h cache/write/errmsg.h

dns/op.h:

dns/update.h:

dns/config.h:

cache/read/paths.h:

dns/zone.h:

cache/write/errmsg.h:
