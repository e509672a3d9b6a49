build-clang/obj/cache/read/paths.o: cache/read/paths.c cache/read/paths.h

cache/read/paths.h:
