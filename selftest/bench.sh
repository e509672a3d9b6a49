#!/usr/bin/env bash
# selftest/bench.sh - `make bench`: what lookups and lease events cost at
# 10, 1,000, 10,000 and 100,000 guests, beside the references, in one run.
#
# Lookups (getaddrinfo AF_INET in one process, BENCH_SECONDS per cell):
#   virtname   this project's module, on a store rebuilt from the lease files
#   libvirt    Debian's libnss-libvirt (the `libvirt` module) on the same files
#   files-N    glibc `files` with the same N names in /etc/hosts
#   files-1    glibc `files` with a one-line /etc/hosts
#   new-*      a new process's one lookup (getent), exec included: ours,
#              libnss-libvirt, files-1
# Events (the lease helper as dnsmasq runs it; libvirt's own helper is not
# chained, so the numbers are ours alone):
#   bytes      bytes the event dirtied for storage (write_bytes): median of
#              adds of a new guest / of renewals (a new expiry)
#   ours       the helper's wall time minus the same run's exec of /bin/true
#   visible    from spawning the helper until a running reader resolves it
#   first      a running reader's first lookup after an event, against its
#              usual lookup (median, and 90th percentile), and against its
#              first lookup after a /bin/true ran instead
#   start      a network start: 10,000 `old` events in sequence as dnsmasq
#              sends them (the leases it already has), ours and libvirt's
#              helper on the same data (libvirt's is timed over 50 events
#              and extrapolated: it rewrites its whole lease file each time),
#              and the same loop running /bin/true
#   rebuild    `virt-name-cache rebuild` wall time and peak memory; after
#              five rebuilds, the event cost again
#   floor      what a process that only commits one key to an LMDB file
#              beside the private store costs here (selftest/tools/
#              lmdb-commit), over /bin/true: the part of "ours" no helper
#              that commits durably to LMDB could avoid
# The published store is on a tmpfs, as /run is on a Debian host (not on
# this test machine); the private store on disk.  The reference module,
# the lease files and the hosts files are swapped in only inside a private
# mount namespace: the machine's files are never touched.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
SIZES=${BENCH_SIZES:-"10 1000 10000 100000"}
SECS=${BENCH_SECONDS:-2}
EVENTS=${BENCH_EVENTS:-40}
BURST=${BENCH_BURST:-10000}
# libvirt's own helper, where this distribution's libvirt-daemon puts it.
LIBVIRT_HELPER=$(dpkg-query -S '*/libvirt_leaseshelper' 2>/dev/null | sed -n 's/^[^:]*: //p' | head -n 1)

if [ "${IN_NAMESPACE:-}" != 1 ]; then
        exec env IN_NAMESPACE=1 unshare -m --propagation private bash "$0" "$@"
fi
W=$(mktemp -d /var/tmp/vnc-bench.XXXXXX)          # on disk: the private store
trap 'umount "$W/run" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/run" "$W/state"
mount -t tmpfs tmpfs "$W/run"                      # like /run: the published store
if [ -d /var/lib/libvirt/dnsmasq ]; then
        mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq
else
        mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq
fi
D=/var/lib/libvirt/dnsmasq
export VIRT_NAME_CACHE_DIR=$W/run/store VIRT_NAME_CACHE_STATE_DIR=$W/state
export VIRT_NAME_CACHE_LEASESHELPER=/nonexistent
# (the port-probe a hook starts for a running domain's lease: started, a no-op)
export VIRT_NAME_CACHE_PORT_PROBE=/bin/true
VNC=$B/virt-name-cache
HELPER=$B/hooks/lease-helper
RUNSTAT=$B/selftest/runstat
echo "1.2.3.4 onlyhost" >"$W/hosts1"
soon=$(( $(date +%s) + 86400 ))

# gen N: lease files for N guests on one network, names gK (host name)
# and vmK (domain), addresses counted up from 198.18.0.1.
gen() {
        rm -f "$D"/*
        printf 'interface=vbrb\ndomain=bench.test\n' >"$D/bench.conf"
        awk -v n="$1" -v expiry="$soon" -v hosts="$W/hosts" -v names="$W/names" -v d="$D" -v events="$W/old-events" '
        BEGIN {
                printf "[" > d "/vbrb.status"; printf "[" > d "/vbrb.macs"
                for (i = 0; i < n; i++) {
                        a = 18 * 65536 + i + 1
                        ip = sprintf("198.%d.%d.%d", int(a / 65536), int(a / 256) % 256, a % 256)
                        mac = sprintf("52:54:00:%02x:%02x:%02x", int(i / 65536), int(i / 256) % 256, i % 256)
                        sep = i ? "," : ""
                        printf "%s\n{\"ip-address\":\"%s\",\"mac-address\":\"%s\",\"hostname\":\"g%d\",\"expiry-time\":%d}", sep, ip, mac, i, expiry > d "/vbrb.status"
                        printf "%s\n{\"domain\":\"vm%d\",\"macs\":[\"%s\"]}", sep, i, mac > d "/vbrb.macs"
                        print ip " g" i > hosts
                        print "g" i > names
                        print mac " " ip " g" i > events
                }
                print "]" > d "/vbrb.status"; print "]" > d "/vbrb.macs"
        }'
}

rate() {   # MODULE NAMES-FILE
        LD_LIBRARY_PATH=$B "$B/selftest/lookup-loop" -4 -t "$SECS" -f "$2" "$1" |
                awk '{ if ($4 != 0) { print "ERR"; exit } print $8 }'
}
# runs K WHAT COMMAND...: median ms of K runs of COMMAND, which must all
# succeed (runstat's fourth column is the exit status; its line is last)
runs() {
        local k=$1 what=$2 i
        shift 2
        for i in $(seq "$k"); do "$RUNSTAT" "$@" | tail -n 1; done >"$W/runs"
        awk '$4 != 0 {exit 1}' "$W/runs" || { echo "bench: $what failed: $*" >&2; exit 1; }
        median 1 <"$W/runs"
}
# getent_ms MODULE NAME: a new process's one getaddrinfo(AF_INET) of NAME
getent_ms() { LD_LIBRARY_PATH=$B runs "$EVENTS" "getent through $1" getent -s "hosts:$1" ahostsv4 "$2"; }
# median of column COL of the lines on stdin
median() { sort -n -k"${1:-1},${1:-1}" | awk -v c="${1:-1}" '{a[NR] = $c} END {print a[int((NR + 1) / 2)]}'; }
event() {   # ACTION MAC ADDRESS NAME: runstat of one lease event
        VIR_BRIDGE_NAME=vbrb DNSMASQ_LEASE_EXPIRES=$5 DNSMASQ_SUPPLIED_HOSTNAME=$4 "$RUNSTAT" "$HELPER" "$1" "$2" "$3" "$4"
}
# events K: K adds of new guests and K renewals: medians of ms and bytes
# dirtied for each, then of bytes written (write calls) for each.  The new
# guests' addresses (198.19.200.1 up) are past every generated guest's
# (198.19.134.160 at 100,000), so an add never takes over a lease.
events() {
        local k=$1 i
        for i in $(seq "$k"); do event add "52:54:01:00:$(printf %02x $((i / 256))):$(printf %02x $((i % 256)))" \
                "198.19.$((200 + i / 250)).$((i % 250 + 1))" "newguest$i" "$soon"; done >"$W/adds"
        for i in $(seq "$k"); do event old 52:54:00:00:00:$(printf %02x $((i % 10))) \
                "198.18.0.$((i % 10 + 1))" "g$((i % 10))" $((soon + i)); done >"$W/renews"
        echo "$(median 1 <"$W/adds") $(median 3 <"$W/adds") $(median 1 <"$W/renews") $(median 3 <"$W/renews")" \
             "$(median 5 <"$W/adds") $(median 5 <"$W/renews")"
}

printf '\n%-7s %9s %9s %9s %9s %6s %6s | %6s %6s %6s | %7s %7s %5s %5s %6s %6s %6s %6s %6s %6s %13s %6s | %7s %5s\n' \
        guests virtname libvirt files-N files-1 v/f-1 v/lv new-v new-lv new-f1 \
        add-KiB ren-KiB add-w ren-w ours vis first first/ p90/ f/true start-s true-s rebuild MiB
results=()
for n in $SIZES; do
        gen "$n"
        rm -rf "$W/state" "$W/run/store"; mkdir -p "$W/state"
        rb=$("$RUNSTAT" "$VNC" rebuild --leases-dir "$D" | tail -n 1)
        rb_ms=$(awk '{print $1}' <<<"$rb") rb_kb=$(awk '{print $2}' <<<"$rb")
        v=$(rate virtname "$W/names")
        l=$(rate libvirt "$W/names")
        nv=$(getent_ms virtname g1)
        nl=$(getent_ms libvirt g1)
        mount --bind "$W/hosts" /etc/hosts
        f=$(rate files "$W/names")
        umount /etc/hosts
        mount --bind "$W/hosts1" /etc/hosts
        echo onlyhost >"$W/name1"
        f1=$(rate files "$W/name1")
        nf=$(getent_ms files onlyhost)
        umount /etc/hosts
        # Exec of a no-op, same run: what any helper pays before its work;
        # and a process that only commits one key to LMDB (the floor).
        base=$(runs "$EVENTS" /bin/true /bin/true)
        floor=$(runs "$EVENTS" lmdb-commit "$B/selftest/lmdb-commit" "$W/state/floor.mdb")
        rm -f "$W/state/floor.mdb"
        read -r add_ms add_b ren_ms ren_b add_w ren_w <<<"$(events "$EVENTS")"
        ours=$(echo "$add_ms - $base" | bc -l)
        read -r vis first usual first90 first_true <<<"$(LD_LIBRARY_PATH=$B "$B/selftest/event-latency" "$EVENTS" g1 "$HELPER" vbrb)"
        # A network start: dnsmasq sends `old` for every lease it has.
        burst=$(( n < BURST ? n : BURST ))
        start_s=$(awk -v k="$burst" 'NR <= k' "$W/old-events" | {
                s=$(date +%s%N)
                while read -r mac ip name; do
                        VIR_BRIDGE_NAME=vbrb DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 "$HELPER" old "$mac" "$ip" "$name"
                done
                echo "scale=2; ($(date +%s%N) - $s) / 1000000000" | bc; })
        # The same loop running /bin/true: what the execs alone cost.
        true_s=$(awk -v k="$burst" 'NR <= k' "$W/old-events" | {
                s=$(date +%s%N)
                while read -r mac ip name; do /bin/true old "$mac" "$ip" "$name"; done
                echo "scale=2; ($(date +%s%N) - $s) / 1000000000" | bc; })
        printf '%-7s %9s %9s %9s %9s %6.2f %6.0f | %6.2f %6.2f %6.2f | %7.0f %7.0f %5.0f %5.0f %6.2f %6.2f %6.1f %6.2f %6.2f %6.2f %13s %6.2f | %7.0f %5.0f\n' \
                "$n" "$v" "$l" "$f" "$f1" "$(echo "$v / $f1" | bc -l)" "$(echo "$v / ($l + 0.0001)" | bc -l)" \
                "$nv" "$nl" "$nf" \
                "$(echo "$add_b / 1024" | bc -l)" "$(echo "$ren_b / 1024" | bc -l)" \
                "$(echo "$add_w / 1024" | bc -l)" "$(echo "$ren_w / 1024" | bc -l)" "$ours" "$vis" "$first" \
                "$(echo "$first / $usual" | bc -l)" "$(echo "$first90 / $usual" | bc -l)" \
                "$(echo "$first / $first_true" | bc -l)" "$start_s ($burst)" "$true_s" \
                "$rb_ms" "$(echo "$rb_kb / 1024" | bc -l)"
        results+=("$n $base $add_ms $floor $ren_ms")
done

# libvirt's own helper on the same data (the last size): per event, and a
# network start extrapolated from 50 events.
if [ -n "$LIBVIRT_HELPER" ] && [ -x "$LIBVIRT_HELPER" ]; then
        n=${SIZES##* }
        gen "$n"
        lv=$(awk 'NR <= 50' "$W/old-events" | while read -r mac ip name; do
                VIR_BRIDGE_NAME=vbrb DNSMASQ_INTERFACE=vbrb DNSMASQ_LEASE_EXPIRES=$soon "$RUNSTAT" \
                        "$LIBVIRT_HELPER" old "$mac" "$ip" "$name"; done | median 1)
        burst=$(( n < BURST ? n : BURST ))
        echo
        echo "libvirt_leaseshelper at $n guests: $lv ms per event (median of 50);" \
             "a network start of $burst old events ~ $(echo "scale=0; $lv * $burst / 1000" | bc) s"
else
        echo
        echo "libvirt_leaseshelper is not installed (libvirt-daemon): no reference for the helper"
fi

# The floor, measured beside each size's events: a process that only makes
# one durable LMDB commit in the private store's directory, over /bin/true;
# and an add's and a renewal's time over that floor.
if [ -n "${results[*]:-}" ]; then
        echo
        for r in "${results[@]}"; do
                read -r n0 base0 add0 floor0 ren0 <<<"$r"
                printf 'floor at %s guests: an LMDB commit process %.2f ms over /bin/true (%.2f ms); ' \
                        "$n0" "$(echo "$floor0 - $base0" | bc -l)" "$base0"
                printf 'over that floor, an add %.2f ms, a renewal %.2f ms\n' \
                        "$(echo "$add0 - $floor0" | bc -l)" "$(echo "$ren0 - $floor0" | bc -l)"
        done
fi

# Five rebuilds at the last size: the event cost stays.
if [ -n "${results[*]:-}" ]; then
        n=${SIZES##* }
        for i in 1 2 3 4 5; do "$VNC" rebuild --leases-dir "$D" >/dev/null; done
        base=$(runs "$EVENTS" /bin/true /bin/true)
        read -r add_ms add_b ren_ms ren_b add_w ren_w <<<"$(events "$EVENTS")"
        read -r n0 base0 add0 floor0 ren0 <<<"${results[-1]}"
        echo "after five more rebuilds at $n guests: our part $(echo "$add_ms - $base" | bc -l | xargs printf '%.2f') ms" \
             "(before: $(echo "$add0 - $base0" | bc -l | xargs printf '%.2f') ms), private store" \
             "$(du -k "$W/state/store.mdb" | cut -f1) KiB"
fi
cat <<EOF

lookups/s: getaddrinfo(AF_INET) through one NSS source, one process, ${SECS}s per cell.
v/f-1: virtname over files with a one-line hosts file; v/lv: over libnss-libvirt.
new-v, new-lv, new-f1: ms for a new process that makes one getaddrinfo(AF_INET) (getent -s
hosts:MODULE ahostsv4, median), exec included: ours (which checks the whole base snapshot's
checksum before it trusts it), libnss-libvirt, files with the one-line hosts file.
add-KiB, ren-KiB: bytes dirtied for storage by one lease event (a new guest; a renewal),
median of $EVENTS (the kernel's write_bytes: whole page-cache folios, which ext4 makes
larger than a page since Linux 6.16); add-w, ren-w: KiB the event passed to write calls
(private store and published delta; /proc/PID/io wchar).  ours: the helper's wall time minus an exec of /bin/true (ms).
vis: ms from spawning the helper until a running reader resolves the new lease.
first: a running reader's first lookup after an event (us, median); first/ and p90/:
its median and 90th percentile over the same reader's usual lookup; f/true: over its
first lookup after a /bin/true ran instead (cold caches, no new snapshot).  start-s: seconds
for a network start (that many old events in sequence); true-s: the same loop running
/bin/true instead.  rebuild: ms and peak MiB.
EOF
