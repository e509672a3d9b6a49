#!/usr/bin/env bash
# t-dns-fleet: two hypervisor "hosts" publish their guests to one real
# authoritative BIND 9 (issue 11 part 3), end to end through the real
# hooks and lease helper: each host its own store, dns.conf and TSIG key,
# in a network namespace of its own; a third namespace resolves both
# hosts' guests with dig and glibc's dns module.  Checked:
#  - a commit queues the names it changed and the hook starts the sender,
#    detached: A, AAAA and PTR reach the server, GUEST.HOST.fleet.test;
#  - the server stopped while events fire: every hook still exits 0 in
#    its budget, nothing is lost (the store has it, the queue keeps it,
#    doctor says so);
#  - the server back: dns-sync converges, the zone (AXFR) is exactly
#    what the two stores export, a guest destroyed meanwhile is gone;
#  - each host touches only its own names (the other's survive a sync).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dns.sh"
dns_need
for f in "$B/dns/dns-send" "$B/hooks/lease-helper" "$B/hooks/qemu-hook" "$B/hooks/network-hook"; do
        [ -x "$f" ] || fail "$f not built (make)"
done

Z=fleet.test R4=18.198.in-addr.arpa R6=8.b.d.0.1.0.0.2.ip6.arpa
P=vncfl$$
dns_net_up "$P"
trap 'dns_net_down' EXIT
dns_ns_add ${P}h1 198.18.8.11
dns_ns_add ${P}h2 198.18.8.12
dns_key hv1-key "$T/hv1.key"
dns_key hv2-key "$T/hv2.key"
# the enforcing policy of virt-name-cache(1), FLEET DNS: each key only its own names
dns_bind_start "$T/bind" "$Z $R4 $R6" "$T/hv1.key:hv1.$Z.,31.$R4.,1.3.0.0.$R6." "$T/hv2.key:hv2.$Z.,32.$R4."
soon=$(( $(date +%s) + 3600 ))

for n in 1 2; do
        mkdir -p "$T/conf$n"
        printf 'server = %s\nzone = %s\nkey-file = %s\nnames = host\nhost-label = hv%s\nreverse-zone = %s\nreverse-zone = %s\nttl = 60\ntimeout-ms = 1000\n' \
                "$DNS_SRV_ADDR" "$Z" "$T/hv$n.key" "$n" "$R4" "$R6" >"$T/conf$n/dns.conf"
done
# Everything of host N runs in its namespace with its store and dns.conf
# (libvirtd and dnsmasq would clean the environment: the wrappers of the
# e2e tests set the same two variables).  The domains here come from hook
# XML and have no tap to ask: port-probe, which the hooks start to ask a
# running domain's port about its leases, is a no-op, and store-prove
# records what the ports would answer (this test is about the DNS; the
# evidence is proven with real ports in t-probe and the e2e tests).
on() {   # N COMMAND...
        local n=$1
        shift
        ip netns exec ${P}h$n env VIRT_NAME_CACHE_DIR="$T/hv$n" VIRT_NAME_CACHE_CONF="$T/conf$n" \
                VIRT_NAME_CACHE_DNS_SEND="$B/dns/dns-send" VIRT_NAME_CACHE_LEASESHELPER=/nonexistent \
                VIRT_NAME_CACHE_PORT_PROBE=/bin/true "$@"
}
lease() {   # N ACTION MAC ADDRESS [NAME]: the lease helper as dnsmasq runs it; prints its ms
        local n=$1 t0=$(date +%s%N)
        on "$n" env VIR_BRIDGE_NAME=vbr$n DNSMASQ_LEASE_EXPIRES=$soon ${5:+DNSMASQ_SUPPLIED_HOSTNAME=$5} \
                "$B/hooks/lease-helper" "$2" "$3" "$4" || fail "lease helper exit $?"
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
domain() {   # N NAME MAC started|stopped
        printf "<domain type='kvm'><name>%s</name><devices><interface type='network'><mac address='%s'/><source network='net%s' bridge='vbr%s'/></interface></devices></domain>" \
                "$2" "$3" "$1" "$1" | on "$1" "$B/hooks/qemu-hook" "$2" "$4" begin - || fail "qemu hook exit"
}
for n in 1 2; do
        printf "<hookData><network><name>net%s</name><bridge name='vbr%s'/><domain name='lab%s.test'/></network></hookData>" \
                $n $n $n | on $n "$B/hooks/network-hook" net$n started begin - || fail "network hook"
done
dig_() { dns_cli dig +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$@" | sort | xargs; }
# Until dig gives WANT for its arguments (at most 10 s); prints the ms.
wait_dig() {   # WANT DIG-ARGS...
        local want=$1 t0=$(date +%s%N) i
        shift
        for i in $(seq 500); do [ "$(dig_ "$@")" = "$want" ] && break; sleep 0.02; done
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# --- both hosts' guests reach the zone, through the hooks alone ----------
domain 1 web 52:54:00:31:00:01 started
lease 1 add 52:54:00:31:00:01 198.18.31.10 >/dev/null
on 1 env VIR_BRIDGE_NAME=vbr1 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=7 DNSMASQ_MAC=52:54:00:31:00:01 \
        "$B/hooks/lease-helper" add 00:01:00:01:aa:bb:cc:dd:52:54:00:31:00:01 2001:db8:31::10 || fail "v6 lease"
on 1 "$B/selftest/store-prove" "$T/hv1" >/dev/null || fail "store-prove"   # web's port answers (the next event sends)
lease 1 add 52:54:00:31:00:02 198.18.31.11 g1 >/dev/null
lease 2 add 52:54:00:32:00:01 198.18.32.10 web >/dev/null       # another host's guest called web
lease 2 add 52:54:00:32:00:02 198.18.32.11 g2 >/dev/null
ms=$(wait_dig "198.18.31.10" web.hv1.$Z A)
expect_eq "hv1's domain web" "198.18.31.10" "$(dig_ web.hv1.$Z A)"
expect_eq "its DHCPv6 address" "2001:db8:31::10" "$(dig_ web.hv1.$Z AAAA)"
wait_dig "198.18.32.11" g2.hv2.$Z A >/dev/null
expect_eq "hv1's guest g1" "198.18.31.11" "$(dig_ g1.hv1.$Z A)"
expect_eq "hv2's guest web: its own name, under hv2" "198.18.32.10" "$(dig_ web.hv2.$Z A)"
expect_eq "hv2's guest g2" "198.18.32.11" "$(dig_ g2.hv2.$Z A)"
expect_eq "PTR of the domain's address" "web.hv1.$Z." "$(dig_ -x 198.18.31.10)"
expect_eq "PTR of the DHCPv6 address" "web.hv1.$Z." "$(dig_ -x 2001:db8:31::10)"
dig_ g2.hv2.$Z TXT | grep -Eq '^virt-name-cache owner=hv2 id=[0-9a-f]{16}$' || fail "ownership record: $(dig_ g2.hv2.$Z TXT)"
printf 'nameserver %s\n' "$DNS_SRV_ADDR" >"$T/resolv.conf"
out=$(dns_cli unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && getent -s hosts:dns ahostsv4 "$1"' \
        "$T/resolv.conf" "web.hv1.$Z" | awk '{print $1}' | sort -u)
expect_eq "the third namespace, through glibc's dns module" "198.18.31.10" "$out"
pass "both hosts' guests in the zone, sent by the hooks' sender (first answer after $ms ms)"

# Event -> answer: a new guest on hv1, from the lease helper's start.
for i in $(seq 10); do
        t0=$(date +%s%N)
        lease 1 add 52:54:00:31:01:$(printf %02x $i) 198.18.31.$((100 + i)) lat$i >/dev/null
        wait_dig "198.18.31.$((100 + i))" lat$i.hv1.$Z A >/dev/null
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
done | sort -n | awk '{a[NR] = $1} END {printf "measure: event -> dig answer (RFC 2136, 10 events): median %d ms, max %d ms\n", a[int((NR + 1) / 2)], a[NR]}'

# --- the server goes away while events fire -------------------------------
dns_bind_stop "$T/bind"
slow=0
for i in $(seq 20); do
        ms=$(lease 1 add 52:54:00:31:02:$(printf %02x $i) 198.18.31.$((150 + i)) down$i)
        [ "$ms" -lt 1000 ] || slow=$((slow + 1))
done
ms=$(lease 1 del 52:54:00:31:00:02 198.18.31.11)            # g1 released
domain 1 web 52:54:00:31:00:01 stopped                        # destroyed
ms2=$(lease 2 add 52:54:00:32:00:03 198.18.32.12 g3)
[ $slow = 0 ] || fail "$slow of 20 hook runs took a second or more with the server down"
echo "measure: lease helper with the server down: $ms ms (a release), $ms2 ms (an add)"
expect_eq "the store has every event" "198.18.31.170" "$(addrs_of "$T/hv1" ahostsv4 down20)"
expect_eq "... and the release" "" "$(addrs_of "$T/hv1" ahostsv4 g1)"
sleep 1
out=$(on 1 "$B/virt-name-cache" doctor 2>&1)
grep -q "^problem  fleet DNS: the last send to $DNS_SRV_ADDR failed (.*; [1-9][0-9]* names wait): .*refused the connection" <<<"$out" ||
        fail "doctor does not show the failure and the queue: $out"
rc=0; out=$(on 1 "$B/virt-name-cache" dns-sync 2>&1) || rc=$?
expect_eq "dns-sync with the server down: exit" 6 "$rc"
grep -q "names (" <<<"$out" && fail "dns-sync printed a summary after its transfer failed: $out"
grep -q "transfer of $Z.: .*; the zone was not changed" <<<"$out" || fail "dns-sync with the server down: $out"
pass "server down: every hook exits 0 at once, the store and the queue keep everything, doctor says so; dns-sync: $out"

# --- back: dns-sync converges --------------------------------------------
dns_bind_resume "$T/bind" "$Z"
for n in 1 2; do
        out=$(on $n "$B/virt-name-cache" dns-sync 2>&1) || fail "dns-sync on hv$n: $out (named: $(tail -n 5 "$T/bind/server.log"))"
        echo "hv$n: $out"
done
expect_eq "after dns-sync: the destroyed domain is gone" "" "$(dig_ web.hv1.$Z A)"
expect_eq "... its IPv6 address too" "" "$(dig_ web.hv1.$Z AAAA)"
expect_eq "... and its PTR" "" "$(dig_ -x 198.18.31.10)"
expect_eq "after dns-sync: the released guest is gone" "" "$(dig_ g1.hv1.$Z A)"
expect_eq "after dns-sync: what came while it was down" "198.18.31.170" "$(dig_ down20.hv1.$Z A)"
expect_eq "after dns-sync: hv2's too" "198.18.32.12" "$(dig_ g3.hv2.$Z A)"
# The zone is exactly what the two stores export: A, AAAA and PTR (the
# ownership TXT records and the administrator's admin-box aside).
zone() {
        for z in $Z $R4 $R6; do dns_axfr "$z" "$T/hv1.key"; done |
                awk '$2 == "A" || $2 == "AAAA" || $2 == "PTR" {print $1, $2, $3}' | grep -v "admin-box\|^ns\.$Z\. " | sort
}
export_both() {
        for n in 1 2; do on $n "$B/virt-name-cache" export --format zone; done |
                awk '{print $1, $4, $5}' | sort
}
zone >"$T/zone.txt"
export_both >"$T/export.txt"
diff -u "$T/export.txt" "$T/zone.txt" >"$T/zone.diff" || { cat "$T/zone.diff"; fail "the zone is not what the stores export"; }
[ "$(wc -l <"$T/zone.txt")" -gt 30 ] || fail "too few records in the zone: $(cat "$T/zone.txt")"
out=$(on 1 "$B/virt-name-cache" doctor 2>&1)
grep -q "^ok .*fleet DNS: zone $Z. at $DNS_SRV_ADDR as owner hv1 (id=[0-9a-f]*), nothing waits" <<<"$out" || fail "doctor after dns-sync: $out"
grep -q "^ok .*fleet DNS: the server refuses key hv1-key. outside hv1.$Z." <<<"$out" || fail "doctor: the policy: $out"
pass "the server back: dns-sync converges, the zone equals both stores' export ($(wc -l <"$T/zone.txt") records)"

# A host never touches the other's names: hv1 syncs again with none of its
# own, hv2's stay.
on 1 "$B/virt-name-cache" dns-sync >/dev/null || fail "second dns-sync"
expect_eq "hv2's names after hv1's sync" "198.18.32.11" "$(dig_ g2.hv2.$Z A)"
# The queue after a rebuild: a whole reconcile is due, and dns-sync clears it.
mkdir -p "$T/none"
on 2 "$B/virt-name-cache" rebuild --leases-dir "$T/none" >"$T/rebuild.log" 2>&1 || fail "rebuild: $(cat "$T/rebuild.log")"
out=$(on 2 "$B/virt-name-cache" doctor 2>&1)
grep -q "fleet DNS: a whole reconcile is due" <<<"$out" || fail "doctor after a rebuild: $out"
# The next event's sender does the whole reconcile, in the background.
lease 2 add 52:54:00:32:00:04 198.18.32.14 g4 >/dev/null
wait_dig "" g2.hv2.$Z A >/dev/null
expect_eq "after a rebuild and an event: the rebuilt host's old names are withdrawn" "" "$(dig_ g2.hv2.$Z A)"
expect_eq "... and the new one is there" "198.18.32.14" "$(dig_ g4.hv2.$Z A)"
out=$(on 2 "$B/virt-name-cache" doctor 2>&1)
grep -q "^ok .*fleet DNS: zone $Z. at $DNS_SRV_ADDR as owner hv2 (id=[0-9a-f]*), nothing waits" <<<"$out" || fail "doctor after the reconcile: $out"
expect_eq "hv1's names stay" "198.18.31.170" "$(dig_ down20.hv1.$Z A)"
pass "each host touches only its own names; after a rebuild the next event's sender reconciles the zone"

# A failure in the same second as the last success still shows (outcomes
# are ordered by a counter, not by whole seconds), and a refused key is not
# a network failure: no backoff, the next event tries again.
on 1 "$B/virt-name-cache" dns-sync >/dev/null || fail "dns-sync before the wrong key"
cp "$T/hv1.key" "$T/hv1.good"
sed "s|secret \".*\";|secret \"$(sed -n 's/.*secret "\(.*\)";/\1/p' "$T/hv2.key")\";|" "$T/hv1.good" >"$T/hv1.key"
lease 1 add 52:54:00:31:03:01 198.18.31.201 samesec >/dev/null
for i in $(seq 50); do on 1 "$B/virt-name-cache" doctor 2>&1 | grep -q "^problem  fleet DNS: the last send" && break; sleep 0.1; done
out=$(on 1 "$B/virt-name-cache" doctor 2>&1 | grep "fleet DNS")
grep -q "^problem  fleet DNS: the last send to $DNS_SRV_ADDR failed (.*; 1 names wait): .*BADSIG" <<<"$out" ||
        fail "doctor after a failure right after a success: $out"
cp "$T/hv1.good" "$T/hv1.key"
lease 1 add 52:54:00:31:03:02 198.18.31.202 samesec2 >/dev/null
wait_dig "198.18.31.201" samesec.hv1.$Z A >/dev/null
expect_eq "the key fixed: the next event sends what waited (no backoff after a refusal)" "198.18.31.201" "$(dig_ samesec.hv1.$Z A)"
pass "a failure just after a success is a problem in doctor (BADSIG); a refused key is retried at the next event"
