build-clang/obj/selftest/tools/lmdb-commit.o: \
  selftest/tools/lmdb-commit.c
