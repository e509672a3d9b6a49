#!/usr/bin/env bash
# selftest/bench.sh - `make bench`: what lookups and lease events cost at
# 10, 1,000, 10,000 and 100,000 guests, beside the references, in one run.
# Every ratio is of runs made side by side: the measured commands and
# their references take turns, round by round, so a change of load on the
# machine falls on both.
#
# Lookups (getaddrinfo AF_INET in one process, BENCH_SECONDS per cell):
#   virtname   this project's module, on a store rebuilt from the lease files
#   libvirt    Debian's libnss-libvirt (the `libvirt` module) on the same files
#   files-N    glibc `files` with the same N names in /etc/hosts
#   files-1    glibc `files` with a one-line /etc/hosts
#   ref        with BENCH_REF=DIR (the build directory of another checkout,
#              e.g. of 0ea862b): that build's module on its own store, rebuilt
#              by its own command from the same lease files
#   h-big      ours with a 100,000-line /etc/hosts, over ours with a one-line
#              /etc/hosts (the same guest names)
# A new process's one lookup (getent ahostsv4, exec included, median):
#   new-v, new-lv, new-f1   a guest's name through ours, libnss-libvirt, and a
#                           name in the one-line /etc/hosts through files
#   miss-fv, miss-f         a name nobody has, through `files virtname` and
#                           through `files` alone: what every program that
#                           resolves any DNS name pays for our module
# Events (the lease helper as dnsmasq runs it; libvirt's own helper is not
# chained, so the numbers are ours alone), on a plain store and on one
# whose network's DNS answers the store's names (`enable`: hosts
# directory, the network hook's `start` filled it):
#   add, ren, same   a new guest, a renewal (a new expiry), an `old` that
#                    changes nothing: ms of the helper, median
#   true, lmdb       an exec of /bin/true; a process that only commits one
#                    key to an LMDB file beside the private store
#                    (selftest/tools/lmdb-commit): the floors under an event
#   KiB              bytes an add and a renewal dirtied for storage
#                    (write_bytes) and passed to write calls (wchar)
#   hd-KiB, hd-txt   the hosts directory: KiB of tmpfs it takes, KiB of text
# Others:
#   vis        from spawning the helper until a running reader resolves it
#   first      a running reader's first lookup after an event, against its
#              usual lookup (median, 90th percentile), and against its first
#              lookup after a /bin/true ran instead
#   start      a network start: `init`, then BENCH_BURST (10,000) `old`
#              events in sequence as dnsmasq sends them, on the plain store
#              and on the DNS one
#              (no name: dnsmasq replays leases without, there), against
#              the same loop running /bin/true; in chunks, taking turns
#   rebuild    `virt-name-cache rebuild` wall time and peak memory; after
#              five rebuilds, the event cost again
# The published store is on a tmpfs, as /run is on a Debian host, sealed
# as the system store is (VIRT_NAME_CACHE_IMMUTABLE=1, cache/read/reader.h);
# the private store on disk.  The reference module, the lease files and
# the hosts files are swapped in only inside a private mount namespace:
# the machine's files are never touched.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
SIZES=${BENCH_SIZES:-"10 1000 10000 100000"}
SECS=${BENCH_SECONDS:-2}
EVENTS=${BENCH_EVENTS:-40}
BURST=${BENCH_BURST:-10000}
REF=${BENCH_REF:-}
# libvirt's own helper, where this distribution's libvirt-daemon puts it.
LIBVIRT_HELPER=$(dpkg-query -S '*/libvirt_leaseshelper' 2>/dev/null | sed -n 's/^[^:]*: //p' | head -n 1)

if [ "${IN_NAMESPACE:-}" != 1 ]; then
        exec env IN_NAMESPACE=1 unshare -m --propagation private bash "$0" "$@"
fi
W=$(mktemp -d /var/tmp/vnc-bench.XXXXXX)          # on disk: the private stores
trap 'chattr -R -i "$W/run" 2>/dev/null; umount "$W/run" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/run"
mount -t tmpfs -o mode=755 tmpfs "$W/run"          # like /run: the published stores
if [ -d /var/lib/libvirt/dnsmasq ]; then
        mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq
else
        mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq
fi
D=/var/lib/libvirt/dnsmasq
export VIRT_NAME_CACHE_LEASESHELPER=/nonexistent VIRT_NAME_CACHE_IMMUTABLE=1
# (the port-probe a hook starts for a running domain's lease: started, a no-op)
export VIRT_NAME_CACHE_PORT_PROBE=/bin/true
VNC=$B/virt-name-cache
HELPER=$B/hooks/lease-helper
RUNSTAT=$B/selftest/runstat
echo "1.2.3.4 onlyhost" >"$W/hosts1"
# A large /etc/hosts (ad-block lists are this big), none of the guests' names.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "10.%d.%d.%d block%d.example block%d\n", int(i / 65536), int(i / 256) % 256, i % 256, i, i }' \
        >"$W/hosts-big"
soon=$(( $(date +%s) + 86400 ))

# gen N: lease files for N guests on one network, names gK (host name)
# and vmK (domain), addresses counted up from 198.18.0.1.
gen() {
        rm -f "$D"/*
        printf 'interface=vbrb\ndomain=bench.test\n' >"$D/bench.conf"
        awk -v n="$1" -v expiry="$soon" -v hosts="$W/hosts" -v names="$W/names" -v d="$D" -v events="$W/old-events" '
        BEGIN {
                printf "" > hosts; printf "" > names; printf "" > events
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

# on STORE COMMAND...: COMMAND with store STORE (plain, dns or ref)
on() {
        local s=$1
        shift
        VIRT_NAME_CACHE_DIR=$W/run/$s VIRT_NAME_CACHE_STATE_DIR=$W/state-$s "$@"
}
rate() {   # STORE MODULE NAMES-FILE: lookups per second
        on "$1" env LD_LIBRARY_PATH="${LIB:-$B}" "$B/selftest/lookup-loop" -4 -t "$SECS" -f "$3" "$2" |
                awk '{ if ($4 != 0) { print "ERR"; exit } print $8 }'
}
# median of column COL of the lines on stdin
median() { sort -n -k"${1:-1},${1:-1}" | awk -v c="${1:-1}" '{a[NR] = $c} END {print a[int((NR + 1) / 2)]}'; }
# stat1 COMMAND...: the runstat line of COMMAND ("FAIL ..." when it
# failed: runstat's fourth column is the exit status; its line is last)
stat1() {
        local line
        line=$("$RUNSTAT" "$@" | tail -n 1)
        [ "$(awk '{print $4}' <<<"$line")" = 0 ] || line="FAIL $*"
        echo "$line"
}
event() {   # STORE ACTION MAC ADDRESS NAME EXPIRY: as stat1, of one lease event
        local line
        line=$(on "$1" env VIR_BRIDGE_NAME=vbrb DNSMASQ_LEASE_EXPIRES="$6" DNSMASQ_SUPPLIED_HOSTNAME="$5" \
                "$RUNSTAT" "$HELPER" "$2" "$3" "$4" "$5" | tail -n 1)
        [ "$(awk '{print $4}' <<<"$line")" = 0 ] || line="FAIL $*"
        echo "$line"
}
# no_failure FILE WHAT: stop when a run in FILE failed
no_failure() { ! grep -q FAIL "$1" || { echo "bench: $2 failed: $(grep -m1 -o 'FAIL.*' "$1")" >&2; exit 1; }; }
r2() { printf '%.2f' "$(echo "$1" | bc -l)"; }

lookups=() news=() evs=() others=()
for n in $SIZES; do
        gen "$n"
        chattr -R -i "$W/run" 2>/dev/null || true
        rm -rf "$W"/state-* "${W:?}"/run/*
        rb=$(on plain "$RUNSTAT" "$VNC" rebuild --leases-dir "$D" | tail -n 1)
        rb_ms=$(awk '{print $1}' <<<"$rb") rb_kb=$(awk '{print $2}' <<<"$rb")
        # The DNS store: the same, and the network's hosts directory.
        on dns "$VNC" rebuild --leases-dir "$D" >/dev/null
        printf "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>bench</name><bridge name='vbrb'/><domain name='bench.test'/><dnsmasq:options><dnsmasq:option value='hostsdir=%s'/><dnsmasq:option value='dhcp-ignore-names'/></dnsmasq:options></network>" \
                "$W/run/dns/dnsmasq/bench" | on dns "$B/hooks/network-hook" bench start begin - ||
                { echo "bench: the network hook's start failed" >&2; exit 1; }
        hd_kb=$(du -sk "$W/run/dns/dnsmasq/bench" | cut -f1)
        hd_txt=$(( ($(find "$W/run/dns/dnsmasq/bench" -type f ! -name '.*' -printf '%s\n' | awk '{s += $1} END {print s + 0}') + 1023) / 1024 ))
        [ "$(find "$W/run/dns/dnsmasq/bench" -type f ! -name '.*' -exec cat {} + | wc -l)" -ge "$n" ] ||
                { echo "bench: the hosts directory lacks lines" >&2; exit 1; }
        if [ -n "$REF" ]; then
                VIRT_NAME_CACHE_IMMUTABLE= on ref "$REF/virt-name-cache" rebuild --leases-dir "$D" >/dev/null
        fi

        # Lookups in one process.
        v=$(rate plain virtname "$W/names")
        l=$(rate plain libvirt "$W/names")
        ref=- vref=-
        if [ -n "$REF" ]; then
                ref=$(LIB=$REF rate ref virtname "$W/names")
                vref=$(r2 "$v / $ref")
        fi
        mount --bind "$W/hosts" /etc/hosts
        f=$(rate plain files "$W/names")
        umount /etc/hosts
        mount --bind "$W/hosts1" /etc/hosts
        echo onlyhost >"$W/name1"
        f1=$(rate plain files "$W/name1")
        # A 100,000-line /etc/hosts against a one-line one, taking turns.
        h1=() hb=()
        for i in 1 2; do
                h1+=("$(rate plain virtname "$W/names")")
                umount /etc/hosts; mount --bind "$W/hosts-big" /etc/hosts
                hb+=("$(rate plain virtname "$W/names")")
                umount /etc/hosts; mount --bind "$W/hosts1" /etc/hosts
        done
        hbig=$(r2 "(${h1[0]} + ${h1[1]}) / (${hb[0]} + ${hb[1]})")
        lookups+=("$(printf '%-7s %9s %9s %9s %9s %6.2f %6.0f %9s %6s | %6s' "$n" "$v" "$l" "$f" "$f1" \
                "$(echo "$v / $f1" | bc -l)" "$(echo "$v / ($l + 0.0001)" | bc -l)" "$ref" "$vref" "$hbig")")

        # A new process's one lookup, the five kinds taking turns.
        for i in $(seq "$EVENTS"); do
                echo "$(on plain env LD_LIBRARY_PATH="$B" "$RUNSTAT" getent -s hosts:virtname ahostsv4 g1 | tail -n 1 | cut -d' ' -f1,4)" \
                     "$(on plain env LD_LIBRARY_PATH="$B" "$RUNSTAT" getent -s hosts:libvirt ahostsv4 g1 | tail -n 1 | cut -d' ' -f1,4)" \
                     "$(on plain env LD_LIBRARY_PATH="$B" "$RUNSTAT" getent -s hosts:files ahostsv4 onlyhost | tail -n 1 | cut -d' ' -f1,4)" \
                     "$(on plain env LD_LIBRARY_PATH="$B" "$RUNSTAT" getent -s 'hosts:files virtname' ahostsv4 nosuchname | tail -n 1 | cut -d' ' -f1,4)" \
                     "$(on plain env LD_LIBRARY_PATH="$B" "$RUNSTAT" getent -s hosts:files ahostsv4 nosuchname | tail -n 1 | cut -d' ' -f1,4)"
        done >"$W/new"
        umount /etc/hosts
        # getent: 0 found, 2 not found
        awk '$2 != 0 || $4 != 0 || $6 != 0 || $8 != 2 || $10 != 2 {exit 1}' "$W/new" ||
                { echo "bench: a new process's lookup failed: $(head -n 1 "$W/new")" >&2; exit 1; }
        nv=$(median 1 <"$W/new") nl=$(median 3 <"$W/new") nf=$(median 5 <"$W/new")
        mfv=$(median 7 <"$W/new") mf=$(median 9 <"$W/new")
        news+=("$(printf '%-7s %6.2f %6.2f %6.2f | %7.2f %6.2f %6.2f' "$n" "$nv" "$nl" "$nf" "$mfv" "$mf" \
                "$(echo "$mfv / $mf" | bc -l)")")

        # Events, all kinds taking turns; the new guests' addresses
        # (198.19.200.1 up) are past every generated guest's (198.19.134.160
        # at 100,000), so an add never takes over a lease.  The unchanged
        # event repeats a lease added first.
        for st in plain dns; do event $st add 52:54:01:ff:00:01 198.19.220.1 sameguest "$soon"; done >"$W/events"
        no_failure "$W/events" "adding the lease the unchanged events repeat"
        for i in $(seq "$EVENTS"); do
                mac="52:54:01:00:$(printf %02x $((i / 256))):$(printf %02x $((i % 256)))"
                addr="198.19.$((200 + i / 250)).$((i % 250 + 1))"
                k=$((i % 10))
                echo "$(stat1 /bin/true | cut -d' ' -f1)" \
                     "$(stat1 "$B/selftest/lmdb-commit" "$W/floor.mdb" | cut -d' ' -f1)" \
                     "$(event plain add "$mac" "$addr" "newguest$i" "$soon" | cut -d' ' -f1,3,5)" \
                     "$(event plain old "52:54:00:00:00:0$k" "198.18.0.$((k + 1))" "g$k" $((soon + i)) | cut -d' ' -f1,3,5)" \
                     "$(event plain old 52:54:01:ff:00:01 198.19.220.1 sameguest "$soon" | cut -d' ' -f1)" \
                     "$(event dns add "$mac" "$addr" "newguest$i" "$soon" | cut -d' ' -f1)" \
                     "$(event dns old "52:54:00:00:00:0$k" "198.18.0.$((k + 1))" "g$k" $((soon + i)) | cut -d' ' -f1)" \
                     "$(event dns old 52:54:01:ff:00:01 198.19.220.1 sameguest "$soon" | cut -d' ' -f1)"
        done >"$W/events"
        rm -f "$W/floor.mdb"
        no_failure "$W/events" "a lease event"
        read -r tr lm pa pr ps da dr ds <<<"$(for c in 1 2 3 6 9 10 11 12; do median $c <"$W/events"; done | xargs)"
        read -r add_b add_w ren_b ren_w <<<"$(for c in 4 5 7 8; do median $c <"$W/events"; done | xargs)"
        evs+=("$(printf '%-7s %5.2f %5.2f | %5.2f %5.2f %5.2f | %5.2f %5.2f %5.2f | %5.2f %5.2f %5.2f | %5.2f %5.2f | %5.0f %5.0f %5.0f %5.0f | %7s %6s' \
                "$n" "$tr" "$lm" "$pa" "$pr" "$ps" "$da" "$dr" "$ds" \
                "$(echo "$da / $pa" | bc -l)" "$(echo "$dr / $pr" | bc -l)" "$(echo "$ds / $ps" | bc -l)" \
                "$(echo "$pa - $lm" | bc -l)" "$(echo "$pr - $lm" | bc -l)" \
                "$(echo "$add_b / 1024" | bc -l)" "$(echo "$ren_b / 1024" | bc -l)" \
                "$(echo "$add_w / 1024" | bc -l)" "$(echo "$ren_w / 1024" | bc -l)" "$hd_kb" "$hd_txt")")

        read -r vis first usual first90 first_true <<<"$(on plain env LD_LIBRARY_PATH="$B" \
                "$B/selftest/event-latency" "$EVENTS" g1 "$HELPER" vbrb)"
        # A network start: dnsmasq sends `old` for every lease it has, as it
        # has it (its expiry, from what init gave it: the leases the store
        # has when no event was missed); the plain store's, the DNS
        # store's and /bin/true's loops take turns, 500 events at a time.
        burst=$(( n < BURST ? n : BURST ))
        for st in plain dns; do
                on "$st" "$VNC" list --json | awk '
                        /"leases"/ { on = 1 }
                        on && /"address"/ { gsub(/[",]/, "", $2); a = $2 }
                        on && /"mac"/ { gsub(/[",]/, "", $2); m = $2 }
                        on && /"hostname"/ { gsub(/[",]/, "", $2); h = $2 }
                        on && /"network"/ { gsub(/[",]/, "", $2); net = $2 }
                        on && /"expiry"/ { gsub(/[",]/, "", $2); if (net == "bench") print m, a, h, $2 }' \
                        >"$W/start-$st"
        done
        t_true=0 t_plain=0 t_dns=0
        # dnsmasq asks for its leases first (init: the helper writes its
        # replay ledger then, cache/ingest/replay.h); counted in the start.
        s=$(date +%s%N)
        /bin/true init
        t_true=$((t_true + $(date +%s%N) - s)); s=$(date +%s%N)
        on plain env VIR_BRIDGE_NAME=vbrb "$HELPER" init >/dev/null
        t_plain=$((t_plain + $(date +%s%N) - s)); s=$(date +%s%N)
        on dns env VIR_BRIDGE_NAME=vbrb "$HELPER" init >/dev/null
        t_dns=$((t_dns + $(date +%s%N) - s))
        for c in $(seq 0 500 $((burst - 1))); do
                for st in plain dns; do
                        awk -v a="$c" -v b="$((c + 500))" -v k="$burst" 'NR > a && NR <= b && NR <= k' \
                                "$W/start-$st" >"$W/chunk-$st"
                done
                s=$(date +%s%N)
                while read -r mac ip name exp; do DNSMASQ_LEASE_EXPIRES=$exp /bin/true old "$mac" "$ip" "$name"
                done <"$W/chunk-plain"
                t_true=$((t_true + $(date +%s%N) - s)); s=$(date +%s%N)
                (
                        export VIRT_NAME_CACHE_DIR=$W/run/plain VIRT_NAME_CACHE_STATE_DIR=$W/state-plain \
                                VIR_BRIDGE_NAME=vbrb DNSMASQ_DATA_MISSING=1
                        while read -r mac ip name exp; do DNSMASQ_LEASE_EXPIRES=$exp "$HELPER" old "$mac" "$ip" "$name"
                        done <"$W/chunk-plain"
                )
                t_plain=$((t_plain + $(date +%s%N) - s)); s=$(date +%s%N)
                (
                        export VIRT_NAME_CACHE_DIR=$W/run/dns VIRT_NAME_CACHE_STATE_DIR=$W/state-dns \
                                VIR_BRIDGE_NAME=vbrb DNSMASQ_DATA_MISSING=1
                        while read -r mac ip name exp; do DNSMASQ_LEASE_EXPIRES=$exp "$HELPER" old "$mac" "$ip"
                        done <"$W/chunk-dns"
                )
                t_dns=$((t_dns + $(date +%s%N) - s))
        done
        for st in plain dns; do
                [ -f "$W/state-$st/replay.cdb" ] ||
                        echo "bench: $n guests, $st store: a replay changed the store; the rest took the full path" >&2
        done
        others+=("$(printf '%-7s %6.2f %6.1f %6.2f %6.2f %6.2f | %6s %7.2f %7.2f %6.2f %6.2f %6.2f | %7.0f %5.0f' \
                "$n" "$vis" "$first" "$(echo "$first / $usual" | bc -l)" "$(echo "$first90 / $usual" | bc -l)" \
                "$(echo "$first / $first_true" | bc -l)" "$burst" "$(echo "$t_true / 1000000000" | bc -l)" \
                "$(echo "$t_plain / 1000000000" | bc -l)" "$(echo "$t_dns / 1000000000" | bc -l)" \
                "$(echo "$t_plain / $t_true" | bc -l)" "$(echo "$t_dns / $t_true" | bc -l)" \
                "$rb_ms" "$(echo "$rb_kb / 1024" | bc -l)")")
        echo "bench: $n guests measured" >&2
done

printf '\nlookups/s in one process                                                    |\n'
printf '%-7s %9s %9s %9s %9s %6s %6s %9s %6s | %6s\n' guests virtname libvirt files-N files-1 v/f-1 v/lv ref v/ref h-big
printf '%s\n' "${lookups[@]}"
printf '\na new process: one getaddrinfo, ms (median)  | a name nobody has\n'
printf '%-7s %6s %6s %6s | %7s %6s %6s\n' guests new-v new-lv new-f1 miss-fv miss-f fv/f
printf '%s\n' "${news[@]}"
printf '\nlease events, ms (median)      plain store     |  DNS-enabled store  |     DNS / plain    | over lmdb | KiB dirtied, written    | hosts directory\n'
printf '%-7s %5s %5s | %5s %5s %5s | %5s %5s %5s | %5s %5s %5s | %5s %5s | %5s %5s %5s %5s | %7s %6s\n' \
        guests true lmdb add ren same add ren same add ren same add ren add-b ren-b add-w ren-w hd-KiB hd-txt
printf '%s\n' "${evs[@]}"
printf '\nvisibility, a running reader, a network start, a rebuild\n'
printf '%-7s %6s %6s %6s %6s %6s | %6s %7s %7s %6s %6s %6s | %7s %5s\n' \
        guests vis first first/ p90/ f/true olds true-s plain-s dns-s p/true d/true rebuild MiB
printf '%s\n' "${others[@]}"

# libvirt's own helper on the same data (the last size): per event, and a
# network start extrapolated from 50 events.
if [ -n "$LIBVIRT_HELPER" ] && [ -x "$LIBVIRT_HELPER" ]; then
        n=${SIZES##* }
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

# Five rebuilds at the last size: the event cost stays.
if [ -n "${evs[*]:-}" ]; then
        n=${SIZES##* }
        for i in 1 2 3 4 5; do on plain "$VNC" rebuild --leases-dir "$D" >/dev/null; done
        for i in $(seq "$EVENTS"); do
                echo "$(stat1 /bin/true | cut -d' ' -f1)" \
                     "$(event plain add "52:54:01:01:00:$(printf %02x $((i % 256)))" "198.19.210.$((i % 250 + 1))" \
                        "again$i" "$soon" | cut -d' ' -f1)"
        done >"$W/again"
        no_failure "$W/again" "an add after five rebuilds"
        echo "after five more rebuilds at $n guests: an add $(median 2 <"$W/again") ms," \
             "/bin/true $(median 1 <"$W/again") ms; private store $(du -k "$W/state-plain/store.mdb" | cut -f1) KiB"
fi
cat <<EOF

lookups/s: getaddrinfo(AF_INET) through one NSS source, one process, ${SECS}s per cell.
v/f-1: virtname over files with a one-line hosts file; v/lv: over libnss-libvirt; ref, v/ref:
BENCH_REF's module (its own store), ours over it.  h-big: ours with a one-line /etc/hosts over
ours with a 100,000-line one.
new-v, new-lv, new-f1: ms for a new process that makes one getaddrinfo(AF_INET) (getent -s
hosts:MODULE ahostsv4, median of $EVENTS), exec included: a guest through ours, through
libnss-libvirt, a one-line hosts file's name through files.  miss-fv, miss-f: a name nobody
has through 'files virtname' and through files alone; fv/f the ratio.
lease events: ms (median of $EVENTS, all kinds taking turns) of /bin/true, of a process that
commits one key to LMDB (lmdb), and of the lease helper: add (a new guest), ren (a renewal: a
new expiry), same (an old event that changes nothing), on a plain store and on a store whose
network has a hosts directory (DNS); DNS / plain: their ratios; over lmdb: a plain add's and
renewal's time over the LMDB commit.  add-b, ren-b: KiB dirtied for storage (the kernel's
write_bytes: whole page-cache folios, which ext4 makes larger than a page since Linux 6.16);
add-w, ren-w: KiB passed to write calls (private store, published delta; wchar).
hd-KiB, hd-txt: the hosts directory's tmpfs KiB and its text.
vis: ms from spawning the helper until a running reader resolves the new lease.
first: a running reader's first lookup after an event (us, median); first/ and p90/: its
median and 90th percentile over the same reader's usual lookup; f/true: over its first
lookup after a /bin/true ran instead (cold caches, no new snapshot).  olds: old events in a
network start, after its init; true-s, plain-s, dns-s: seconds for init and olds through
/bin/true, the plain store's helper and the DNS store's (500 at a time, taking turns;
no libvirt helper: with one, the DNS store's replays take the full path, its name comes
from the store); p/true, d/true: over /bin/true.
rebuild: ms and peak MiB.
EOF
