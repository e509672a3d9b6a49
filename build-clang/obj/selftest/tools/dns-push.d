build-clang/obj/selftest/tools/dns-push.o: selftest/tools/dns-push.c \
  dns/config.h cache/read/paths.h dns/update.h dns/zone.h

dns/config.h:

cache/read/paths.h:

dns/update.h:

dns/zone.h:
