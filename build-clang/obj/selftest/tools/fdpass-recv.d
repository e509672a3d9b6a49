build-clang/obj/selftest/tools/fdpass-recv.o: \
  selftest/tools/fdpass-recv.c
