build-clang/obj/cmd/dns.o: cmd/dns.c cmd/cmd.h dns/config.h \
  cache/read/paths.h dns/send.h dns/zone.h dns/update.h \
  cache/derive/export.h cache/read/lookup.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h \
  cache/read/reader.h

cmd/cmd.h:

dns/config.h:

cache/read/paths.h:

dns/send.h:

dns/zone.h:

dns/update.h:

cache/derive/export.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/reader.h:
