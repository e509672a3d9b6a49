# selftest/demo.mk - `make demo`: install what the build needs, build,
# and resolve the sample guests in selftest/demo/ through real glibc.
demo: deps
	$(MAKE) $(B)/virt-name-cache $(B)/libnss_virtname.so.2 $(B)/selftest/store-prove
	B=$(abspath $(B)) selftest/demo.sh
