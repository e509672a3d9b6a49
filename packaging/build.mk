# packaging/: `make deb` builds the Debian packages (dpkg-buildpackage
# -b -uc -us on a copy of the tree with packaging/debian as debian/) and
# checks them with lintian (an error fails it); `make rpm` builds the RPM
# with rpmbuild -bb.  Output in build/packages/.  Both first install what
# they need (pkg-deps: GNUmakefile).  RPM_OPTFLAGS= replaces rpm's
# %{optflags} (the distribution's compiler flags; t-package passes
# Fedora's).
PKG_OUT := $(abspath build/packages)
PKG_TREE := $(abspath build/pkgtree)
PACKAGING_PACKAGES += debhelper dpkg-dev fakeroot lintian rpm git

# The unit that publishes the snapshot again at boot (it lives on tmpfs);
# the fleet DNS timer (a unit and its timer, and a cron line for hosts
# without systemd) that heals the zone without events; the watcher's unit
# (off until 'virt-name-cache enable-watch').
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
TMPFILESDIR ?= /usr/lib/tmpfiles.d
PATHS_SED = -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
            -e 's|@STOREDIR@|$(STOREDIR)|g'
install-systemd:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSCONFDIR)/cron.d
	sed $(PATHS_SED) packaging/virt-name-cache-publish.service >$(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-publish.service
	sed $(PATHS_SED) packaging/virt-name-cache.tmpfiles >$(DESTDIR)$(TMPFILESDIR)/virt-name-cache.conf
	sed $(PATHS_SED) packaging/virt-name-cache-dns.service >$(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-dns.service
	sed $(PATHS_SED) packaging/virt-name-cache-dns.timer >$(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-dns.timer
	sed $(PATHS_SED) packaging/virt-name-cache.cron >$(DESTDIR)$(SYSCONFDIR)/cron.d/virt-name-cache
	sed $(PATHS_SED) packaging/virt-name-cache-watch.service >$(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-watch.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-publish.service $(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-dns.* \
	  $(DESTDIR)$(SYSTEMDUNITDIR)/virt-name-cache-watch.service \
	  $(DESTDIR)$(TMPFILESDIR)/virt-name-cache.conf $(DESTDIR)$(SYSCONFDIR)/cron.d/virt-name-cache
INSTALL_TARGETS += install-systemd

# The tree as committed plus local changes, without build outputs (in a
# tree that is not a git checkout: every file outside build*/).
pkg-tree:
	rm -rf $(PKG_TREE) && mkdir -p $(PKG_TREE)/virt-name-cache-$(VIRTNAME_VERSION)
	{ git ls-files -co --exclude-standard 2>/dev/null || \
	  find . \( -path './build*' -o -name .git \) -prune -o -type f -print | sed 's|^\./||'; } | \
	  grep -v '^build' | tar -cf - -T - | tar -xf - -C $(PKG_TREE)/virt-name-cache-$(VIRTNAME_VERSION)

DEBS = $(PKG_OUT)/libnss-virtname_$(VIRTNAME_VERSION)_*.deb $(PKG_OUT)/virt-name-cache_$(VIRTNAME_VERSION)_*.deb
deb: pkg-deps
	$(MAKE) pkg-tree
	cp -r packaging/debian $(PKG_TREE)/virt-name-cache-$(VIRTNAME_VERSION)/debian
	cd $(PKG_TREE)/virt-name-cache-$(VIRTNAME_VERSION) && dpkg-buildpackage -b -uc -us
	mkdir -p $(PKG_OUT) && mv $(PKG_TREE)/*.deb $(PKG_TREE)/*.changes $(PKG_TREE)/*.buildinfo $(PKG_OUT)/
	@echo "lintian --fail-on error $(DEBS)"
	@lintian --fail-on error $(DEBS) && echo "lintian: no errors"
	@ls $(DEBS)

rpm: pkg-deps
	$(MAKE) pkg-tree
	mkdir -p $(PKG_OUT)/rpm/SOURCES
	tar -czf $(PKG_OUT)/rpm/SOURCES/virt-name-cache-$(VIRTNAME_VERSION).tar.gz -C $(PKG_TREE) virt-name-cache-$(VIRTNAME_VERSION)
	rpmbuild -bb --nodeps $(RPMBUILD_FLAGS) --define "_topdir $(PKG_OUT)/rpm" \
	  $(if $(RPM_OPTFLAGS),--define "optflags $(RPM_OPTFLAGS)") packaging/virt-name-cache.spec
	@find $(PKG_OUT)/rpm/RPMS -name '*.rpm'
.PHONY: pkg-tree deb rpm install-systemd
