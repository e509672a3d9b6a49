build-clang/obj/cmd/remember.o: cmd/remember.c cmd/cmd.h \
  cache/read/paths.h cache/write/fileio.h

cmd/cmd.h:

cache/read/paths.h:

cache/write/fileio.h:
