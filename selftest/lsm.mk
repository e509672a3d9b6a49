# selftest/lsm.mk: what t-lsm needs.  lsm-check runs doctor's LSM check
# (cmd/lsm.c) on its own against a fake /sys and /etc.
$(B)/selftest/lsm-check: $(B)/obj/selftest/tools/lsm-check.o $(B)/obj/cmd/lsm.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
ALL += $(B)/selftest/lsm-check

# apparmor: apparmor_parser and the abstractions (nothing is loaded: no
# kernel here); apparmor-profiles: dnsmasq's profile; selinux-policy-dev:
# the refpolicy devel Makefile, checkpolicy, semodule_package;
# selinux-policy-default: a full policy to link the module against (in
# a copy of its store); python3-setools: queries of the linked policy;
# attr: setfattr for a fake snapshot label.
TEST_PACKAGES += apparmor apparmor-profiles selinux-policy-dev selinux-policy-default \
                semodule-utils checkpolicy python3 python3-setools attr
