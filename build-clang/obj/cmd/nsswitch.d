build-clang/obj/cmd/nsswitch.o: cmd/nsswitch.c cmd/nsswitch.h

cmd/nsswitch.h:
