#!/usr/bin/env bash
# t-dns-hostsdir: Debian's dnsmasq reading a network's hosts directory as
# the writers keep it (one file per block of 64 addresses, cache/derive/
# hostsdir.h): a change rewrites the file of its block, and dnsmasq, which
# drops what it read from a file before reading it again (dnsmasq(8),
# --hostsdir), answers the new lines and no longer the ones that went,
# while the other lines of the file keep answering.
#
#   1. two guests in one block, a third in another: all answer, forwards
#      and reverse
#   2. one of the two released: gone, the other still answers (its file
#      was rewritten, not removed)
#   3. the other renamed (a new host name): the old name gone, the new one
#      answers
#   4. the last one of the block released: the file goes, the name too
#
# dnsmasq runs (as the network's does, with dhcp-ignore-names' effect on
# names left out: no DHCP here) in a network namespace of the test's own,
# on 127.0.0.1; the probe is selftest/tools/dns-wait.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed (make test-deps installs dnsmasq-base)"
[ -x "$B/selftest/dns-wait" ] || fail "$B/selftest/dns-wait is not built"
NS=vnchd
S=$T/store D=$T/store/dnsmasq/bench
PID=
cleanup() {
        [ -n "$PID" ] && kill "$PID" 2>/dev/null
        ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null
ip netns add "$NS" && ip -n "$NS" link set lo up || skip "cannot create a network namespace here"

export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_LEASESHELPER=/nonexistent VIR_BRIDGE_NAME=vbrb
soon=$(( $(date +%s) + 3600 ))
# $T/lh ACTION MAC ADDRESS NAME: a lease event (a program: dns-wait runs it)
printf '#!/bin/sh
DNSMASQ_LEASE_EXPIRES=%s DNSMASQ_SUPPLIED_HOSTNAME=$4 exec %s "$@"
' "$soon" "$B/hooks/lease-helper" >"$T/lh"
chmod 755 "$T/lh"
lh() { "$T/lh" "$@" || fail "lease-helper $*"; }
mkdir -p "$T/leases"
printf 'interface=vbrb\ndomain=bench.test\n' >"$T/leases/bench.conf"
echo '[]' >"$T/leases/vbrb.status"
"$B/virt-name-cache" rebuild --leases-dir "$T/leases" >/dev/null || fail "rebuild"
printf "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>bench</name><bridge name='vbrb'/><domain name='bench.test'/><dnsmasq:options><dnsmasq:option value='hostsdir=%s'/><dnsmasq:option value='dhcp-ignore-names'/></dnsmasq:options></network>" \
        "$D" | "$B/hooks/network-hook" bench start begin - || fail "network hook start"
lh add 52:54:00:0d:00:01 198.18.0.70 alpha
lh add 52:54:00:0d:00:02 198.18.0.71 beta
lh add 52:54:00:0d:00:03 198.18.0.140 gamma
expect_eq "one file for the block of .70 and .71" "198.18.0.70 alpha
198.18.0.71 beta" "$(cat "$D/198.18.0.64_26")"
chmod 755 "$T" "$S" "$S/dnsmasq"        # dnsmasq reads it as nobody
ip netns exec "$NS" dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
        --listen-address=127.0.0.1 --port=53 --domain=bench.test --local=/bench.test/ --expand-hosts \
        --hostsdir="$D" --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" || fail "dnsmasq did not start"
PID=$(cat "$T/dnsmasq.pid")
# dns_wait NAME TYPE WANT [COMMAND...]: run COMMAND (default: nothing), then
# wait up to 2 s for dnsmasq to answer NAME with WANT
dns_wait() {
        local name=$1 type=$2 want=$3
        shift 3
        [ $# -gt 0 ] || set -- true
        ip netns exec "$NS" "$B/selftest/dns-wait" 127.0.0.1 "$name" "$type" "$want" 2000 -- "$@" >/dev/null
}
ptr() { ip netns exec "$NS" dig +short @127.0.0.1 -x "$1" 2>/dev/null | sort | xargs; }
dns_wait alpha.bench.test A 198.18.0.70 || fail "dnsmasq does not answer alpha ($(tail -n 3 "$T/dnsmasq.log"))"
dns_wait beta.bench.test A 198.18.0.71 || fail "beta"
dns_wait gamma.bench.test A 198.18.0.140 || fail "gamma"
command -v dig >/dev/null && expect_eq "reverse of .71" "beta.bench.test." "$(ptr 198.18.0.71)"
pass "two guests in one block and one in another answer"

dns_wait alpha.bench.test A none "$T/lh" del 52:54:00:0d:00:01 198.18.0.70 alpha || fail "released alpha still answers"
expect_eq "the block's file rewritten, not removed" "198.18.0.71 beta" "$(cat "$D/198.18.0.64_26")"
dns_wait beta.bench.test A 198.18.0.71 || fail "beta no longer answers after its neighbour left"
grep -q "flushed [0-9]* names read from $D/198.18.0.64_26" "$T/dnsmasq.log" ||
        fail "dnsmasq did not say it dropped the file's old names: $(grep -i inotify "$T/dnsmasq.log" | tail -n 3)"
pass "a line gone from a rewritten file: its name gone, the file's other names kept"

dns_wait delta.bench.test A 198.18.0.71 "$T/lh" add 52:54:00:0d:00:02 198.18.0.71 delta || fail "beta renamed delta: no answer"
dns_wait beta.bench.test A none || fail "beta still answers after the rename"
command -v dig >/dev/null && expect_eq "reverse of .71 renamed" "delta.bench.test." "$(ptr 198.18.0.71)"
pass "a renamed guest: the new name answers, the old one not"

dns_wait delta.bench.test A none "$T/lh" del 52:54:00:0d:00:02 198.18.0.71 delta || fail "released delta still answers"
[ -e "$D/198.18.0.64_26" ] && fail "an empty block's file stays"
dns_wait gamma.bench.test A 198.18.0.140 || fail "gamma, in another block, no longer answers"
pass "the last line of a block gone: the file goes, and its name"
