build-clang/obj/cmd/doctor.o: cmd/doctor.c cmd/lsm.h \
  cache/derive/resolved.h cache/libvirt/virxml.h cache/read/record.h \
  cache/read/schema.h cmd/nsswitch.h cmd/show.h \
  /usr/include/json-c/json.h /usr/include/json-c/arraylist.h \
  /usr/include/json-c/debug.h /usr/include/json-c/json_c_version.h \
  /usr/include/json-c/json_object.h /usr/include/json-c/json_inttypes.h \
  /usr/include/json-c/json_config.h /usr/include/json-c/json_types.h \
  /usr/include/json-c/printbuf.h \
  /usr/include/json-c/json_object_iterator.h \
  /usr/include/json-c/json_pointer.h /usr/include/json-c/json_tokener.h \
  /usr/include/json-c/json_util.h /usr/include/json-c/linkhash.h \
  cmd/cmd.h cache/read/lookup.h cache/read/view.h cache/read/delta.h \
  cache/read/reader.h cache/libvirt/virconn.h dns/config.h \
  cache/read/paths.h dns/update.h cache/derive/hostsdir.h \
  cache/derive/export.h cache/derive/queue.h cache/write/writer.h \
  cache/ingest/missed.h cache/read/names.h cache/ingest/spool.h \
  cache/ingest/sources.h cache/write/fileio.h

cmd/lsm.h:

cache/derive/resolved.h:

cache/libvirt/virxml.h:

cache/read/record.h:

cache/read/schema.h:

cmd/nsswitch.h:

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

cache/read/view.h:

cache/read/delta.h:

cache/read/reader.h:

cache/libvirt/virconn.h:

dns/config.h:

cache/read/paths.h:

dns/update.h:

cache/derive/hostsdir.h:

cache/derive/export.h:

cache/derive/queue.h:

cache/write/writer.h:

cache/ingest/missed.h:

cache/read/names.h:

cache/ingest/spool.h:

cache/ingest/sources.h:

cache/write/fileio.h:
