#!/usr/bin/env bash
# t-agent-hang: a guest agent that never answers hangs neither a rebuild
# nor the watcher (issue 22's review).  libvirt waits for an agent's
# answer as long as the domain's agent timeout, by default for ever: an
# agent that answers libvirt's guest-sync and then stays silent blocks
# virDomainInterfaceAddresses(..., SRC_AGENT) for good.  With real
# libvirtd (private state, lib-e2e.sh) and a real TCG guest
# (lib-guest.sh) whose "agent" is selftest/rogue-agent.sh on the
# virtio-serial port org.qemu.guest_agent.0 (the real attack), on a host
# bridge (198.18.25.0/24) in namespace H, and a second guest (a
# namespace behind a veth port, recorded as a running domain by the
# qemu hook) with a static address:
#   - `virt-name-cache rebuild` finishes (60 s allowed; it takes about
#     the 3 s deadline) and says the agent did not answer, though
#     libvirt's question reached it (its console says so) after its
#     guest-sync was answered: the real attack (before the deadline
#     existed, the rebuild hung here for good);
#   - the watcher asks the connected agent at its start, and meanwhile
#     records the second guest's address from the neighbour table as its
#     first packet comes; it gives up on the agent after the deadline
#     and asks it no more (its renewals every TTL/2 = 3 s skip it).
#     (libvirtd still waits for the agent from the rebuild's question,
#     holding the domain's agent job: the watcher's question waits for
#     that job, which from here looks the same.)
# HB: the build whose watcher and command are tested (default B).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
HB=${HB:-$B}
e2e_require /usr/bin/qemu-system-x86_64 busybox
for p in hooks/watch hooks/port-probe hooks/qemu-hook virt-name-cache; do
        [ -x "$HB/$p" ] || fail "build first: make ($HB/$p is missing)"
done
e2e_enter

S=$T/store H=vnah$$ LAN=vnalan0 G=vnag$$
MR=52:54:00:25:00:01 MG=52:54:00:25:00:02 AG=198.18.25.20
export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_LOG_STDERR=1 VIRT_NAME_CACHE_PORT_PROBE=$HB/hooks/port-probe
cleanup() {
        local rc=$?
        set +e
        [ $rc = 0 ] || { echo "the watcher's log:"; sed 's/^/    /' "$T/watch.log"
                echo "rogue's console:"; tr -d '\r' <"$(guest_console rogue)" | grep -a vnc-guest | tail -n 20; } >&2
        [ -s "$T/watch.pid" ] && kill "$(cat "$T/watch.pid")" 2>/dev/null
        virsh destroy rogue >/dev/null 2>&1
        [ -s /run/libvirt/qemu/rogue.pid ] && kill "$(cat /run/libvirt/qemu/rogue.pid)" 2>/dev/null
        ip netns del $G 2>/dev/null
        e2e_stop
}
trap cleanup EXIT
trap 'exit 1' INT TERM
resolve() { addrs_of "$S" ahosts "$1"; }
in_h() { ip netns exec $H "$@"; }
wait_until() {
        local end=$((SECONDS + $1))
        shift
        until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}

chmod 711 "$T"
guest_build "$T/guest" --no-sshd --add "$TOP/selftest/rogue-agent.sh"
e2e_private_libvirt
e2e_start_libvirtd
in_h ip link add $LAN type bridge && in_h ip link set $LAN up && in_h ip addr add 198.18.25.1/24 dev $LAN ||
        fail "the LAN bridge"
guest_domain_xml rogue $MR $LAN --bridge --no-dhcp4 --v4 198.18.25.10/24 --no-sshd --agent-channel \
        --run rogue-agent.sh >"$T/rogue.xml"
virsh define "$T/rogue.xml" >/dev/null && virsh start rogue >/dev/null || fail "cannot start rogue: $(tail -5 "$T/libvirtd.log")"
guest_wait rogue "run 1: rogue-agent: on" 300 >/dev/null || fail "the rogue agent did not start"
wait_until 60 eval "virsh dumpxml rogue | grep -q \"name='org.qemu.guest_agent.0' state='connected'\"" ||
        fail "libvirt does not see rogue's agent connected: $(virsh dumpxml rogue | grep -A2 guest_agent)"

# --- a rebuild -------------------------------------------------------------------------
t0=$(date +%s%N)
in_h timeout 60 "$HB/virt-name-cache" rebuild --connect qemu:///system >"$T/rebuild.out" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $rc = 124 ] && fail "the rebuild hung on the rogue agent (killed after 60 s)"
[ $rc = 0 ] || fail "rebuild: $(cat "$T/rebuild.out")"
grep -q "domain rogue: its guest agent did not answer" "$T/rebuild.out" || fail "rebuild: $(cat "$T/rebuild.out")"
rebuild_ms=$ms
grep -aq "rogue silent to .*guest-network-get-interfaces" "$(guest_console rogue)" ||
        fail "libvirt's question never reached the rogue agent: $(tr -d '\r' <"$(guest_console rogue)" | grep -a rogue)"
echo "timing: a rebuild with the rogue agent: $ms ms"
pass "a rebuild finishes despite the rogue agent ($ms ms), saying it did not answer"

# --- the watcher -------------------------------------------------------------------------
ip netns add $G || fail "netns"
in_h ip link add vnagp type veth peer name eth0 netns $G && in_h ip link set vnagp master $LAN up || fail "veth"
ip -n $G link set lo up && ip -n $G link set eth0 address $MG up && ip -n $G addr add $AG/24 dev eth0
printf "<domain type='qemu' id='90'><name>nsguest</name><uuid>25252525-0000-0000-0000-000000000001</uuid><devices><interface type='bridge'><mac address='%s'/><source bridge='%s'/><target dev='vnagp'/></interface></devices></domain>\n" \
        $MG $LAN >"$T/nsguest.xml"
in_h "$HB/hooks/qemu-hook" nsguest started begin - <"$T/nsguest.xml" || fail "qemu hook nsguest"
[ -z "$(resolve nsguest)" ] || fail "nsguest resolves before it talked: $(resolve nsguest)"
ip netns exec $H "$HB/hooks/watch" --connect qemu:///system --ttl 6 >>"$T/watch.log" 2>&1 &
echo $! >"$T/watch.pid"
wait_until 30 grep -q 'listening to libvirt' "$T/watch.log" || fail "the watcher did not start: $(cat "$T/watch.log")"
t0=$(date +%s%N)
ip netns exec $G busybox ping -c 1 -W 1 198.18.25.1 >/dev/null
wait_until 20 eval '[ "$(resolve nsguest)" = $AG ]' ||
        fail "the watcher did not record nsguest's address while the rogue agent was asked: $(resolve nsguest)"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "timing: nsguest resolves $ms ms after its first packet, the rogue agent being asked"
pass "the watcher records another guest's address while the rogue agent is asked ($ms ms)"
wait_until 15 grep -q "domain rogue: its guest agent did not answer in 3000 ms" "$T/watch.log" ||
        fail "the watcher did not give up on the rogue agent"
sleep 10        # three renewals (TTL/2 = 3 s), each of which asks the connected agents
n=$(grep -c "domain rogue: its guest agent did not answer" "$T/watch.log")
expect_eq "times the watcher waited for the rogue agent in ~15 s" 1 "$n"
kill -0 "$(cat "$T/watch.pid")" || fail "the watcher died"
pass "the watcher gives up on the rogue agent after 3 s and does not ask it again"
echo "summary: a rogue guest agent (guest-sync answered, nothing else) holds a rebuild about the deadline ($rebuild_ms ms), the watcher not at all (another guest recorded in $ms ms meanwhile)"
