# packaging/lsm.mk: AppArmor abstractions and the SELinux policy module
# (virt-name-cache(1), CONFINED PROGRAMS).
#
#   make install        also installs the AppArmor files (install-lsm)
#   make selinux        builds $(B)/selinux/virt-name-cache.pp with the
#                       distribution's SELinux devel Makefile
#   make install-selinux  installs the module and its interface where
#                       Fedora's packages keep them (the RPM uses it)
APPARMOR_FILES := abstractions/nameservice.d/virt-name-cache \
                  abstractions/virt-name-cache-libvirtd \
                  abstractions/virt-name-cache-dnsmasq \
                  abstractions/virt-name-cache-lease-helper \
                  abstractions/virt-name-cache-dns-send \
                  abstractions/virt-name-cache-port-probe \
                  abstractions/virt-name-cache-store
APPARMOR_DIR ?= $(SYSCONFDIR)/apparmor.d

install-lsm:
	install -d $(DESTDIR)$(APPARMOR_DIR)/abstractions/nameservice.d
	for f in $(APPARMOR_FILES); do \
	  install -m 0644 packaging/apparmor/$$f $(DESTDIR)$(APPARMOR_DIR)/$$f || exit 1; \
	done
INSTALL_TARGETS += install-lsm

SELINUX_DEVEL_MAKEFILE ?= /usr/share/selinux/devel/Makefile
SELINUX_TYPE ?= targeted
SELINUX_SRCS := $(addprefix packaging/selinux/virt-name-cache.,te if fc)
DATADIR ?= $(PREFIX)/share

# The devel Makefile builds in the directory that holds the sources.
$(B)/selinux/virt-name-cache.pp: $(SELINUX_SRCS)
	@test -f $(SELINUX_DEVEL_MAKEFILE) || \
	  { echo "$(SELINUX_DEVEL_MAKEFILE) is missing: install selinux-policy-devel (Fedora) or selinux-policy-dev (Debian)"; exit 1; }
	rm -rf $(B)/selinux && mkdir -p $(B)/selinux
	cp $(SELINUX_SRCS) $(B)/selinux/
	$(MAKE) -C $(B)/selinux -f $(SELINUX_DEVEL_MAKEFILE) virt-name-cache.pp

selinux: $(B)/selinux/virt-name-cache.pp

install-selinux: $(B)/selinux/virt-name-cache.pp
	install -d $(DESTDIR)$(DATADIR)/selinux/packages/$(SELINUX_TYPE) \
	  $(DESTDIR)$(DATADIR)/selinux/devel/include/distributed
	bzip2 -9 -c $< >$(DESTDIR)$(DATADIR)/selinux/packages/$(SELINUX_TYPE)/virt-name-cache.pp.bz2
	install -m 0644 packaging/selinux/virt-name-cache.if $(DESTDIR)$(DATADIR)/selinux/devel/include/distributed/
.PHONY: install-lsm selinux install-selinux

# `make rpm` without the SELinux devel files builds no -selinux package.
RPMBUILD_FLAGS += $(if $(wildcard $(SELINUX_DEVEL_MAKEFILE)),,--without selinux)
