#!/usr/bin/env bash
# selftest/bench.sh - `make bench`: getaddrinfo lookups per second for
# 10, 1,000 and 100,000 guests, in one run:
#   virtname   this project's module, on a store rebuilt from the lease files
#   libvirt    Debian's libnss-libvirt (the `libvirt` module) on the same files
#   files-N    glibc `files` with the same N names in /etc/hosts
#   files-1    glibc `files` with a one-line /etc/hosts
# and the cost of one lease change becoming visible to a reader (writer
# commit + snapshot publish + the next lookup), median of 20.
# The reference module and the hosts files are swapped in only inside a
# private mount namespace; the machine's files are never touched.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
SIZES=${BENCH_SIZES:-"10 1000 100000"}
SECS=${BENCH_SECONDS:-2}

if [ "${IN_NAMESPACE:-}" != 1 ]; then
        exec env IN_NAMESPACE=1 unshare -m --propagation private bash "$0" "$@"
fi
W=$(mktemp -d /tmp/vnc-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
if [ -d /var/lib/libvirt/dnsmasq ]; then
        mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq
else
        mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq
fi
D=/var/lib/libvirt/dnsmasq
echo "1.2.3.4 onlyhost" >"$W/hosts1"

# gen N: lease files for N guests on one network, names gK (host name)
# and vmK (domain), addresses counted up from 198.18.0.0.
gen() {
        rm -f "$D"/*
        printf 'interface=vbrb\ndomain=bench.test\n' >"$D/bench.conf"
        awk -v n="$1" -v expiry="$(( $(date +%s) + 86400 ))" -v hosts="$W/hosts" -v names="$W/names" '
        BEGIN {
                printf "[" > "'"$D"'/vbrb.status"; printf "[" > "'"$D"'/vbrb.macs"
                for (i = 0; i < n; i++) {
                        a = 18 * 65536 + i + 1
                        ip = sprintf("198.%d.%d.%d", int(a / 65536), int(a / 256) % 256, a % 256)
                        mac = sprintf("52:54:00:%02x:%02x:%02x", int(i / 65536), int(i / 256) % 256, i % 256)
                        sep = i ? "," : ""
                        printf "%s\n{\"ip-address\":\"%s\",\"mac-address\":\"%s\",\"hostname\":\"g%d\",\"expiry-time\":%d}", sep, ip, mac, i, expiry > "'"$D"'/vbrb.status"
                        printf "%s\n{\"domain\":\"vm%d\",\"macs\":[\"%s\"]}", sep, i, mac > "'"$D"'/vbrb.macs"
                        print ip " g" i > hosts
                        print "g" i > names
                }
                print "]" > "'"$D"'/vbrb.status"; print "]" > "'"$D"'/vbrb.macs"
        }'
}

rate() {   # MODULE NAMES-FILE [SECONDS]
        VIRT_NAME_CACHE_DIR=$W/store LD_LIBRARY_PATH=$B "$B/selftest/lookup-loop" -4 -t "${3:-$SECS}" \
                -f "$2" "$1" | awk '{ if ($4 != 0) { print "ERR"; exit } print $8 }'
}

printf '\n%-8s %12s %12s %12s %12s %10s %10s %12s\n' guests virtname libvirt files-N files-1 \
        "v/files-1" "v/libvirt" "change(ms)"
for n in $SIZES; do
        gen "$n"
        rm -rf "$W/store"
        "$B/virt-name-cache" --db-dir "$W/store" rebuild --leases-dir "$D" >/dev/null
        v=$(rate virtname "$W/names")
        # libvirt re-reads every lease file on every lookup: at 100,000
        # guests one lookup takes a noticeable fraction of a second.
        l=$(rate libvirt "$W/names" "$SECS")
        mount --bind "$W/hosts" /etc/hosts
        f=$(rate files "$W/names")
        umount /etc/hosts
        mount --bind "$W/hosts1" /etc/hosts
        echo onlyhost >"$W/name1"
        f1=$(rate files "$W/name1")
        umount /etc/hosts
        c=$(VIRT_NAME_CACHE_DIR=$W/store LD_LIBRARY_PATH=$B "$B/selftest/change-latency" "$W/store" 20 |
            awk '{print $2 " (max " $4 ")"}')
        printf '%-8s %12s %12s %12s %12s %10.2f %10.0f %12s\n' "$n" "$v" "$l" "$f" "$f1" \
                "$(echo "$v / $f1" | bc -l)" "$(echo "$v / ($l + 0.0001)" | bc -l)" "$c"
done
echo
echo "lookups/s through getaddrinfo(AF_INET), one process, ${SECS}s per cell; v/files-1: virtname"
echo "over files with a one-line hosts file (target >= 0.5 at 100,000 guests); v/libvirt:"
echo "virtname over libnss-libvirt (target >= 100 at 1,000 guests); change: ms from a writer's"
echo "commit until a reader's lookup returns the new address (median of 20, max)."
