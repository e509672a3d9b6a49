#!/usr/bin/env bash
# t-e2e-ipv6: DHCPv6 end to end.  Debian's libvirtd (in a network
# namespace of its own, with private state directories) starts a network
# with an IPv6 range in 2001:db8::/32 (and an IPv4 one in 198.18.16.0/24),
# its dnsmasq reports leases through our lease helper (`virt-name-cache
# enable`), and a "guest" namespace joined to the bridge runs the real
# ISC client, `dhclient -6`, sending a host name (the FQDN option).
# Checked: the AAAA answer through glibc, the reverse lookup of the IPv6
# address, that libvirt's own helper still gets the event, a libvirt
# domain with the guest's MAC resolving to the DHCPv6 lease, rebuilds
# (from libvirt and from its lease files) keeping it, ssh through our
# proxy over IPv6 TCP to sshd in the guest, a dual-stack guest, a guest
# whose DUID carries no MAC (DUID-EN, systemd-networkd's default), the
# leases dnsmasq restores when the network restarts, and the DHCPv6
# release.
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
#   dhclient -6 -1 -cf dhclient6.conf (send fqdn.fqdn "v6guest";) -sf script eth0
#   getent -s hosts:virtname ahostsv6 v6guest    (LD_LIBRARY_PATH=build, VIRT_NAME_CACHE_DIR=store)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
e2e_require dhclient ip6tables /usr/sbin/sshd ssh ssh-keygen
e2e_enter

S=$T/store H=vnc6h$$ G=vnc6g$$ G2=vnc6k$$ NET=e2enet6 BR=vnc6br0
MAC=52:54:00:16:00:66 MAC2=52:54:00:16:00:67 PREFIX=2001:db8:e2e:6
export VIRT_NAME_CACHE_DIR=$S
v6() { addrs_of "$S" ahostsv6 "$1" | tr ' ' '\n' | grep -v '^::ffff:' | xargs; }  # no v4-mapped
v4() { addrs_of "$S" ahostsv4 "$1"; }
cleanup() {
        set +e
        local p
        for p in "$T"/dhclient*.pid "$T/sshd.pid"; do [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
        virsh destroy e2evm6 >/dev/null 2>&1
        e2e_stop $NET
        ip netns del $G 2>/dev/null; ip netns del $G2 2>/dev/null
}
trap cleanup EXIT

e2e_private_libvirt
# The lease helper's events, for the record (and a failure's diagnosis).
cat >"$T/lease-helper" <<SH
#!/bin/sh
echo "\$* | \$(env | grep -E '^DNSMASQ_(MAC|IAID|LEASE_EXPIRES|DATA_MISSING)=' | sort | xargs)" >>$T/lease-events.log
export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_LOG_STDERR=1
exec $B/hooks/lease-helper "\$@"
SH
chmod 755 "$T/lease-helper"
e2e_start_libvirtd

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
# The bridge's IPv6 address must be usable (past DAD) before dnsmasq answers from it.
for i in $(seq 50); do
        ip -n $H -6 addr show dev $BR 2>/dev/null | grep -q "$PREFIX::1/64" &&
                ! ip -n $H -6 addr show dev $BR 2>/dev/null | grep -q tentative && break
        sleep 0.1
done

# dhclient -6 sends from the link-local address: it must exist and be
# past duplicate address detection (switched off here).
ipv6_up() {   # NS
        local i
        ip netns exec "$1" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.accept_dad=0
        ip -n "$1" link set eth0 down && ip -n "$1" link set eth0 up
        for i in $(seq 50); do
                ip -n "$1" -6 addr show dev eth0 scope link 2>/dev/null | grep -q "fe80::" &&
                        ! ip -n "$1" -6 addr show dev eth0 2>/dev/null | grep -q tentative && return
                sleep 0.1
        done
        fail "guest $1 has no usable link-local address"
}

# The guest: IPv6 only at first.
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
dhcp6() { ip netns exec $G timeout 60 dhclient -6 "$@" -cf "$T/dhclient6.conf" -lf "$T/dhclient6.leases" \
        -pf "$T/dhclient6.pid" -sf "$T/dhclient-script" eth0; }
dhcp4() { ip netns exec $G timeout 60 dhclient -4 "$@" -cf "$T/dhclient.conf" -lf "$T/dhclient.leases" \
        -pf "$T/dhclient4.pid" -sf "$T/dhclient-script" eth0; }

dhcp6 -1 -v >"$T/dhclient6.log" 2>&1 || { cat "$T/dhclient6.log"; fail "dhclient -6 got no lease"; }
addr=$(ip -n $G -6 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1)
echo "guest got $addr"
case $addr in $PREFIX::1[0-9a-f][0-9a-f]) ;; *) fail "unexpected DHCPv6 address '$addr'" ;; esac
for i in $(seq 300); do [ "$(v6 v6guest)" = "$addr" ] && break; sleep 0.01; done
expect_eq "AAAA: the guest's DHCPv6 host name" "$addr" "$(v6 v6guest)"
expect_eq "AAAA: with the network's DNS domain" "$addr" "$(v6 v6guest.e2e6.test)"
expect_eq "no IPv4 lease: no A answer" "" "$(v4 v6guest)"
expect_eq "getent hosts (gethostbyname2, AF_INET6 first)" "$addr v6guest" \
        "$(virtname_getent "$S" hosts v6guest | xargs)"
expect_eq "reverse lookup of $addr" "$addr v6guest.e2e6.test v6guest" \
        "$(virtname_getent "$S" hosts "$addr" | xargs)"
lease=$("$B/virt-name-cache" list --json | grep -A4 "\"address\": \"$addr\"")
grep -q "\"mac\": \"$MAC\"" <<<"$lease" || fail "the DHCPv6 lease lacks the guest's MAC (DNSMASQ_MAC): $lease"
pass "the DHCPv6 lease carries the guest's MAC (from DNSMASQ_MAC)"
# libvirt's helper writes its lease list after ours has recorded the
# event (ours runs it next): under load, a moment later.
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "$addr"' ||
        fail "libvirt's own lease list lacks the lease: $(virsh net-dhcp-leases $NET)"
pass "virsh net-dhcp-leases lists it too (libvirt's helper got the event)"

# A libvirt domain whose NIC has the guest's MAC: a real QEMU domain
# (TCG, no disk, its NIC's link down and without option ROM, so that it
# sends nothing) for which the namespace stands in on the network.  The
# qemu hook records it from libvirtd's live XML, and its domain name
# resolves to the DHCPv6 lease through the MAC.
target=v6guest
qemu_domain() {
        local emu=/usr/bin/qemu-system-x86_64
        [ -x $emu ] || { skip_part "domain part: $emu is not installed"; return; }
        cat >"$T/dom.xml" <<XML
<domain type='qemu'>
  <name>e2evm6</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>$emu</emulator>
    <interface type='network'>
      <source network='$NET'/>
      <mac address='$MAC'/>
      <model type='virtio'/>
      <rom enabled='no'/>
      <link state='down'/>
    </interface>
  </devices>
</domain>
XML
        virsh define "$T/dom.xml" >/dev/null || fail "define e2evm6"
        if ! virsh start e2evm6 >"$T/start.log" 2>&1; then
                skip_part "domain part: the domain cannot start here: $(tr '\n' ' ' <"$T/start.log")"
                return
        fi
        "$B/virt-name-cache" query e2evm6 | grep -q "^state: *running" || fail "qemu hook did not record e2evm6"
        expect_eq "domain name: AAAA of its MAC's DHCPv6 lease" "$addr" "$(v6 e2evm6)"
        expect_eq "domain name with the network's DNS domain" "$addr" "$(v6 e2evm6.e2e6.test)"
        expect_eq "reverse: the domain name now" "$addr e2evm6.e2e6.test e2evm6" \
                "$(virtname_getent "$S" hosts "$addr" | xargs)"
        target=e2evm6
}
qemu_domain

# dnsmasq reloads on SIGHUP (libvirtd sends one when it restarts, or on
# net-update) and reports every lease again as "old".
kill -HUP "$(cat /run/libvirt/network/$NET.pid)"
sleep 2
cat "$T/lease-events.log"
expect_eq "after dnsmasq's reload: AAAA of the host name" "$addr" "$(v6 v6guest)"
[ $target = e2evm6 ] && expect_eq "after dnsmasq's reload: the domain's AAAA" "$addr" "$(v6 e2evm6)"

# Rebuilds keep the DHCPv6 lease: from the libvirt API, and from the
# lease files when libvirt is unreachable.
rm -rf "$S"
"$B/virt-name-cache" rebuild --connect qemu:///system >/dev/null || fail "rebuild --connect"
expect_eq "rebuild --connect: AAAA" "$addr" "$(v6 v6guest)"
[ $target = e2evm6 ] && expect_eq "rebuild --connect: the domain's AAAA" "$addr" "$(v6 e2evm6)"
"$B/virt-name-cache" rebuild --leases-dir /var/lib/libvirt/dnsmasq >/dev/null 2>&1 ||
        fail "rebuild from the lease files"
expect_eq "rebuild from the lease files: AAAA" "$addr" "$(v6 v6guest)"
[ $target = e2evm6 ] && expect_eq "rebuild from the lease files: the domain's AAAA" "$addr" "$(v6 e2evm6)"
expect_eq "rebuild from the lease files: reverse" "$addr $target.e2e6.test $target" \
        "$(virtname_getent "$S" hosts "$addr" | xargs)"

# ssh through our proxy over IPv6 TCP: sshd in the guest on its DHCPv6
# address only, ssh on the host side (libvirtd's namespace).
mkdir -p /run/sshd && mount -t tmpfs -o mode=0755 tmpfs /run/sshd   # privilege separation, this namespace only
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$T/id" || fail "keygen"
cp "$T/id.pub" "$T/authorized_keys"
cat >"$T/sshd_config" <<CONF
ListenAddress $addr
Port 22
HostKey $T/hostkey
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF
ip netns exec $G /usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || fail "sshd: $(cat "$T/sshd.log")"
sed -e "s|@PROXY@|$B/proxy/ssh-proxy -v|" -e "s|~/.ssh/known_hosts.virt-name-cache|$T/known_hosts|" \
        "$TOP/proxy/20-virt-name-cache.conf" >"$T/ssh_config"
printf 'Host *\n    IdentityFile %s\n    BatchMode yes\n    ConnectTimeout 10\n' "$T/id" >>"$T/ssh_config"
out=$(ip netns exec $H ssh -F "$T/ssh_config" root@qemu/$target 'echo "$SSH_CONNECTION"' 2>"$T/ssh.err") ||
        fail "ssh root@qemu/$target: $(cat "$T/ssh.err")"
grep -q "connecting over TCP to $addr port 22" "$T/ssh.err" || fail "the proxy did not take IPv6 TCP: $(cat "$T/ssh.err")"
set -- $out
expect_eq "sshd saw the connection to its IPv6 address" "$addr 22" "$3 $4"
pass "ssh root@qemu/$target through the proxy, over IPv6 TCP"

# Dual stack: the same guest also takes a DHCPv4 lease with the same host name.
dhcp4 -1 -v >"$T/dhclient4.log" 2>&1 || { cat "$T/dhclient4.log"; fail "dhclient -4 got no lease"; }
addr4=$(ip -n $G -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
for i in $(seq 300); do [ "$(v4 v6guest)" = "$addr4" ] && break; sleep 0.01; done
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
ip netns exec $G2 timeout 60 dhclient -6 -1 -v -cf "$T/dhclient6k.conf" -lf "$T/dhclient6k.leases" \
        -pf "$T/dhclient6k.pid" -sf "$T/dhclient-script" eth0 >"$T/dhclient6k.log" 2>&1 ||
        { cat "$T/dhclient6k.log"; fail "dhclient -6 (DUID-EN) got no lease"; }
addr2=$(ip -n $G2 -6 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1)
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "00:02:00:00:ab:11:01:02:03:04:05:06:07:08"' ||
        fail "the guest did not send the DUID-EN: $(virsh net-dhcp-leases $NET)"
virsh net-dhcp-leases $NET | grep "$addr2"
for i in $(seq 300); do [ "$(v6 enguest)" = "$addr2" ] && break; sleep 0.01; done
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
: >"$T/lease-events.log"
virsh net-destroy $NET >/dev/null || fail "net-destroy"
expect_eq "network stopped: AAAA gone" "" "$(v6 v6guest)"
virsh net-start $NET >/dev/null || fail "net-start again"
ip -n $H link set vg6h master $BR; ip -n $H link set vg6k master $BR   # libvirt re-attaches only its own ports
for i in $(seq 100); do
        [ "$(bridge -n $H link show dev vg6h 2>/dev/null | grep -c 'state forwarding')" = 1 ] &&
                [ "$(bridge -n $H link show dev vg6k 2>/dev/null | grep -c 'state forwarding')" = 1 ] && break
        sleep 0.1
done
for i in $(seq 500); do
        [ "$(v6 v6guest)" = "$addr" ] && [ "$(v4 v6guest)" = "$addr4" ] && [ "$(v6 enguest)" = "$addr2" ] && break
        sleep 0.01
done
echo "lease helper events at the restart:"; cat "$T/lease-events.log"
expect_eq "network restarted: AAAA of the host name" "$addr" "$(v6 v6guest)"
expect_eq "network restarted: A of the host name" "$addr4" "$(v4 v6guest)"
grep -q "\"mac-address\": \"$MAC\"" /var/lib/libvirt/dnsmasq/$BR.status ||
        fail "libvirt's status file lost the MAC: $(cat /var/lib/libvirt/dnsmasq/$BR.status)"
lease=$("$B/virt-name-cache" list --json | grep -A4 "\"address\": \"$addr\"")
later "network restarted: the restored DHCPv6 lease keeps the guest's MAC (libvirt's status file has it)" \
        "\"mac\": \"$MAC\"," "$(grep -o '"mac": [^,]*,' <<<"$lease")"
if [ $target = e2evm6 ]; then
        expect_eq "network restarted: the domain's A" "$addr4" "$(v4 e2evm6)"
        later "network restarted: the domain's AAAA" "$addr" "$(v6 e2evm6)"
fi

# The DHCPv6 release removes the IPv6 lease and leaves the IPv4 one.
dhcp6 -r >>"$T/dhclient6.log" 2>&1
for i in $(seq 300); do [ -z "$(v6 v6guest)" ] && break; sleep 0.01; done
expect_eq "DHCPv6 release: AAAA gone" "" "$(v6 v6guest)"
expect_eq "DHCPv6 release: A kept" "$addr4" "$(v4 v6guest)"
virtname_getent "$S" hosts "$addr" >/dev/null && fail "released $addr still answers in reverse"
pass "released IPv6 address gone in reverse too"
wait_for 10 eval '! virsh net-dhcp-leases $NET | grep -q "$addr"' || fail "libvirt still lists the released lease"
dhcp4 -r >>"$T/dhclient4.log" 2>&1
expect_nothing_missed "$S"
[ ${#defects[@]} = 0 ] || fail "$(printf '%s; ' "${defects[@]}")"
