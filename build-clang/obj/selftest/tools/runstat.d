build-clang/obj/selftest/tools/runstat.o: selftest/tools/runstat.c
