#!/usr/bin/env bash
# t-e2e-dns: a libvirt network's own dnsmasq answers the store's names
# (`virt-name-cache enable`: hostsdir= and dhcp-ignore-names), end to end.
# Debian's libvirtd (in a network namespace of its own, private state)
# starts the network 198.18.20.0/24 with the DNS domain e2e.test; "guest"
# namespaces joined to its bridge run the real ISC dhclient, and take
# their resolver from DHCP.  Checked, with dig against the network's DNS
# server and with glibc's dns module inside a guest:
#  - a guest's host name, NAME.e2e.test and the reverse; the static host;
#  - a real Linux guest (lib-guest.sh) behind a domain's tap: its domain
#    name, once its port answered for its lease (timed: dnsmasq's lease
#    event to glibc's and to dnsmasq's answer), from another guest;
#  - a hostile guest sending the domain's name, a reserved name (wpad) or
#    another guest's name gets exactly what the NSS module gives, which
#    for those is nothing of its own (same answers for every name);
#  - a released guest and a destroyed domain are gone within 1 s;
#  - after the network restarts (dnsmasq reloads its leases through the
#    lease helper's init), still no guest-sent name the rules refuse;
#  - the domain stopped and started again while its lease lasts (and a
#    renewal of that lease while it is shut off): one PTR, its name;
#  - `disable` takes the options and the directory away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require dhclient dig /usr/bin/qemu-system-x86_64
e2e_enter

S=$T/store H=vncdh$$ G1=vncd1$$ G2=vncd2$$ G3=vncd3$$ NET=dnsnet BR=vncdbr0 GW=198.18.20.1 DOM=e2e.test
MAC1=52:54:00:20:00:01 MAC2=52:54:00:20:00:02 VMMAC=52:54:00:20:00:77
export VIRT_NAME_CACHE_DIR=$S
cleanup() {
        set +e
        virsh destroy e2evm >/dev/null 2>&1
        [ -s /run/libvirt/qemu/e2evm.pid ] && kill "$(cat /run/libvirt/qemu/e2evm.pid)" 2>/dev/null
        e2e_stop $NET
        ip netns del $G1 2>/dev/null; ip netns del $G2 2>/dev/null; ip netns del $G3 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# dnsmasq reads the hosts directory as an unprivileged user; libvirt-qemu
# the guest's kernel.
chmod 755 "$T"
guest_build "$T/guest"
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
dhcp() {   # NS HOSTNAME: a lease (dhclient in the foreground, PID held: lib-e2e.sh)
        local ns=$1 name=$2
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
        e2e_dhclient "dhclient-$ns" "$ns" -4 -cf "$T/dhclient-$ns.conf" -sf "$T/dhclient-script-$ns" eth0
}
release() {   # NS
        e2e_dhclient_release "dhclient-$1" "$1" -4 -cf "$T/dhclient-$1.conf" -sf "$T/dhclient-script-$1" eth0
}
in_guest() {   # NS COMMAND...: with the resolver DHCP gave it
        local ns=$1
        shift
        ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
                "$T/resolv-$ns.conf" "$@"
}
guest_addr() { ip -n "$1" -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }

e2e_guest $G1 vd1 $MAC1 $BR
dhcp $G1 g1 || fail "guest 1 got no lease: $(cat "$T/dhclient-$G1.log")"
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

# A real Linux guest behind a domain's tap (lib-guest.sh): its domain
# name answers, through glibc and dnsmasq, once its port answered for its
# lease; guest 1 resolves it.
guest_domain_xml e2evm $VMMAC $NET --host e2evmguest >"$T/dom.xml"
virsh define "$T/dom.xml" >/dev/null || fail "define e2evm"
virsh start e2evm >"$T/start.log" 2>&1 || fail "e2evm cannot start: $(cat "$T/start.log")"
vm=$(guest_wait_lease e2evm) || fail "e2evm got no lease"
ms=$(e2e_name_after_lease e2evm "$vm") || fail "e2evm's name never resolved to $vm: $("$B/virt-name-cache" query e2evm)"
ms_dns=$(wait_dns e2evm "$vm")
echo "timing: e2evm's name through glibc $ms ms after dnsmasq's lease event (its port asked and answered), through dnsmasq $ms_dns ms later"
expect_eq "domain name through dnsmasq" "$vm" "$(dq e2evm.$DOM)"
expect_eq "domain's reverse: one PTR, its name" "e2evm.$DOM." "$(dq -x "$vm")"
expect_eq "another guest resolves the domain by name" "$vm" \
        "$(in_guest $G1 getent -s hosts:dns ahostsv4 e2evm | awk '{print $1}' | sort -u)"
expect_eq "its guest's host name (its claim), as NSS answers" "$(nss4 e2evmguest)" "$(dq e2evmguest.$DOM)"
pass "a real guest by its domain name and in reverse; guest 1 resolves it"

# The hostile guest: its host name is what the rules allow, nothing else.
# Names an administrator set or reserved ones are never its; another
# guest's host name it may share (guests' names are all untrusted alike),
# exactly as the NSS module answers.
e2e_guest $G2 vd2 $MAC2 $BR
for name in e2evm wpad fixedhost localhost "$(hostname -s)" g1; do
        [ -s "$T/dhclient-$G2.pid" ] && release $G2
        dhcp $G2 "$name" || fail "hostile guest got no lease"
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
release $G2

# Release and destroy: gone within 1 s.
release $G1
ms=$(wait_dns g1 "")
expect_eq "released guest gone from DNS" "" "$(dq g1.$DOM)"
[ "$ms" -le 1000 ] || fail "released guest still answered after $ms ms"
echo "released: gone from dnsmasq after $ms ms"
t0=$(date +%s%N)
virsh destroy e2evm >/dev/null || fail "destroy"
ms=$(wait_dns e2evm "")
total=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "destroyed domain gone from DNS" "" "$(dq e2evm.$DOM)"
[ "$ms" -le 1000 ] || fail "destroyed domain still answered $ms ms after virsh destroy returned"
echo "destroyed: gone from dnsmasq $ms ms after virsh destroy returned ($total ms including it)"
pass "a released guest and a destroyed domain are gone from DNS within 1 s"

# The network restarts: dnsmasq reloads its leases through the lease
# helper's init; no guest-sent name comes back with them.
dhcp $G1 g1 || fail "guest 1 again"
a1=$(guest_addr $G1)
wait_dns g1 "$a1" >/dev/null
virsh net-destroy $NET >/dev/null && virsh net-start $NET >/dev/null || fail "network restart"
ms=$(wait_dns g1 "$a1")
expect_eq "after the restart, the guest's name from the store" "$a1" "$(dq g1.$DOM)"
for q in wpad wpad.$DOM; do
        expect_eq "after the restart, $q" "" "$(dq "$q" A)"
done
pass "after a network restart (dnsmasq's init) the names are the store's, not the guests' ($ms ms)"

# The domain stopped and started again while its lease lasts: one PTR,
# the domain's name, as NSS answers (issue 20).  Its guest asks again at
# boot and gets the same address (dnsmasq knows its client id); the
# domain's name follows once its port answered in the new run.
ptrs() { dq -x "$vm" | tr ' ' '\n' | grep -c .; }
restart_vm() {   # WHAT
        local n
        n=$(wc -l <"$T/lease-helper.log")
        virsh start e2evm >"$T/start.log" 2>&1 || fail "$1: e2evm cannot start: $(cat "$T/start.log")"
        a=$(guest_wait_lease e2evm) || fail "$1: e2evm got no lease"
        expect_eq "$1: e2evm's guest asked for its address again" "$vm" "$a"
        ms=$(e2e_name_after_lease e2evm "$vm" 60 "$n") || fail "$1: e2evm's name: $("$B/virt-name-cache" query e2evm)"
        wait_dns e2evm "$vm" >/dev/null
        echo "$1: PTR of $vm: $(dq -x "$vm"); NSS: $(virtname_getent "$S" hosts "$vm" | xargs) (its name $ms ms after the lease event)"
        expect_eq "$1: one PTR" "1" "$(ptrs)"
        expect_eq "$1: the domain's, as NSS" "e2evm.$DOM." "$(dq -x "$vm")"
        expect_eq "$1: NSS reverse" "e2evm.$DOM" "$(virtname_getent "$S" hosts "$vm" | awk '{print $2}')"
}
restart_vm "destroyed and started, lease kept"
# The same with a DHCP request of that lease while the domain is shut off
# (a renewal in flight at the stop, or dnsmasq's replay): sent by a veth
# namespace with the guest's chaddr and client id (dhcp-forge).
virsh destroy e2evm >/dev/null || fail "destroy"
wait_dns e2evm "" >/dev/null
e2e_guest $G3 vd3 52:54:00:20:00:03 $BR
renewals() { grep -cE "^old $VMMAC $vm .*DNSMASQ_SUPPLIED_HOSTNAME=e2evmguest " "$T/lease-helper.log"; }
n=$(renewals)
out=$(ip netns exec $G3 "$B/selftest/dhcp-forge" eth0 v4 --chaddr $VMMAC --client-id 01:$VMMAC --request "$vm" \
        --hostname e2evmguest) || fail "the renewal while shut off: $out"
expect_eq "a renewal of e2evm's lease while it is shut off" "ack $vm" "$(grep ^ack <<<"$out")"
wait_for 10 eval '[ "$(renewals)" -gt "$n" ]' || fail "the renewal never reached the lease helper"
echo "domain shut off, its lease renewed: PTR of $vm: [$(dq -x "$vm")]; NSS: [$(virtname_getent "$S" hosts "$vm" | xargs)]"
restart_vm "renewed while shut off, then started"
pass "a domain stopped and started with its lease kept: dnsmasq gives one PTR, the domain's name, as NSS does"

"$B/virt-name-cache" disable $NET --helper "$T/lease-helper" >/dev/null || fail "disable"
xml=$(virsh net-dumpxml --inactive $NET)
grep -q "hostsdir=\|dhcp-ignore-names\|dhcp-script=" <<<"$xml" && fail "disable left options: $xml"
[ -e "$S/dnsmasq/$NET" ] && fail "disable left the directory"
pass "disable removes the options and the directory"
