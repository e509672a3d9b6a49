build-clang/obj/selftest/fuzz/fuzz.o: selftest/fuzz/fuzz.c \
  selftest/fuzz/fuzz.h

selftest/fuzz/fuzz.h:
