# dns/: fleet DNS (issue 11, part 3): dns.conf and TSIG keys, RFC 2136
# updates and zone reconcile, built with ldns (libvirtname-dns.a); the
# test tool selftest/tools/dns-push.
DNS_SRCS := dns/config.c dns/update.c dns/zone.c dns/send.c
DNS_LIBS := -lldns
$(B)/libvirtname-dns.a: $(addprefix $(B)/obj/,$(DNS_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(B)/selftest/dns-push: $(B)/obj/selftest/tools/dns-push.o $(B)/libvirtname-dns.a $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DNS_LIBS) $(LMDB_LIBS)
ALL += $(B)/libvirtname-dns.a $(B)/selftest/dns-push

# A probe for the benchmark: how long until a DNS server answers a change.
$(B)/selftest/dns-wait: $(B)/obj/selftest/tools/dns-wait.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DNS_LIBS)
ALL += $(B)/selftest/dns-wait

# The sender a hook starts after a commit that queued names (libexec).
$(B)/dns/dns-send: $(B)/obj/dns/dns-send.o $(B)/libvirtname-dns.a $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DNS_LIBS) $(LMDB_LIBS)
ALL += $(B)/dns/dns-send
install-dns: $(B)/dns/dns-send
	install -d $(DESTDIR)$(LIBEXECDIR)/virt-name-cache
	install -m 0755 $(B)/dns/dns-send $(DESTDIR)$(LIBEXECDIR)/virt-name-cache/
INSTALL_TARGETS += install-dns

# ldns to build; an authoritative server (BIND 9) and dig for the tests.
BUILD_PACKAGES += libldns-dev
TEST_PACKAGES += bind9 bind9-utils bind9-dnsutils knot knot-dnsutils
