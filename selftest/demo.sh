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
echo "== A libvirt domain name resolves to the leases of the domain's MACs (IPv4 and IPv6):"
resolve ahosts web-vm
echo
echo "== The host name the guest sent in DHCP, in any case, also with the network's DNS domain:"
resolve ahosts web
resolve hosts DB-primary.lab.test
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
