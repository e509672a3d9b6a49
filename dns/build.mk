# dns/: fleet DNS (issue 11, part 3): dns.conf and TSIG keys, RFC 2136
# updates and zone reconcile, built with ldns (libvirtname-dns.a); the
# test tool selftest/tools/dns-push.
DNS_SRCS := dns/config.c dns/update.c dns/zone.c
DNS_LIBS := -lldns
$(B)/obj/dns/%.o $(B)/obj/selftest/tools/dns-push.o: ALL_CFLAGS += -I.
$(B)/libvirtname-dns.a: $(addprefix $(B)/obj/,$(DNS_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(B)/selftest/dns-push: $(B)/obj/selftest/tools/dns-push.o $(B)/libvirtname-dns.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DNS_LIBS)
ALL += $(B)/libvirtname-dns.a $(B)/selftest/dns-push

# ldns to build; an authoritative server (BIND 9) and dig for the tests.
BUILD_PACKAGES += libldns-dev
TEST_PACKAGES += bind9 bind9-utils bind9-dnsutils
