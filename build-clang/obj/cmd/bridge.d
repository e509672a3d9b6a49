build-clang/obj/cmd/bridge.o: cmd/bridge.c cmd/bridge.h \
  cache/write/fileio.h

cmd/bridge.h:

cache/write/fileio.h:
