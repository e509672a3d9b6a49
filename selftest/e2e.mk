# selftest/e2e.mk - what the end-to-end tests run: Debian's libvirt
# daemon and client, the dnsmasq it starts, a DHCP client, iptables for
# the network's firewall rules, and QEMU to start a real domain (TCG).
# libvirt-daemon-system needs -systemd or -sysv: where systemd is not
# running (a container, a fresh debootstrap) -sysv, which spares
# systemd-container; the tests start libvirtd themselves either way.
LIBVIRT_INIT := $(if $(wildcard /run/systemd/system),libvirt-daemon-system-systemd|libvirt-daemon-system-sysv,libvirt-daemon-system-sysv|libvirt-daemon-system-systemd)
TEST_PACKAGES += libvirt-daemon-system $(LIBVIRT_INIT) libvirt-clients dnsmasq-base isc-dhcp-client \
                 iptables qemu-system-x86
