#!/usr/bin/env bash
# selftest/demo.sh - `make demo`: a throwaway store from the sample lease
# files in selftest/demo/ (two libvirt networks as libvirt writes them in
# /var/lib/libvirt/dnsmasq), resolved through real glibc with only the
# virtname module, exactly as ssh or ping would resolve them.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
store=$(mktemp -d /tmp/virt-name-cache-demo.XXXXXX)
trap 'rm -rf "$store"' EXIT

run() {
        printf '\n$ %s\n' "$*"
        "$@" || true
}
# What a user sees once "hosts: files virtname dns" is in nsswitch.conf;
# -s hosts:virtname asks our module alone, so nothing else answers.
resolve() {
        printf '\n$ getent -s hosts:virtname %s\n' "$*"
        VIRT_NAME_CACHE_DIR=$store LD_LIBRARY_PATH=$B getent -s hosts:virtname "$@" ||
                echo "(not found: getent exit status $?)"
}

echo "== virt-name-cache demo: store in $store, sample files in selftest/demo/"
run "$B/virt-name-cache" --db-dir "$store" rebuild --leases-dir "$TOP/selftest/demo"
run "$B/virt-name-cache" --db-dir "$store" list

echo
echo "== The host name a guest sent in DHCP resolves from its lease, in any case, also with"
echo "   the network's DNS domain:"
resolve ahosts web
resolve hosts DB-primary.lab.test
echo
echo "== A libvirt domain name is another matter.  The MAC in a lease is what the guest wrote in"
echo "   its DHCP request, and any guest can write another's: a domain's name follows only the"
echo "   addresses the domain's own port (its tap) answered for.  Lease files carry no such"
echo "   answer, so here web-vm has no address yet (its lease is only a DHCP claim):"
resolve hosts web-vm
run "$B/virt-name-cache" --db-dir "$store" query web-vm
echo
echo "== On a libvirt host the hooks start port-probe after each lease and each domain start: it"
echo "   asks the domain's tap (ARP, IPv6 neighbour solicitation) about the address and records"
echo "   the answer.  This demo has no guests to ask: the test tool store-prove stands in for the"
echo "   ports' answers (it records every domain as running and its ports as having answered for"
echo "   its leases; the tests use it the same way, and prove the real answers with real ports):"
run "$B/selftest/store-prove" "$store"
echo
echo "== Now a libvirt domain name resolves to the leases its ports answered for (IPv4 and IPv6):"
resolve ahosts web-vm
echo
echo "== A domain with NICs on two networks has both addresses:"
resolve ahostsv4 builder
echo
echo "== Reverse lookups give the domain name under the network's DNS domain (short name as alias):"
resolve hosts 198.18.0.11
echo
echo "== Guest 'intruder' sent the host name 'web-vm', another domain's name: the domain wins."
resolve hosts intruder
resolve ahostsv4 web-vm
echo
echo "== An expired lease is never returned:"
resolve hosts oldguest
echo
run "$B/virt-name-cache" --db-dir "$store" query web
echo
echo "== Done; the throwaway store is removed.  Next: 'make check' runs the tests,"
echo "   'make install' and 'virt-name-cache enable-nss' set up a real host."
