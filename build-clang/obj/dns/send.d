build-clang/obj/dns/send.o: dns/send.c dns/send.h dns/config.h \
  cache/read/paths.h dns/zone.h dns/update.h cache/derive/export.h \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/derive/queue.h \
  cache/write/writer.h cache/read/reader.h cache/write/errmsg.h

dns/send.h:

dns/config.h:

cache/read/paths.h:

dns/zone.h:

dns/update.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/derive/queue.h:

cache/write/writer.h:

cache/read/reader.h:

cache/write/errmsg.h:
