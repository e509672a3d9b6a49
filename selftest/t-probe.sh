#!/usr/bin/env bash
# t-probe: asking a port whether its guest uses an address
# (cache/ingest/probe.h), with real kernels' answers: a bridge in a
# namespace, guests in namespaces of their own behind veth ports, the
# bridge's ebtables as libvirt's nwfilter uses it.  Only an answer that
# comes in on the asked port, from its MAC, and reaches the host through
# the bridge counts:
#   - the guest behind the port answers for its IPv4 and IPv6 addresses;
#   - an address the guest does not have, another guest's address, and
#     the right address under another MAC stay silent;
#   - a second guest that holds the address too, or spams forged replies
#     with the first guest's MAC, does not answer for the first port;
#   - what a port's filter drops (no-arp-spoofing-like ebtables rules)
#     does not count, though the frame came in on the port;
#   - a port that is not on a bridge, or does not exist, is an error.
# Addresses: 198.18.60.0/24, 2001:db8:60::/64, in namespaces of this test.
. "$(dirname "$0")/lib.sh"
command -v ebtables >/dev/null || skip "ebtables is not installed (make test-deps installs iptables)"
command -v python3 >/dev/null || skip "python3 is not installed"
[ -x "$B/selftest/probe-port" ] || fail "build first: make build-all"
H=vnph$$ A=vnpa$$ G=vnpg$$
MA=52:54:00:60:00:0a MB=52:54:00:60:00:0b
cleanup() {
        [ -s "$T/spam.pid" ] && kill "$(cat "$T/spam.pid")" 2>/dev/null
        for n in $A $G $H; do ip netns del $n 2>/dev/null; done
}
trap cleanup EXIT
ip netns add $H && ip netns add $A && ip netns add $G || fail "cannot create namespaces"
ip -n $H link add vpbr type bridge && ip -n $H link set vpbr up || fail "bridge"
ip -n $H addr add 198.18.60.1/24 dev vpbr
# guest A behind port vppa, guest B (G) behind vppb
ip -n $H link add vppa type veth peer name eth0 netns $A && ip -n $H link set vppa master vpbr up || fail "port a"
ip -n $H link add vppb type veth peer name eth0 netns $G && ip -n $H link set vppb master vpbr up || fail "port b"
ip -n $H link add vppx type veth peer name vppy && ip -n $H link set vppx up   # on no bridge
ip -n $A link set eth0 address $MA up && ip -n $A link set lo up
ip -n $G link set eth0 address $MB up && ip -n $G link set lo up
ip -n $A addr add 198.18.60.10/24 dev eth0
ip -n $A addr add 2001:db8:60::10/64 dev eth0 nodad
ip -n $G addr add 198.18.60.11/24 dev eth0
probe() { ip netns exec $H "$B/selftest/probe-port" "$@"; }

out=$(probe vppa $MA 3000 198.18.60.10 2001:db8:60::10) || fail "probe-port: $out"
expect_eq "the guest behind the port answers for its addresses" \
        "198.18.60.10 answered|2001:db8:60::10 answered" "$(tr '\n' '|' <<<"$out" | sed 's/|$//')"
out=$(probe vppa $MA 600 198.18.60.12 198.18.60.11 2001:db8:60::99)
expect_eq "an address it does not have, another guest's: silent" \
        "198.18.60.12 silent|198.18.60.11 silent|2001:db8:60::99 silent" "$(tr '\n' '|' <<<"$out" | sed 's/|$//')"
expect_eq "its address under another MAC: silent" "198.18.60.10 silent" "$(probe vppa $MB 600 198.18.60.10)"

# B holds A's address too: asked on A's port, only A is asked; asked on
# B's own port, B answers for it (what a port proves is its own guest).
ip -n $G addr add 198.18.60.10/32 dev eth0
expect_eq "a second holder of the address, asked on its own port" "198.18.60.10 answered" \
        "$(probe vppb $MB 1000 198.18.60.10)"
ip -n $A addr del 198.18.60.10/24 dev eth0
expect_eq "A without the address, B holding it: A's port is silent" "198.18.60.10 silent" \
        "$(probe vppa $MA 600 198.18.60.10)"
# B forges replies with A's MAC (Ethernet source and ARP sender) as fast
# as it can: they come in on B's port, never on A's.
cat >"$T/spam.py" <<'PY'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(':', ''))
ip = socket.inet_aton(sys.argv[2])
dst = bytes.fromhex(sys.argv[3].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('eth0', 0))
arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 2, mac, ip, dst, b'\0\0\0\0')
frame = dst + mac + b'\x08\x06' + arp
end = time.time() + float(sys.argv[4])
while time.time() < end:
        s.send(frame)
        time.sleep(0.002)
PY
BRMAC=$(ip -n $H -o link show vpbr | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip netns exec $G python3 "$T/spam.py" $MA 198.18.60.10 "$BRMAC" 5 &
echo $! >"$T/spam.pid"
sleep 0.3
# (they do reach the bridge: on B's port, asked with A's MAC, they count)
expect_eq "the forged replies arrive, on B's port" "198.18.60.10 answered" "$(probe vppb $MA 1500 198.18.60.10)"
expect_eq "forged replies with A's MAC from B's port do not count for A's port" "198.18.60.10 silent" \
        "$(probe vppa $MA 1500 198.18.60.10)"
wait "$(cat "$T/spam.pid")" 2>/dev/null
rm -f "$T/spam.pid"

# A filter on B's port that keeps its ARP to its own address (libvirt's
# no-arp-spoofing does this with $IP): B's answer for A's address comes
# in on the port but never reaches the host: not counted.
ip netns exec $H ebtables -t nat -A PREROUTING -i vppb -p ARP --arp-ip-src ! 198.18.60.11 -j DROP ||
        fail "ebtables rule"
expect_eq "what the port's filter drops does not count" "198.18.60.10 silent" "$(probe vppb $MB 800 198.18.60.10)"
expect_eq "what it lets through does" "198.18.60.11 answered" "$(probe vppb $MB 1000 198.18.60.11)"
ip netns exec $H ebtables -t nat -F PREROUTING

out=$(probe vppx $MA 200 198.18.60.10 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'not connected\|Transport endpoint' <<<"$out" || fail "a port on no bridge: [$rc] $out"
out=$(probe vpnone $MA 200 198.18.60.10 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'No such device' <<<"$out" || fail "no such port: [$rc] $out"
pass "a port on no bridge, or none at all, is an error"
