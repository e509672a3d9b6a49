# cache/: the store library (store/), the importers a rebuild reads
# (import/) and the virt-name-cache command (cmd/).
#
# libvirtname.a is what every program links: the store, plus the parts
# only writers need (XML parsing for the hooks and rebuild, the
# missed-events log, whole-file reads and atomic replacement).
LIB_SRCS := $(STORE_SRCS) cache/store/fileio.c cache/import/virxml.c cache/import/virconn.c
$(B)/libvirtname.a: $(addprefix $(B)/obj/,$(LIB_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
ALL += $(B)/libvirtname.a

VIRTNAME_VERSION := 0.1
CMD_SRCS := $(sort $(wildcard cache/cmd/*.c)) cache/import/leasefiles.c cache/import/libvirt.c \
            cache/import/warn.c hooks/resolved.c
$(B)/obj/cache/cmd/virt-name-cache.o: ALL_CFLAGS += -DVIRTNAME_VERSION='"$(VIRTNAME_VERSION)"'
$(B)/obj/cache/cmd/doctor.o $(B)/obj/cache/cmd/network.o: ALL_CFLAGS += -DVIRTNAME_LIBEXECDIR='"$(LIBEXECDIR)/virt-name-cache"'
# doctor's systemd-resolved check shares the network hook's code.
$(B)/obj/cache/cmd/doctor.o: ALL_CFLAGS += -I.
$(addprefix $(B)/obj/,$(CMD_SRCS:.c=.o)): ALL_CFLAGS += -I.
$(B)/virt-name-cache: $(addprefix $(B)/obj/,$(CMD_SRCS:.c=.o)) $(B)/libvirtname-dns.a $(B)/libvirtname.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(JSON_LIBS) $(VIRT_LIBS) $(XML_LIBS) $(DNS_LIBS) $(SYSTEMD_LIBS)
ALL += $(B)/virt-name-cache

install-cmd: $(B)/virt-name-cache
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/virt-name-cache $(DESTDIR)$(BINDIR)/virt-name-cache
	install -m 0644 cache/cmd/virt-name-cache.1 $(DESTDIR)$(MANDIR)/man1/
INSTALL_TARGETS += install-cmd
