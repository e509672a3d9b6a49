#!/usr/bin/env bash
# selftest/bench-dns.sh - `make bench`, DNS part: how long from a lease
# event until DNS answers it, with BENCH_DNS_GUESTS (1,000) guests in the
# store, and what DNS adds to an event.
#
#   dnsmasq   Debian's dnsmasq reading the network's hosts directory
#             (hostsdir=, as `enable` sets it up; the network hook's
#             `start` made and filled it): lease helper `add` of a new
#             guest until dnsmasq answers its A record, and `del` until
#             it answers none; the CPU time dnsmasq spent per change (it
#             re-reads the changed file), and the directory's tmpfs and
#             text
#   rfc2136   BIND 9 (primary for the zone and the reverse zones), this
#             host's updates sent by the dns-send the helper starts after
#             its commit: `add` until BIND answers GUEST.HOST.ZONE, `del`
#             until it answers none
#   event     the helper's wall time (median) with no dns.conf, with the
#             server up, and with the server stopped
#   sync      `virt-name-cache dns-sync` of BENCH_DNS_SYNC (10,000) guests
#             from a zone without them, then again with nothing to change
#
# Everything runs in network namespaces of its own (198.18.8.0/24); the
# probe (build/selftest/dns-wait) asks with ldns every millisecond, since
# `ip netns exec dig` alone costs tens of milliseconds.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$TOP/build}
N=${BENCH_DNS_GUESTS:-1000}
NSYNC=${BENCH_DNS_SYNC:-10000}
[ "$N" -le 32000 ] && [ "$NSYNC" -le 60000 ] || { echo "bench-dns: at most 32,000 and 60,000 guests (198.18.0.0/15)" >&2; exit 2; }
EVENTS=${BENCH_EVENTS:-40}
fail() { echo "bench-dns: $*" >&2; exit 1; }
skip() { echo "bench-dns: skipped: $*"; exit 0; }
. "$TOP/selftest/lib-dns.sh"
dns_need
command -v dnsmasq >/dev/null || skip "dnsmasq not installed (make deps installs dnsmasq-base)"
for f in "$B/hooks/lease-helper" "$B/hooks/network-hook" "$B/dns/dns-send" "$B/selftest/dns-wait" \
         "$B/selftest/runstat" "$B/virt-name-cache"; do
        [ -x "$f" ] || fail "$f not built (make)"
done

T=$(mktemp -d /var/tmp/vnc-bench-dns.XXXXXX)
P=vncbd$$
H=198.18.8.11                   # the hypervisor's namespace: helper, dnsmasq
Z=fleet.test R4=18.198.in-addr.arpa R6=8.b.d.0.1.0.0.2.ip6.arpa
DNSMASQ_PID=
cleanup() {
        set +e
        [ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
        [ -n "$DNSMASQ_PID" ] && for i in $(seq 50); do kill -0 "$DNSMASQ_PID" 2>/dev/null || break; sleep 0.1; done
        dns_net_down
        sleep 1         # the last detached dns-send (1 s timeout) is done with $T
        rm -rf "$T"
}
trap cleanup EXIT
dns_net_up "$P"
dns_ns_add "${P}h" "$H"
dns_key hv1-key "$T/hv1.key"
dns_bind_start "$T/bind" "$Z $R4 $R6" "$T/hv1.key"
soon=$(( $(date +%s) + 86400 ))
mkdir -p "$T/conf" "$T/noconf"
printf 'server = %s\nzone = %s\nkey-file = %s\nnames = host\nhost-label = hv1\nreverse-zone = %s\nreverse-zone = %s\nttl = 60\ntimeout-ms = 1000\n' \
        "$DNS_SRV_ADDR" "$Z" "$T/hv1.key" "$R4" "$R6" >"$T/conf/dns.conf"

# in the hypervisor's namespace, with store STORE (under $T) and configuration CONF
on() {   # STORE CONF COMMAND...
        local s=$1 c=$2
        shift 2
        ip netns exec "${P}h" env VIRT_NAME_CACHE_DIR="$T/$s/run" VIRT_NAME_CACHE_STATE_DIR="$T/$s/state" \
                VIRT_NAME_CACHE_CONF="$T/$c" VIRT_NAME_CACHE_DNS_SEND="$B/dns/dns-send" \
                VIRT_NAME_CACHE_LEASESHELPER=/nonexistent VIRT_NAME_CACHE_PORT_PROBE=/bin/true "$@"
}
# A store of K guests gK on network bench (bridge vbrb), from lease files,
# addresses counted up from 198.18.0.1 + SKIP.
store() {   # NAME K SKIP
        local l="$T/$1/leases"
        mkdir -p "$l" "$T/$1/state"
        printf 'interface=vbrb\ndomain=bench.test\n' >"$l/bench.conf"
        awk -v n="$2" -v skip="${3:-0}" -v expiry="$soon" -v d="$l" 'BEGIN {
                printf "[" > d "/vbrb.status"
                for (i = 0; i < n; i++) {
                        a = 18 * 65536 + skip + i + 1
                        printf "%s\n{\"ip-address\":\"198.%d.%d.%d\",\"mac-address\":\"52:54:00:%02x:%02x:%02x\",\"hostname\":\"g%d\",\"expiry-time\":%d}",
                                i ? "," : "", int(a / 65536), int(a / 256) % 256, a % 256,
                                int(i / 65536), int(i / 256) % 256, i % 256, i, expiry > d "/vbrb.status"
                }
                print "]" > d "/vbrb.status"
        }'
        on "$1" noconf "$B/virt-name-cache" rebuild --leases-dir "$l" >/dev/null 2>&1 || fail "rebuild of $2 guests"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
mac() { printf '52:54:01:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
addr() { echo "198.18.200.$(($1 % 250 + 1))"; }
# wait SERVER NAME WANT CONF ACTION I: ms from spawning the helper to the answer
wait_for() {
        local server=$1 name=$2 want=$3 conf=$4 action=$5 i=$6 out
        out=$(on s1 "$conf" "$B/selftest/dns-wait" "$server" "$name" A "$want" 5000 -- \
                env VIR_BRIDGE_NAME=vbrb DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME="n$i" \
                "$B/hooks/lease-helper" "$action" "$(mac "$i")" "$(addr "$i")") || fail "$name: $out"
        echo "${out%% *}"
}

# --- the store of N guests, the network's hosts directory, its dnsmasq ------
store s1 "$N"
D=$T/s1/run/dnsmasq/bench
printf "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>bench</name><bridge name='vbrb'/><domain name='bench.test'/><dnsmasq:options><dnsmasq:option value='hostsdir=%s'/><dnsmasq:option value='dhcp-ignore-names'/></dnsmasq:options></network>" \
        "$D" | on s1 noconf "$B/hooks/network-hook" bench start begin - || fail "network hook start"
[ "$(cat "$D"/* | wc -l)" -ge "$N" ] || fail "the hosts directory has fewer than $N lines"
hd_kb=$(du -sk "$D" | cut -f1)
hd_txt=$(( ($(find "$D" -type f ! -name '.*' -printf '%s\n' | awk '{s += $1} END {print s + 0}') + 1023) / 1024 ))
chmod 755 "$T" "$T/s1" "$T/s1/run"      # dnsmasq reads it as nobody, as libvirt's does
# dnsmasq forks into the background and writes its PID (the one to stop:
# `on ... &` would leave $! naming the subshell, not dnsmasq).
on s1 noconf dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces --listen-address="$H" \
        --port=53 --domain=bench.test --local=/bench.test/ --expand-hosts --hostsdir="$D" \
        --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" || fail "dnsmasq did not start"
DNSMASQ_PID=$(cat "$T/dnsmasq.pid")
[ -n "$DNSMASQ_PID" ] && kill -0 "$DNSMASQ_PID" || fail "dnsmasq is not running"
ok=0
for i in $(seq 100); do
        on s1 noconf "$B/selftest/dns-wait" "$H" g1.bench.test A 198.18.0.2 200 -- true >/dev/null 2>&1 && { ok=1; break; }
        sleep 0.1
done
[ $ok = 1 ] || fail "dnsmasq does not answer g1 (log: $(tail -3 "$T/dnsmasq.log"))"

cpu() { awk '{print $1}' "/proc/$DNSMASQ_PID/schedstat"; }   # dnsmasq's CPU time, ns
c0=$(cpu)
for i in $(seq "$EVENTS"); do wait_for "$H" "n$i.bench.test" "$(addr "$i")" noconf add "$i"; done >"$T/dm-add"
for i in $(seq "$EVENTS"); do wait_for "$H" "n$i.bench.test" none noconf del "$i"; done >"$T/dm-del"
dm_cpu=$(echo "scale=2; ($(cpu) - $c0) / 1000000 / ($EVENTS * 2)" | bc)

# --- the fleet: the store's names in BIND, then events through dns-send -----
on s1 conf "$B/virt-name-cache" dns-sync >/dev/null || fail "dns-sync of $N guests"
[ "$(dns_cli dig +short @"$DNS_SRV_ADDR" g7.hv1.$Z A)" = 198.18.0.8 ] || fail "g7 is not in the zone after dns-sync"
for i in $(seq "$EVENTS"); do wait_for "$DNS_SRV_ADDR" "n$i.hv1.$Z" "$(addr "$i")" conf add "$i"; done >"$T/rfc-add"
for i in $(seq "$EVENTS"); do wait_for "$DNS_SRV_ADDR" "n$i.hv1.$Z" none conf del "$i"; done >"$T/rfc-del"

# --- what an event costs: no dns.conf, the server up, the server down -------
cost() {   # CONF FIRST: median helper ms of EVENTS adds then dels of new guests
        local c=$1 f=$2 i
        for i in $(seq "$f" $((f + EVENTS - 1))); do
                for a in add del; do
                        on s1 "$c" env VIR_BRIDGE_NAME=vbrb DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME="c$i" \
                                "$B/selftest/runstat" "$B/hooks/lease-helper" $a "$(mac "$i")" "$(addr "$i")"
                        sleep 0.05      # let the sender of the last one finish, as between real events
                done
        done | awk '{print $1}' | median
}
base=$(for i in $(seq "$EVENTS"); do on s1 noconf "$B/selftest/runstat" /bin/true; done | awk '{print $1}' | median)
c_none=$(cost noconf 1000)
c_up=$(cost conf 2000)
dns_bind_stop "$T/bind"
c_down=$(cost conf 3000)
pending=$(on s1 conf "$B/virt-name-cache" doctor 2>&1 | grep "fleet DNS: the last send\|fleet DNS: [0-9]* names wait" | head -1 || true)
dns_bind_resume "$T/bind" "$Z"

# --- dns-sync of NSYNC guests: from a zone without them, then again --------
store s2 "$NSYNC" 32768         # from 198.18.128.1: hv1 holds the PTRs of its own
sed 's/host-label = hv1/host-label = hv2/' "$T/conf/dns.conf" >"$T/conf2.dns.conf"
mkdir -p "$T/conf2" && mv "$T/conf2.dns.conf" "$T/conf2/dns.conf"
sync_full=$(on s2 conf2 "$B/selftest/runstat" "$B/virt-name-cache" dns-sync 2>"$T/sync.err" | tail -n 1)
sync_again=$(on s2 conf2 "$B/selftest/runstat" "$B/virt-name-cache" dns-sync 2>>"$T/sync.err" | tail -n 1)
[ "$(dns_cli dig +short @"$DNS_SRV_ADDR" g$((NSYNC - 1)).hv2.$Z A)" != "" ] || fail "dns-sync of $NSYNC: the last guest is not in the zone"

m() { median <"$T/$1"; }
cat <<EOF

DNS, $N guests in the store (median of $EVENTS events, ms from spawning the lease helper to the answer):
  dnsmasq (hosts directory)   new guest answered $(m dm-add)   released guest gone $(m dm-del)
    dnsmasq's CPU per change $dm_cpu ms; the hosts directory: $hd_kb KiB of tmpfs for $hd_txt KiB of text
  BIND 9 (RFC 2136, dns-send) new guest answered $(m rfc-add)   released guest gone $(m rfc-del)
lease helper wall time (median of $((EVENTS * 2)) events; exec of /bin/true alone: $base ms):
  no dns.conf $c_none ms   server up $c_up ms   server stopped $c_down ms
  (after the stopped-server events, doctor: ${pending:-nothing about the queue})
dns-sync of $NSYNC guests (ms, peak KiB): from a zone without them $(awk '{print $1, $2}' <<<"$sync_full"); nothing to change $(awk '{print $1, $2}' <<<"$sync_again")
EOF
