#!/usr/bin/env bash
# t-watch: addresses of guests no DHCP event tells about (issue 22), with
# the real watcher (hooks/watch), the real hooks and port-probe, and real
# kernels' neighbour tables, in namespaces of this test: a host bridge no
# libvirt network owns (vnwbr0, 198.18.22.0/24, 2001:db8:22::/64) and
# the bridge of a libvirt network (vnwbr1, "lannet", 198.18.23.0/24, its
# network hook run as libvirtd runs it), guests in namespaces behind veth
# ports, recorded as running domains by the qemu hook (their taps in the
# XML).  libvirtd is not needed here (t-every runs it with real guests):
# the watcher's libvirt part is given the test driver.
#   - a guest with a static address talks to the host: its domain's name
#     resolves (glibc, query: its port's answer, seen, held for a TTL),
#     IPv4 and IPv6; on the libvirt network with the network's domain too
#   - an address in the domain's <metadata> (an administrator's word)
#     resolves without any traffic, and nothing takes it
#   - attackers on the same bridge (no filter): announcing the victim's
#     address with their own MAC (gratuitous ARP, unsolicited NA, pings
#     from it), or with the victim's MAC (forged), take nothing; an
#     address nobody holds goes to whoever's own port answers for it,
#     never this host's own; behind an ebtables filter like
#     clean-traffic's, not even that
#   - the refresh (TTL/2) renews what is still answered, silence deletes
#     it; with the watcher stopped observed addresses expire (freshness
#     lost, nothing else: the administrator's address stays), restarted
#     it reads the neighbour table again; one watcher at a time
#   - doctor: the watcher runs, the host bridge's interfaces grouped
. "$(dirname "$0")/lib.sh"
# The watcher, the hooks and port-probe from HB (t-watch-asan: the
# ASan/UBSan build); the rest (glibc's module, the command) from B.
HB=${HB:-$B}
command -v ebtables >/dev/null || skip "ebtables is not installed (make test-deps installs iptables)"
command -v busybox >/dev/null || skip "busybox is not installed"
for p in hooks/watch hooks/port-probe hooks/qemu-hook hooks/network-hook; do
        [ -x "$HB/$p" ] || fail "build first: make ($HB/$p is missing)"
done
[ -x "$B/selftest/neigh-announce" ] || fail "build first: make ($B/selftest/neigh-announce is missing)"
H=vnwh$$ TTL=12
export VIRT_NAME_CACHE_DIR=$T/store VIRT_NAME_CACHE_LEASESHELPER=$T/none VIRT_NAME_CACHE_LOG_STDERR=1
export VIRT_NAME_CACHE_PORT_PROBE=$HB/hooks/port-probe
NS=()
cleanup() {
        local rc=$?
        [ $rc = 0 ] || { echo "the watcher's log:"; sed 's/^/    /' "$T/watch.log"; } >&2
        [ -s "$T/watch.pid" ] && kill "$(cat "$T/watch.pid")" 2>/dev/null
        for n in "${NS[@]}" $H; do ip netns del "$n" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
resolve() { addrs_of "$VIRT_NAME_CACHE_DIR" ahosts "$1"; }
q() { "$B/virt-name-cache" query "$@"; }
# wait_for SECONDS NAME ADDRESSES: NAME resolves to exactly ADDRESSES.
wait_for() {
        local end=$((SECONDS + $1))
        until [ "$(resolve "$2")" = "$3" ]; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
# has NAME ADDRESS: ADDRESS is among NAME's.
has() { case " $(resolve "$1") " in *" $2 "*) return 0 ;; esac; return 1; }
# wait_has SECONDS NAME ADDRESS
wait_has() {
        local end=$((SECONDS + $1))
        until has "$2" "$3"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
in_h() { ip netns exec $H "$@"; }

ip netns add $H && ip -n $H link set lo up || fail "netns"
in_h sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
for br in vnwbr0 vnwbr1; do ip -n $H link add $br type bridge && ip -n $H link set $br up || fail "bridge $br"; done
ip -n $H addr add 198.18.22.1/24 dev vnwbr0
ip -n $H addr add 2001:db8:22::1/64 dev vnwbr0 nodad
ip -n $H addr add 198.18.23.1/24 dev vnwbr1
# guest NAME BRIDGE MAC ADDRESS...: namespace vnw-NAME-$$ behind port
# vnwp-NAME on BRIDGE, and the running domain NAME (run ID 10+N) whose
# interface's tap that port is; XML_EXTRA goes into its <domain>.
n=0
guest() {
        local name=$1 br=$2 mac=$3 ns=vnw$1$$ a iface
        shift 3
        n=$((n + 1))
        ip netns add $ns && NS+=($ns) || fail "netns $ns"
        ip -n $H link add vnwp$name type veth peer name eth0 netns $ns || fail "veth $name"
        ip -n $H link set vnwp$name master $br up
        ip -n $ns link set lo up
        ip netns exec $ns sysctl -qw net.ipv6.conf.eth0.accept_dad=0
        ip -n $ns link set eth0 address $mac up
        for a in "$@"; do ip -n $ns addr add $a dev eth0 nodad 2>/dev/null || ip -n $ns addr add $a dev eth0; done
        if [ $br = vnwbr1 ]; then
                iface="<interface type='network'><mac address='$mac'/><source network='lannet' bridge='vnwbr1'/><target dev='vnwp$name'/></interface>"
        else
                iface="<interface type='bridge'><mac address='$mac'/><source bridge='$br'/><target dev='vnwp$name'/></interface>"
        fi
        printf "<domain type='qemu' id='%d'><name>%s</name><uuid>22222222-0000-0000-0000-%012d</uuid>%s<devices>%s</devices></domain>\n" \
                $((10 + n)) $name $n "${XML_EXTRA:-}" "$iface" >"$T/$name.xml"
        in_h "$HB/hooks/qemu-hook" $name started begin - <"$T/$name.xml" || fail "qemu hook $name"
}
gx() { local g=$1; shift; ip netns exec vnw$g$$ "$@"; }
MS=52:54:00:22:00:01 MA=52:54:00:22:00:02 MF=52:54:00:22:00:03 MN=52:54:00:22:00:04 MM=52:54:00:22:00:05
cat >"$T/lannet.xml" <<XML
<hookData><network><name>lannet</name><bridge name='vnwbr1'/><domain name='lan.test'/>
<ip address='198.18.23.1' netmask='255.255.255.0'><dhcp><range start='198.18.23.100' end='198.18.23.200'/></dhcp></ip>
</network></hookData>
XML
in_h "$HB/hooks/network-hook" lannet started begin - <"$T/lannet.xml" || fail "network hook"
guest stat vnwbr0 $MS 198.18.22.10/24 2001:db8:22::10/64
guest atk vnwbr0 $MA 198.18.22.11/24
guest filt vnwbr0 $MF 198.18.22.12/24
guest nat vnwbr1 $MN 198.18.23.10/24
XML_EXTRA="<metadata><vnc:addresses xmlns:vnc='urn:virt-name-cache:domain:1'><vnc:address ip='198.18.22.50'/></vnc:addresses></metadata>" \
        guest meta vnwbr0 $MM 198.18.22.51/24
# clean-traffic's no-arp-spoofing, as libvirt's nwfilter writes it: ARP
# only from the guest's own address.
in_h ebtables -t nat -A PREROUTING -i vnwpfilt -p ARP --arp-ip-src ! 198.18.22.12 -j DROP || fail "ebtables"

# --- an administrator's address: no traffic needed -------------------------
expect_eq "meta: the address in its <metadata>" "198.18.22.50" "$(resolve meta)"
q meta | grep -q "an administrator's address for the domain (its <metadata>)" || fail "query meta: $(q meta)"
expect_eq "stat: no address before it talks" "" "$(resolve stat)"

# --- the watcher ----------------------------------------------------------------
start_watch() {
        ip netns exec $H "$HB/hooks/watch" --connect test:///default --ttl $TTL >>"$T/watch.log" 2>&1 &
        echo $! >"$T/watch.pid"
        for _ in $(seq 50); do grep -q 'watching the neighbour table' "$T/watch.log" && return 0; sleep 0.1; done
        fail "the watcher did not start: $(cat "$T/watch.log")"
}
start_watch
out=$(in_h "$HB/hooks/watch" --connect test:///default 2>&1) && fail "a second watcher ran: $out"
expect_eq "a second watcher" "watch: another watcher is running" "$out"

# --- a static guest talks to the host: its first packet -------------------------
t0=$(date +%s%N)
gx stat busybox ping -c1 -W2 198.18.22.1 >/dev/null || fail "stat cannot reach the host"
wait_for 20 stat 198.18.22.10 || fail "stat never resolved: $(q stat); $(cat "$T/watch.log")"
echo "timing: first packet to resolving (veth guest, IPv4): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
gx stat busybox ping -c1 -W2 2001:db8:22::1 >/dev/null || fail "stat cannot reach the host over IPv6"
wait_for 20 stat "198.18.22.10 2001:db8:22::10" || fail "stat's IPv6 address: $(q stat)"
q stat | grep -q "its domain's port vnwpstat answered for it .*seen by the host, not leased: holds until" ||
        fail "query stat: $(q stat)"
expect_eq "reverse of 198.18.22.10" "stat" "$(virtname_getent "$VIRT_NAME_CACHE_DIR" hosts 198.18.22.10 | awk '{print $2}')"
pass "a static guest on a host bridge resolves once it talks to the host (IPv4, IPv6, reverse)"
gx nat busybox ping -c1 -W2 198.18.23.1 >/dev/null || fail "nat cannot reach its gateway"
wait_for 20 nat 198.18.23.10 || fail "nat never resolved: $(q nat)"
expect_eq "a static guest on a libvirt network, with the network's domain" "198.18.23.10" "$(resolve nat.lan.test)"
q nat | grep -q "interface: $MN on lannet" || fail "query nat: $(q nat)"

# --- attackers on the same bridge, no filter ------------------------------------
gx atk ip addr add 198.18.22.10/32 dev eth0
gx atk ip -6 addr add 2001:db8:22::10/128 dev eth0 nodad
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.10 >/dev/null || fail "neigh-announce"
gx atk "$B/selftest/neigh-announce" eth0 2001:db8:22::10 >/dev/null || fail "neigh-announce v6"
gx atk busybox ping -c1 -W1 -I 198.18.22.10 198.18.22.1 >/dev/null
in_h ip neigh show 198.18.22.10 | grep -q $MA || fail "the host did not learn the attacker's claim: $(in_h ip neigh)"
sleep 2
expect_eq "stat keeps its addresses against an attacker's ARP and NA" "198.18.22.10 2001:db8:22::10" "$(resolve stat)"
has atk 198.18.22.10 || has atk 2001:db8:22::10 && fail "the attacker got stat's address: $(resolve atk)"
pass "the attacker gets none of them"
q 198.18.22.10 | grep -q "name:      stat (libvirt domain name)" || fail "query 198.18.22.10: $(q 198.18.22.10)"
# Its own MAC forged as the victim's, for an address nobody holds: asked
# on the victim's port, which is silent.
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.13 --mac $MS --to 198.18.22.1 >/dev/null ||
        fail "neigh-announce --mac"
in_h ip neigh show 198.18.22.13 | grep -q $MS || fail "the host did not learn the forged claim: $(in_h ip neigh)"
sleep 3
expect_eq "a forged claim in the victim's name gives it nothing" "198.18.22.10 2001:db8:22::10" "$(resolve stat)"
q 198.18.22.13 >/dev/null && fail "198.18.22.13 has a lease: $(q 198.18.22.13)"
# The administrator's address: nobody takes it.
gx atk ip addr add 198.18.22.50/32 dev eth0
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.50 --to 198.18.22.1 >/dev/null
sleep 2
expect_eq "meta keeps its address against an attacker" "198.18.22.50" "$(resolve meta)"
has atk 198.18.22.50 && fail "the attacker got meta's address: $(q atk)"
pass "... and the attacker does not get it"
# This host's own addresses, on the attacker's interface and announced
# (its port would answer for them): the kernel never learns a neighbour
# at one of its own addresses, so no port is asked about one.
gx atk ip addr add 198.18.22.1/32 dev eth0
gx atk ip -6 addr add 2001:db8:22::1/128 dev eth0 nodad
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.1 --to 198.18.22.1 >/dev/null
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.1 >/dev/null
gx atk "$B/selftest/neigh-announce" eth0 2001:db8:22::1 >/dev/null
sleep 2
[ -z "$(in_h ip neigh show to 198.18.22.1; in_h ip neigh show to 2001:db8:22::1)" ] ||
        fail "the host learnt a neighbour at its own address: $(in_h ip neigh)"
has atk 198.18.22.1 || has atk 2001:db8:22::1 && fail "the attacker's name got this host's address: $(q atk)"
gx atk ip addr del 198.18.22.1/32 dev eth0
gx atk ip -6 addr del 2001:db8:22::1/128 dev eth0
pass "... nor this host's own addresses"
# An address nobody holds goes to the guest whose own port answers for
# it: without a filter, a guest may take a free address (its claim).
gx atk ip addr add 198.18.22.14/32 dev eth0
gx atk busybox ping -c1 -W1 -I 198.18.22.14 198.18.22.1 >/dev/null
wait_has 20 atk 198.18.22.14 || fail "the attacker's own free address: $(q atk)"
pass "attackers without a filter: the victim's addresses and the administrator's stay theirs; a free one goes to the port that answers"

# --- behind a filter like clean-traffic -----------------------------------------
gx filt ip addr add 198.18.22.15/32 dev eth0
gx filt busybox ping -c1 -W1 -I 198.18.22.15 198.18.22.1 >/dev/null
gx filt "$B/selftest/neigh-announce" eth0 198.18.22.15 --to 198.18.22.1 >/dev/null
gx filt busybox ping -c1 -W2 198.18.22.1 >/dev/null || fail "filt cannot reach the host"
wait_for 20 filt 198.18.22.12 || fail "filt's own address: $(q filt)"
sleep 2
expect_eq "behind the filter: its own address only" "198.18.22.12" "$(resolve filt)"
pass "behind the filter a guest gets its own address and no other"

# --- a guest inventing addresses by the hundred ---------------------------------
# Each is a candidate the host learnt (an ARP request to it); the
# watcher asks at most 16 of one MAC's in 5 s, and answers nothing here.
before=$(grep -c "at $MA on vnwbr0: asking" "$T/watch.log")
t0=$SECONDS
gx atk sh -c "for i in \$(seq 100 199); do $B/selftest/neigh-announce eth0 198.18.22.\$i --to 198.18.22.1 --count 1; done" \
        >/dev/null || fail "the flood"
flood=$((SECONDS - t0 + 1))
sleep 1
asked=$(( $(grep -c "at $MA on vnwbr0: asking" "$T/watch.log") - before ))
learnt=$(in_h ip neigh | grep -c "^198.18.22.1[0-9][0-9] .*$MA")
[ "$asked" -le $((16 * (flood / 5 + 2))) ] || fail "the watcher asked $asked of one MAC's candidates in $flood s"
has atk 198.18.22.150 && fail "an invented address was recorded: $(q atk)"
gx filt busybox ping -c1 -W2 198.18.22.1 >/dev/null
expect_eq "after the flood the watcher still answers" "198.18.22.12" "$(resolve filt)"
pass "a flood of $learnt invented addresses from one MAC: $asked asked in $flood s, none recorded"

# --- refresh, silence, expiry, restart --------------------------------------------
e1=$(q --json stat | python3 -c 'import json,sys; print(max(l["expiry"] for i in json.load(sys.stdin)["domain"]["interfaces"] for l in i["leases"]))')
sleep $((TTL + 2))
expect_eq "after a TTL: renewed" "198.18.22.10 2001:db8:22::10" "$(resolve stat)"
e2=$(q --json stat | python3 -c 'import json,sys; print(max(l["expiry"] for i in json.load(sys.stdin)["domain"]["interfaces"] for l in i["leases"]))')
[ "$e2" -gt "$e1" ] || fail "not renewed: expiry $e1 then $e2"
pass "the watcher renews what its ports still answer for (expiry $e1 -> $e2)"
"$B/virt-name-cache" doctor >"$T/doctor" 2>&1
grep -q "^ok .*the watcher runs" "$T/doctor" || fail "doctor: $(cat "$T/doctor")"
grep -q "^ok .*network bridge/vnwbr0: 4 running interfaces on a host bridge no libvirt network owns, 4 with an address" "$T/doctor" ||
        fail "doctor's host bridge line: $(grep bridge/ "$T/doctor")"
grep -q "network bridge/vnwbr0: 4 interfaces without libvirt's clean-traffic nwfilter" "$T/doctor" ||
        fail "doctor's filter line: $(grep bridge/ "$T/doctor")"
pass "doctor: the watcher runs, the host bridge's interfaces grouped"
# The guest drops an address: at the next refresh its port is silent and
# the observed address goes; the attacker, who holds it too, may take it
# once the host sees it use it.
gx stat ip addr del 198.18.22.10/24 dev eth0
end=$((SECONDS + 3 * TTL))
until [ "$(resolve stat)" = "2001:db8:22::10" ]; do
        [ $SECONDS -lt $end ] || fail "stat kept 198.18.22.10 after dropping it: $(q stat)"
        sleep 0.5
done
pass "silence deletes an observed address at the refresh"
gx atk "$B/selftest/neigh-announce" eth0 198.18.22.10 --to 198.18.22.1 >/dev/null
wait_has 20 atk 198.18.22.10 || fail "the free address to the port that answers: $(q atk)"
pass "once free, the address goes to the port that answers for it"
kill "$(cat "$T/watch.pid")"
# (a port-probe it started just before may renew once more)
wait_for $((3 * TTL)) nat "" || fail "watcher stopped: nat's observed address never expired: $(q nat)"
pass "watcher stopped: observed addresses expire"
expect_eq "... the administrator's stays" "198.18.22.50" "$(resolve meta)"
"$B/virt-name-cache" doctor 2>&1 | grep -q "^info .*the watcher does not run" || fail "doctor: no 'does not run'"
gx nat busybox ping -c1 -W2 198.18.23.1 >/dev/null
start_watch
wait_for 20 nat 198.18.23.10 || fail "restarted watcher: nat never resolved: $(q nat)"
pass "stopped, the watcher loses freshness only; restarted, it reads the neighbour table again"
grep -q 'error\|Assertion' "$T/watch.log" && fail "the watcher's log: $(cat "$T/watch.log")"
echo "summary: static guests on a host bridge and on a libvirt network resolve from their ports' answers; attackers with and without a filter take nothing held; refresh, silence, expiry and restart as documented"
