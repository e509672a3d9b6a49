#!/usr/bin/env bash
# t-differential: virtname against libvirt's own NSS modules (Debian's
# libnss-libvirt) on the same libvirt-format lease files.  For every name,
# virtname must return the same address set as `libvirt` (guest host
# names) and `libvirt_guest` (domain names), except where this project
# differs by design; those cases are checked for OUR behaviour and
# printed as "DIFFERS (by design)".
#
# The reference modules read the fixed directory /var/lib/libvirt/dnsmasq,
# so the comparison runs in a private mount namespace with a tmpfs there:
# the machine's own files are never seen or touched.
. "$(dirname "$0")/lib.sh"
ls /lib/*/libnss_libvirt.so.2 /usr/lib/*/libnss_libvirt.so.2 >/dev/null 2>&1 ||
        skip "Debian's libnss-libvirt is not installed (make deps installs it)"
unshare -m true 2>/dev/null || skip "cannot create a mount namespace here (unshare -m)"

if [ "${IN_NAMESPACE:-}" != 1 ]; then
        IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0"
fi
if [ -d /var/lib/libvirt/dnsmasq ]; then
        mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq
else
        # Only in this namespace: a scratch /var/lib holding the directory.
        mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq
fi
D=/var/lib/libvirt/dnsmasq
make_fixture "$D"
# More reference cases: upper-case names, a guest without a host name,
# a host name shared by two guests, a second IPv6 lease.
soon=$(( $(date +%s) + 3600 ))
cat >"$D/vbr3.status" <<JSON
[ { "ip-address": "198.18.3.10", "mac-address": "52:54:00:00:03:01", "hostname": "MixedCase", "expiry-time": $soon },
  { "ip-address": "198.18.3.11", "mac-address": "52:54:00:00:03:02", "hostname": "twin", "expiry-time": $soon },
  { "ip-address": "198.18.3.12", "mac-address": "52:54:00:00:03:03", "hostname": "twin", "expiry-time": 0 },
  { "ip-address": "2001:db8:0:3::12", "mac-address": "52:54:00:00:03:03", "hostname": "twin", "iaid": "9", "expiry-time": $soon },
  { "ip-address": "198.18.3.13", "mac-address": "52:54:00:00:03:04", "expiry-time": $soon } ]
JSON
cat >"$D/vbr3.macs" <<JSON
[ { "domain": "Upper-VM", "macs": [ "52:54:00:00:03:01" ] },
  { "domain": "nohost-vm", "macs": [ "52:54:00:00:03:04" ] },
  { "domain": "twin-b", "macs": [ "52:54:00:00:03:03" ] } ]
JSON
printf 'interface=vbr3\n' >"$D/net3.conf"
S=$T/store
"$B/virt-name-cache" --db-dir "$S" rebuild --leases-dir "$D" || fail "rebuild"
# The lease helper below runs as dnsmasq runs it: no libvirt helper after
# it, and port-probe (which it starts for a running domain's MAC) a no-op.
export VIRT_NAME_CACHE_LEASESHELPER=$T/none VIRT_NAME_CACHE_PORT_PROBE=/bin/true

ref() { getent -s "hosts:$1" ahosts "$2" | awk '{print $1}' | sort -u | xargs; }
ours() { addrs_of "$S" ahosts "$1"; }
same() {   # MODULE NAME
        local r o
        r=$(ref "$1" "$2") o=$(ours "$2")
        [ "$r" = "$o" ] || fail "$2: $1 says [$r], virtname says [$o] (undeclared difference)"
        echo "same: $2 -> [$o] (as $1)"
}
differs() {   # NAME WHY OUR-EXPECTED REFERENCE-MODULE
        local o r
        o=$(ours "$1") r=$(ref "$4" "$1")
        [ "$o" = "$3" ] || fail "$1: virtname says [$o], expected [$3]"
        [ "$r" != "$o" ] || fail "$1: declared different but $4 agrees now ([$r]); update the test"
        echo "DIFFERS (by design): $1: virtname [$o], $4 [$r]: $2"
}

# --- Issue 17: a domain name needs its own port's answer --------------------
# libvirt_guest answers a domain name with every lease that carries one of
# its MACs (a join of the lease files).  That MAC is what the guest wrote
# in its DHCP request (chaddr, a DUID, a relay option): any guest can write
# another's.  Ours answers a domain name only with the addresses the
# domain's own port (its tap) answered for, and lease files carry no such
# answer: every domain name here differs by design.
for n in db-vm DB-VM intruder Upper-VM upper-vm nohost-vm twin-b web-vm; do
        differs "$n" "a domain name from lease files alone: no answer from its port, no address" "" libvirt_guest
done
# With the ports' answers recorded (store-prove stands in for port-probe,
# which asks each running domain's tap), both agree again.
"$B/selftest/store-prove" "$S" >/dev/null || fail "store-prove"

# Guest-sent host names, as `libvirt` answers them.
for n in web WEB Lone lone db2 old MixedCase mixedcase twin TWIN nosuchname; do same libvirt "$n"; done
# libvirt domain names, as `libvirt_guest` answers them.
for n in db-vm DB-VM intruder Upper-VM upper-vm nohost-vm twin-b; do same libvirt_guest "$n"; done
same libvirt_guest web-vm

# Where we differ on purpose.
differs web-vm "guest 'intruder' sends another domain's name as its host name; the domain wins" \
        "198.18.0.10 2001:db8:0:1::110" libvirt
differs web.lab.test "NAME.DOMAIN resolves on networks with <domain name='lab.test'/>" \
        "198.18.0.10 2001:db8:0:1::110" libvirt
differs db-vm.lab.test "domain names too get the network's DNS domain (only the lab.test NIC)" \
        "198.18.0.11" libvirt_guest
differs lone. "one trailing dot (an absolute name) is accepted" "198.18.0.14" libvirt
rev_ref=$(getent -s hosts:libvirt hosts 198.18.0.10; getent -s hosts:libvirt_guest hosts 198.18.0.10)
rev_ours=$(virtname_getent "$S" hosts 198.18.0.10 | xargs)
expect_eq "reverse lookup (ours)" "198.18.0.10 web-vm.lab.test web-vm" "$rev_ours"
[ -z "$rev_ref" ] || fail "the reference now answers reverse lookups: $rev_ref"
echo "DIFFERS (by design): reverse lookup of 198.18.0.10: virtname [$rev_ours], libvirt and libvirt_guest answer nothing"
pass "virtname agrees with libvirt and libvirt_guest except where declared"

# --- Issue 9: hostile guests, as deliberate differences ---------------------
# The cases selftest/t-e2e-attack.sh plays with real dnsmasq, dhclient and
# QEMU, here as lease files both sides read.  Network atknet (bridge vbr4,
# DNS domain atk.test, static host fixed = 198.18.4.5):
#   victim-vm, MAC :04:01, leased 198.18.4.10, which its port answered for;
#     then a guest that put that MAC in its own request (another client
#     id) leased 198.18.4.20 (the newer lease), reported to us by the lease
#     helper as dnsmasq runs it
#   a guest on vbr5 (network atknet2) using the same MAC: 198.18.5.10
#   guests (MACs :04:3x) sending localhost, ip6-localhost, _gateway, wpad,
#     localhost.localdomain, this host's name (and its first label), a
#     name in /etc/hosts, and the static host's name.
# Each is checked as ours, and the reference module must answer the
# attacker (else the difference is not shown and the test says so).
cp /etc/hosts "$T/hosts" && printf '198.18.99.1\tadminbox-diff\n' >>"$T/hosts" &&
        mount --bind "$T/hosts" /etc/hosts || fail "cannot put a private /etc/hosts in place"
HN=$(uname -n) HN1=$(uname -n | cut -d. -f1)
later=$((soon + 100))
ATTACK_NAMES=(localhost ip6-localhost _gateway wpad localhost.localdomain "$HN" adminbox-diff fixed)
[ "$HN1" = "$HN" ] || ATTACK_NAMES+=("$HN1")
attack_leases() {   # with the spoofer's lease when $1 is "spoofer"
        echo "[ { \"ip-address\": \"198.18.4.10\", \"mac-address\": \"52:54:00:00:04:01\", \"client-id\": \"01:52:54:00:00:04:01\", \"expiry-time\": $soon },"
        [ "${1:-}" = spoofer ] &&
                echo "  { \"ip-address\": \"198.18.4.20\", \"mac-address\": \"52:54:00:00:04:01\", \"client-id\": \"73:70:6f:6f:66\", \"hostname\": \"spoofer\", \"expiry-time\": $later },"
        i=0
        for h in "${ATTACK_NAMES[@]}"; do
                echo "  { \"ip-address\": \"198.18.4.$((30 + i))\", \"mac-address\": \"52:54:00:00:04:$((30 + i))\", \"hostname\": \"$h\", \"expiry-time\": $soon },"
                i=$((i + 1))
        done
        echo "  { \"ip-address\": \"198.18.4.99\", \"mac-address\": \"52:54:00:00:04:99\", \"hostname\": \"bystander\", \"expiry-time\": $soon } ]"
}
attack_leases >"$D/vbr4.status"
printf '[ { "domain": "victim-vm", "macs": [ "52:54:00:00:04:01" ] } ]\n' >"$D/vbr4.macs"
printf 'interface=vbr4\ndomain=atk.test\n' >"$D/atknet.conf"
printf '[ { "ip-address": "198.18.5.10", "mac-address": "52:54:00:00:04:01", "hostname": "victim-vm", "expiry-time": %s } ]\n' \
        "$later" >"$D/vbr5.status"
printf 'interface=vbr5\n' >"$D/atknet2.conf"
"$B/virt-name-cache" --db-dir "$S" rebuild --leases-dir "$D" 2>/dev/null || fail "rebuild with the attack leases"
# The static host comes from the network's definition (the network hook),
# as libvirt gives it; lease files do not carry it.
sed -e 's/labnet/atknet/; s/vnctest0/vbr4/; s/lab\.test/atk.test/; s/198\.18\.5\.50/198.18.4.5/' \
    -e 's/198\.18\.5\./198.18.4./g; /bad name/d; /ipv6/,/<\/ip>/d' "$TOP/selftest/fixtures/xml/network-started.xml" |
        VIRT_NAME_CACHE_DIR=$S "$B/hooks/network-hook" atknet started begin - || fail "network hook"
expect_eq "the static host" "198.18.4.5" "$(ours fixed)"
expect_eq "the leases survive the network hook" "198.18.4.99" "$(ours bystander)"
# The victim running, its port having answered for 198.18.4.10; then the
# spoofer's lease: dnsmasq runs our helper (then libvirt's, which writes
# the lease file the reference reads).
"$B/selftest/store-prove" "$S" >/dev/null || fail "store-prove (attack)"
VIRT_NAME_CACHE_DIR=$S VIR_BRIDGE_NAME=vbr4 DNSMASQ_LEASE_EXPIRES=$later DNSMASQ_CLIENT_ID=73:70:6f:6f:66 \
        DNSMASQ_SUPPLIED_HOSTNAME=spoofer "$B/hooks/lease-helper" add 52:54:00:00:04:01 198.18.4.20 spoofer
attack_leases spoofer >"$D/vbr4.status"
expect_eq "the spoofer's lease recorded, a claim of the victim's MAC" "52:54:00:00:04:01 claim" \
        "$("$B/virt-name-cache" --db-dir "$S" list | awk '$1 == "198.18.4.20" {print $4, $6}')"

attacker_differs() {   # NAME WHY OURS MODULE ATTACKER-ADDRESS
        differs "$1" "$2" "$3" "$4"
        case " $(ref "$4" "$1") " in
        *" $5 "*) ;;
        *) fail "$1: $4 says [$(ref "$4" "$1")], expected the attacker's $5 in it; update the test" ;;
        esac
}
# (Issue 9 answered the newest lease of the MAC here, the spoofer's; with
# issue 17 the lease the domain's port answered for wins over a newer
# claim of its MAC.)
attacker_differs victim-vm "a guest puts the domain's MAC in its request: its port answered for the older lease only" \
        "198.18.4.10" libvirt_guest 198.18.4.20
attacker_differs victim-vm "... and a lease of that MAC on another network is never the domain's" \
        "198.18.4.10" libvirt_guest 198.18.5.10
expect_eq "the lease its port answered for: the domain in reverse" "198.18.4.10 victim-vm.atk.test victim-vm" \
        "$(virtname_getent "$S" hosts 198.18.4.10 | xargs)"
expect_eq "the spoofer's newer lease of its MAC: no name in reverse" "" "$(virtname_getent "$S" hosts 198.18.4.20)"
expect_eq "the other network's lease: not the domain in reverse" "" "$(virtname_getent "$S" hosts 198.18.5.10)"
i=0
for h in "${ATTACK_NAMES[@]}"; do
        a=198.18.4.$((30 + i)) i=$((i + 1))
        [ "$h" = fixed ] && { fixed_guest=$a; continue; }
        attacker_differs "$h" "a reserved name sent by a guest is never answered" "" libvirt "$a"
        expect_eq "$h: the guest's address has no name in reverse" "" "$(virtname_getent "$S" hosts "$a")"
done
attacker_differs fixed "a guest sends a static host's name: the name an administrator set wins" \
        "198.18.4.5" libvirt "$fixed_guest"
expect_eq "fixed: the guest's address has no name in reverse" "" "$(virtname_getent "$S" hosts "$fixed_guest")"
pass "issue 9: hostile guests answered by the name rules, where libvirt's modules answer the attacker"
