build-clang/obj/cmd/nss.o: cmd/nss.c cmd/cmd.h cmd/nsswitch.h \
  cache/write/fileio.h

cmd/cmd.h:

cmd/nsswitch.h:

cache/write/fileio.h:
