build-clang/obj/selftest/tools/nss-entry.o: selftest/tools/nss-entry.c
