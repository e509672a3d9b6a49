build-clang/obj/cache/derive/queue.o: cache/derive/queue.c \
  cache/derive/queue.h cache/write/writer.h cache/read/record.h \
  cache/read/schema.h cache/read/view.h cache/read/delta.h

cache/derive/queue.h:

cache/write/writer.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:
