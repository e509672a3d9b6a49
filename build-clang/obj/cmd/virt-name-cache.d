build-clang/obj/cmd/virt-name-cache.o: cmd/virt-name-cache.c cmd/cmd.h \
  cache/read/paths.h

cmd/cmd.h:

cache/read/paths.h:
