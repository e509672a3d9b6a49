#!/usr/bin/env bash
# t-e2e-libvirt: the hooks and the lease helper with the real components:
# Debian's libvirtd (in its own network namespace, with private state
# directories in a private mount namespace: lib-e2e.sh), the dnsmasq it
# starts, a real DHCP client (dhclient) in a "guest" namespace joined to
# the network's bridge by a veth pair, and a real Linux guest behind a
# domain's tap (lib-guest.sh): its domain name follows its lease once its
# port answered for it (timed: dnsmasq's event to glibc's answer).  A
# domain whose port never answers (no firmware, no OS), whose MAC the
# veth guest uses: no address, and `query` says why.  Addresses:
# 198.18.10.0/24.
#
# By hand (as root), the same steps are:
#   unshare -m --propagation private bash
#   mount -t tmpfs tmpfs /run/libvirt    # and /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt
#   cp -a /etc/libvirt /tmp/etc-libvirt && mount --bind /tmp/etc-libvirt /etc/libvirt
#   put wrapper scripts in /etc/libvirt/hooks/{network,qemu}.d/virt-name-cache that set
#     VIRT_NAME_CACHE_DIR and VIRT_NAME_CACHE_PORT_PROBE=build/hooks/port-probe and exec
#     build/hooks/{network,qemu}-hook (libvirt cleans the environment)
#   ip netns add vnch; ip netns exec vnch libvirtd --pid-file /tmp/libvirtd.pid &
#   virsh net-define net.xml   (bridge vnce2e0, 198.18.10.1/24, DHCP .100-.200, <domain name='e2e.test'/>)
#   virt-name-cache enable e2enet --helper /path/to/lease-helper-wrapper; virsh net-start e2enet
#   ip netns add vncg; ip -n vnch link add vge0 type veth peer name eth0 netns vncg
#   ip -n vnch link set vge0 master vnce2e0 up; ip -n vncg link set eth0 up
#   ip netns exec vncg dhclient -d -1 -cf dhclient.conf (send host-name "e2eguest";) eth0 &
#   getent -s hosts:virtname hosts e2eguest      (LD_LIBRARY_PATH=build, VIRT_NAME_CACHE_DIR=store)
#   for the QEMU domain, append to the private /etc/libvirt/qemu.conf:
#     stdio_handler="file"  security_driver="none"  namespaces=[ ]  cgroup_controllers=[ ]
#   and hide /dev/kvm from libvirt in this mount namespace (lib-e2e.sh says why); then
#   the guest of selftest/README.md ("Real guests behind domain taps"): virsh start e2evm
#   getent -s hosts:virtname hosts e2evm
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require dhclient iptables
e2e_enter

S=$T/store H=vnch$$ G=vncg$$ NET=e2enet BR=vnce2e0
VMMAC=52:54:00:10:00:77 VMUUID=6c1b2a30-5e2e-4c0a-9d11-0e2e00000077 GMAC=52:54:00:10:00:42
export VIRT_NAME_CACHE_DIR=$S
resolve() { addrs_of "$S" ahostsv4 "$1"; }
DOMS="e2evm e2equiet e2etmp"
cleanup() {
        set +e
        local d
        [ -s "$T/dhclient.pid" ] && kill "$(cat "$T/dhclient.pid")" 2>/dev/null
        for d in $DOMS; do virsh destroy $d >/dev/null 2>&1; done
        for d in $DOMS; do
                [ -s /run/libvirt/qemu/$d.pid ] && kill "$(cat /run/libvirt/qemu/$d.pid)" 2>/dev/null
        done
        e2e_stop $NET
        ip netns del $G 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Private libvirt state (the machine's own libvirt is never seen), our
# hooks, the lease helper's wrapper logging what dnsmasq passed.
chmod 711 "$T"                          # libvirt-qemu reads the guest below it
e2e_private_libvirt
e2e_start_libvirtd

cat >"$T/net.xml" <<XML
<network>
  <name>$NET</name>
  <bridge name='$BR'/>
  <domain name='e2e.test'/>
  <ip address='198.18.10.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='198.18.10.100' end='198.18.10.200'/>
      <host mac='52:54:00:10:00:05' name='fixedhost' ip='198.18.10.5'/>
    </dhcp>
  </ip>
</network>
XML
virsh net-define "$T/net.xml" >/dev/null || fail "net-define"
out=$("$B/virt-name-cache" enable $NET --helper "$T/lease-helper") || fail "enable"
echo "$out"
# Not running yet: it takes effect at net-start, no restart to advise.
grep -q "The network is not running; this takes effect when it starts" <<<"$out" &&
        grep -q "^    virsh net-start $NET$" <<<"$out" && ! grep -q "net-destroy" <<<"$out" ||
        fail "enable on a stopped network: $out"
"$B/virt-name-cache" enable $NET --helper "$T/lease-helper" | grep -q "already enabled" || fail "enable twice"
virsh net-dumpxml --inactive $NET | grep -q "dnsmasq:option value='dhcp-script=$T/lease-helper'" ||
        fail "definition lacks the option: $(virsh net-dumpxml --inactive $NET)"
virsh net-dumpxml --inactive $NET | grep -q "<host mac='52:54:00:10:00:05' name='fixedhost'" ||
        fail "enable lost part of the definition"
pass "enable: option added, rest of the definition kept, idempotent"
virsh net-start $NET >/dev/null || fail "net-start: $(tail -5 "$T/libvirtd.log")"
grep -q "^dhcp-script=$T/lease-helper" /var/lib/libvirt/dnsmasq/$NET.conf || fail "dnsmasq config lacks the helper"
# With --no-restart a running network keeps its dnsmasq until it
# restarts, which is advised; without, it is restarted (in libvirtd's
# network namespace, where its bridge is: t-lifecycle checks the guests
# are put back on it).
out=$("$B/virt-name-cache" disable $NET --no-restart --helper "$T/lease-helper") || fail "disable: $out"
grep -q "takes effect when the network restarts" <<<"$out" &&
        grep -q "virsh net-destroy $NET && virsh net-start $NET" <<<"$out" || fail "disable on a running network: $out"
grep -q "^dhcp-script=$T/lease-helper" /var/lib/libvirt/dnsmasq/$NET.conf || fail "--no-restart restarted dnsmasq"
# Its definition is disabled, its dnsmasq not yet: disable restarts it.
out=$(ip netns exec $H "$B/virt-name-cache" disable $NET --helper "$T/lease-helper") || fail "disable again: $out"
grep -q "^network $NET: restarted; 0 interfaces put back on $BR$" <<<"$out" || fail "disable, restarting: $out"
grep -q "^dhcp-script=" /var/lib/libvirt/dnsmasq/$NET.conf && fail "disable left dnsmasq with the helper"
out=$(ip netns exec $H "$B/virt-name-cache" enable $NET --helper "$T/lease-helper") || fail "enable again: $out"
grep -q "^network $NET: restarted; 0 interfaces put back on $BR$" <<<"$out" || fail "enable on a running network: $out"
grep -q "^dhcp-script=$T/lease-helper" /var/lib/libvirt/dnsmasq/$NET.conf || fail "dnsmasq not restarted with the helper"
pass "enable/disable: a stopped network takes it at net-start, a running one is restarted (or, with --no-restart, told how)"
# The network hook ran at start: the network, its domain and static host.
expect_eq "network hook: static host" "198.18.10.5" "$(resolve fixedhost.e2e.test)"

# The guest: a veth into the bridge, a real DHCP client sending a host name.
e2e_guest $G vge0 $GMAC $BR
cat >"$T/dhclient.conf" <<CONF
send host-name "e2eguest";
request subnet-mask, broadcast-address, routers;
CONF
# Only addresses, never /etc/resolv.conf or routes of this machine.
cat >"$T/dhclient-script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/24" dev "$interface" ;;
RELEASE|EXPIRE|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/24" dev "$interface" ;;
esac
exit 0
SCRIPT
chmod 755 "$T/dhclient-script"
dhcp() { e2e_dhclient dhclient $G -cf "$T/dhclient.conf" -sf "$T/dhclient-script" eth0; }
release() { e2e_dhclient_release dhclient $G -cf "$T/dhclient.conf" -sf "$T/dhclient-script" eth0; }
dhcp || fail "dhclient got no lease"
t0=$(date +%s%N)
addr=$(ip -n $G -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)
echo "guest got $addr"
case $addr in 198.18.10.*) ;; *) fail "unexpected lease address '$addr'" ;; esac
wait_for 10 eval '[ "$(resolve e2eguest)" = "$addr" ]'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "guest host name resolves" "$addr" "$(resolve e2eguest)"
echo "timing: a guest's host name through getent ${ms} ms after dhclient was bound (a claim: no port asked; polled at 0.1 s)"
expect_eq "with the network's domain" "$addr" "$(resolve e2eguest.e2e.test)"
virtname_getent "$S" hosts "$addr" | grep -q "e2eguest.e2e.test" || fail "reverse lookup"
# libvirt's helper writes its lease list after ours has recorded the
# event (ours runs it next): under load, a moment later.
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "$addr.*e2eguest"' ||
        fail "libvirt's own lease list lacks the lease: $(virsh net-dhcp-leases $NET)"
pass "virsh net-dhcp-leases still lists it (libvirt's helper got the event)"

# rebuild from nothing, through the libvirt API.
rm -rf "$S"
"$B/virt-name-cache" rebuild --connect qemu:///system || fail "rebuild --connect"
expect_eq "rebuild --connect: lease" "$addr" "$(resolve e2eguest)"
expect_eq "rebuild --connect: static host" "198.18.10.5" "$(resolve fixedhost)"
# A --connect that fails changes nothing (t-cmd: the fallback without it).
gen=$("$B/virt-name-cache" list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
out=$("$B/virt-name-cache" rebuild --connect 'qemu+unix:///system?socket=/nonexistent' 2>&1)
expect_eq "rebuild --connect to an unreachable libvirt: exit" "5" "$?"
grep -q "not reachable.*the store is unchanged" <<<"$out" || fail "a failed --connect: $out"
expect_eq "a failed --connect: store untouched" "$gen" \
        "$("$B/virt-name-cache" list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')"
"$B/virt-name-cache" rebuild --leases-dir /var/lib/libvirt/dnsmasq >/dev/null || fail "rebuild --leases-dir"
expect_eq "rebuild from libvirt's lease files" "$addr" "$(resolve e2eguest)"
pass "rebuild: from libvirt, a --connect that fails changes nothing, and from the lease files"

# Release: the lease helper's del removes it.
release
wait_for 10 eval '[ -z "$(resolve e2eguest)" ]'
expect_eq "released lease gone" "" "$(resolve e2eguest)"
wait_for 10 eval '! virsh net-dhcp-leases $NET | grep -q "$addr"' || fail "libvirt still lists the released lease"
pass "release removes the name"

# A real QEMU domain (TCG) on the network: a Linux guest (lib-guest.sh)
# that leases an address and answers for it on its own port (its tap):
# only then does the domain's name follow the lease.
guest_build "$T/guest"
guest_domain_xml e2evm $VMMAC $NET --uuid $VMUUID --host e2evmhost >"$T/dom.xml"
virsh define "$T/dom.xml" >/dev/null || fail "define e2evm"
"$B/virt-name-cache" query e2evm >/dev/null 2>&1 &&
        fail "defined but not started: the qemu hook has nothing yet, the store should not know it"
virsh start e2evm >"$T/start.log" 2>&1 || fail "e2evm cannot start: $(cat "$T/start.log")"
id=$(virsh domid e2evm)
json=$("$B/virt-name-cache" query e2evm --json) || fail "qemu hook did not record e2evm"
grep -q "\"state\": \"running\"" <<<"$json" || fail "e2evm not running in the store: $json"
grep -q "\"id\": $id," <<<"$json" || fail "e2evm lacks ID $id: $json"
grep -q "\"uuid\": \"$VMUUID\"" <<<"$json" || fail "e2evm lacks its UUID: $json"
grep -q "\"mac\": \"$VMMAC\"" <<<"$json" || fail "e2evm lacks its MAC: $json"
grep -q "\"port\": \"$(guest_tap e2evm)\"" <<<"$json" || fail "e2evm lacks its port $(guest_tap e2evm): $json"
pass "qemu hook: a started QEMU domain recorded (running, ID $id, UUID, MAC on $NET, its port)"
echo "note: the domain has no <vsock>: a VSOCK device needs /dev/vhost-vsock on the host;"
echo "      CID recording is tested in t-hooks on XML from libvirt's own dumpxml"
vmaddr=$(guest_wait_lease e2evm) || fail "e2evm got no lease"
ms=$(e2e_name_after_lease e2evm "$vmaddr") || fail "e2evm's name never resolved to $vmaddr: $("$B/virt-name-cache" query e2evm)"
expect_eq "domain name e2evm: the address its guest leased" "$vmaddr" "$(resolve e2evm)"
echo "timing: e2evm's name through glibc $ms ms after dnsmasq's lease event (its port asked and answered)"
wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "$VMMAC.*$vmaddr"' ||
        fail "libvirt does not list the domain's lease $vmaddr: $(virsh net-dhcp-leases $NET)"
"$B/virt-name-cache" query e2evm | grep -q "^    evidence: its domain's port $(guest_tap e2evm) answered for it" ||
        fail "query e2evm: the evidence: $("$B/virt-name-cache" query e2evm)"
expect_eq "e2evm's reverse" "e2evm.e2e.test e2evm" "$(virtname_getent "$S" hosts "$vmaddr" | awk '{$1=""; print}' | xargs)"
expect_eq "its guest's host name, its claim" "$vmaddr" "$(resolve e2evmhost)"

# A domain nobody answers for: no firmware, no OS behind its NIC.  The
# veth guest takes its MAC and a lease (a DHCP claim of that MAC): the
# domain's name gets no address, query says why; the lease's own host
# name (the claim of whoever sent it) still resolves.
cat >"$T/quiet.xml" <<XML
<domain type='qemu'>
  <name>e2equiet</name>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'><source network='$NET'/><mac address='$GMAC'/><model type='e1000'/><rom enabled='no'/></interface>
  </devices>
</domain>
XML
virsh define "$T/quiet.xml" >/dev/null && virsh start e2equiet >/dev/null || fail "e2equiet cannot start"
dhcp || fail "dhclient got no lease again"
qaddr=$(ip -n $G -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)
wait_for 10 eval '[ "$(resolve e2eguest)" = "$qaddr" ]' || fail "e2eguest: [$(resolve e2eguest)]"
expect_eq "a lease of e2equiet's MAC from another port: e2equiet has no address" "" "$(resolve e2equiet)"
"$B/virt-name-cache" query e2equiet | grep -q "^    evidence: a DHCP claim: domain e2equiet's port" ||
        fail "query e2equiet does not say why: $("$B/virt-name-cache" query e2equiet)"
silent() { "$B/virt-name-cache" query e2equiet | grep -q "^    evidence: a DHCP claim: domain e2equiet's port vnet[0-9]* did not answer for it"; }
wait_for 60 silent || fail "e2equiet's port never recorded as silent: $("$B/virt-name-cache" query e2equiet)"
"$B/virt-name-cache" query e2equiet | sed 's/^/  | /'
expect_eq "... still no address" "" "$(resolve e2equiet)"
expect_eq "the host name of that lease (a guest's claim) resolves" "$qaddr" "$(resolve e2eguest)"
pass "a domain whose port never answered: its name has no address, query says why"

virsh destroy e2evm >/dev/null || fail "destroy"
json=$("$B/virt-name-cache" query e2evm --json)
grep -q "\"state\": \"shut off\"" <<<"$json" || fail "destroyed domain not shut off: $json"
grep -q "\"id\": null" <<<"$json" || fail "destroyed domain kept its ID: $json"
expect_eq "destroyed: e2evm has no address" "" "$(resolve e2evm)"
pass "qemu hook: destroy keeps the domain, shut off, without its ID"
# libvirt runs no hook on undefine: a persistent domain undefined
# while shut off goes at the next rebuild ...
virsh undefine e2evm >/dev/null || fail "undefine"
ip netns exec $H "$B/virt-name-cache" rebuild --connect qemu:///system >/dev/null || fail "rebuild after undefine"
"$B/virt-name-cache" query e2evm >/dev/null 2>&1 && fail "undefined domain still in the store after rebuild"
# ... and a transient domain goes when it stops (release, no config).
sed -e 's/e2equiet/e2etmp/' -e 's/10:00:42/10:00:78/' "$T/quiet.xml" >"$T/tmp.xml"
virsh create "$T/tmp.xml" >/dev/null || fail "create a transient domain"
"$B/virt-name-cache" query e2etmp | grep -q "^state: *running" || fail "transient domain not recorded"
virsh destroy e2etmp >/dev/null || fail "destroy e2etmp"
"$B/virt-name-cache" query e2etmp >/dev/null 2>&1 && fail "stopped transient domain still in the store"
pass "undefined domains leave the store (transient: at stop; persistent: at rebuild)"

# The network stops: its leases answer nothing (kept for its next start),
# the static host keeps its name without an address.
virsh net-destroy $NET >/dev/null || fail "net-destroy"
expect_eq "stopped network: lease gone" "" "$(resolve e2eguest)"
expect_eq "stopped network: static host has no address" "" "$(resolve fixedhost)"
"$B/virt-name-cache" query fixedhost | grep -q "^name: *fixedhost (static host of a network)" ||
        fail "stopped network: the static host's name: $("$B/virt-name-cache" query fixedhost)"
pass "stopping the network removes its addresses; the static host keeps its name"
e2e_dhclient_stop dhclient
"$B/virt-name-cache" disable $NET --helper "$T/lease-helper" || fail "disable"
virsh net-dumpxml --inactive $NET | grep -q "dhcp-script" && fail "disable left the option"
pass "disable removes the option"
expect_nothing_missed "$S"

