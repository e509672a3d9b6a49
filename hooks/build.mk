# hooks/: libvirt's network and qemu hooks and dnsmasq's lease helper.
HOOKS := network-hook qemu-hook daemon-hook lease-helper port-probe
HOOK_LIBDIR := $(LIBEXECDIR)/virt-name-cache
$(B)/hooks/%: $(B)/obj/hooks/%.o $(B)/obj/hooks/hook.o $(B)/obj/hooks/ask.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(XML_LIBS) $(HOOK_LIBS)
ALL += $(addprefix $(B)/hooks/,$(HOOKS))

# The programs go to libexec; libvirt's hook directories get symlinks, so
# a user's own /etc/libvirt/hooks/network or qemu script is never touched.
install-hooks: $(addprefix $(B)/hooks/,$(HOOKS))
	install -d $(DESTDIR)$(HOOK_LIBDIR) $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/network.d \
	  $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/daemon.d
	install -m 0755 $^ $(DESTDIR)$(HOOK_LIBDIR)/
	ln -sf $(HOOK_LIBDIR)/network-hook $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/network.d/virt-name-cache
	ln -sf $(HOOK_LIBDIR)/qemu-hook $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d/virt-name-cache
	ln -sf $(HOOK_LIBDIR)/daemon-hook $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/daemon.d/virt-name-cache
INSTALL_TARGETS += install-hooks

# The watcher (not a hook: an optional service) also talks to libvirt and
# the kernel's neighbour table.
$(B)/hooks/watch: $(B)/obj/hooks/watch.o $(B)/obj/hooks/hook.o $(B)/obj/hooks/ask.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS) $(XML_LIBS) $(VIRT_LIBS) $(MNL_LIBS)
ALL += $(B)/hooks/watch
install-watch: $(B)/hooks/watch
	install -d $(DESTDIR)$(HOOK_LIBDIR)
	install -m 0755 $^ $(DESTDIR)$(HOOK_LIBDIR)/
INSTALL_TARGETS += install-watch

# Of the hooks only the network hook talks to systemd-resolved
# (cache/derive/resolved.c); the others and the lease helper go without libsystemd.
$(B)/hooks/network-hook: $(addprefix $(B)/obj/,$(RESOLVED_SRCS:.c=.o))
$(B)/hooks/network-hook: HOOK_LIBS = $(SYSTEMD_LIBS)
# The lease helper is a front that answers the replays the ledger knows
# (cache/ingest/replay.h) with libc and tinycdb alone, and loads the rest,
# lease-record.so, for every other event (hooks/lease-helper.c): of
# libvirtname.a and hook.o it keeps only the functions it calls (--gc-sections), and
# a change that makes it need LMDB fails to link.
LEASE_FRONT_OBJS := $(addprefix $(B)/obj/hooks/,lease-helper.o lease-event.o hook.o)
$(B)/hooks/lease-helper: $(LEASE_FRONT_OBJS) $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--gc-sections -o $@ $^ $(CDB_LIBS)
$(B)/hooks/lease-record.so: $(addprefix $(B)/pic/hooks/,lease-record.o lease-event.o hook.o ask.o) \
                            $(B)/libvirtname-pic.a
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-z,relro,-z,now $(if $(filter 1,$(SAN)),,-Wl,-z,defs) $(LDFLAGS) -o $@ $^ \
	  $(LMDB_LIBS) $(XML_LIBS) $(CDB_LIBS)
ALL += $(B)/hooks/lease-record.so
# (0755 as rpm's strip and dependency scan want; dh_fixperms makes it 0644)
install-lease-record: $(B)/hooks/lease-record.so
	install -d $(DESTDIR)$(HOOK_LIBDIR)
	install -m 0755 $^ $(DESTDIR)$(HOOK_LIBDIR)/
INSTALL_TARGETS += install-lease-record
