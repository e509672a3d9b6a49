#!/usr/bin/env bash
# t-e2e-dns: a libvirt network's own dnsmasq answers the store's names
# (`virt-name-cache enable`: hostsdir= and dhcp-ignore-names), end to end.
# Debian's libvirtd (in a network namespace of its own, private state)
# starts the network 198.18.20.0/24 with the DNS domain e2e.test; "guest"
# namespaces joined to its bridge run the real ISC dhclient, and take
# their resolver from DHCP.  Checked, with dig against the network's DNS
# server and with glibc's dns module inside a guest:
#  - a guest's host name, NAME.e2e.test and the reverse; the static host;
#  - a QEMU domain (firmware DHCP) by its domain name, from another guest;
#  - a hostile guest sending the domain's name, a reserved name (wpad) or
#    another guest's name gets exactly what the NSS module gives, which
#    for those is nothing of its own (same answers for every name);
#  - a released guest and a destroyed domain are gone within 1 s;
#  - after the network restarts (dnsmasq reloads its leases through the
#    lease helper's init), still no guest-sent name the rules refuse;
#  - `disable` takes the options and the directory away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
e2e_require dhclient dig
e2e_enter

S=$T/store H=vncdh$$ G1=vncd1$$ G2=vncd2$$ NET=dnsnet BR=vncdbr0 GW=198.18.20.1 DOM=e2e.test
MAC1=52:54:00:20:00:01 MAC2=52:54:00:20:00:02 VMMAC=52:54:00:20:00:77
export VIRT_NAME_CACHE_DIR=$S
cleanup() {
        set +e
        local p
        for p in "$T"/dhclient-*.pid; do [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
        virsh destroy e2evm >/dev/null 2>&1
        e2e_stop $NET
        ip netns del $G1 2>/dev/null; ip netns del $G2 2>/dev/null; ip netns del $G3 2>/dev/null
}
trap cleanup EXIT

# dnsmasq reads the hosts directory as an unprivileged user.
chmod 755 "$T"
e2e_private_libvirt
e2e_start_libvirtd
cat >"$T/net.xml" <<XML
<network>
  <name>$NET</name>
  <bridge name='$BR' stp='off' delay='0'/>
  <domain name='$DOM' localOnly='yes'/>
  <ip address='$GW' netmask='255.255.255.0' localPtr='yes'>
    <dhcp>
      <range start='198.18.20.100' end='198.18.20.200'/>
      <host mac='52:54:00:20:00:05' name='fixedhost' ip='198.18.20.5'/>
    </dhcp>
  </ip>
</network>
XML
virsh net-define "$T/net.xml" >/dev/null || fail "net-define"
"$B/virt-name-cache" enable $NET --helper "$T/lease-helper" || fail "enable"
xml=$(virsh net-dumpxml --inactive $NET)
grep -q "dnsmasq:option value='hostsdir=$S/dnsmasq/$NET'" <<<"$xml" &&
        grep -q "dnsmasq:option value='dhcp-ignore-names'" <<<"$xml" || fail "enable: DNS options missing: $xml"
virsh net-start $NET >/dev/null || fail "net-start: $(tail -5 "$T/libvirtd.log")"
conf=/var/lib/libvirt/dnsmasq/$NET.conf
grep -q "^hostsdir=$S/dnsmasq/$NET$" $conf && grep -q "^dhcp-ignore-names$" $conf ||
        fail "dnsmasq's configuration lacks the options: $(cat $conf)"
[ -d "$S/dnsmasq/$NET" ] || fail "no hosts directory"
expect_eq "hosts directory mode" "755" "$(stat -c %a "$S/dnsmasq/$NET")"
pass "enable: hostsdir and dhcp-ignore-names in dnsmasq's configuration, the directory there at start"

# dig from libvirtd's namespace (the host side of the bridge).
dq() { ip netns exec $H dig +short +time=1 +tries=2 @$GW "$@" | sort | xargs; }
nss4() { addrs_of "$S" ahostsv4 "$1"; }
# Until NAME.DOMAIN answers ADDR (or nothing, for ""), at most 10 s;
# prints the milliseconds it took.
wait_dns() {   # NAME ADDR
        local t0=$(date +%s%N) i
        for i in $(seq 1000); do
                [ "$(dq "$1.$DOM" A)" = "$2" ] && break
                sleep 0.01
        done
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

expect_eq "static host through dnsmasq" "198.18.20.5" "$(dq fixedhost.$DOM)"

# Guests: the resolver they get from DHCP goes into a file of their own,
# bind-mounted over /etc/resolv.conf only for the commands run "in" them.
# (dhclient runs its script in an environment of its own: each guest gets
# a script that names its file.)
dhcp() {   # NS HOSTNAME ARGS...
        local ns=$1 name=$2
        shift 2
        printf 'send host-name "%s";\nrequest subnet-mask, broadcast-address, routers, domain-name, domain-name-servers;\n' \
                "$name" >"$T/dhclient-$ns.conf"
        cat >"$T/dhclient-script-$ns" <<SCRIPT
#!/bin/sh
case "\$reason" in
BOUND|RENEW|REBIND|REBOOT)
        ip addr replace "\$new_ip_address/24" dev "\$interface"
        { [ -n "\$new_domain_name" ] && echo "search \$new_domain_name"
          for s in \$new_domain_name_servers; do echo "nameserver \$s"; done; } >"$T/resolv-$ns.conf" ;;
RELEASE|EXPIRE|STOP) [ -n "\$old_ip_address" ] && ip addr del "\$old_ip_address/24" dev "\$interface" ;;
esac
exit 0
SCRIPT
        chmod 755 "$T/dhclient-script-$ns"
        ip netns exec "$ns" timeout 60 dhclient "$@" -cf "$T/dhclient-$ns.conf" -lf "$T/dhclient-$ns.leases" \
                -pf "$T/dhclient-$ns.pid" -sf "$T/dhclient-script-$ns" eth0 >>"$T/dhclient-$ns.log" 2>&1
}
release() { dhcp "$1" "${2:-x}" -r; }
in_guest() {   # NS COMMAND...: with the resolver DHCP gave it
        local ns=$1
        shift
        ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
                "$T/resolv-$ns.conf" "$@"
}
guest_addr() { ip -n "$1" -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }

e2e_guest $G1 vd1 $MAC1 $BR
dhcp $G1 g1 -1 || fail "guest 1 got no lease: $(cat "$T/dhclient-$G1.log")"
a1=$(guest_addr $G1)
ms=$(wait_dns g1 "$a1")
expect_eq "a guest's host name through dnsmasq" "$a1" "$(dq g1.$DOM)"
echo "g1.$DOM answered by dnsmasq $ms ms after dhclient returned"
expect_eq "the bare name too" "$a1" "$(dq g1)"
expect_eq "reverse" "g1.$DOM." "$(dq -x "$a1")"
grep -q "^nameserver $GW$" "$T/resolv-$G1.conf" && grep -q "^search $DOM$" "$T/resolv-$G1.conf" ||
        fail "the guest's resolver from DHCP: $(cat "$T/resolv-$G1.conf")"
expect_eq "inside the guest, glibc's dns module" "$a1" "$(in_guest $G1 getent -s hosts:dns ahostsv4 g1 | awk '{print $1}' | sort -u)"
pass "a guest's host name, NAME.DOMAIN and reverse through the network's DNS; the guest's own resolver finds it"

# A QEMU domain (TCG, no disk: its firmware asks DHCP) by its domain name,
# from the other guest.
vm=
emu=/usr/bin/qemu-system-x86_64
if [ -x $emu ]; then
        cat >"$T/dom.xml" <<XML
<domain type='qemu'>
  <name>e2evm</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <emulator>$emu</emulator>
    <interface type='network'><source network='$NET'/><mac address='$VMMAC'/><model type='virtio'/></interface>
    <graphics type='vnc' port='-1' listen='127.0.0.1'/>
  </devices>
</domain>
XML
        virsh define "$T/dom.xml" >/dev/null || fail "define e2evm"
        if virsh start e2evm >"$T/start.log" 2>&1; then
                for i in $(seq 120); do vm=$(nss4 e2evm); [ -n "$vm" ] && break; sleep 0.5; done
                [ -n "$vm" ] || fail "the domain's firmware got no lease"
                wait_dns e2evm "$vm" >/dev/null
                expect_eq "domain name through dnsmasq" "$vm" "$(dq e2evm.$DOM)"
                expect_eq "domain's reverse" "e2evm.$DOM." "$(dq -x "$vm")"
                expect_eq "another guest resolves the domain by name" "$vm" \
                        "$(in_guest $G1 getent -s hosts:dns ahostsv4 e2evm | awk '{print $1}' | sort -u)"
                pass "a QEMU domain by its domain name and in reverse; guest 1 resolves it"
        else
                skip_part "QEMU domain not started here ($(tr '\n' ' ' <"$T/start.log")): domain names are checked by t-unit"
        fi
else
        skip_part "QEMU domain: $emu is not installed"
fi

# The hostile guest: its host name is what the rules allow, nothing else.
# Names an administrator set or reserved ones are never its; another
# guest's host name it may share (guests' names are all untrusted alike),
# exactly as the NSS module answers.
e2e_guest $G2 vd2 $MAC2 $BR
for name in ${vm:+e2evm} wpad fixedhost localhost "$(hostname -s)" g1; do
        [ -s "$T/dhclient-$G2.pid" ] && release $G2
        dhcp $G2 "$name" -1 || fail "hostile guest got no lease"
        a2=$(guest_addr $G2)
        for i in $(seq 100); do "$B/virt-name-cache" list | grep -q "^$a2 " && break; sleep 0.05; done
        sleep 0.2
        for q in "$name" "$name.$DOM"; do
                # dnsmasq also serves this machine's /etc/hosts (libvirt
                # sets no no-hosts, and expand-hosts adds the domain):
                # those answers are the host's own.
                got=$(dq "$q" A)
                want=$( { nss4 "$q" | tr ' ' '\n'; getent -s hosts:files ahostsv4 "$name" | awk '{print $1}'; } |
                        grep . | sort -u | xargs)
                expect_eq "dnsmasq answers $q as the NSS module (and /etc/hosts)" "$want" "$got"
                [ "$name" = g1 ] && continue
                case " $got " in *" $a2 "*) fail "hostile guest $a2 answers for $q (dnsmasq: $got)" ;; esac
        done
        [ "$name" = g1 ] || expect_eq "no name for the hostile guest's address" "" "$(dq -x "$a2")"
done
expect_eq "a shared guest name: both guests, as NSS says" "$(echo "$a1 $a2" | tr ' ' '\n' | sort | xargs)" \
        "$(dq g1.$DOM)"
pass "a hostile guest sending a domain's, a reserved or a static name gets none of them; dnsmasq answers as NSS"
release $G2 g1

# Release and destroy: gone within 1 s.
release $G1 g1
ms=$(wait_dns g1 "")
expect_eq "released guest gone from DNS" "" "$(dq g1.$DOM)"
[ "$ms" -le 1000 ] || fail "released guest still answered after $ms ms"
echo "released: gone from dnsmasq after $ms ms"
if [ -n "$vm" ]; then
        t0=$(date +%s%N)
        virsh destroy e2evm >/dev/null || fail "destroy"
        ms=$(wait_dns e2evm "")
        total=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "destroyed domain gone from DNS" "" "$(dq e2evm.$DOM)"
        [ "$ms" -le 1000 ] || fail "destroyed domain still answered $ms ms after virsh destroy returned"
        echo "destroyed: gone from dnsmasq $ms ms after virsh destroy returned ($total ms including it)"
fi
pass "a released guest and a destroyed domain are gone from DNS within 1 s"

# The network restarts: dnsmasq reloads its leases through the lease
# helper's init; no guest-sent name comes back with them.
dhcp $G1 g1 -1 || fail "guest 1 again"
a1=$(guest_addr $G1)
wait_dns g1 "$a1" >/dev/null
virsh net-destroy $NET >/dev/null && virsh net-start $NET >/dev/null || fail "network restart"
ms=$(wait_dns g1 "$a1")
expect_eq "after the restart, the guest's name from the store" "$a1" "$(dq g1.$DOM)"
for q in wpad wpad.$DOM; do
        expect_eq "after the restart, $q" "" "$(dq "$q" A)"
done
pass "after a network restart (dnsmasq's init) the names are the store's, not the guests' ($ms ms)"

# A domain whose guest sends a host name, stopped and started again while
# its lease lasts: one PTR, the domain's name, as NSS answers (issue 20).
# (A veth with the domain's MAC stands for its guest; the qemu hook gets
# the XML libvirt would give it.)
G3=vncd3$$ MAC3=52:54:00:20:00:03
e2e_guest $G3 vd3 $MAC3 $BR
vm3() {   # OPERATION
        printf "<domain type='kvm'><name>vmthree</name><uuid>6d1f5a3e-0b4c-4a7e-9a55-3c2d1e0f9a33</uuid><devices><interface type='network'><mac address='%s'/><source network='%s' bridge='%s'/></interface></devices></domain>" \
                $MAC3 $NET $BR | "$B/hooks/qemu-hook" vmthree "$1" begin - || fail "qemu hook $1"
}
vm3 started
dhcp $G3 g3guest -1 || fail "guest 3 got no lease: $(cat "$T/dhclient-$G3.log")"
a3=$(guest_addr $G3)
wait_dns vmthree "$a3" >/dev/null
ptrs() { dq -x "$a3" | tr ' ' '\n' | grep -c .; }
echo "domain started: PTR of $a3: $(dq -x "$a3"); NSS: $(virtname_getent "$S" hosts "$a3")"
expect_eq "domain started: one PTR, the domain's" "vmthree.$DOM." "$(dq -x "$a3")"
vm3 stopped
echo "domain stopped: PTR of $a3: [$(dq -x "$a3")]; NSS: [$(virtname_getent "$S" hosts "$a3")]"
vm3 started
dhcp $G3 g3guest -1 || fail "guest 3 renew"
wait_dns vmthree "$a3" >/dev/null
sleep 0.5
echo "domain started again, lease kept: PTR of $a3: $(dq -x "$a3"); NSS: $(virtname_getent "$S" hosts "$a3")"
expect_eq "domain stopped and started, lease kept: one PTR" "1" "$(ptrs)"
expect_eq "... the domain's, as NSS" "vmthree.$DOM." "$(dq -x "$a3")"
expect_eq "NSS reverse" "vmthree.$DOM" "$(virtname_getent "$S" hosts "$a3" | awk '{print $2}')"
# The same with the guest's DHCP while the domain is shut off (a renewal
# in flight at the stop, or dnsmasq's replay): still one PTR after the start.
vm3 stopped
dhcp $G3 g3guest -1 || fail "guest 3 renew while stopped"
echo "domain stopped, the guest renewed: PTR of $a3: [$(dq -x "$a3")]; NSS: [$(virtname_getent "$S" hosts "$a3")]"
vm3 started
dhcp $G3 g3guest -1 || fail "guest 3 renew"
wait_dns vmthree "$a3" >/dev/null
sleep 0.5
echo "started again: PTR of $a3: $(dq -x "$a3"); NSS: $(virtname_getent "$S" hosts "$a3")"
expect_eq "renewed while stopped, then started: one PTR" "1" "$(ptrs)"
expect_eq "... the domain's" "vmthree.$DOM." "$(dq -x "$a3")"
pass "a domain stopped and started with its lease kept: dnsmasq gives one PTR, the domain's name, as NSS does"

"$B/virt-name-cache" disable $NET --helper "$T/lease-helper" >/dev/null || fail "disable"
xml=$(virsh net-dumpxml --inactive $NET)
grep -q "hostsdir=\|dhcp-ignore-names\|dhcp-script=" <<<"$xml" && fail "disable left options: $xml"
[ -e "$S/dnsmasq/$NET" ] && fail "disable left the directory"
pass "disable removes the options and the directory"
