# cache/: the store library and the virt-name-cache command.
# The library every program links: the store, plus the parts only
# writers need (XML parsing for the hooks and rebuild, the drift log).
LIB_SRCS := $(STORE_SRCS) $(wildcard cache/virxml.c cache/drift.c cache/edit.c cache/virconn.c)
$(B)/libvnc.a: $(addprefix $(B)/obj/,$(LIB_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
ALL += $(B)/libvnc.a

VNC_VERSION := 0.1
CMD_SRCS := cache/virt-name-cache.c $(sort $(wildcard cache/cmd-*.c cache/src-*.c))
$(B)/obj/cache/virt-name-cache.o: ALL_CFLAGS += -DVNC_VERSION='"$(VNC_VERSION)"'
$(B)/obj/cache/cmd-doctor.o $(B)/obj/cache/cmd-network.o: ALL_CFLAGS += -DVNC_LIBEXECDIR='"$(LIBEXECDIR)/virt-name-cache"'
$(B)/virt-name-cache: $(addprefix $(B)/obj/,$(CMD_SRCS:.c=.o)) $(B)/libvnc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(JSON_LIBS) $(VIRT_LIBS) $(XML_LIBS)
ALL += $(B)/virt-name-cache

install-cmd: $(B)/virt-name-cache
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/virt-name-cache $(DESTDIR)$(BINDIR)/virt-name-cache
	$(if $(wildcard cache/virt-name-cache.1),install -m 0644 cache/virt-name-cache.1 $(DESTDIR)$(MANDIR)/man1/)
INSTALL_TARGETS += install-cmd
