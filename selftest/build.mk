# selftest/: helper programs the tests and the benchmark run.
SELFTEST_TOOLS := nss-buffers store-churn lookup-loop change-latency fdpass-recv
$(B)/selftest/%: $(B)/obj/selftest/tools/%.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(SELFTEST_TOOLS))

# What the tests need beyond the build: strace (O_CLOEXEC check),
# binutils (readelf), the reference module.
TEST_PACKAGES += strace binutils
