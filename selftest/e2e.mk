# selftest/e2e.mk - what the end-to-end tests run: Debian's libvirt
# daemon and client, the dnsmasq it starts, a DHCP client, iptables for
# the network's firewall rules, and QEMU to start a real domain (TCG).
DEB_PACKAGES += libvirt-daemon-system libvirt-clients dnsmasq-base isc-dhcp-client iptables qemu-system-x86
