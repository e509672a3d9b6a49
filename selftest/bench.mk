# selftest/bench.mk - `make bench`: see selftest/bench.sh.
DEB_PACKAGES += bc
bench: deps
	$(MAKE) build-all
	B=$(abspath $(B)) selftest/bench.sh
