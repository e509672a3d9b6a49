# selftest/: helper programs the tests and the benchmark run.
SELFTEST_TOOLS := nss-buffers nss-entry store-churn lookup-loop lookup-steps change-latency \
                  fdpass-recv runstat event-latency snapshot-load lmdb-commit store-prove probe-port
$(B)/selftest/%: $(B)/obj/selftest/tools/%.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(SELFTEST_TOOLS))

# What the tests need beyond the build: strace (O_CLOEXEC check),
# binutils (readelf), the reference module; ebtables (iptables: libvirt's
# nwfilter uses it too) and python3 for t-probe's forged frames.
TEST_PACKAGES += strace binutils iptables python3
# t-resolved: a private system bus (dbus-daemon), busctl and the
# libsystemd-shared the downloaded systemd-resolved links (systemd).  The
# systemd-resolved package itself is never installed: its postinst
# replaces /etc/resolv.conf.
TEST_PACKAGES += dbus-daemon systemd

# C unit tests (selftest/unit/): records, names, the delta format, and the
# name rules through a real writer and snapshot.  t-unit runs them.
UNIT_TESTS := unit-records unit-lookup unit-affected
$(B)/selftest/unit-%: $(B)/obj/selftest/unit/unit-%.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(UNIT_TESTS))
