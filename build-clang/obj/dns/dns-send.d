build-clang/obj/dns/dns-send.o: dns/dns-send.c dns/send.h dns/config.h \
  cache/read/paths.h dns/zone.h dns/update.h cache/derive/queue.h \
  cache/write/writer.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h

dns/send.h:

dns/config.h:

cache/read/paths.h:

dns/zone.h:

dns/update.h:

cache/derive/queue.h:

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
