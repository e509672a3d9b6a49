build-clang/obj/selftest/tools/lsm-check.o: selftest/tools/lsm-check.c \
  cmd/lsm.h

cmd/lsm.h:
