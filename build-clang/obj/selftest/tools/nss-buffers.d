build-clang/obj/selftest/tools/nss-buffers.o: \
  selftest/tools/nss-buffers.c
