# nss/: libnss_virtname.so.2 - the store's read side and the module, libc
# and liblmdb only.
NSS_SRCS := $(READ_SRCS) nss/snapshot.c nss/nss-virtname.c
$(B)/libnss_virtname.so.2: $(addprefix $(B)/pic/,$(NSS_SRCS:.c=.o)) nss/libnss_virtname.map
	$(CC) -shared -Wl,-soname,libnss_virtname.so.2 -Wl,--version-script=nss/libnss_virtname.map \
	  -Wl,-z,relro,-z,now -Wl,-z,defs -Wl,--as-needed $(LDFLAGS) -o $@ \
	  $(filter %.o,$^) $(LMDB_LIBS)
ALL += $(B)/libnss_virtname.so.2

install-nss: $(B)/libnss_virtname.so.2
	install -d $(DESTDIR)$(NSSDIR)
	install -m 0644 $< $(DESTDIR)$(NSSDIR)/libnss_virtname.so.2
INSTALL_TARGETS += install-nss
