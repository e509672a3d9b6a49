build-clang/obj/selftest/tools/event-latency.o: \
  selftest/tools/event-latency.c
