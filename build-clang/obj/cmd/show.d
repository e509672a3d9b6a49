build-clang/obj/cmd/show.o: cmd/show.c cmd/show.h \
  /usr/include/json-c/json.h /usr/include/json-c/arraylist.h \
  /usr/include/json-c/debug.h /usr/include/json-c/json_c_version.h \
  /usr/include/json-c/json_object.h /usr/include/json-c/json_inttypes.h \
  /usr/include/json-c/json_config.h /usr/include/json-c/json_types.h \
  /usr/include/json-c/printbuf.h \
  /usr/include/json-c/json_object_iterator.h \
  /usr/include/json-c/json_pointer.h /usr/include/json-c/json_tokener.h \
  /usr/include/json-c/json_util.h /usr/include/json-c/linkhash.h \
  cmd/cmd.h cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/read/reader.h \
  cache/read/names.h cache/read/paths.h

cmd/show.h:

/usr/include/json-c/json.h:

/usr/include/json-c/arraylist.h:

/usr/include/json-c/debug.h:

/usr/include/json-c/json_c_version.h:

/usr/include/json-c/json_object.h:

/usr/include/json-c/json_inttypes.h:

/usr/include/json-c/json_config.h:

/usr/include/json-c/json_types.h:

/usr/include/json-c/printbuf.h:

/usr/include/json-c/json_object_iterator.h:

/usr/include/json-c/json_pointer.h:

/usr/include/json-c/json_tokener.h:

/usr/include/json-c/json_util.h:

/usr/include/json-c/linkhash.h:

cmd/cmd.h:

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/read/reader.h:

cache/read/names.h:

cache/read/paths.h:
