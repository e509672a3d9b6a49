build-clang/obj/selftest/tools/lookup-steps.o: \
  selftest/tools/lookup-steps.c
