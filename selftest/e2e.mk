# selftest/e2e.mk - what the end-to-end tests run: Debian's libvirt
# daemon and client, the dnsmasq it starts, a DHCP client, and iptables
# for the network's firewall rules.
DEB_PACKAGES += libvirt-daemon-system libvirt-clients dnsmasq-base isc-dhcp-client iptables
