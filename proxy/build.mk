# proxy/: the ssh ProxyCommand and KnownHostsCommand, and its ssh_config.d
# snippet ($(SSH_SNIPPET), named in GNUmakefile).
PROXY_DIR := $(LIBEXECDIR)/virt-name-cache
PROXY_OBJS := $(addprefix $(B)/obj/proxy/,ssh-proxy.o guest.o known-hosts.o)
$(B)/proxy/ssh-proxy: $(PROXY_OBJS) $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(VIRT_LIBS) $(XML_LIBS)
ALL += $(B)/proxy/ssh-proxy

install-proxy: $(B)/proxy/ssh-proxy
	install -d $(DESTDIR)$(PROXY_DIR) $(DESTDIR)$(SYSCONFDIR)/ssh/ssh_config.d $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $< $(DESTDIR)$(PROXY_DIR)/ssh-proxy
	sed 's|@PROXY@|$(PROXY_DIR)/ssh-proxy|' proxy/$(SSH_SNIPPET) \
	  >$(DESTDIR)$(SYSCONFDIR)/ssh/ssh_config.d/$(SSH_SNIPPET)
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/ssh/ssh_config.d/$(SSH_SNIPPET)
	install -m 0644 proxy/virt-name-cache-ssh-proxy.1 $(DESTDIR)$(MANDIR)/man1/
INSTALL_TARGETS += install-proxy

# The end-to-end test runs Debian's OpenSSH client and server.
TEST_PACKAGES += openssh-client openssh-server
