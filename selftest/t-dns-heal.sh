#!/usr/bin/env bash
# t-dns-heal: a fleet you can leave alone (issue 20), end to end, with a
# real BIND 9 and then a real Knot DNS under the enforcing policy of
# virt-name-cache(1), FLEET DNS (each host's key only its own subdomain and reverse subnet; the
# administrator's key everything).  Three hypervisor "hosts", each in a
# network namespace and a UTS namespace of its own (its own host name),
# with its own store, dns.conf and key, fed by the real lease helper and
# qemu hook; their dns-send started by the hooks, and by the timer: the
# command of packaging/virt-name-cache-dns.service run every PERIOD
# seconds, as systemd's timer runs it (reconcile-interval shortened).
#
#   h1 node1.dc1, h2 node1.dc2: the same short host name, hence the same
#      default host label and owner "node1"; a cloned image's machine-id
#      (all three share this machine's);
#   h3 node3.dc1: a guest subnet shared with h1 (the same addresses
#      behind NAT on both), and a dns.conf that comes late.
#
# Checked, each failure through `doctor` (what it said is printed) and
# each recovery without a manual step, timed from the moment the fault
# is gone until dig shows the zone right:
#  - the twins never delete each other's names; the one whose name is
#    taken says why (another machine, same owner), so does the other;
#    when the holder's domain is destroyed (transient: DNS and NSS lose
#    its names, guest-sent ones too, at once) the other takes the name at
#    its next timer run;
#  - a hostile key (h3's) cannot delete h1's, h2's or the administrator's
#    records: the server refuses (REFUSED);
#  - a TXT deleted by hand: the name is taken back, its PTR never goes;
#  - the server stopped (doctor: the failure), rebuilt empty and back:
#    every host's names return;
#  - a wrong key (doctor: BADSIG), then the right one: the zone heals;
#  - dns.conf added to a host that has guests: all of them published;
#    a PTR the policy refuses (the shared subnet) is a problem with the
#    reason until reverse-net is set;
#  - dns-sync with a label the server refuses changes nothing else;
#  - export --zone gives zones named-checkzone and kzonecheck load;
#  - a world-readable key is a problem.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dns.sh"
dns_need
for f in "$B/dns/dns-send" "$B/hooks/lease-helper" "$B/hooks/qemu-hook" "$B/hooks/network-hook" "$B/virt-name-cache"; do
        [ -x "$f" ] || fail "$f not built (make)"
done
command -v nsupdate >/dev/null || skip "nsupdate not installed (bind9-dnsutils)"
[ -d /etc/libvirt/qemu ] || skip "no /etc/libvirt/qemu: the qemu hook cannot tell a transient domain (libvirt-daemon-system)"

Z=fleet.test R4=18.198.in-addr.arpa
PERIOD=${DNS_HEAL_PERIOD:-2} RECONCILE=4
BOUND=$((PERIOD + RECONCILE + 8))       # a recovery must come within this (s)
P=vnchl$$
# The timer's command, from the unit the package ships.
EXEC=$(sed -n 's/^ExecStart=@LIBEXECDIR@\/virt-name-cache\/dns-send //p' "$TOP/packaging/virt-name-cache-dns.service")
[ "$EXEC" = "--timer" ] || fail "packaging/virt-name-cache-dns.service does not run dns-send --timer: [$EXEC]"
grep -q 'dns-send --timer$' "$TOP/packaging/virt-name-cache.cron" || fail "the cron line does not run dns-send --timer"
grep -q '^OnUnitActiveSec=1min$' "$TOP/packaging/virt-name-cache-dns.timer" || fail "the timer's period is not 1 min"

declare -A HOST=([1]=node1.dc1 [2]=node1.dc2 [3]=node3.dc1)
dns_net_up "$P"
TIMER_PIDS=()
cleanup() {
        rm -f "$T/timers-on"
        for p in "${TIMER_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        sleep 0.5       # a detached dns-send of a hook finishes (1 s timeout)
        dns_net_down
}
trap cleanup EXIT
for n in 1 2 3; do dns_ns_add ${P}h$n 198.18.8.1$n; done
soon=$(( $(date +%s) + 3600 ))

# Everything of host N: its namespace, its host name, its store and dns.conf.
# The domains come from hook XML and have no tap: port-probe (which the
# hooks start to ask a running domain's port about its leases) is a no-op,
# and store-prove records what the ports would answer (this test is about
# the DNS; the evidence is proven with real ports in t-probe and t-hooks).
on() {   # N COMMAND...
        local n=$1
        shift
        ip netns exec ${P}h$n unshare --uts sh -c 'hostname "$0" && exec "$@"' "${HOST[$n]}" \
                env VIRT_NAME_CACHE_DIR="$T/s$n" VIRT_NAME_CACHE_CONF="$T/c$n" \
                VIRT_NAME_CACHE_DNS_SEND="$B/dns/dns-send" VIRT_NAME_CACHE_LEASESHELPER=/nonexistent \
                VIRT_NAME_CACHE_PORT_PROBE=/bin/true "$@"
}
conf() {   # N [extra lines]: host N's dns.conf (default host label)
        mkdir -p "$T/c$1"
        printf 'server = %s\nzone = %s\nkey-file = %s\nreverse-zone = %s\nttl = 60\ntimeout-ms = 1000\nreconcile-interval = %s\n%s' \
                "$DNS_SRV_ADDR" "$Z" "$T/k$1.key" "$R4" "$RECONCILE" "${2:-}" >"$T/c$1/dns.conf.new"
        mv "$T/c$1/dns.conf.new" "$T/c$1/dns.conf"
}
lease() {   # N ACTION MAC ADDRESS [NAME]
        on "$1" env VIR_BRIDGE_NAME=vbr$1 DNSMASQ_LEASE_EXPIRES=$soon ${5:+DNSMASQ_SUPPLIED_HOSTNAME=$5} \
                "$B/hooks/lease-helper" "$2" "$3" "$4" || fail "lease helper exit $?"
}
domain() {   # N NAME MAC OPERATION (the XML libvirt gives, with a UUID)
        printf "<domain type='kvm'><name>%s</name><uuid>%s</uuid><devices><interface type='network'><mac address='%s'/><source network='net%s' bridge='vbr%s'/></interface></devices></domain>" \
                "$2" "$(printf '%s' "$2" | md5sum | sed 's/\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/')" "$3" "$1" "$1" |
                on "$1" "$B/hooks/qemu-hook" "$2" "$4" begin - || fail "qemu hook exit"
}
doctor() { on "$1" "$B/virt-name-cache" doctor 2>&1 | grep "fleet DNS" || true; }
dig_() { dns_cli dig +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$@" | sort | xargs; }
# converge WHAT WANT DIG-ARGS...: until dig gives WANT (at most BOUND s); prints the seconds
converge() {
        local what=$1 want=$2 t0=$(date +%s%N) got
        shift 2
        while :; do
                got=$(dig_ "$@")
                [ "$got" = "$want" ] && break
                [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt $BOUND ] ||
                        fail "$what: no convergence within $BOUND s: dig $* gives [$got], want [$want]"
                sleep 0.1
        done
        awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", ns / 1e9}'
}
timers() {   # start host N's timer: the unit's command every PERIOD s
        local n
        touch "$T/timers-on"
        for n in "$@"; do
                ( while [ -e "$T/timers-on" ]; do on $n "$B/dns/dns-send" $EXEC; sleep $PERIOD; done ) &
                TIMER_PIDS+=($!)
        done
}

run() {   # IMPL: the whole story against BIND or Knot
        local impl=$1 t out
        rm -rf "$T/srv" "$T"/s? "$T"/c? "$T"/k*.key
        for n in 1 2 3; do
                dns_key hv$n-key "$T/k$n.key"
                cp "$T/k$n.key" "$T/k$n.good"
                printf "<hookData><network><name>net%s</name><bridge name='vbr%s'/><domain name='lab%s.test'/></network></hookData>" \
                        $n $n $n | on $n "$B/hooks/network-hook" net$n started begin - || fail "network hook"
        done
        dns_key admin-key "$T/admin.key"
        # The man page's policy: node1 is granted to both twins' keys (the
        # administrator named them by their short name), each its subnet.
        dns_server_start $impl "$T/srv" "$Z $R4" "$T/k1.key:node1.$Z.,31.$R4." "$T/k2.key:node1.$Z.,32.$R4." \
                "$T/k3.key:node3.$Z.,33.$R4." "$T/admin.key"
        conf 1 "reverse-net = 198.18.31.0/24"$'\n'
        conf 2 "reverse-net = 198.18.32.0/24"$'\n'

        # --- guests, before anything runs -------------------------------
        domain 1 web 52:54:00:31:00:01 started
        lease 1 add 52:54:00:31:00:01 198.18.31.10 wguest    # the domain's guest sends its own name too
        on 1 "$B/selftest/store-prove" "$T/s1" >/dev/null || fail "store-prove"   # its port answers (the next event sends)
        lease 1 add 52:54:00:31:00:02 198.18.31.11 a1
        lease 1 add 52:54:00:31:00:03 198.18.40.10 s1        # the subnet h3 has too
        converge "h1's web, by the hooks' sender" "198.18.31.10" web.node1.$Z A >/dev/null
        lease 2 add 52:54:00:32:00:01 198.18.32.10 web       # the same name on the twin
        lease 2 add 52:54:00:32:00:02 198.18.32.11 b2
        lease 3 add 52:54:00:33:00:01 198.18.33.10 c3        # h3 has no dns.conf yet
        lease 3 add 52:54:00:33:00:02 198.18.40.10 s3
        timers 1 2 3
        t=$(converge "twins' names" "198.18.32.11" b2.node1.$Z A)
        converge "h1's web" "198.18.31.10" web.node1.$Z A >/dev/null
        expect_eq "$impl: h1's a1" "198.18.31.11" "$(dig_ a1.node1.$Z A)"
        expect_eq "$impl: h1's guest in the shared subnet" "198.18.40.10" "$(dig_ s1.node1.$Z A)"
        expect_eq "$impl: no PTR for the shared subnet (reverse-net)" "" "$(dig_ -x 198.18.40.10)"
        expect_eq "$impl: PTR of web" "web.node1.$Z." "$(dig_ -x 198.18.31.10)"
        expect_eq "$impl: PTR of b2" "b2.node1.$Z." "$(dig_ -x 198.18.32.11)"
        sleep $((PERIOD * 2 + 1))       # several timer runs, whole reconciles among them
        expect_eq "$impl: after reconciles, h2 did not delete h1's web" "198.18.31.10" "$(dig_ web.node1.$Z A)"
        expect_eq "$impl: ... nor h1 h2's b2" "198.18.32.11" "$(dig_ b2.node1.$Z A)"
        out=$(doctor 2)
        echo "$impl: doctor on h2 (node1.dc2): $out"
        grep -q "^problem  fleet DNS: web.node1.$Z.: held by another machine that also calls itself owner 'node1'" <<<"$out" ||
                fail "$impl: doctor on h2 does not say who holds web"
        grep -q "^ok .*fleet DNS: the server refuses key hv2-key. outside node1.$Z." <<<"$out" ||
                fail "$impl: doctor on h2: the policy"
        out=$(doctor 1)
        echo "$impl: doctor on h1 (node1.dc1): $out"
        grep -q "^problem  fleet DNS: .*node1.$Z.: made by another machine that also calls itself owner 'node1'" <<<"$out" ||
                fail "$impl: doctor on h1 does not see its twin"
        pass "$impl: twins (node1.dc1, node1.dc2) share a label without deleting each other's names (first answers after $t s); doctor says why on both"

        # A key the server lets change anything (the administrator's):
        # doctor says the policy does not enforce ownership.
        mkdir -p "$T/c4"
        sed "s|^key-file = .*|key-file = $T/admin.key|" "$T/c1/dns.conf" >"$T/c4/dns.conf"
        out=$(on 1 env VIRT_NAME_CACHE_CONF="$T/c4" "$B/virt-name-cache" doctor 2>&1 | grep "fleet DNS" || true)
        grep -q "^problem  fleet DNS: the server lets key admin-key. change names outside this host's node1.$Z." <<<"$out" ||
                fail "$impl: doctor with a key that may change anything: $out"
        pass "$impl: doctor with a key the server lets change anything: $(grep "server lets" <<<"$out" | cut -c1-150)..."

        # --- a hostile key: h3's ---------------------------------------
        for victim in "web.node1.$Z. A" "b2.node1.$Z. A" "admin-box.$Z. A" "10.31.18.198.in-addr.arpa. PTR"; do
                printf 'server %s\nupdate delete %s\nsend\n' "$DNS_SRV_ADDR" "$victim" >"$T/hostile"
                if dns_cli nsupdate -k "$T/k3.key" "$T/hostile" 2>"$T/nsu.err"; then fail "$impl: hv3-key deleted $victim"; fi
                grep -Eq "REFUSED|NOTAUTH" "$T/nsu.err" || fail "$impl: hostile delete of $victim: $(cat "$T/nsu.err")"
        done
        expect_eq "$impl: web after the hostile deletes" "198.18.31.10" "$(dig_ web.node1.$Z A)"
        expect_eq "$impl: admin-box after the hostile deletes" "198.18.8.200" "$(dig_ admin-box.$Z A)"
        expect_eq "$impl: PTR after the hostile deletes" "web.node1.$Z." "$(dig_ -x 198.18.31.10)"
        pass "$impl: a hostile key cannot delete another host's or the administrator's names (REFUSED, NOTAUTH)"

        # --- h1's domain destroyed (transient): gone from NSS and DNS, the twin takes web
        domain 1 web 52:54:00:31:00:01 release
        expect_eq "$impl: NSS on h1: the destroyed domain at once" "" "$(addrs_of "$T/s1" ahostsv4 web)"
        expect_eq "$impl: NSS on h1: its guest's own name at once" "" "$(addrs_of "$T/s1" ahostsv4 wguest)"
        expect_eq "$impl: NSS on h1: its address in reverse" "" "$(virtname_getent "$T/s1" hosts 198.18.31.10)"
        converge "wguest gone from DNS" "" wguest.node1.$Z A >/dev/null
        t=$(converge "h2 takes web.node1 once h1 released it" "198.18.32.10" web.node1.$Z A)
        expect_eq "$impl: web's PTR now" "" "$(dig_ -x 198.18.31.10)"
        pass "$impl: a destroyed transient domain leaves NSS at once and DNS with its sender; the twin took web.node1 $t s after (timer)"

        # --- a TXT deleted by hand -----------------------------------
        printf 'server %s\nupdate delete a1.node1.%s TXT\nsend\n' "$DNS_SRV_ADDR" "$Z" >"$T/admin-del"
        dns_cli nsupdate -k "$T/admin.key" "$T/admin-del" || fail "$impl: the administrator's delete"
        t0=$(date +%s%N); ptr_lost=0
        while ! dig_ a1.node1.$Z TXT | grep -q "owner=node1"; do
                [ "$(dig_ -x 198.18.31.11)" = "a1.node1.$Z." ] || ptr_lost=1
                [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt $BOUND ] || fail "$impl: a1's TXT not taken back"
                sleep 0.1
        done
        expect_eq "$impl: a1's PTR never went while its TXT was missing" 0 $ptr_lost
        expect_eq "$impl: a1 still" "198.18.31.11" "$(dig_ a1.node1.$Z A)"
        pass "$impl: a name whose TXT was deleted by hand is taken back in $(( ($(date +%s%N) - t0) / 1000000 )) ms, its PTR kept"

        # --- the server stops, comes back empty ------------------------
        dns_server_stop "$T/srv"
        lease 1 add 52:54:00:31:00:04 198.18.31.12 n1
        sleep 1
        out=$(doctor 1)
        echo "$impl: doctor on h1, server stopped: $out"
        grep -q "^problem  fleet DNS: the last send to $DNS_SRV_ADDR failed (.*): .*refused the connection" <<<"$out" ||
                fail "$impl: doctor with the server stopped"
        dns_server_wipe "$T/srv" "$Z"
        t0=$(date +%s%N)
        expect_eq "$impl: rebuilt empty" "" "$(dig_ a1.node1.$Z A)"
        t=$(converge "the name that waited, after the server was rebuilt empty" "198.18.31.12" n1.node1.$Z A)
        converge "a1 back" "198.18.31.11" a1.node1.$Z A >/dev/null
        converge "b2 back (h2 had no event)" "198.18.32.11" b2.node1.$Z A >/dev/null
        converge "PTR back" "b2.node1.$Z." -x 198.18.32.11 >/dev/null
        converge "web back (h2's)" "198.18.32.10" web.node1.$Z A >/dev/null
        t2=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", ns / 1e9}')
        pass "$impl: server stopped (doctor: the failure), rebuilt empty and back: the waiting name after $t s, every host's names after $t2 s (reconcile-interval $RECONCILE s, timer every $PERIOD s)"

        # --- a wrong key, then the right one -------------------------
        sed "s|secret \".*\";|secret \"$(sed -n 's/.*secret "\(.*\)";/\1/p' "$T/k1.key")\";|" "$T/k2.key" >"$T/k2.wrong"
        cp "$T/k2.wrong" "$T/k2.key"
        lease 2 add 52:54:00:32:00:03 198.18.32.12 n2
        sleep 1
        out=$(doctor 2)
        echo "$impl: doctor on h2, wrong key: $out"
        grep -q "^problem  fleet DNS: .*BADSIG" <<<"$out" || fail "$impl: doctor with a wrong key: no BADSIG"
        cp "$T/k2.good" "$T/k2.key"
        t=$(converge "the right key again" "198.18.32.12" n2.node1.$Z A)
        pass "$impl: a wrong key (doctor: BADSIG), then the right one: n2 published $t s after, no event"

        # --- dns.conf added to a host with guests --------------------
        conf 3
        t=$(converge "h3's guests after its dns.conf came" "198.18.33.10" c3.node3.$Z A)
        converge "h3's guest in the shared subnet" "198.18.40.10" s3.node3.$Z A >/dev/null
        sleep $((PERIOD + 1))
        out=$(doctor 3)
        echo "$impl: doctor on h3, no reverse-net: $out"
        grep -Eq "^problem  fleet DNS: 10.40.18.198.in-addr.arpa.: .*(REFUSED|NOTAUTH)" <<<"$out" ||
                fail "$impl: doctor on h3: no refused PTR"
        expect_eq "$impl: the shared address has no PTR" "" "$(dig_ -x 198.18.40.10)"
        conf 3 "reverse-net = 198.18.33.0/24"$'\n'
        t0=$(date +%s%N)
        while doctor 3 | grep -q "^problem  fleet DNS"; do
                [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt $BOUND ] || fail "$impl: doctor on h3 after reverse-net: $(doctor 3)"
                sleep 0.2
        done
        t2=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", ns / 1e9}')
        expect_eq "$impl: h3's own PTR" "c3.node3.$Z." "$(dig_ -x 198.18.33.10)"
        pass "$impl: dns.conf on a host with guests: published after $t s; the refused PTR was a problem until reverse-net was set (gone $t2 s after)"

        # --- dns-sync with a label the server refuses ----------------
        cp "$T/c3/dns.conf" "$T/c3.saved"
        conf 3 "host-label = rogue"$'\n'"owner = node3"$'\n'"reverse-net = 198.18.33.0/24"$'\n'
        rm -f "$T/timers-on"            # the timers pause: dns-sync alone
        sleep $((PERIOD + 1))
        rc=0; out=$(on 3 "$B/virt-name-cache" dns-sync 2>&1) || rc=$?
        echo "$impl: dns-sync with host-label rogue: $out"
        [ $rc != 0 ] || fail "$impl: dns-sync with a refused label succeeded"
        grep -q "nothing was released" <<<"$out" || fail "$impl: dns-sync does not say it released nothing"
        expect_eq "$impl: c3 kept" "198.18.33.10" "$(dig_ c3.node3.$Z A)"
        expect_eq "$impl: c3's PTR kept" "c3.node3.$Z." "$(dig_ -x 198.18.33.10)"
        expect_eq "$impl: nothing under rogue" "" "$(dig_ c3.rogue.$Z A)"
        mv "$T/c3.saved" "$T/c3/dns.conf"
        timers 1 2 3
        pass "$impl: dns-sync whose claims the server refuses changes nothing else"

        # --- export --zone, a world-readable key ---------------------
        on 1 "$B/virt-name-cache" export --format zone --zone $Z >"$T/fwd.zone" || fail "export --zone $Z"
        on 1 "$B/virt-name-cache" export --format zone --zone $R4 >"$T/rev.zone" || fail "export --zone $R4"
        named-checkzone -q $Z "$T/fwd.zone" || { cat "$T/fwd.zone"; fail "named-checkzone $Z"; }
        named-checkzone -q $R4 "$T/rev.zone" || { cat "$T/rev.zone"; fail "named-checkzone $R4"; }
        if command -v kzonecheck >/dev/null; then
                kzonecheck -o $Z "$T/fwd.zone" >/dev/null || fail "kzonecheck $Z"
                kzonecheck -o $R4 "$T/rev.zone" >/dev/null || fail "kzonecheck $R4"
        fi
        grep -q "PTR" "$T/fwd.zone" && fail "the forward zone holds PTRs"
        grep -Eq "\sA\s" "$T/rev.zone" && fail "the reverse zone holds A records"
        expect_eq "$impl: export --zone $R4: h1's PTRs" "a1.node1.$Z. n1.node1.$Z." \
                "$(awk '$4 == "PTR" {print $5}' "$T/rev.zone" | sort | xargs)"
        chmod 644 "$T/k1.key"
        doctor 1 | grep -q "^problem  fleet DNS: the TSIG key $T/k1.key is readable by every user" ||
                fail "$impl: a world-readable key is not flagged"
        chmod 600 "$T/k1.key"
        pass "$impl: export --zone gives loadable zones (forward and reverse apart); a world-readable key is a problem"

        rm -f "$T/timers-on"
        for p in "${TIMER_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        TIMER_PIDS=()
        dns_server_stop "$T/srv"
}

run bind
if dns_have_knot; then
        run knot
else
        skip_part "Knot DNS not installed (make test-deps installs knot, knot-dnsutils): BIND only"
fi
