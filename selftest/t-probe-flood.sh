#!/usr/bin/env bash
# t-probe-flood: lease events cannot pile up port-probes (issue 22's
# review).  Any guest can put a running domain's MAC in its DHCP
# requests, and each lease event naming a running domain's MAC starts
# port-probe, which asks a silent port for up to 30 s.  With the real
# hooks (network hook, qemu hook, lease helper, port-probe) in a
# namespace of this test (a libvirt network's bridge, 198.18.24.0/24,
# "floodnet"), ten running domains behind veth ports, one with a guest
# (a namespace) that has its address:
#   - 60 forged lease events (client ids of their own, the ten domains'
#     MACs, addresses nobody has) in a burst: at most PROBE_SLOTS (8)
#     port-probe processes are alive a second later (one per port, at
#     most 8 in all; the rest merged into their files in probe/pending/);
#   - the real guest's own lease, reported after the burst, is still
#     proven by its port (query: its port answered), within the 30 s a
#     silent port is asked plus a round;
#   - nothing is left waiting in probe/pending/ at the end.
. "$(dirname "$0")/lib.sh"
HB=${HB:-$B}
for p in hooks/port-probe hooks/qemu-hook hooks/network-hook hooks/lease-helper; do
        [ -x "$HB/$p" ] || fail "build first: make ($HB/$p is missing)"
done
H=vnfh$$ G=vnfg$$
export VIRT_NAME_CACHE_DIR=$T/store VIRT_NAME_CACHE_LEASESHELPER=$T/none VIRT_NAME_CACHE_LOG_STDERR=1
export VIRT_NAME_CACHE_PORT_PROBE=$HB/hooks/port-probe
cleanup() {
        # Our port-probes only (their environment names our store).
        for p in $(probes); do kill "$p" 2>/dev/null; done
        ip netns del $G 2>/dev/null
        ip netns del $H 2>/dev/null
}
# The port-probe processes of this test.
probes() {
        local p
        for p in $(pgrep -f "^$HB/hooks/port-probe"); do
                tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "VIRT_NAME_CACHE_DIR=$T/store" && echo "$p"
        done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
in_h() { ip netns exec $H "$@"; }
q() { "$B/virt-name-cache" query "$@"; }

ip netns add $H && ip -n $H link set lo up && ip netns add $G || fail "netns"
ip -n $H link add vnfbr type bridge && ip -n $H link set vnfbr up && ip -n $H addr add 198.18.24.1/24 dev vnfbr ||
        fail "bridge"
cat >"$T/net.xml" <<XML
<hookData><network><name>floodnet</name><bridge name='vnfbr'/>
<ip address='198.18.24.1' netmask='255.255.255.0'><dhcp><range start='198.18.24.100' end='198.18.24.250'/></dhcp></ip>
</network></hookData>
XML
in_h "$HB/hooks/network-hook" floodnet started begin - <"$T/net.xml" || fail "network hook"
# Domains d0..d9 (MAC 52:54:00:24:00:0N, tap vnfpN); d0's port has a guest.
for i in $(seq 0 9); do
        mac=52:54:00:24:00:0$i
        if [ $i = 0 ]; then
                ip -n $H link add vnfp0 type veth peer name eth0 netns $G || fail "veth"
                ip -n $G link set eth0 address $mac up && ip -n $G link set lo up
                ip -n $G addr add 198.18.24.10/24 dev eth0
        else
                ip -n $H link add vnfp$i type veth peer name vnfq$i && ip -n $H link set vnfq$i up || fail "veth $i"
        fi
        ip -n $H link set vnfp$i master vnfbr up
        printf "<domain type='qemu' id='%d'><name>d%d</name><uuid>24242424-0000-0000-0000-%012d</uuid><devices><interface type='network'><mac address='%s'/><source network='floodnet' bridge='vnfbr'/><target dev='vnfp%d'/></interface></devices></domain>\n" \
                $((20 + i)) $i $i $mac $i >"$T/d$i.xml"
        in_h "$HB/hooks/qemu-hook" d$i started begin - <"$T/d$i.xml" 2>/dev/null || fail "qemu hook d$i"
done
sleep 1
[ -z "$(probes)" ] || fail "port-probes before any lease: $(probes | xargs)"

# --- 60 forged lease events -------------------------------------------------------
t0=$(date +%s%N)
for i in $(seq 1 60); do
        in_h env VIR_BRIDGE_NAME=vnfbr DNSMASQ_CLIENT_ID=01:aa:$i DNSMASQ_SUPPLIED_HOSTNAME=atk$i \
                "$HB/hooks/lease-helper" add 52:54:00:24:00:0$((i % 10)) 198.18.24.$((100 + i)) atk$i 2>/dev/null ||
                fail "lease-helper add $i"
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 1
alive=$(probes | wc -l)
rss=$(for p in $(probes); do awk '/VmRSS/ { print $2 }' /proc/$p/status 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }')
echo "60 forged lease events in $ms ms; 1 s later $alive port-probe processes alive, $rss kB RSS in all"
[ "$alive" -ge 1 ] || fail "no port-probe asks the silent ports"
[ "$alive" -le 8 ] || fail "$alive port-probes alive after 60 forged lease events (at most 8)"
pass "60 forged lease events: $alive port-probes alive (at most 8)"

# --- the real guest's lease, after the burst: still proven ---------------------------
in_h env VIR_BRIDGE_NAME=vnfbr DNSMASQ_CLIENT_ID=01:52:54:00:24:00:00 DNSMASQ_SUPPLIED_HOSTNAME=real \
        "$HB/hooks/lease-helper" add 52:54:00:24:00:00 198.18.24.10 real 2>/dev/null || fail "lease-helper add (real)"
end=$((SECONDS + 75))
until q d0 | grep -q "its domain's port vnfp0 answered for it"; do
        [ $SECONDS -lt $end ] || fail "d0's own lease was never proven: $(q d0); pending: $(ls "$T/store"*/probe/pending 2>&1)"
        sleep 0.5
done
echo "d0's own lease proven $((SECONDS + 75 - end)) s after its event"
expect_eq "d0 resolves to its own lease" 198.18.24.10 "$(addrs_of "$VIRT_NAME_CACHE_DIR" ahosts d0)"
pass "the real guest's lease, reported after the burst, is proven by its port"

end=$((SECONDS + 45))
while [ -n "$(probes)" ]; do [ $SECONDS -lt $end ] || fail "port-probes still alive: $(probes | xargs)"; sleep 0.5; done
left=$(find "$T" -path '*/probe/pending/*' -type f | wc -l)
expect_eq "questions left waiting" 0 "$left"
pass "every port-probe done, nothing left waiting"
echo "summary: 60 forged lease events ($ms ms): $alive port-probes alive ($rss kB); the real lease still proven"
