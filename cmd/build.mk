# cmd/: the virt-name-cache command and its man page.
CMD_SRCS := $(sort $(wildcard cmd/*.c)) $(IMPORT_SRCS) $(RESOLVED_SRCS)
$(B)/virt-name-cache: $(addprefix $(B)/obj/,$(CMD_SRCS:.c=.o)) $(B)/libvirtname-dns.a $(B)/libvirtname.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(JSON_LIBS) $(VIRT_LIBS) $(XML_LIBS) $(DNS_LIBS) $(SYSTEMD_LIBS) $(MNL_LIBS)
ALL += $(B)/virt-name-cache

install-cmd: $(B)/virt-name-cache
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/virt-name-cache $(DESTDIR)$(BINDIR)/virt-name-cache
	install -m 0644 cmd/virt-name-cache.1 $(DESTDIR)$(MANDIR)/man1/
INSTALL_TARGETS += install-cmd
