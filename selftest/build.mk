# selftest/: helper programs the tests and the benchmark run.
SELFTEST_TOOLS := nss-buffers nss-entry store-churn lookup-loop lookup-steps \
                  fdpass-recv runstat event-latency snapshot-load lmdb-commit store-prove probe-port
$(B)/selftest/%: $(B)/obj/selftest/tools/%.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(SELFTEST_TOOLS))

# What the tests need beyond the build: strace (O_CLOEXEC check),
# binutils (readelf), the reference module; ebtables (iptables: libvirt's
# nwfilter uses it too) and python3 for t-probe's forged frames.
TEST_PACKAGES += strace binutils iptables python3
# t-watch and bench-watch: busybox's ping in the veth guests.
TEST_PACKAGES += busybox
# t-resolved: a private system bus (dbus-daemon), busctl and the
# libsystemd-shared the downloaded systemd-resolved links (systemd).  The
# systemd-resolved package itself is never installed: its postinst
# replaces /etc/resolv.conf.
TEST_PACKAGES += dbus-daemon systemd

# C unit tests (selftest/unit/): records, names, the delta format, and the
# name rules through a real writer and snapshot.  t-unit runs them.
UNIT_TESTS := unit-records unit-lookup unit-affected unit-answers unit-hostsdir unit-replay
$(B)/selftest/unit-%: $(B)/obj/selftest/unit/unit-%.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(UNIT_LIBS)
$(B)/selftest/unit-replay: UNIT_LIBS = $(CDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(UNIT_TESTS))

# Frames built whole for the hostile-guest tests (issues 17, 22):
# dhcp-forge (the DHCP packets a real client cannot send), neigh-probe
# (ARP/NS out of one bridge port) and neigh-announce (gratuitous ARP and
# unsolicited NA, own or forged MAC), libc only.  dhcp-forge and
# neigh-announce also statically linked: they run inside the busybox
# guest of selftest/lib-guest.sh (needs libc.a, libc6-dev; not in the
# sanitizer tree, ASan does not link statically).
RAW_TOOLS := dhcp-forge neigh-probe neigh-announce
$(addprefix $(B)/selftest/,$(RAW_TOOLS)): $(B)/selftest/%: $(B)/obj/selftest/tools/%.o \
                                          $(B)/obj/selftest/tools/rawlink.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
ALL += $(addprefix $(B)/selftest/,$(RAW_TOOLS))
ifneq ($(SAN),1)
$(B)/selftest/%.static: $(B)/obj/selftest/tools/%.o $(B)/obj/selftest/tools/rawlink.o
	@mkdir -p $(dir $@)
	$(CC) -static -o $@ $^
ALL += $(B)/selftest/dhcp-forge.static $(B)/selftest/neigh-announce.static
endif
