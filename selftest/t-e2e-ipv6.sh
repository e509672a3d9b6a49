#!/usr/bin/env bash
# t-e2e-ipv6: DHCPv6 end to end.  Debian's libvirtd (in a network
# namespace of its own, with private state directories: lib-e2e.sh)
# starts a network with an IPv6 range in 2001:db8::/32 (and an IPv4 one
# in 198.18.16.0/24), its dnsmasq reports leases through our lease helper
# (`virt-name-cache enable`).  A "guest" namespace joined to the bridge
# runs the real ISC client, `dhclient -6`, sending a host name (the FQDN
# option); a real Linux guest (lib-guest.sh) behind the domain's tap
# takes a DHCPv6 lease only (dhcp-forge as its client) and answers
# neighbour solicitations for it on its own port.
# Checked: the AAAA answer through glibc, the reverse lookup of the IPv6
# address, that libvirt's own helper still gets the event, the domain's
# name following its DHCPv6 lease once its port answered (timed), the
# MAC dnsmasq passes (DNSMASQ_MAC), rebuilds (from libvirt: the ports
# asked again; from its lease files: no port known, so the domain's name
# waits for the next rebuild from libvirt, and query says so), ssh
# through our proxy over IPv6 TCP to the guest's sshd (its key pinned),
# a dual-stack guest, a guest whose DUID carries no MAC (DUID-EN,
# systemd-networkd's default), the leases dnsmasq restores when the
# network restarts, and the DHCPv6 release.
#
# DHCPv6 here, as found on Debian 12 (libvirt 9.0, dnsmasq 2.90, ISC
# dhclient 4.4):
#  - libvirt writes dhcp-range=START,END,64 and enable-ra for the <ip
#    family='ipv6'> range; dnsmasq answers Solicits on the bridge.
#  - dhclient -6 sends from the guest's link-local address, so that must
#    be past duplicate address detection first (accept_dad=0 here).
#  - dnsmasq runs the dhcp-script as `add DUID ADDRESS HOSTNAME`; the
#    guest's MAC comes in DNSMASQ_MAC, which dnsmasq takes from its
#    neighbour cache or the DUID; dhclient's default DUID is DUID-LLT,
#    built from the interface's MAC.
#  - DHCPv6 assigns a /128; the guest's script puts it on with /64 so
#    that the host's bridge address is on-link without waiting for RAs.
#
# By hand (as root), the same steps are those of t-e2e-libvirt (see
# selftest/README.md) with this network and, in the guest namespace:
#   sysctl -w net.ipv6.conf.eth0.accept_dad=0; ip link set eth0 up
#   dhclient -6 -d -1 -cf dhclient6.conf (send fqdn.fqdn "v6guest";) -sf script eth0 &
#   getent -s hosts:virtname ahostsv6 v6guest    (LD_LIBRARY_PATH=build, VIRT_NAME_CACHE_DIR=store)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require dhclient ip6tables /usr/bin/qemu-system-x86_64 /usr/sbin/sshd ssh ssh-keygen
e2e_enter

S=$T/store H=vnc6h$$ G=vnc6g$$ G2=vnc6k$$ NET=e2enet6 BR=vnc6br0
MAC=52:54:00:16:00:66 MAC2=52:54:00:16:00:67 VMMAC=52:54:00:16:00:76 PREFIX=2001:db8:e2e:6
VMUUID=6c1b2a30-5e2e-4c0a-9d11-0e2e00000076
LOG=$T/lease-helper.log
export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_SESSION_DIR=$T/nosession VIRT_NAME_CACHE_KNOWN_HOSTS=$T/known_hosts
v6() { addrs_of "$S" ahostsv6 "$1" | tr ' ' '\n' | grep -v '^::ffff:' | xargs; }  # no v4-mapped
v4() { addrs_of "$S" ahostsv4 "$1"; }
rev() { virtname_getent "$S" hosts "$1" | xargs; }
cleanup() {
        set +e
        virsh destroy e2evm6 >/dev/null 2>&1
        [ -s /run/libvirt/qemu/e2evm6.pid ] && kill "$(cat /run/libvirt/qemu/e2evm6.pid)" 2>/dev/null
        e2e_stop $NET
        ip netns del $G 2>/dev/null; ip netns del $G2 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

chmod 711 "$T"                          # libvirt-qemu reads the guest below it
guest_build "$T/guest"
e2e_private_libvirt
e2e_start_libvirtd
# The bridge's IPv6 address usable at once: dnsmasq answers from it.
ip netns exec $H sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0

cat >"$T/net.xml" <<XML
<network>
  <name>$NET</name>
  <bridge name='$BR' stp='off' delay='0'/>
  <domain name='e2e6.test'/>
  <ip address='198.18.16.1' netmask='255.255.255.0'>
    <dhcp><range start='198.18.16.100' end='198.18.16.200'/></dhcp>
  </ip>
  <ip family='ipv6' address='$PREFIX::1' prefix='64'>
    <dhcp><range start='$PREFIX::100' end='$PREFIX::1ff'/></dhcp>
  </ip>
</network>
XML
virsh net-define "$T/net.xml" >/dev/null || fail "net-define"
"$B/virt-name-cache" enable $NET --helper "$T/lease-helper" >/dev/null || fail "enable"
virsh net-start $NET >/dev/null || fail "net-start: $(tail -5 "$T/libvirtd.log")"
conf=/var/lib/libvirt/dnsmasq/$NET.conf
grep -q "^dhcp-script=$T/lease-helper" $conf || fail "dnsmasq config lacks the helper"
grep -q "^dhcp-range=$PREFIX::100,$PREFIX::1ff" $conf || fail "no DHCPv6 range in $(cat $conf)"
echo "dnsmasq: $(grep -E '^(dhcp-range|enable-ra)' $conf | xargs)"

# dhclient -6 sends from the link-local address: it must exist and be
# past duplicate address detection (switched off here).
ipv6_up() {   # NS
        ip netns exec "$1" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.accept_dad=0
        ip -n "$1" link set eth0 down && ip -n "$1" link set eth0 up
        wait_for 10 eval "ip -n $1 -6 addr show dev eth0 scope link 2>/dev/null | grep -q fe80:: &&
                ! ip -n $1 -6 addr show dev eth0 2>/dev/null | grep -q tentative" ||
                fail "guest $1 has no usable link-local address"
}

# The guest namespace: IPv6 only at first.
e2e_guest $G vg6h $MAC $BR
ipv6_up $G
cat >"$T/dhclient6.conf" <<CONF
send fqdn.fqdn "v6guest";
send fqdn.server-update off;
CONF
cat >"$T/dhclient.conf" <<CONF
send host-name "v6guest";
CONF
# Only the guest namespace's addresses change, never this machine's
# resolv.conf or routes.
cat >"$T/dhclient-script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/24" dev "$interface" ;;
RELEASE|EXPIRE|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/24" dev "$interface" ;;
BOUND6|RENEW6|REBIND6|REBOOT6) ip -6 addr replace "$new_ip6_address/64" dev "$interface" nodad ;;
RELEASE6|EXPIRE6|STOP6) [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/64" dev "$interface" ;;
esac
exit 0
SCRIPT
chmod 755 "$T/dhclient-script"
dhcp6() { e2e_dhclient dhclient6 $G -6 -cf "$T/dhclient6.conf" -sf "$T/dhclient-script" eth0; }
dhcp4() { e2e_dhclient dhclient4 $G -4 -cf "$T/dhclient.conf" -sf "$T/dhclient-script" eth0; }

# (dhclient -6 says "Bound to" before its script has put the address on)
global6() { ip -n "$1" -6 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1; }
dhcp6 || fail "dhclient -6 got no lease"
wait_for 10 eval '[ -n "$(global6 $G)" ]' || fail "dhclient -6 put no address on eth0"
addr=$(global6 $G)
echo "guest got $addr"
case $addr in $PREFIX::1[0-9a-f][0-9a-f]) ;; *) fail "unexpected DHCPv6 address '$addr'" ;; esac
wait_for 10 eval '[ "$(v6 v6guest)" = "$addr" ]'
expect_eq "AAAA: the guest's DHCPv6 host name" "$addr" "$(v6 v6guest)"
expect_eq "AAAA: with the network's DNS domain" "$addr" "$(v6 v6guest.e2e6.test)"
expect_eq "no IPv4 lease: no A answer" "" "$(v4 v6guest)"
expect_eq "getent hosts (gethostbyname2, AF_INET6 first)" "$addr v6guest" \
        "$(virtname_getent "$S" hosts v6guest | xargs)"
expect_eq "reverse lookup of $addr" "$addr v6guest.e2e6.test v6guest" "$(rev "$addr")"
lease=$("$B/virt-name-cache" list --json | grep -A4 "\"address\": \"$addr\"")
grep -q "\"mac\": \"$MAC\"" <<<"$lease" || fail "the DHCPv6 lease lacks the guest's MAC (DNSMASQ_MAC): $lease"
pass "the DHCPv6 lease carries the guest's MAC (from DNSMASQ_MAC)"
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "$addr"' ||
        fail "libvirt's own lease list lacks the lease: $(virsh net-dhcp-leases $NET)"
pass "virsh net-dhcp-leases lists it too (libvirt's helper got the event)"

# The domain: a real guest with a DHCPv6 lease only (dhcp-forge as its
# client, DUID-LL, FQDN option) and sshd; its name follows the lease once
# its port answered a neighbour solicitation for it.
guest_domain_xml e2evm6 $VMMAC $NET --uuid $VMUUID --host vm6host --no-dhcp4 --dhcp6 >"$T/dom.xml"
virsh define "$T/dom.xml" >/dev/null || fail "define e2evm6"
virsh start e2evm6 >"$T/start.log" 2>&1 || fail "e2evm6 cannot start: $(cat "$T/start.log")"
"$B/virt-name-cache" query e2evm6 | grep -q "^state: *running" || fail "qemu hook did not record e2evm6"
vm6=$(guest_wait e2evm6 "lease6 " 180) || fail "e2evm6 got no DHCPv6 lease"
ms=$(e2e_name_after_lease e2evm6 "$vm6") || fail "e2evm6's name never resolved to $vm6: $("$B/virt-name-cache" query e2evm6)"
echo "timing: e2evm6's AAAA through glibc $ms ms after dnsmasq's lease event (its port asked, NDP answered)"
expect_eq "domain name: AAAA of its DHCPv6 lease" "$vm6" "$(v6 e2evm6)"
expect_eq "domain name with the network's DNS domain" "$vm6" "$(v6 e2evm6.e2e6.test)"
expect_eq "no DHCPv4 lease: no A answer" "" "$(v4 e2evm6)"
expect_eq "reverse: the domain name" "$vm6 e2evm6.e2e6.test e2evm6" "$(rev "$vm6")"
expect_eq "its guest's host name (its claim)" "$vm6" "$(v6 vm6host)"
helper_has_mac() { grep -qE "^add [^ ]+ $vm6 .*DNSMASQ_MAC=$VMMAC " "$LOG"; }
helper_has_mac || fail "dnsmasq passed no DNSMASQ_MAC=$VMMAC for $vm6: $(grep " $vm6 " "$LOG")"
"$B/virt-name-cache" query e2evm6 | grep -q "^    evidence: its domain's port $(guest_tap e2evm6) answered for it" ||
        fail "query e2evm6: $("$B/virt-name-cache" query e2evm6)"
guest_wait e2evm6 ready 120 >/dev/null || fail "e2evm6's /init did not finish"

# dnsmasq reloads on SIGHUP (libvirtd sends one when it restarts, or on
# net-update) and reports every lease again as "old".
n=$(wc -l <"$LOG")
kill -HUP "$(cat /run/libvirt/network/$NET.pid)"
wait_for 10 eval '[ "$(tail -n +$((n + 1)) "$LOG" | grep -c "^old ")" -ge 2 ]' ||
        fail "dnsmasq reported nothing after SIGHUP: $(tail -n +$((n + 1)) "$LOG")"
echo "after SIGHUP:"; tail -n +$((n + 1)) "$LOG" | sed 's/^/  /'
expect_eq "after dnsmasq's reload: AAAA of the host name" "$addr" "$(v6 v6guest)"
expect_eq "after dnsmasq's reload: the domain's AAAA" "$vm6" "$(v6 e2evm6)"

# Rebuilds keep the DHCPv6 lease: from the libvirt API (in libvirtd's
# namespace: the running domain's port is asked again), and from the
# lease files (--leases-dir).
rm -rf "$S"
ip netns exec $H "$B/virt-name-cache" rebuild --connect qemu:///system >/dev/null || fail "rebuild --connect"
expect_eq "rebuild --connect: AAAA" "$addr" "$(v6 v6guest)"
expect_eq "rebuild --connect: the domain's AAAA (its port asked)" "$vm6" "$(v6 e2evm6)"
"$B/virt-name-cache" rebuild --leases-dir /var/lib/libvirt/dnsmasq >/dev/null 2>&1 ||
        fail "rebuild from the lease files"
expect_eq "rebuild from the lease files: AAAA" "$addr" "$(v6 v6guest)"
expect_eq "rebuild from the lease files: reverse" "$addr v6guest.e2e6.test v6guest" "$(rev "$addr")"
# The files know no ports: the domain's name waits for libvirt's word.
expect_eq "rebuild from the lease files: the domain's AAAA waits (no port known)" "" "$(v6 e2evm6)"
"$B/virt-name-cache" query e2evm6 | grep -q "evidence: a DHCP claim: domain e2evm6 is not known to run (its port is not known)" ||
        fail "query e2evm6 after a rebuild from the files: $("$B/virt-name-cache" query e2evm6)"
ip netns exec $H "$B/virt-name-cache" rebuild --connect qemu:///system >/dev/null || fail "rebuild --connect"
expect_eq "rebuild --connect again: the domain's AAAA" "$vm6" "$(v6 e2evm6)"
pass "rebuilds: from libvirt with the ports asked; from the files, domain names wait for libvirt (query says why)"

# ssh through our proxy over IPv6 TCP to the guest's sshd, from the host
# side (libvirtd's namespace); its host key pinned on first use.
sed -e "s|@PROXY@|$B/proxy/ssh-proxy -v|" "$TOP/proxy/20-virt-name-cache.conf" >"$T/ssh_config"
printf 'Host *\n    IdentityFile %s\n    IdentitiesOnly yes\n    BatchMode yes\n    ConnectTimeout 30\n' \
        "$GUEST_DIR/id_ed25519" >>"$T/ssh_config"
out=$(ip netns exec $H ssh -F "$T/ssh_config" root@qemu/e2evm6 'echo "$SSH_CONNECTION"; hostname' 2>"$T/ssh.err") ||
        fail "ssh root@qemu/e2evm6: $(cat "$T/ssh.err")"
grep -q "connecting over TCP to $vm6 port 22" "$T/ssh.err" || fail "the proxy did not take IPv6 TCP: $(cat "$T/ssh.err")"
set -- $out
expect_eq "sshd in e2evm6 saw the connection to its IPv6 address" "$vm6 22 vm6host" "$3 $4 $5"
expect_eq "the key pinned: the guest's" "virt-name-cache:$VMUUID $(cut -d' ' -f1,2 "$GUEST_DIR/ssh_host_ed25519_key.pub")" \
        "$(cut -d' ' -f1-3 "$T/known_hosts")"
pass "ssh root@qemu/e2evm6 through the proxy, over IPv6 TCP, its key pinned"

# Dual stack: the namespace guest also takes a DHCPv4 lease with the same
# host name.
dhcp4 || fail "dhclient -4 got no lease"
addr4=$(ip -n $G -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
wait_for 10 eval '[ "$(v4 v6guest)" = "$addr4" ]'
expect_eq "dual stack: A" "$addr4" "$(v4 v6guest)"
expect_eq "dual stack: AAAA" "$addr" "$(v6 v6guest)"
expect_eq "dual stack: both through getaddrinfo" "$(printf '%s\n' "$addr4" "$addr" | sort | xargs)" \
        "$(addrs_of "$S" ahosts v6guest)"

# A guest whose DUID does not contain its MAC: DUID-EN, as
# systemd-networkd sends by default (enterprise number 43793); dhclient
# takes it from its lease file.  dnsmasq then knows the MAC only from
# its neighbour cache, and still passes it in DNSMASQ_MAC.
e2e_guest $G2 vg6k $MAC2 $BR
ipv6_up $G2
printf 'default-duid "%s";\n' '\000\002\000\000\253\021\001\002\003\004\005\006\007\010' >"$T/dhclient6k.leases"
printf 'send fqdn.fqdn "enguest";\nsend fqdn.server-update off;\n' >"$T/dhclient6k.conf"
e2e_dhclient dhclient6k $G2 -6 -cf "$T/dhclient6k.conf" -sf "$T/dhclient-script" eth0 || fail "dhclient -6 (DUID-EN) got no lease"
wait_for 10 eval '[ -n "$(global6 $G2)" ]' || fail "dhclient -6 (DUID-EN) put no address on eth0"
addr2=$(global6 $G2)
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "00:02:00:00:ab:11:01:02:03:04:05:06:07:08"' ||
        fail "the guest did not send the DUID-EN: $(virsh net-dhcp-leases $NET)"
virsh net-dhcp-leases $NET | grep "$addr2"
wait_for 10 eval '[ "$(v6 enguest)" = "$addr2" ]'
expect_eq "DUID-EN guest: AAAA" "$addr2" "$(v6 enguest)"
lease=$("$B/virt-name-cache" list --json | grep -A4 "\"address\": \"$addr2\"")
grep -q "\"mac\": \"$MAC2\"" <<<"$lease" || fail "the DUID-EN lease lacks the guest's MAC: $lease"
pass "DUID-EN guest: the lease carries its MAC (dnsmasq's neighbour cache)"

# The network restarts: its names go with it (network hook), and dnsmasq
# restores the leases libvirt's helper kept, reporting each as "old" --
# without DNSMASQ_MAC for DHCPv6 leases: dnsmasq's lease database has no
# MAC for them.  (libvirt's own helper then keeps the entry it has, MAC
# included.)  A failure here is noted, and the rest still runs.
defects=()
later() {   # WHAT EXPECTED ACTUAL: like expect_eq, failing at the end
        if [ "$2" = "$3" ]; then pass "$1"; else echo "FAIL: $1: expected [$2], got [$3]"; defects+=("$1"); fi
}
n=$(wc -l <"$LOG")
virsh net-destroy $NET >/dev/null || fail "net-destroy"
expect_eq "network stopped: AAAA gone" "" "$(v6 v6guest)"
expect_eq "network stopped: the domain's AAAA gone" "" "$(v6 e2evm6)"
virsh net-start $NET >/dev/null || fail "net-start again"
ip -n $H link set vg6h master $BR; ip -n $H link set vg6k master $BR   # libvirt re-attaches only its own ports
restored() { [ "$(v6 v6guest)" = "$addr" ] && [ "$(v4 v6guest)" = "$addr4" ] && [ "$(v6 enguest)" = "$addr2" ]; }
wait_for 30 restored
echo "lease helper events at the restart:"; tail -n +$((n + 1)) "$LOG" | sed 's/^/  /'
expect_eq "network restarted: AAAA of the host name" "$addr" "$(v6 v6guest)"
expect_eq "network restarted: A of the host name" "$addr4" "$(v4 v6guest)"
grep -q "\"mac-address\": \"$MAC\"" /var/lib/libvirt/dnsmasq/$BR.status ||
        fail "libvirt's status file lost the MAC: $(cat /var/lib/libvirt/dnsmasq/$BR.status)"
lease=$("$B/virt-name-cache" list --json | grep -A4 "\"address\": \"$addr\"")
later "network restarted: the restored DHCPv6 lease keeps the guest's MAC (libvirt's status file has it)" \
        "\"mac\": \"$MAC\"," "$(grep -o '"mac": [^,]*,' <<<"$lease")"
# The domain's port is asked again (a new start of its network).
wait_for 30 eval '[ "$(v6 e2evm6)" = "$vm6" ]'
later "network restarted: the domain's AAAA (its port asked again)" "$vm6" "$(v6 e2evm6)"

# The DHCPv6 release removes the IPv6 lease and leaves the IPv4 one.
e2e_dhclient_release dhclient6 $G -6 -cf "$T/dhclient6.conf" -sf "$T/dhclient-script" eth0
wait_for 10 eval '[ -z "$(v6 v6guest)" ]'
expect_eq "DHCPv6 release: AAAA gone" "" "$(v6 v6guest)"
expect_eq "DHCPv6 release: A kept" "$addr4" "$(v4 v6guest)"
virtname_getent "$S" hosts "$addr" >/dev/null && fail "released $addr still answers in reverse"
pass "released IPv6 address gone in reverse too"
wait_for 10 eval '! virsh net-dhcp-leases $NET | grep -q "$addr"' || fail "libvirt still lists the released lease"
e2e_dhclient_release dhclient4 $G -4 -cf "$T/dhclient.conf" -sf "$T/dhclient-script" eth0
expect_nothing_missed "$S"
[ ${#defects[@]} = 0 ] || fail "$(printf '%s; ' "${defects[@]}")"
