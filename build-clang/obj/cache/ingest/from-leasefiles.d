build-clang/obj/cache/ingest/from-leasefiles.o: \
  cache/ingest/from-leasefiles.c /usr/include/json-c/json.h \
  /usr/include/json-c/arraylist.h /usr/include/json-c/debug.h \
  /usr/include/json-c/json_c_version.h /usr/include/json-c/json_object.h \
  /usr/include/json-c/json_inttypes.h /usr/include/json-c/json_config.h \
  /usr/include/json-c/json_types.h /usr/include/json-c/printbuf.h \
  /usr/include/json-c/json_object_iterator.h \
  /usr/include/json-c/json_pointer.h /usr/include/json-c/json_tokener.h \
  /usr/include/json-c/json_util.h /usr/include/json-c/linkhash.h \
  cache/read/lookup.h cache/read/record.h cache/read/schema.h \
  cache/read/view.h cache/read/delta.h cache/ingest/lease.h \
  cache/ingest/prior.h cache/read/names.h cache/write/writer.h \
  cache/ingest/sources.h cache/write/fileio.h

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

cache/read/lookup.h:

cache/read/record.h:

cache/read/schema.h:

cache/read/view.h:

cache/read/delta.h:

cache/ingest/lease.h:

cache/ingest/prior.h:

cache/read/names.h:

cache/write/writer.h:

cache/ingest/sources.h:

cache/write/fileio.h:
