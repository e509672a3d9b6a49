build-clang/obj/selftest/tools/lookup-loop.o: \
  selftest/tools/lookup-loop.c
