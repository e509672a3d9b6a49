#!/usr/bin/env bash
# selftest/bench-watch.sh - `make bench`, the watcher's part (issue 22):
# what the watcher (hooks/watch) costs and how soon a guest no DHCP event
# tells about resolves, beside references run in the same namespaces, in
# the same run:
#
#   first    BENCH_WATCH_GUESTS (20) static guests (namespaces behind veth
#            ports of a host bridge, running domains for the store) each
#            send their first packet (one ping to the host): ms until
#            glibc resolves the domain's name; reference: a DHCP lease
#            event (the lease helper's `add`, then its port's answer) of
#            a guest on a libvirt network's bridge, until glibc resolves
#   idle     60 s with nothing happening: CPU ticks and wake-ups of the
#            watcher and of `ip monitor neigh` (the same netlink group,
#            doing nothing with it), interleaved
#   burst    BENCH_WATCH_BURST (800) neighbour entries of MACs no domain
#            has, added and deleted at once (ip -batch), BENCH_WATCH_ROUNDS
#            (10) times: CPU time of the watcher and of `ip monitor
#            neigh`; then all the guests
#            talking at once: ms until the last resolves; the watcher's
#            peak RSS (VmHWM)
#
# Addresses 198.18.32.0/20, in namespaces of its own.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
N=${BENCH_WATCH_GUESTS:-20}
BURST=${BENCH_WATCH_BURST:-800}
ROUNDS=${BENCH_WATCH_ROUNDS:-10}
fail() { echo "bench-watch: $*" >&2; exit 1; }
for f in hooks/watch hooks/port-probe hooks/qemu-hook hooks/lease-helper hooks/network-hook virt-name-cache; do
        [ -x "$B/$f" ] || fail "$B/$f not built (make)"
done
command -v busybox >/dev/null || { echo "bench-watch: skipped: busybox is not installed"; exit 0; }
# (The kernel's neighbour table holds 1,024 entries by default, for all
# namespaces: gc_thresh3, which only the host's own namespace may raise.)
[ "$N" -le 200 ] && [ "$BURST" -le 900 ] || fail "at most 200 guests and 900 burst entries"
T=$(mktemp -d /var/tmp/vnc-bench-watch.XXXXXX)
H=vnbh$$
export VIRT_NAME_CACHE_DIR=$T/store VIRT_NAME_CACHE_LEASESHELPER=$T/none VIRT_NAME_CACHE_PORT_PROBE=$B/hooks/port-probe
WP= MP=
cleanup() {
        for p in $WP $MP; do kill "$p" 2>/dev/null || :; done
        for i in $(seq "$N"); do ip netns del vnbg$i$$ 2>/dev/null || :; done
        ip netns del vnbn$$ 2>/dev/null || :
        ip netns del $H 2>/dev/null || :
        rm -rf "$T"
}
trap cleanup EXIT
resolves() { VIRT_NAME_CACHE_DIR=$T/store LD_LIBRARY_PATH=$B getent -s hosts:virtname ahostsv4 "$1" >/dev/null; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# Until NAME resolves (20 ms steps, 30 s at most): the ms since START.
until_resolves() {
        local end=$((SECONDS + 30))
        until resolves "$1"; do [ $SECONDS -lt $end ] || { echo 99999; return; }; sleep 0.02; done
        ms "$2"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
p90() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.9 + 0.5); print a[i ? i : 1] }'; }
# CPU ticks of PID and of its children it has waited for (the watcher's
# children ask the ports).
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
wakeups() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

ip netns add $H && ip -n $H link set lo up
ip -n $H link add vnbbr0 type bridge && ip -n $H link set vnbbr0 up && ip -n $H addr add 198.18.32.1/20 dev vnbbr0
ip -n $H link add vnbbr1 type bridge && ip -n $H link set vnbbr1 up && ip -n $H addr add 198.18.48.1/24 dev vnbbr1
printf "<hookData><network><name>bnet</name><bridge name='vnbbr1'/><ip address='198.18.48.1' netmask='255.255.255.0'/></network></hookData>" |
        ip netns exec $H "$B/hooks/network-hook" bnet started begin - >/dev/null 2>&1
for i in $(seq "$N"); do
        ns=vnbg$i$$ mac=$(printf '52:54:00:32:%02x:%02x' $((i / 256)) $((i % 256)))
        ip netns add $ns
        ip -n $H link add vnbp$i type veth peer name eth0 netns $ns
        ip -n $H link set vnbp$i master vnbbr0 up
        ip -n $ns link set lo up && ip -n $ns link set eth0 address "$mac" up
        ip -n $ns addr add 198.18.33.$i/20 dev eth0
        printf "<domain type='qemu' id='%d'><name>bg%d</name><devices><interface type='bridge'><mac address='%s'/><source bridge='vnbbr0'/><target dev='vnbp%d'/></interface></devices></domain>" \
                $((100 + i)) $i "$mac" $i | ip netns exec $H "$B/hooks/qemu-hook" bg$i started begin -
done
# The reference guest: on the libvirt network's bridge, leased by DHCP.
ip netns add vnbn$$
ip -n $H link add vnbpn type veth peer name eth0 netns vnbn$$
ip -n $H link set vnbpn master vnbbr1 up
ip -n vnbn$$ link set lo up && ip -n vnbn$$ link set eth0 address 52:54:00:48:00:01 up
printf "<domain type='qemu' id='99'><name>bref</name><devices><interface type='network'><mac address='52:54:00:48:00:01'/><source network='bnet'/><target dev='vnbpn'/></interface></devices></domain>" |
        ip netns exec $H "$B/hooks/qemu-hook" bref started begin -

ip netns exec $H "$B/hooks/watch" --connect test:///default >"$T/watch.log" 2>&1 &
WP=$!
ip netns exec $H ip monitor neigh >/dev/null 2>&1 &
MP=$!
sleep 1

# --- first packet to resolving --------------------------------------------------
: >"$T/first"
for i in $(seq "$N"); do
        t0=$(date +%s%N)
        ip netns exec vnbg$i$$ busybox ping -c1 -W1 198.18.32.1 >/dev/null
        until_resolves bg$i "$t0" >>"$T/first"
done
# The reference: a lease event, its port asked by the port-probe the
# helper starts (the address configured first, as a DHCP client does).
: >"$T/ref"
for k in $(seq 5); do
        a=198.18.48.$((10 + k))
        ip -n vnbn$$ addr flush dev eth0 && ip -n vnbn$$ addr add $a/24 dev eth0
        t0=$(date +%s%N)
        ip netns exec $H env VIR_BRIDGE_NAME=vnbbr1 DNSMASQ_LEASE_EXPIRES=$(( $(date +%s) + 600 )) \
                "$B/hooks/lease-helper" add 52:54:00:48:00:01 $a >/dev/null 2>&1
        until_resolves bref "$t0" >>"$T/ref"
        ip netns exec $H env VIR_BRIDGE_NAME=vnbbr1 "$B/hooks/lease-helper" del 52:54:00:48:00:01 $a >/dev/null 2>&1
        sleep 0.5
done
printf 'watch first: %d guests: first packet to glibc resolving: median %s ms, p90 %s ms, max %s ms\n' "$N" \
        "$(median <"$T/first")" "$(p90 <"$T/first")" "$(sort -n "$T/first" | tail -1)"
printf 'watch first: reference, a DHCP lease event to glibc resolving (5): median %s ms\n' "$(median <"$T/ref")"

# --- idle -----------------------------------------------------------------------------
sleep 2
w0=$(ticks $WP) m0=$(ticks $MP) ww0=$(wakeups $WP) mw0=$(wakeups $MP)
sleep 60
w1=$(ticks $WP) m1=$(ticks $MP) ww1=$(wakeups $WP) mw1=$(wakeups $MP)
printf 'watch idle: 60 s: watcher and its children %d CPU ticks, %d wake-ups; ip monitor neigh %d ticks, %d wake-ups (1 tick = %d ms)\n' \
        $((w1 - w0)) $((ww1 - ww0)) $((m1 - m0)) $((mw1 - mw0)) $((1000 / hz))

# --- burst ------------------------------------------------------------------------------
for i in $(seq "$BURST"); do
        printf 'neigh add 198.18.%d.%d lladdr 02:00:00:00:%02x:%02x dev vnbbr0 nud stale\n' \
                $((36 + i / 250)) $((1 + i % 250)) $((i / 256 % 256)) $((i % 256))
done >"$T/add"
sed 's/^neigh add \([^ ]*\) .*/neigh del \1 dev vnbbr0/' "$T/add" >"$T/del"
w0=$(ticks $WP) m0=$(ticks $MP)
t0=$(date +%s%N)
for r in $(seq "$ROUNDS"); do
        ip -n $H -batch "$T/add"
        ip -n $H -batch "$T/del"
done
took=$(ms "$t0")
sleep 3
w1=$(ticks $WP) m1=$(ticks $MP)
printf 'watch burst: %d neighbour events of no domain (%d ms): watcher and its children %d ms CPU, ip monitor neigh %d ms CPU\n' \
        $((2 * BURST * ROUNDS)) "$took" $(( (w1 - w0) * 1000 / hz )) $(( (m1 - m0) * 1000 / hz ))
# All guests at once, with new addresses (their old ones deleted first).
for i in $(seq "$N"); do
        ip -n vnbg$i$$ addr flush dev eth0
        ip -n vnbg$i$$ addr add 198.18.34.$i/20 dev eth0
done
w0=$(ticks $WP)
t0=$(date +%s%N)
for i in $(seq "$N"); do ip netns exec vnbg$i$$ busybox ping -c1 -W1 198.18.32.1 >/dev/null & done
wait_all() {
        local end=$((SECONDS + 60)) i
        for i in $(seq "$N"); do
                until VIRT_NAME_CACHE_DIR=$T/store LD_LIBRARY_PATH=$B getent -s hosts:virtname ahostsv4 bg$i |
                        grep -q "198.18.34.$i "; do
                        [ $SECONDS -lt $end ] || return 1
                        sleep 0.02
                done
        done
}
wait_all || fail "not every guest resolved its new address: $(cat "$T/watch.log")"
printf 'watch burst: %d guests talking at once: %d ms until the last resolves, watcher and its children %d ms CPU\n' \
        "$N" "$(ms "$t0")" $(( ($(ticks $WP) - w0) * 1000 / hz ))
printf 'watch rss: watcher VmHWM %s, VmRSS %s\n' "$(awk '/^VmHWM/ { print $2 " " $3 }' /proc/$WP/status)" \
        "$(awk '/^VmRSS/ { print $2 " " $3 }' /proc/$WP/status)"
