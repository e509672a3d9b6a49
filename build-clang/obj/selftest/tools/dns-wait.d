build-clang/obj/selftest/tools/dns-wait.o: selftest/tools/dns-wait.c
