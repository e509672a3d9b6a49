#!/usr/bin/env bash
# t-guest: the real-guest infrastructure of the issue-17 tests, proven
# with real components.  Debian's libvirtd (lib-e2e.sh: its own network
# namespace, private state, our hooks, the lease helper wrapper logging
# what dnsmasq passed) runs a network with DHCPv4 (198.18.17.0/24) and
# DHCPv6 (2001:db8:17::/64); lib-guest.sh builds a Linux guest (Debian's
# kernel, busybox-static, OpenSSH's sshd, the static dhcp-forge) and two
# TCG domains boot it:
#   vncg1  sends host name "guestone": its DHCPv4 lease with that name in
#          `virsh net-dhcp-leases` and the helper's log, its DHCPv6 lease
#          (dhcp-forge as the client), ARP and NDP answers on its own tap
#          (neigh-probe; not on another port, not for an address it does
#          not have), ssh from the host namespace with the known host key
#          (and refused with another key)
#   A      a veth namespace runs dhcp-forge against dnsmasq: (a) chaddr =
#          vncg1's MAC, (b) DHCPRELEASE of vncg1's lease, (c) a RELAY-FORW
#          with option 79 = vncg1's MAC, (d) 5 fresh DUIDs, (e) htype 6;
#          each seen in net-dhcp-leases, the lease file or the helper log
#   vncg2  its NIC has libvirt's clean-traffic filter; its /init runs a
#          command (output on the console); over ssh it runs attack (a)
#          against vncg1: the forged DHCP passes the filter (its counters
#          say so); the same with a forged Ethernet source is dropped
# Timings printed: the build, each boot to its lease, ssh.
#
# By hand: the set-up of t-e2e-libvirt (selftest/README.md), then
#   . selftest/lib.sh; . selftest/lib-e2e.sh; . selftest/lib-guest.sh
#   guest_build /tmp/g; guest_domain_xml g1 52:54:00:17:01:01 NET --host one >g1.xml
#   virsh define g1.xml; virsh start g1; guest_wait_lease g1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require /usr/bin/qemu-system-x86_64 ssh ssh-keygen /usr/sbin/sshd
for p in dhcp-forge dhcp-forge.static neigh-probe; do
        [ -x "$B/selftest/$p" ] || fail "build first: make ($B/selftest/$p is missing)"
done
e2e_enter

S=$T/store H=vngh$$ A=vnga$$ NET=guestnet BR=vncgbr0
M1=52:54:00:17:01:01 M2=52:54:00:17:02:02 MA=52:54:00:17:0a:0a MS=52:54:00:17:0b:0b
V4=198.18.17 V6=2001:db8:17: STATIC6=2001:db8:17::11
export VIRT_NAME_CACHE_DIR=$S
LOG=$T/lease-helper.log
cleanup() {
        set +e
        local d
        for d in vncg1 vncg2; do virsh destroy $d >/dev/null 2>&1; done
        for d in vncg1 vncg2; do
                [ -s /run/libvirt/qemu/$d.pid ] && kill "$(cat /run/libvirt/qemu/$d.pid)" 2>/dev/null
        done
        e2e_stop $NET
        ip netns del $A 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# wait_until SECONDS COMMAND...: poll every 0.2 s.
wait_until() {
        local end=$((SECONDS + $1))
        shift
        until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done
}
leases() { virsh net-dhcp-leases $NET; }
# has_lease ADDRESS MAC [HOSTNAME]: net-dhcp-leases lists it so.
has_lease() {
        leases | awk -v a="$1" -v m="$2" -v h="${3:-}" \
                '$3 == m && index($5, a "/") == 1 && (h == "" || $6 == h) { f = 1 } END { exit !f }'
}
# helper_has REGEX: the lease helper was called so (its log).
helper_has() { grep -qE "$1" "$LOG" 2>/dev/null; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- the guest image --------------------------------------------------------
chmod 711 "$T"                          # libvirt-qemu reads the guest below it
guest_build "$T/guest"
echo "timing: guest build $GUEST_BUILD_SECONDS s (cache: $GUEST_CACHE)"

# --- libvirtd and the network ------------------------------------------------
e2e_private_libvirt
e2e_start_libvirtd
cat >"$T/net.xml" <<XML
<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>$NET</name>
  <forward mode='open'/>
  <bridge name='$BR' stp='off' delay='0'/>
  <mac address='52:54:00:17:00:01'/>
  <domain name='guest.test'/>
  <ip address='$V4.1' netmask='255.255.255.0'>
    <dhcp><range start='$V4.100' end='$V4.199'/></dhcp>
  </ip>
  <ip family='ipv6' address='$V6:1' prefix='64'>
    <dhcp><range start='$V6:100' end='$V6:1ff'/></dhcp>
  </ip>
  <dnsmasq:options><dnsmasq:option value='no-ping'/></dnsmasq:options>
</network>
XML
# The bridge's IPv6 address without duplicate address detection: usable
# (dnsmasq answers DHCPv6 from it) as soon as the first tap gives carrier.
ip netns exec $H sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
virsh net-define "$T/net.xml" >/dev/null || fail "net-define"
"$B/virt-name-cache" enable $NET --no-dns --helper "$T/lease-helper" >/dev/null || fail "enable"
virsh net-start $NET >/dev/null || fail "net-start: $(tail -5 "$T/libvirtd.log")"

# --- vncg1: boot, DHCPv4 with its host name, DHCPv6 ---------------------------
guest_domain_xml vncg1 $M1 $NET --tap vncg1t --host guestone --dhcp6 --v6 $STATIC6/64 >"$T/vncg1.xml"
virsh define "$T/vncg1.xml" >/dev/null || fail "define vncg1"
t0=$(date +%s%N)
virsh start vncg1 >"$T/start.log" 2>&1 || fail "start vncg1: $(cat "$T/start.log")"
echo "timing: vncg1 define+start (QEMU capabilities probe included) $(ms $t0) ms"
t0=$(date +%s%N)
A1=$(guest_wait_lease vncg1) || fail "vncg1 got no DHCPv4 lease"
boot1=$(ms $t0)
echo "timing: vncg1 start to DHCPv4 lease (its console) $boot1 ms"
case $A1 in $V4.1[0-9][0-9]) ;; *) fail "vncg1's address $A1 is not from the range" ;; esac
wait_until 60 has_lease $A1 $M1 guestone || fail "net-dhcp-leases lacks $A1 $M1 guestone: $(leases)"
pass "vncg1's DHCPv4 lease with the host name it sent: $(leases | grep " $A1/" | xargs)"
helper_has "^add $M1 $A1 guestone .*DNSMASQ_SUPPLIED_HOSTNAME=guestone" ||
        fail "the lease helper's log lacks vncg1's add: $(cat "$LOG")"
pass "the lease helper got add $M1 $A1 guestone"
A16=$(guest_wait vncg1 "lease6 " 120) || fail "vncg1 got no DHCPv6 lease"
echo "timing: vncg1 start to DHCPv6 lease $(ms $t0) ms"
wait_until 60 has_lease $A16 $M1 guestone || fail "net-dhcp-leases lacks $A16 $M1 guestone: $(leases)"
pass "vncg1's DHCPv6 lease (dhcp-forge in the guest) with its host name and MAC: $A16"
guest_wait vncg1 ready 120 >/dev/null || fail "vncg1's /init did not finish"

# --- vncg1 answers ARP and NDP on its own tap, and only for its addresses ------
TAP1=$(guest_tap vncg1)
expect_eq "vncg1's tap" vncg1t "$TAP1"
# (up to 20 s: a TCG guest under load is slow)
probe() { ip netns exec $H "$B/selftest/neigh-probe" "$@" --tries 40; }
out=$(probe $TAP1 $A1) || fail "no ARP answer for $A1 on $TAP1: $out"
grep -q "^reply $A1 from $M1 " <<<"$out" || fail "ARP answer not from $M1: $out"
pass "ARP on $TAP1: $out"
for a in $STATIC6 $A16; do
        out=$(probe $TAP1 $a) || fail "no neighbour advertisement for $a on $TAP1: $out"
        grep -q "^reply $a from $M1 " <<<"$out" || fail "NA not from $M1: $out"
        pass "NDP on $TAP1: $out"
done
out=$(ip netns exec $H "$B/selftest/neigh-probe" $TAP1 $V4.250 --tries 4) && fail "an answer for $V4.250, which nobody has: $out"
pass "no ARP answer for an address vncg1 does not have ($out)"
# The store's own prober (cache/ingest/probe.h) agrees about the real guest.
if [ -x "$B/selftest/probe-port" ]; then
        out=$(ip netns exec $H "$B/selftest/probe-port" $TAP1 $M1 20000 $A1 $STATIC6 $A16 | xargs)
        expect_eq "probe-port on $TAP1 (the store's prober)" \
                "$A1 answered $STATIC6 answered $A16 answered" "$out"
        expect_eq "probe-port on $TAP1 for an address vncg1 lacks" "$V4.250 silent" \
                "$(ip netns exec $H "$B/selftest/probe-port" $TAP1 $M1 3000 $V4.250 | xargs)"
fi

# --- ssh from the host namespace, host key known from the build ---------------
t0=$(date +%s%N)
out=$(guest_ssh $A1 'cat /proc/sys/kernel/hostname; id -u' 2>&1) || fail "ssh root@$A1: $out"
expect_eq "ssh root@$A1 runs a command in vncg1" "guestone 0" "$(xargs <<<"$out")"
echo "timing: ssh connection and command $(ms $t0) ms"
out=$(guest_ssh $STATIC6 'echo v6' 2>&1) || fail "ssh root@$STATIC6: $out"
expect_eq "ssh over IPv6 to $STATIC6" v6 "$out"
ssh-keygen -q -t ed25519 -N '' -f "$T/otherkey"
echo "* $(cut -d' ' -f1,2 "$T/otherkey.pub")" >"$T/other_known_hosts"
out=$(ip netns exec $H ssh -F /dev/null -i "$GUEST_DIR/id_ed25519" -o UserKnownHostsFile="$T/other_known_hosts" \
        -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes root@$A1 true 2>&1) &&
        fail "ssh accepted a host key it did not know"
grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED\|Host key verification failed" <<<"$out" ||
        fail "ssh with another known key failed otherwise: $out"
pass "ssh refuses vncg1 when another host key is expected"

# --- dhcp-forge from a veth namespace: (a)-(e) against dnsmasq ------------------
e2e_guest $A vnga0 $MA $BR
ip netns exec $A sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip -n $A link set eth0 down && ip -n $A link set eth0 up
wait_until 30 eval "ip -n $A -6 addr show dev eth0 scope link 2>/dev/null | grep -q fe80" || fail "$A has no link-local address"
forge() { ip netns exec $A "$B/selftest/dhcp-forge" eth0 "$@"; }

# (a) chaddr = vncg1's MAC, own source MAC and client id
out=$(forge v4 --chaddr $M1 --hostname evil-a) || fail "(a) chaddr spoof: $out"
AA=$(sed -n 's/^ack //p' <<<"$out")
wait_until 30 helper_has "^add $M1 $AA evil-a " || fail "(a) the helper got no add of $M1: $(cat "$LOG")"
wait_until 30 has_lease $AA $M1 evil-a || fail "(a) net-dhcp-leases: $(leases)"
pass "(a) chaddr spoof from $MA: dnsmasq leased $AA to vncg1's MAC $M1 as evil-a (helper log, net-dhcp-leases)"

# (b) DHCPRELEASE of vncg1's lease (its chaddr and udhcpc's client id 01:MAC)
out=$(forge release --chaddr $M1 --addr $A1 --server $V4.1) || fail "(b) release: $out"
wait_until 30 helper_has "^del $M1 $A1( |$)" || fail "(b) the helper got no del of $A1: $(cat "$LOG")"
wait_until 30 eval "! has_lease $A1 $M1" || fail "(b) net-dhcp-leases still has $A1: $(leases)"
probe $TAP1 $A1 >/dev/null || fail "(b) vncg1 lost $A1 itself?"
pass "(b) forged release: dnsmasq dropped vncg1's lease $A1 (del in the helper log, gone from net-dhcp-leases) while vncg1 still answers for it"

# (c) RELAY-FORW with option 79 = vncg1's MAC (dnsmasq picks the range by
# the relay's link address)
out=$(forge v6 --relay-mac $M1 --link-address $V6:1 --hostname evil-c) || fail "(c) relay: $out"
AC=$(sed -n 's/^reply \([^ ]*\) .*/\1/p' <<<"$out")
wait_until 30 helper_has "^add [0-9a-f:]+ $AC evil-c .*DNSMASQ_MAC=$M1 " ||
        fail "(c) the helper got no add of $AC with DNSMASQ_MAC=$M1: $(cat "$LOG")"
wait_until 30 has_lease $AC $M1 evil-c || fail "(c) net-dhcp-leases: $(leases)"
pass "(c) relayed DHCPv6 with option 79: dnsmasq leased $AC to vncg1's MAC $M1 (DNSMASQ_MAC, net-dhcp-leases)"

# (d) five fresh DUIDs, five leases
out=$(forge v6 --duid random --count 5) || fail "(d) fresh DUIDs: $out"
n=$(grep -c '^reply ' <<<"$out")
expect_eq "(d) replies to 5 fresh DUIDs" 5 "$n"
expect_eq "(d) 5 different DUIDs" 5 "$(awk '/^reply/ { print $4 }' <<<"$out" | sort -u | wc -l)"
for a in $(awk '/^reply/ { print $2 }' <<<"$out"); do
        wait_until 30 helper_has "^add [0-9a-f:]+ $a( |$)" || fail "(d) no add for $a: $(cat "$LOG")"
done
# DUID-UUIDs (00:04:...) as the client ids of DHCPv6 leases
duid_leases() { [ "$(leases | awk '$4 == "ipv6" && $7 ~ /^00:04:/' | wc -l)" -ge 5 ]; }
wait_until 30 duid_leases || fail "(d) net-dhcp-leases: $(leases)"
pass "(d) 5 fresh DUIDs: 5 leases ($(awk '/^reply/ { print $2 }' <<<"$out" | xargs))"

# (e) hardware type 6 (no client id: dnsmasq would find (a)'s lease by it)
out=$(forge v4 --htype 6 --no-client-id --hostname evil-e) || fail "(e) htype 6: $out"
AE=$(sed -n 's/^ack //p' <<<"$out")
wait_until 30 helper_has "^(add|old) 06-$MA $AE evil-e" || fail "(e) the helper got no add of htype 6: $(cat "$LOG")"
pass "(e) htype 6: dnsmasq leased $AE and passed the MAC as 06-$MA"
[ "$AE" = "$A1" ] && echo "note: $AE is the address (b) released while vncg1 still uses it"
echo "the lease helper's log (what dnsmasq passed):"
sed 's/^/  /' "$LOG"
echo "net-dhcp-leases:"
leases | sed 's/^/  /'

# --- vncg2, behind clean-traffic, forges (a) from inside ----------------------
# Its /init runs a command (the --run mechanism); the attacks go over ssh
# once libvirt has the whole filter in place (it has learnt vncg2's IP).
guest_domain_xml vncg2 $M2 $NET --tap vncg2t --host guesttwo --filter clean-traffic \
        --run "ip -4 -o addr show dev eth0" >"$T/vncg2.xml"
virsh define "$T/vncg2.xml" >/dev/null || fail "define vncg2"
t0=$(date +%s%N)
if ! virsh start vncg2 >"$T/start2.log" 2>&1; then
        skip_part "the attack from behind clean-traffic: libvirt's nwfilter cannot start it here: $(tr '\n' ' ' <"$T/start2.log")"
        echo "summary: guest build ${GUEST_BUILD_SECONDS}s, boot to lease ${boot1} ms; vncg1 $A1 $A16 $STATIC6; attacks (a)-(e) reached dnsmasq; NOT RUN: the attack from behind clean-traffic (above)"
        exit 0
fi
virsh nwfilter-binding-list | grep -q "vncg2t *clean-traffic" ||
        fail "no clean-traffic binding on vncg2t: $(virsh nwfilter-binding-list)"
A2=$(guest_wait_lease vncg2) || fail "vncg2 got no lease"
boot2=$(ms $t0)
echo "timing: vncg2 start to DHCPv4 lease $boot2 ms"
expect_eq "vncg2's /init ran its command" 0 "$(guest_wait vncg2 "run 1 exit" 120)"
grep -q "^vnc-guest: run 1: .* inet $A2/24 " <(tr -d '\r' <"$(guest_console vncg2)") ||
        fail "the command's output is not on vncg2's console: $(grep 'run 1' "$(guest_console vncg2)")"
pass "vncg2's /init ran 'ip -4 -o addr show dev eth0' after its lease, output on the console"
ebt() { ip netns exec $H ebtables -t nat "$@"; }
# pcnt of the rule matching REGEX in chain CHAIN
counter() { ebt -L "$1" --Lc | grep -- "$2" | sed -n 's/.* pcnt = \([0-9]*\) .*/\1/p' | head -n 1; }
wait_until 60 eval "ebt -L I-vncg2t-ipv4-ip 2>/dev/null | grep -q -- '--ip-src $A2 -j RETURN'" ||
        fail "clean-traffic never learnt $A2: $(ebt -L 2>&1)"
ebt -Z || fail "cannot zero ebtables' counters"
out=$(guest_ssh $A2 "dhcp-forge eth0 v4 --chaddr $M1 --hostname evil-dom2" 2>&1) ||
        fail "dhcp-forge in vncg2: $out"
A2F=$(sed -n 's/^ack //p' <<<"$out")
# (dnsmasq finds vncg2's own lease by its client id, which dhcp-forge
# sends too, and moves it to $M1: "old" then.)
wait_until 30 helper_has "^(add|old) $M1 $A2F evil-dom2" || fail "the helper got no add of $M1 from vncg2: $(cat "$LOG")"
wait_until 30 has_lease $A2F $M1 evil-dom2 || fail "net-dhcp-leases: $(leases)"
# Frames from 0.0.0.0 (DHCP clients') passed clean-traffic's checks:
# its MAC rule, then its "IPv4 source 0.0.0.0, UDP" exception.
n=$(counter I-vncg2t-ipv4-ip "--ip-src 0.0.0.0 --ip-proto udp -j RETURN")
[ "${n:-0}" -ge 2 ] || fail "clean-traffic counted ${n:-no} DHCP frames from vncg2: $(ebt -L --Lc)"
pass "from behind clean-traffic ($n frames from 0.0.0.0 let through): vncg2's forged chaddr $M1 leased $A2F as evil-dom2"
# The filter does drop what it checks: a forged Ethernet source.
out=$(guest_ssh $A2 "dhcp-forge eth0 v4 --eth-src $MS --chaddr $MS --hostname spoofed --timeout 8000" 2>&1) &&
        fail "dhcp-forge with a forged Ethernet source got an answer: $out"
expect_eq "dhcp-forge with a forged Ethernet source in vncg2" "no offer" "$out"
helper_has " spoofed( |$)" && fail "a DHCP packet with a forged Ethernet source reached dnsmasq: $(cat "$LOG")"
n=$(counter I-vncg2t-mac "-j DROP")
[ "${n:-0}" -ge 1 ] || fail "clean-traffic's MAC rule dropped nothing: $(ebt -L I-vncg2t-mac --Lc)"
pass "clean-traffic dropped vncg2's $n frames from $MS; dnsmasq never saw them"

echo "summary: guest build ${GUEST_BUILD_SECONDS}s, boot to lease ${boot1} ms and ${boot2} ms; vncg1 $A1 $A16 $STATIC6, vncg2 $A2; attacks (a)-(e) and the chaddr forgery from behind clean-traffic reached dnsmasq, a forged Ethernet source did not"
