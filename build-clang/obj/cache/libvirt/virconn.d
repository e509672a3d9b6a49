build-clang/obj/cache/libvirt/virconn.o: cache/libvirt/virconn.c \
  cache/libvirt/virconn.h

cache/libvirt/virconn.h:
