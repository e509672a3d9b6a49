build-clang/obj/cmd/lsm.o: cmd/lsm.c cmd/lsm.h cache/write/fileio.h

cmd/lsm.h:

cache/write/fileio.h:
