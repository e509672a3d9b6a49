# selftest/bench.mk - `make bench`: see selftest/bench.sh.
TEST_PACKAGES += bc
bench: test-deps
	$(MAKE) build-all
	B=$(abspath $(B)) selftest/bench.sh
	B=$(abspath $(B)) selftest/bench-dns.sh
	B=$(abspath $(B)) selftest/bench-watch.sh
