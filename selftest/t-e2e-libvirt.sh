#!/usr/bin/env bash
# t-e2e-libvirt: the hooks and the lease helper with the real components:
# Debian's libvirtd (in its own network namespace, with private state
# directories in a private mount namespace), the dnsmasq it starts, and a
# real DHCP client (dhclient) in a "guest" namespace joined to the
# network's bridge by a veth pair.  Addresses: 198.18.10.0/24.
#
# By hand (as root), the same steps are:
#   unshare -m --propagation private bash
#   mount -t tmpfs tmpfs /run/libvirt    # and /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt
#   cp -a /etc/libvirt /tmp/etc-libvirt && mount --bind /tmp/etc-libvirt /etc/libvirt
#   put wrapper scripts in /etc/libvirt/hooks/{network,qemu}.d/virt-name-cache that set
#     VIRT_NAME_CACHE_DIR and exec build/hooks/{network,qemu}-hook (libvirt cleans the environment)
#   ip netns add vnch; ip netns exec vnch libvirtd --pid-file /tmp/libvirtd.pid &
#   virsh net-define net.xml   (bridge vnce2e0, 198.18.10.1/24, DHCP .100-.200, <domain name='e2e.test'/>)
#   virt-name-cache enable e2enet --helper /path/to/lease-helper-wrapper; virsh net-start e2enet
#   ip netns add vncg; ip -n vnch link add vge0 type veth peer name vge1 netns vncg
#   ip -n vnch link set vge0 master vnce2e0 up; ip -n vncg link set vge1 up
#   ip netns exec vncg dhclient -1 -cf dhclient.conf (send host-name "e2eguest";) vge1
#   getent -s hosts:virtname hosts e2eguest      (LD_LIBRARY_PATH=build, VIRT_NAME_CACHE_DIR=store)
#   for the QEMU domain, append to the private /etc/libvirt/qemu.conf:
#     stdio_handler="file"  security_driver="none"  namespaces=[ ]  cgroup_controllers=[ ]
#   virsh define dom.xml (no disk, <boot dev='network'/>, an interface on e2enet); virsh start e2evm
#   its firmware (iPXE) asks for a lease: getent -s hosts:virtname hosts e2evm
# The first define takes tens of seconds: libvirt probes QEMU's capabilities
# into its (private, empty) cache.
. "$(dirname "$0")/lib.sh"
for p in /usr/sbin/libvirtd virsh dnsmasq dhclient ip iptables; do
        command -v "$p" >/dev/null || skip "$p is not installed (make deps installs it)"
done
id libvirt-qemu >/dev/null 2>&1 || skip "libvirt-daemon-system is not installed (no libvirt-qemu user)"
unshare -m true 2>/dev/null || skip "cannot create mount namespaces here"
if [ "${IN_NAMESPACE:-}" != 1 ]; then
        IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0"
fi

S=$T/store H=vnch$$ G=vncg$$ NET=e2enet BR=vnce2e0
export VIRT_NAME_CACHE_DIR=$S
virsh() { local s=$SECONDS r; command virsh -q -c qemu:///system "$@"; r=$?; [ $((SECONDS - s)) -gt 2 ] && echo "(virsh $1: $((SECONDS - s)) s)" >&2; return $r; }
resolve() { addrs_of "$S" ahostsv4 "$1"; }
cleanup() {
        set +e
        [ -s "$T/dhclient.pid" ] && kill "$(cat "$T/dhclient.pid")" 2>/dev/null
        virsh net-destroy $NET >/dev/null 2>&1
        [ -s /run/libvirt/network/$NET.pid ] && kill "$(cat /run/libvirt/network/$NET.pid)" 2>/dev/null
        [ -s "$T/libvirtd.pid" ] && kill "$(cat "$T/libvirtd.pid")" 2>/dev/null
        sleep 0.5
        ip netns del $G 2>/dev/null; ip netns del $H 2>/dev/null
}
trap cleanup EXIT

# Private libvirt state; the machine's own libvirt is never seen.
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
        mkdir -p "$d" && mount -t tmpfs tmpfs "$d" || fail "cannot mount a tmpfs on $d"
done
mkdir -p "$T/etc" && cp -a /etc/libvirt/. "$T/etc/" && mount --bind "$T/etc" /etc/libvirt
# QEMU here: no virtlogd, no AppArmor/SELinux labelling, no cgroups or
# mount namespaces of libvirt's own (this test already runs in one).
printf 'stdio_handler = "file"\nsecurity_driver = "none"\nnamespaces = [ ]\ncgroup_controllers = [ ]\n' >>/etc/libvirt/qemu.conf
rm -rf /etc/libvirt/hooks && mkdir -p /etc/libvirt/hooks/network.d /etc/libvirt/hooks/qemu.d
wrap() {   # WRAPPER TARGET: libvirt and dnsmasq clean the environment
        printf '#!/bin/sh\nexport VIRT_NAME_CACHE_DIR=%s VIRT_NAME_CACHE_LOG_STDERR=1\nexec %s "$@"\n' "$S" "$2" >"$1"
        chmod 755 "$1"
}
wrap /etc/libvirt/hooks/network.d/virt-name-cache "$B/hooks/network-hook"
wrap /etc/libvirt/hooks/qemu.d/virt-name-cache "$B/hooks/qemu-hook"
wrap "$T/lease-helper" "$B/hooks/lease-helper"

ip netns add $H && ip -n $H link set lo up || fail "cannot create network namespace $H"
ip netns exec $H /usr/sbin/libvirtd --pid-file "$T/libvirtd.pid" >"$T/libvirtd.log" 2>&1 &
for i in $(seq 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
[ -S /run/libvirt/libvirt-sock ] || { tail "$T/libvirtd.log"; skip "libvirtd did not start here"; }
virsh version --daemon | head -3

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
ip netns add $G || fail "netns $G"
ip -n $H link add vge0 type veth peer name vge1 netns $G
ip -n $H link set vge0 master $BR up
ip -n $G link set lo up
ip -n $G link set vge1 address 52:54:00:10:00:42 up
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
dhcp() { ip netns exec $G timeout 60 dhclient "$@" -cf "$T/dhclient.conf" -lf "$T/dhclient.leases" \
        -pf "$T/dhclient.pid" -sf "$T/dhclient-script" vge1; }
dhcp -1 -v >"$T/dhclient.log" 2>&1 || { cat "$T/dhclient.log"; fail "dhclient got no lease"; }
t0=$(date +%s%N)
addr=$(ip -n $G -4 -o addr show vge1 | awk '{print $4}' | cut -d/ -f1)
echo "guest got $addr"
case $addr in 198.18.10.*) ;; *) fail "unexpected lease address '$addr'" ;; esac
for i in $(seq 500); do [ "$(resolve e2eguest)" = "$addr" ] && break; sleep 0.01; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "guest host name resolves" "$addr" "$(resolve e2eguest)"
echo "lease visible through getent ${ms} ms after dhclient returned (includes polling at 10 ms)"
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
dhcp -r >>"$T/dhclient.log" 2>&1
for i in $(seq 300); do [ -z "$(resolve e2eguest)" ] && break; sleep 0.01; done
expect_eq "released lease gone" "" "$(resolve e2eguest)"
wait_for 10 eval '! virsh net-dhcp-leases $NET | grep -q "$addr"' || fail "libvirt still lists the released lease"
pass "release removes the name"

# A real QEMU domain (TCG) on the network.  It has no disk and boots from
# the network, so its firmware (iPXE) sends a real DHCP request from the
# domain's MAC: the qemu hook records the domain, the lease helper the
# lease, and the domain name resolves to the address the guest got.
qemu_domain() {
        local emu=/usr/bin/qemu-system-x86_64 uuid=6c1b2a30-5e2e-4c0a-9d11-0e2e00000077
        [ -x $emu ] || { skip_part "QEMU domain: $emu is not installed (the qemu hook runs on XML from libvirt's own dumpxml in t-hooks)"; return; }
        cat >"$T/dom.xml" <<XML
<domain type='qemu'>
  <name>e2evm</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <emulator>$emu</emulator>
    <interface type='network'>
      <source network='$NET'/>
      <mac address='52:54:00:10:00:77'/>
      <model type='virtio'/>
    </interface>
    <graphics type='vnc' port='-1' listen='127.0.0.1'/>
  </devices>
</domain>
XML
        virsh define "$T/dom.xml" >/dev/null || fail "define e2evm"
        "$B/virt-name-cache" query e2evm >/dev/null 2>&1 &&
                fail "defined but not started: the qemu hook has nothing yet, the store should not know it"
        if ! virsh start e2evm >"$T/start.log" 2>&1; then
                skip_part "QEMU domain: it cannot start here: $(tr '\n' ' ' <"$T/start.log")"
                echo "      (the qemu hook runs on XML from libvirt's own dumpxml in t-hooks)"
                virsh undefine e2evm >/dev/null 2>&1
                return
        fi
        local id json
        id=$(virsh domid e2evm)
        json=$("$B/virt-name-cache" query e2evm --json) || fail "qemu hook did not record e2evm"
        grep -q "\"state\": \"running\"" <<<"$json" || fail "e2evm not running in the store: $json"
        grep -q "\"id\": $id," <<<"$json" || fail "e2evm lacks ID $id: $json"
        grep -q "\"uuid\": \"$uuid\"" <<<"$json" || fail "e2evm lacks its UUID: $json"
        grep -q "\"mac\": \"52:54:00:10:00:77\"" <<<"$json" || fail "e2evm lacks its MAC: $json"
        pass "qemu hook: a started QEMU domain recorded (running, ID $id, UUID, MAC on $NET)"
        echo "note: the domain has no <vsock>: a VSOCK device needs /dev/vhost-vsock on the host;"
        echo "      CID recording is tested in t-hooks on XML from libvirt's own dumpxml"
        local vmaddr= t=$SECONDS
        for i in $(seq 1200); do   # TCG firmware up to its DHCP: seconds
                vmaddr=$(resolve e2evm) && [ -n "$vmaddr" ] && break
                sleep 0.1
        done
        case $vmaddr in 198.18.10.*) ;; *) fail "the domain's firmware got no lease in 120 s: $(virsh net-dhcp-leases $NET)" ;; esac
        wait_for 10 eval 'virsh net-dhcp-leases $NET | grep -q "52:54:00:10:00:77.*$vmaddr"' ||
                fail "libvirt does not list the domain's lease $vmaddr: $(virsh net-dhcp-leases $NET)"
        pass "domain name e2evm resolves to $vmaddr, the address its firmware leased (after $((SECONDS - t)) s)"
        virsh destroy e2evm >/dev/null || fail "destroy"
        json=$("$B/virt-name-cache" query e2evm --json)
        grep -q "\"state\": \"shut off\"" <<<"$json" || fail "destroyed domain not shut off: $json"
        grep -q "\"id\": null" <<<"$json" || fail "destroyed domain kept its ID: $json"
        pass "qemu hook: destroy keeps the domain, shut off, without its ID"
        # libvirt runs no hook on undefine: a persistent domain undefined
        # while shut off goes at the next rebuild ...
        virsh undefine e2evm >/dev/null || fail "undefine"
        "$B/virt-name-cache" rebuild --connect qemu:///system >/dev/null || fail "rebuild after undefine"
        "$B/virt-name-cache" query e2evm >/dev/null 2>&1 && fail "undefined domain still in the store after rebuild"
        # ... and a transient domain goes when it stops (release, no config).
        sed -e 's/e2evm/e2etmp/' -e '/<uuid>/d' -e 's/10:00:77/10:00:78/' "$T/dom.xml" >"$T/tmp.xml"
        virsh create "$T/tmp.xml" >/dev/null || fail "create a transient domain"
        "$B/virt-name-cache" query e2etmp | grep -q "^state: *running" || fail "transient domain not recorded"
        virsh destroy e2etmp >/dev/null || fail "destroy e2etmp"
        "$B/virt-name-cache" query e2etmp >/dev/null 2>&1 && fail "stopped transient domain still in the store"
        pass "undefined domains leave the store (transient: at stop; persistent: at rebuild)"
}
qemu_domain

# A new lease, then the network stops: everything of it goes.
dhcp -1 >>"$T/dhclient.log" 2>&1 || fail "second lease"
for i in $(seq 300); do [ -n "$(resolve e2eguest)" ] && break; sleep 0.01; done
[ -n "$(resolve e2eguest)" ] || fail "second lease not recorded"
virsh net-destroy $NET >/dev/null || fail "net-destroy"
expect_eq "stopped network: lease gone" "" "$(resolve e2eguest)"
expect_eq "stopped network: static host gone" "" "$(resolve fixedhost)"
pass "stopping the network removes its names"
"$B/virt-name-cache" disable $NET --helper "$T/lease-helper" || fail "disable"
virsh net-dumpxml --inactive $NET | grep -q "dhcp-script" && fail "disable left the option"
pass "disable removes the option"
expect_nothing_missed "$S"

