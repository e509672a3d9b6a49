#!/usr/bin/env bash
# t-dns-hostsdir: Debian's dnsmasq reading a network's hosts directory as
# the writers keep it (a file per aligned block of 64 to 1,024 addresses,
# split when it outgrows a 4 KiB page, merged with its buddy when small,
# cache/derive/hostsdir.h): a change rewrites the file of its block, and
# dnsmasq, which drops what it read from a file before reading it again
# (dnsmasq(8), --hostsdir), answers the new lines and no longer the ones
# that went, while the other lines of the file keep answering.
#
#   1. three guests far apart in a small network: one file; all answer,
#      forwards and reverse
#   2. one released: gone, the others still answer (their file was
#      rewritten, not removed)
#   3. one renamed (a new host name): the old name gone, the new one
#      answers
#   4. 60 guests with long names: the file splits into blocks of at most
#      a page each, and every name answers (dnsmasq drops a line it reads
#      from a new file while an old one still has it, then loses it with
#      the old one: a split that wrote before it removed would lose names)
#   5. 40 of them released: the blocks merge back into one file, and
#      every name left answers, none released
#   6. the last lines released: the file goes, the names too
#
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
expect_eq "one file for three guests of a small network, in address order" "198.18.0.0_22: 198.18.0.70 alpha
198.18.0.71 beta
198.18.0.140 gamma" "$(cd "$D" && for f in *; do echo "$f: $(cat "$f")"; done)"
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
expect_eq "the block's file rewritten, not removed" "198.18.0.71 beta
198.18.0.140 gamma" "$(cat "$D/198.18.0.0_22")"
dns_wait beta.bench.test A 198.18.0.71 || fail "beta no longer answers after its neighbour left"
grep -q "flushed [0-9]* names read from $D/198.18.0.0_22" "$T/dnsmasq.log" ||
        fail "dnsmasq did not say it dropped the file's old names: $(grep -i inotify "$T/dnsmasq.log" | tail -n 3)"
pass "a line gone from a rewritten file: its name gone, the file's other names kept"

dns_wait delta.bench.test A 198.18.0.71 "$T/lh" add 52:54:00:0d:00:02 198.18.0.71 delta || fail "beta renamed delta: no answer"
dns_wait beta.bench.test A none || fail "beta still answers after the rename"
command -v dig >/dev/null && expect_eq "reverse of .71 renamed" "delta.bench.test." "$(ptr 198.18.0.71)"
pass "a renamed guest: the new name answers, the old one not"

# long K: the name of long guest K (60 bytes), at 198.18.1.(4 K)
long() { printf 'guest-with-a-long-name-to-fill-a-page-of-the-hosts-file-%03d' "$1"; }
# answer_all K...: every long guest K answers its address
answer_all() {
        local k
        for k in "$@"; do
                dns_wait "$(long "$k").bench.test" A "198.18.1.$((4 * k))" || fail "$(long "$k") does not answer"
        done
}
# longs ACTION K...: a lease event for each long guest K
longs() {
        local action=$1 k
        shift
        for k in "$@"; do
                lh "$action" "$(printf '52:54:00:0d:01:%02x' "$k")" "198.18.1.$((4 * k))" "$(long "$k")"
        done
}
# small_answer AFTER: delta and gamma, in another block, still answer
small_answer() {
        dns_wait delta.bench.test A 198.18.0.71 || fail "delta no longer answers after $1"
        dns_wait gamma.bench.test A 198.18.0.140 || fail "gamma no longer answers after $1"
}
longs add $(seq 0 59)
expect_eq "60 long lines: blocks split to a page at most" "198.18.0.0_24 198.18.1.0_25 198.18.1.128_25" \
        "$(ls "$D" | xargs)"
for f in "$D"/*; do
        [ "$(stat -c %s "$f")" -le 4096 ] || fail "$f holds $(stat -c %s "$f") bytes, more than a page"
done
answer_all $(seq 0 59)
small_answer "the split"
pass "a block that outgrew a page split in two, every name answers"

longs del $(seq 20 59)
expect_eq "40 released: the blocks merged back into one file" "198.18.0.0_22" "$(ls "$D" | xargs)"
dns_wait "$(long 59).bench.test" A none || fail "$(long 59) still answers after its release"
dns_wait "$(long 20).bench.test" A none || fail "$(long 20) still answers after its release"
answer_all $(seq 0 19)
small_answer "the merge"
pass "blocks that shrank merged, every name left answers"

longs del $(seq 0 19)
dns_wait delta.bench.test A none "$T/lh" del 52:54:00:0d:00:02 198.18.0.71 delta || fail "released delta still answers"
dns_wait gamma.bench.test A 198.18.0.140 || fail "gamma no longer answers"
dns_wait gamma.bench.test A none "$T/lh" del 52:54:00:0d:00:03 198.18.0.140 gamma || fail "released gamma still answers"
expect_eq "the last line gone: no file left" "" "$(ls -A "$D" | xargs)"
pass "the last line of a block gone: the file goes, and its name"
