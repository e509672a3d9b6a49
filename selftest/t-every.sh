#!/usr/bin/env bash
# t-every: every running domain's addresses, whatever its network (issue
# 22), with real components: Debian's libvirtd (lib-e2e.sh: its own
# network namespace, private state, our hooks), real Linux TCG guests
# behind real taps (lib-guest.sh, with Debian's qemu-guest-agent), the
# real watcher (hooks/watch) and port-probe, glibc, `query`, the ssh
# proxy with OpenSSH.  In libvirtd's namespace: a host bridge no libvirt
# network owns (vnelan0, the "LAN": 198.18.22.0/24, a dnsmasq of this
# test serving DHCP on it), a libvirt NAT network (evnet, vnebr1,
# 198.18.23.0/24, with the lease helper) and a veth under macvtap
# (vnedir0, 198.18.24.0/24).
#   lan1  <interface type='bridge'> on the LAN, DHCP from the LAN's
#         dnsmasq, no filter: resolves once it talks to the host (time
#         from its first packet); then the attacker (over ssh)
#   lan2  on the LAN, a static address, clean-traffic: resolves once it
#         talks to the host; the victim, then an attacker behind the filter
#   nat1  on the libvirt network with a static address (no DHCP), a guest
#         agent, never talks first: its agent's address (a claim: the
#         proxy connects, pins nothing), then, once the host has seen it,
#         its port's answer (pinned)
#   mv1   macvtap, a static address, a guest agent, an administrator's
#         address in <metadata> (changed live: no hook runs for that)
# Attacks: lan1 announcing lan2's address (gratuitous ARP and ARP to the
# host), lan1 forging lan2's MAC for a free address, lan1 taking a free
# one (no filter), lan2 behind clean-traffic trying the same, lan1's and
# mv1's agents reporting lan2's address.  Then a rebuild with the watcher
# stopped brings back the agents' and the neighbour table's addresses;
# doctor groups the macvtap and host-bridge interfaces; timings and the
# watcher's idle cost printed.
#
# By hand: the set-up of t-guest (selftest/README.md), then
#   guest_build /tmp/g --agent; guest_domain_xml g1 52:54:00:22:01:01 BRIDGE --bridge --no-dhcp4 \
#           --v4 198.18.22.20/24 --run 'ping -c1 198.18.22.1' >g1.xml
#   ip netns exec NS build/hooks/watch &      # then virsh define/start g1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require /usr/bin/qemu-system-x86_64 ssh ssh-keygen /usr/sbin/sshd ebtables
for p in hooks/watch hooks/port-probe proxy/ssh-proxy selftest/neigh-announce.static; do
        [ -x "$B/$p" ] || fail "build first: make ($B/$p is missing)"
done
e2e_enter

S=$T/store H=vneh$$ NET=evnet LAN=vnelan0 DIR=vnedir0
M1=52:54:00:22:01:01 M2=52:54:00:22:01:02 MN=52:54:00:22:01:03 MV=52:54:00:22:01:04
A2=198.18.22.20 AN=198.18.23.50 AV=198.18.24.10 AVM=198.18.24.20 AVM2=198.18.24.21
export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_KNOWN_HOSTS=$T/known_hosts VIRT_NAME_CACHE_CONNECT_TIMEOUT=10
export VIRT_NAME_CACHE_LOG_STDERR=1 VIRT_NAME_CACHE_PORT_PROBE=$B/hooks/port-probe
DOMS="lan1 lan2 nat1 mv1"
cleanup() {
        local rc=$? d
        set +e
        [ $rc = 0 ] || { echo "the watcher's log:"; sed 's/^/    /' "$T/watch.log"; } >&2
        for f in watch monitor lan-dnsmasq; do [ -s "$T/$f.pid" ] && kill "$(cat "$T/$f.pid")" 2>/dev/null; done
        for d in $DOMS; do virsh destroy $d >/dev/null 2>&1; done
        for d in $DOMS; do [ -s /run/libvirt/qemu/$d.pid ] && kill "$(cat /run/libvirt/qemu/$d.pid)" 2>/dev/null; done
        e2e_stop $NET
}
trap cleanup EXIT
trap 'exit 1' INT TERM
resolve() { addrs_of "$S" ahosts "$1"; }
has() { case " $(resolve "$1") " in *" $2 "*) return 0 ;; esac; return 1; }
q() { "$B/virt-name-cache" query "$@"; }
wait_until() {
        local end=$((SECONDS + $1))
        shift
        until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done
}
in_h() { ip netns exec $H "$@"; }
start_watch() {
        ip netns exec $H "$B/hooks/watch" --connect qemu:///system >>"$T/watch.log" 2>&1 &
        echo $! >"$T/watch.pid"
        wait_until 30 grep -q 'listening to libvirt' "$T/watch.log" || fail "the watcher did not start: $(cat "$T/watch.log")"
}
stop_watch() { kill "$(cat "$T/watch.pid")"; rm -f "$T/watch.pid"; sleep 0.5; }
now_s() { date +%s.%N; }
ms_between() { echo "$1 $2" | awk '{ printf "%d", ($2 - $1) * 1000 }'; }

# --- the guest image, libvirtd, the three segments --------------------------------
chmod 711 "$T"
guest_build "$T/guest" --agent --add "$B/selftest/neigh-announce.static"
[ "${GUEST_AGENT:-}" = 1 ] || fail "the guest image has no guest agent"
e2e_private_libvirt
e2e_start_libvirtd
in_h sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
in_h ip link add $LAN type bridge && in_h ip link set $LAN up && in_h ip addr add 198.18.22.1/24 dev $LAN ||
        fail "the LAN bridge"
in_h ip link add $DIR type veth peer name vnedir1 && in_h ip link set $DIR up && in_h ip link set vnedir1 up ||
        fail "macvtap's lower device"
# The LAN's own DHCP server (not libvirt's: no lease helper).
in_h dnsmasq --conf-file=/dev/null --keep-in-foreground --user=root --port=0 --interface=$LAN --bind-interfaces \
        --dhcp-range=198.18.22.100,198.18.22.150,255.255.255.0,10m --dhcp-leasefile="$T/lan.leases" \
        --pid-file="$T/lan-dnsmasq.pid" --log-facility="$T/lan-dnsmasq.log" &
cat >"$T/net.xml" <<XML
<network>
  <name>$NET</name>
  <forward mode='open'/>
  <bridge name='vnebr1' stp='off' delay='0'/>
  <domain name='ev.test'/>
  <ip address='198.18.23.1' netmask='255.255.255.0'><dhcp><range start='198.18.23.100' end='198.18.23.199'/></dhcp></ip>
</network>
XML
virsh net-define "$T/net.xml" >/dev/null || fail "net-define"
"$B/virt-name-cache" enable $NET --no-dns --helper "$T/lease-helper" >/dev/null || fail "enable"
virsh net-start $NET >/dev/null || fail "net-start: $(tail -5 "$T/libvirtd.log")"
# When the host learns each neighbour (for the first packet's time).
ip -n $H -ts monitor neigh >"$T/neigh.log" 2>&1 &
echo $! >"$T/monitor.pid"
start_watch

# --- four guests ------------------------------------------------------------------------
guest_domain_xml lan1 $M1 $LAN --bridge --tap vnelan1t --host lanone --agent --run "ping -c 1 198.18.22.1" \
        >"$T/lan1.xml"
guest_domain_xml lan2 $M2 $LAN --bridge --tap vnelan2t --no-dhcp4 --v4 $A2/24 --filter clean-traffic \
        --filter-param IP=$A2 --run "ping -c 1 198.18.22.1" >"$T/lan2.xml"
guest_domain_xml nat1 $MN $NET --tap vnenat1t --no-dhcp4 --v4 $AN/24 --agent >"$T/nat1.xml"
guest_domain_xml mv1 $MV $DIR --direct --no-dhcp4 --v4 $AV/24 --v4 $A2/32 --agent \
        --metadata "<vnc:addresses xmlns:vnc='urn:virt-name-cache:domain:1'><vnc:address ip='$AVM'/></vnc:addresses>" \
        >"$T/mv1.xml"
for d in $DOMS; do
        virsh define "$T/$d.xml" >/dev/null || fail "define $d"
done
# Polls glibc every 20 ms until NAME has ADDRESS; its time into FILE.
first_resolve() {
        until has "$1" "$2"; do sleep 0.02; done
        now_s >"$3"
}
first_resolve lan2 $A2 "$T/lan2.resolved" &
for d in $DOMS; do
        virsh start $d >"$T/start-$d.log" 2>&1 || fail "start $d: $(cat "$T/start-$d.log")"
done
t0=$SECONDS
A1=$(guest_wait_lease lan1) || fail "lan1 got no lease from the LAN's dnsmasq"
for d in $DOMS; do guest_wait $d ready 300 >/dev/null || fail "$d did not boot"; done
echo "timing: four guests started to all ready: $((SECONDS - t0)) s"
case $A1 in 198.18.22.1[0-4][0-9]|198.18.22.150) ;; *) fail "lan1's address $A1 is not the LAN's" ;; esac

# --- bridged guests resolve from their first packet ------------------------------------
wait_until 60 has lan2 $A2 || fail "lan2 never resolved: $(q lan2)"
wait_until 60 has lan1 $A1 || fail "lan1 never resolved: $(q lan1)"
first=$(grep -m1 "^\[.*\] $A2 dev $LAN lladdr $M2" "$T/neigh.log" | sed 's/^\[\([^]]*\)\].*/\1/')
[ -n "$first" ] || fail "no neighbour event for $A2: $(cat "$T/neigh.log")"
wait_until 10 test -s "$T/lan2.resolved"
echo "timing: lan2's first packet (the host learnt $A2) to resolving through glibc:" \
        "$(ms_between "$(date -d "$first" +%s.%N)" "$(cat "$T/lan2.resolved")") ms"
q lan1 | grep -q "interface: $M1 on bridge/$LAN, port vnelan1t" || fail "query lan1: $(q lan1)"
q lan2 | grep -q "its domain's port vnelan2t answered for it" || fail "query lan2: $(q lan2)"
expect_eq "reverse of $A2" lan2 "$(virtname_getent "$S" hosts $A2 | awk '{print $2}')"
pass "guests on a host bridge resolve once the host sees them (lan1 $A1 by DHCP from the LAN, lan2 $A2 static)"

# --- agents: a static guest on a libvirt network, a macvtap guest -------------------------
wait_until 60 has nat1 $AN || fail "nat1's agent address never came: $(q nat1); $(virsh domifaddr nat1 --source agent 2>&1)"
q nat1 | grep -q "its domain's guest agent reported it" || fail "query nat1: $(q nat1)"
expect_eq "nat1 with the network's domain" $AN "$(resolve nat1.ev.test)"
virsh domifaddr nat1 --source agent | grep -q " $MN .* $AN/24" || fail "libvirt's answer: $(virsh domifaddr nat1 --source agent)"
wait_until 60 has mv1 $AV || fail "mv1's agent address never came: $(q mv1)"
expect_eq "mv1: its agent's address and the administrator's" "$AV $AVM" "$(resolve mv1)"
q mv1 | grep -q "an administrator's address for the domain (its <metadata>)" || fail "query mv1: $(q mv1)"
pass "agents: nat1 (static, libvirt network) and mv1 (macvtap) resolve to what their agents report; mv1 to its administrator's address too"

# --- attacks ----------------------------------------------------------------------------------
on() { local a=$1; shift; guest_ssh "$a" "$@" 2>&1; }
# lan2 behind clean-traffic: a free address, and one under lan1's MAC,
# are dropped (before lan1 below makes the host's own ARP cache send
# lan2's address to lan1).
on $A2 "ip addr add 198.18.22.32/32 dev eth0 && neigh-announce eth0 198.18.22.32 --to 198.18.22.1;" \
        "neigh-announce eth0 198.18.22.33 --mac $M1 --to 198.18.22.1" >/dev/null
sleep 8
in_h ip neigh show 198.18.22.32 | grep -q lladdr && fail "clean-traffic let lan2's claim through: $(in_h ip neigh)"
has lan2 198.18.22.32 || has lan1 198.18.22.33 && fail "behind clean-traffic: $(q lan2) $(q lan1)"
echo "attack: lan2 (clean-traffic) claims 198.18.22.32 and forges lan1's MAC for .33: dropped, nothing recorded"
# lan1 takes lan2's address on its own interface and announces it.
on $A1 "ip addr add $A2/32 dev eth0 && neigh-announce eth0 $A2 && neigh-announce eth0 $A2 --to 198.18.22.1" >/dev/null ||
        fail "lan1: announce $A2"
wait_until 10 eval "in_h ip neigh show $A2 | grep -q $M1" || fail "the host never learnt lan1's claim: $(in_h ip neigh)"
sleep 3
has lan2 $A2 || fail "lan2 lost $A2 to lan1's announcement: $(q lan2)"
has lan1 $A2 && fail "lan1 got lan2's address: $(q lan1)"
echo "attack: lan1 (no filter) announces lan2's $A2: lan2 keeps it, lan1 does not get it"
# lan1 forges lan2's MAC for a free address: lan2's port is asked, silent.
on $A1 "neigh-announce eth0 198.18.22.30 --mac $M2 --to 198.18.22.1" >/dev/null || fail "lan1: forge"
wait_until 10 eval "in_h ip neigh show 198.18.22.30 | grep -q $M2" || fail "the host never learnt the forged claim"
sleep 5
has lan2 198.18.22.30 && fail "a forged claim gave lan2 an address: $(q lan2)"
q 198.18.22.30 >/dev/null && fail "198.18.22.30 recorded: $(q 198.18.22.30)"
echo "attack: lan1 forges lan2's MAC for 198.18.22.30: nothing recorded"
# Without a filter lan1 may take an address nobody holds.
on $A1 "ip addr add 198.18.22.31/32 dev eth0 && neigh-announce eth0 198.18.22.31 --to 198.18.22.1" >/dev/null
wait_until 30 has lan1 198.18.22.31 || fail "lan1's free address: $(q lan1)"
echo "attack: lan1 (no filter) takes the free 198.18.22.31: its name gets it (its own port answers)"
pass "attacks without a filter take nothing held; behind clean-traffic nothing at all"
# Agents reporting another domain's address: lan1's (it has $A2 on its
# interface now), on the same segment, asked again when the watcher
# restarts; mv1's, on another segment (it has $A2 too, from its boot).
stop_watch
start_watch
wait_until 30 eval "virsh domifaddr lan1 --source agent | grep -q ' $A2/32'" ||
        fail "lan1's agent does not report $A2: $(virsh domifaddr lan1 --source agent 2>&1)"
sleep 3
has lan1 $A2 && fail "lan1's agent took lan2's address: $(q lan1)"
virsh domifaddr mv1 --source agent | grep -q " $A2/32" || fail "mv1's agent does not report $A2"
has mv1 $A2 && fail "mv1's agent took lan2's address: $(q mv1)"
has lan2 $A2 || fail "lan2 lost $A2 to an agent: $(q lan2)"
expect_eq "reverse of $A2 with two agents claiming it" lan2 "$(virtname_getent "$S" hosts $A2 | awk '{print $2}')"
echo "attack: lan1's agent (same segment) and mv1's (macvtap) report lan2's $A2: neither name gets it, reverse stays lan2"
pass "agents never take an address a port's answer holds"
# lan1 gives the address back; the host forgets where it sent it.
on $A1 "ip addr del $A2/32 dev eth0" >/dev/null || fail "lan1: drop $A2"
in_h ip neigh flush to $A2

# --- an administrator's address, changed live (no hook: the watcher) -------------------------
virsh metadata mv1 urn:virt-name-cache:domain:1 --key vnc --live \
        --set "<addresses><address ip='$AVM2'/></addresses>" >/dev/null || fail "virsh metadata --live"
wait_until 30 has mv1 $AVM2 || fail "the live metadata change never reached the store: $(q mv1)"
has mv1 $AVM && fail "mv1 kept the old administrator's address: $(q mv1)"
pass "a live change of the domain's <metadata> reaches the store through the watcher"

# --- the ssh proxy: an agent's address is connected to, never pinned ------------------------------
sed -e "s|@PROXY@|$B/proxy/ssh-proxy|" "$TOP/proxy/20-virt-name-cache.conf" >"$T/ssh_config"
printf 'Host *\n    IdentityFile %s\n    IdentitiesOnly yes\n    BatchMode yes\n    ConnectTimeout 60\n' \
        "$GUEST_DIR/id_ed25519" >>"$T/ssh_config"
sshq() { ip netns exec $H ssh -F "$T/ssh_config" "$@" 2>"$T/ssh.err"; }
UN=$(virsh domuuid nat1)
stop_watch                         # nothing may see nat1's port answer meanwhile
q nat1 | grep -q "address:   $AN .*; agent)" || fail "nat1 is not an agent's address only: $(q nat1)"
out=$(sshq root@qemu/nat1 true) && fail "ssh pinned a key from an agent's address: $out"
grep -q "only its guest agent or DHCP says are its" "$T/ssh.err" || fail "the proxy did not say why: $(cat "$T/ssh.err")"
grep -q "is not recorded" "$T/ssh.err" || fail "the key was not refused: $(cat "$T/ssh.err")"
grep -q "$UN" "$T/known_hosts" 2>/dev/null && fail "nat1's key recorded: $(cat "$T/known_hosts")"
pass "ssh qemu/nat1 to its agent's address: connected, host key not recorded"
# The connection taught the host nat1's address: the watcher, started
# again, reads the neighbour table and asks nat1's port.
start_watch
wait_until 60 eval "q nat1 | grep -q 'address:   $AN .*; port)'" || fail "nat1's port never answered: $(q nat1)"
out=$(sshq root@qemu/nat1 'cat /sys/class/net/eth0/address') || fail "ssh qemu/nat1: $(cat "$T/ssh.err")"
expect_eq "ssh qemu/nat1 reaches nat1" $MN "$out"
grep -q "$UN" "$T/known_hosts" || fail "nat1's key not recorded: $(cat "$T/ssh.err")"
pass "once its port answered: ssh qemu/nat1 pins its key"
out=$(sshq root@qemu/lan2 'cat /sys/class/net/eth0/address') || fail "ssh qemu/lan2: $(cat "$T/ssh.err")"
expect_eq "ssh qemu/lan2 (a bridged guest, TCP to its port's address) reaches lan2" $M2 "$out"

# --- doctor --------------------------------------------------------------------------------------
"$B/virt-name-cache" doctor --connect qemu:///system >"$T/doctor" 2>&1
grep -q "^ok .*the watcher runs" "$T/doctor" || fail "doctor: $(cat "$T/doctor")"
grep -q "^ok .*network direct/$DIR: 1 running macvtap interface, 1 with an address; the host never sees" "$T/doctor" ||
        fail "doctor's macvtap line: $(grep direct/ "$T/doctor")"
grep -q "network bridge/$LAN: 2 running interfaces on a host bridge no libvirt network owns, 2 with an address" \
        "$T/doctor" || fail "doctor's host bridge line: $(grep bridge/ "$T/doctor")"
grep -q "network bridge/$LAN: 1 interface without libvirt's clean-traffic nwfilter (e.g. lan1)" "$T/doctor" ||
        fail "doctor's filter line: $(grep bridge/ "$T/doctor")"
pass "doctor: the watcher, the macvtap and host-bridge interfaces grouped"

# --- the watcher's idle cost -------------------------------------------------------------------------
wp=$(cat "$T/watch.pid")
sleep 5
c0=$(awk '{ print $14 + $15 }' /proc/$wp/stat) w0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$wp/status)
sleep 30
c1=$(awk '{ print $14 + $15 }' /proc/$wp/stat) w1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$wp/status)
echo "timing: the watcher idle for 30 s with 4 guests: $((c1 - c0)) CPU ticks, $((w1 - w0)) wake-ups," \
        "RSS $(awk '/^VmRSS/ { print $2 " " $3 }' /proc/$wp/status)"

# --- a rebuild with the watcher stopped: the agents and the neighbour table ---------------------------
stop_watch
in_h "$B/virt-name-cache" rebuild --connect qemu:///system >"$T/rebuild.out" 2>&1 || fail "rebuild: $(cat "$T/rebuild.out")"
for want in "lan2 $A2" "mv1 $AV" "mv1 $AVM2" "nat1 $AN" "lan1 $A1"; do
        has $want || fail "after the rebuild $want is gone: $(q ${want% *}); $(cat "$T/rebuild.out")"
done
has mv1 $A2 && fail "after the rebuild mv1's agent took $A2"
pass "a rebuild asks the guest agents and the neighbour table: every address back ($(tail -1 "$T/rebuild.out"))"

echo "summary: a DHCP guest and a static guest on a host bridge, a static guest on a libvirt network and a macvtap guest resolve through glibc, query and the proxy; attacks by announcement, forged MAC and agents take nothing held; the proxy pins only a port's address"
