#!/usr/bin/env bash
# t-dns-update: the dns/ library against a real BIND 9 (issue 11 part 3):
# TSIG-signed RFC 2136 updates from two "hosts" (two keys, two owner
# identities), ownership (a host never changes another's names; the
# server enforces it through the prerequisites), the flat-name rule,
# reconcile from a zone transfer, PTRs in the reverse zones, a server
# that is down, key files in every supported format, configuration
# errors.  Checked with dig, AXFR and glibc's dns module; the one-update
# time and the 10,000-record reconcile are measured and printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dns.sh"
P=$B/selftest/dns-push
[ -x "$P" ] || fail "$P not built (make)"
dns_need

Z=fleet.test
R4=18.198.in-addr.arpa
R6=8.b.d.0.1.0.0.2.ip6.arpa
dns_net_up "vncdns$$"
trap 'dns_net_down' EXIT

# --- keys: hv1 as tsig-keygen writes it, hv2 in knot's keymgr -t form ---
dns_key hv1-key "$T/hv1.key"
dns_key hv2-key "$T/hv2.bind.key"
secret2=$(sed -n 's/.*secret "\(.*\)";/\1/p' "$T/hv2.bind.key")
cat >"$T/hv2.key" <<EOF
# hmac-sha256:hv2-key:$secret2
key:
  - id: hv2-key
    algorithm: hmac-sha256
    secret: $secret2
EOF
dns_key hv9-key "$T/hv9.key"    # may change only names under only.$Z
dns_bind_start "$T/bind" "$Z $R4 $R6" "$T/hv1.key" "$T/hv2.bind.key" "$T/hv9.key:only.$Z"

conf() {        # conf DIR OWNER KEYFILE SCHEME [extra lines]
        mkdir -p "$1"
        printf 'server = %s\nzone = %s\nkey-file = %s\nnames = %s\nhost-label = %s\nreverse-zone = %s\nreverse-zone = %s\nttl = 60\ntimeout-ms = 1000\n%s' \
                "$DNS_SRV_ADDR" "$Z" "$3" "$4" "$2" "$R4" "$R6" "${5:-}" >"$1/dns.conf"
}
conf "$T/hv1" hv1 "$T/hv1.key" flat
conf "$T/hv2" hv2 "$T/hv2.key" flat
push() {        # push HOST ARGS...: dns-push in the client namespace, stderr to $T/err
        local h=$1; shift
        dns_cli "$P" --conf "$T/$h" "$@" 2>"$T/err"
}
A() { dns_cli dig +short @"$DNS_SRV_ADDR" "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

expect_eq "hv2's knot-format key loads" "hv2-key." \
        "$(dns_cli "$P" --conf "$T/hv2" config | sed -n 's/.* key \([^ ]*\) .*/\1/p')"

# --- two hosts publish their guests ---
push hv1 publish web 198.18.9.10 2001:db8::10 || fail "hv1 publish web: $(cat "$T/err")"
push hv2 publish db 198.18.9.20 || fail "hv2 publish db: $(cat "$T/err")"
expect_eq "web A" "198.18.9.10" "$(A web.$Z A)"
expect_eq "web AAAA" "2001:db8::10" "$(A web.$Z AAAA)"
expect_eq "db A" "198.18.9.20" "$(A db.$Z A)"
owner_re='^"virt-name-cache owner=hv1 id=[0-9a-f]{16}"$'
A web.$Z TXT | grep -Eq "$owner_re" || fail "web owner: $(A web.$Z TXT)"
pass "web's ownership record: $(A web.$Z TXT) (owner and this machine's id)"
expect_eq "PTR 198.18.9.10" "web.$Z." "$(A -x 198.18.9.10)"
expect_eq "PTR 2001:db8::10" "web.$Z." "$(A -x 2001:db8::10)"
expect_eq "PTR 198.18.9.20" "db.$Z." "$(A -x 198.18.9.20)"
# glibc's dns module, with a resolv.conf naming the server (in a private mount namespace)
printf 'nameserver %s\n' "$DNS_SRV_ADDR" >"$T/resolv.conf"
expect_eq "getent -s hosts:dns" "198.18.9.20 db.$Z" \
        "$(dns_cli unshare -m sh -c "mount --bind '$T/resolv.conf' /etc/resolv.conf && getent -s hosts:dns ahostsv4 db.$Z" |
          awk 'NR==1 {print $1, $3}')"

# publishing the same again (a replayed queue entry) leaves the zone alone
serial=$(A $Z SOA | awk '{print $3}')
push hv1 publish web 198.18.9.10 2001:db8::10 || fail "republish web: $(cat "$T/err")"
expect_eq "republish: zone serial unchanged" "$serial" "$(A $Z SOA | awk '{print $3}')"
expect_eq "republish: still the same" "198.18.9.10" "$(A web.$Z A)"

# --- hv1 can neither overwrite nor delete hv2's name ---
rc=0; push hv1 publish db 198.18.9.66 || rc=$?
expect_eq "overwrite: result conflict" 1 "$rc"
grep -Eq "db.$Z.: held by host 'hv2' \(id=[0-9a-f]{16}\), not by this host \('hv1'\)" "$T/err" || fail "unclear error: $(cat "$T/err")"
pass "overwrite refused: $(cat "$T/err" | head -1)"
push hv1 publish db || fail "releasing a name one does not hold must be a no-op: $(cat "$T/err")"
expect_eq "db still hv2's (A)" "198.18.9.20" "$(A db.$Z A)"
expect_eq "db still hv2's (PTR)" "db.$Z." "$(A -x 198.18.9.20)"
# the server itself enforces it: hv1's key with hv1's ownership prerequisite
cat >"$T/nsupdate.txt" <<EOF
server $DNS_SRV_ADDR
zone $Z
prereq yxrrset db.$Z TXT "virt-name-cache owner=hv1"
update delete db.$Z A
send
EOF
if dns_cli nsupdate -k "$T/hv1.key" "$T/nsupdate.txt" 2>"$T/nsu.err"; then fail "server accepted the delete"; fi
grep -q NXRRSET "$T/nsu.err" || fail "nsupdate: $(cat "$T/nsu.err")"
expect_eq "server kept db after a prerequisite-guarded delete" "198.18.9.20" "$(A db.$Z A)"
# an administrator's name is nobody's
if push hv1 publish admin-box 198.18.9.77; then fail "hv1 took admin-box"; fi
grep -q "has records not made by virt-name-cache" "$T/err" || fail "admin-box: $(cat "$T/err")"
expect_eq "admin-box untouched" "198.18.8.200" "$(A admin-box.$Z A)"

# --- flat names: the first owner keeps a name until it releases it ---
push hv1 publish shared 198.18.9.30 || fail "hv1 shared: $(cat "$T/err")"
if push hv2 publish shared 198.18.9.31; then fail "hv2 took hv1's shared"; fi
expect_eq "shared stays hv1's" "198.18.9.30" "$(A shared.$Z A)"
push hv1 publish shared || fail "hv1 release shared: $(cat "$T/err")"
expect_eq "released: no A" "" "$(A shared.$Z A)"
expect_eq "released: no TXT" "" "$(A shared.$Z TXT)"
expect_eq "released: no PTR" "" "$(A -x 198.18.9.30)"
printf 'db 198.18.9.20\nshared 198.18.9.31\n' | push hv2 sync >/dev/null || fail "hv2 sync: $(cat "$T/err")"
expect_eq "hv2 takes shared at its next sync" "198.18.9.31" "$(A shared.$Z A)"
A shared.$Z TXT | grep -q '^"virt-name-cache owner=hv2 id=' || fail "shared's owner now: $(A shared.$Z TXT)"

# --- host scheme: GUEST.HOST.ZONE ---
conf "$T/hv1h" hv1 "$T/hv1.key" host
push hv1h publish web 198.18.9.40 || fail "host scheme: $(cat "$T/err")"
expect_eq "web.hv1.$Z" "198.18.9.40" "$(A web.hv1.$Z A)"
push hv1h publish web || fail "host scheme release: $(cat "$T/err")"

# --- reconcile: hv1 adds what is missing, deletes only its own stale records ---
push hv1 publish old1 198.18.9.51 || fail "old1"
push hv1 publish old2 198.18.9.52 2001:db8::52 || fail "old2"
rc=0; printf 'web 198.18.9.11\nweb 2001:db8::10\nnew1 198.18.9.60\ndb 198.18.9.99\n' | push hv1 sync >"$T/sync.out" || rc=$?
expect_eq "sync with a name held by hv2: result conflict" 1 "$rc"
grep -q "db.$Z.: held by another owner" "$T/err" || fail "sync conflict note: $(cat "$T/err")"
cat "$T/sync.out"
dns_axfr $Z "$T/hv1.key" | sed 's/ id=[0-9a-f]*"$/" /' >"$T/zone"
dns_axfr $R4 "$T/hv1.key" >"$T/rev4"
dns_axfr $R6 "$T/hv1.key" >"$T/rev6"
cat >"$T/zone.want" <<EOF
admin-box.$Z. A 198.18.8.200  
db.$Z. A 198.18.9.20  
db.$Z. TXT "virt-name-cache owner=hv2" 
new1.$Z. A 198.18.9.60  
new1.$Z. TXT "virt-name-cache owner=hv1" 
ns.$Z. A 198.18.8.1  
shared.$Z. A 198.18.9.31  
shared.$Z. TXT "virt-name-cache owner=hv2" 
web.$Z. A 198.18.9.11  
web.$Z. AAAA 2001:db8::10  
web.$Z. TXT "virt-name-cache owner=hv1" 
EOF
diff "$T/zone.want" "$T/zone" || fail "zone after hv1's sync (AXFR) differs from what was expected"
pass "AXFR of $Z is exactly hv1's and hv2's records and the administrator's"
expect_eq "reverse: PTRs" "11.9.18.198.in-addr.arpa. PTR web.$Z.|20.9.18.198.in-addr.arpa. PTR db.$Z.|200.8.18.198.in-addr.arpa. PTR admin-box.$Z.|31.9.18.198.in-addr.arpa. PTR shared.$Z.|60.9.18.198.in-addr.arpa. PTR new1.$Z." \
        "$(awk '$2 == "PTR" {print $1, $2, $3}' "$T/rev4" | sort | paste -sd'|')"
expect_eq "old addresses' PTRs and ownership gone" "" "$(grep -E '^(10|51|52)\.9\.18' "$T/rev4")"
expect_eq "ip6 reverse: web's only" "1 0" "$(grep -c 'PTR web' "$T/rev6") $(grep -c 'old2' "$T/rev6")"
printf 'web 198.18.9.11\nweb 2001:db8::10\nnew1 198.18.9.60\n' | push hv1 sync >"$T/sync.out" ||
        fail "second sync: $(cat "$T/err")"
grep -q "0 claimed, 0 changed, 0 released, 2 unchanged" "$T/sync.out" || fail "second sync changed something: $(cat "$T/sync.out")"
pass "a second sync changes nothing"

# --- keys the server does not know, or with the wrong secret ---
dns_key stranger-key "$T/stranger.key"
conf "$T/bad1" hv1 "$T/stranger.key" flat
if push bad1 publish x 198.18.9.70; then fail "an unknown key was accepted"; fi
grep -q "refused key stranger-key. (BADKEY" "$T/err" || fail "unknown key: $(cat "$T/err")"
pass "unknown key: $(cat "$T/err" | head -1)"
rc=0; echo "x 198.18.9.70" | push bad1 sync >/dev/null || rc=$?
expect_eq "sync with an unknown key: result refused" 3 "$rc"
grep -q "transfer of $Z.: $DNS_SRV_ADDR#53 refused it (BADKEY: the server does not know this key; key stranger-key.)" "$T/err" ||
        fail "sync, unknown key: $(cat "$T/err")"
sed "s|secret \".*\";|secret \"$secret2\";|" "$T/hv1.key" >"$T/wrong.key"
conf "$T/bad2" hv1 "$T/wrong.key" flat
if push bad2 publish x 198.18.9.70; then fail "a wrong secret was accepted"; fi
grep -q "BADSIG" "$T/err" || fail "wrong secret: $(cat "$T/err")"
pass "wrong secret: $(cat "$T/err" | head -1)"
rc=0; echo "x 198.18.9.70" | push bad2 sync >/dev/null || rc=$?
expect_eq "sync with a wrong secret: result refused" 3 "$rc"
grep -q "transfer of $Z.: $DNS_SRV_ADDR#53 refused it (BADSIG: wrong secret or algorithm; key hv1-key.)" "$T/err" ||
        fail "sync, wrong secret: $(cat "$T/err")"
pass "a transfer refused for a wrong secret says so: $(head -1 "$T/err")"

# --- other key file formats: ddns-confgen's whole output, dig -y's one line ---
ddns-confgen -k hv3-key -z $Z >"$T/ddns.out" 2>/dev/null || ddns-confgen -k hv3-key -z $Z >"$T/ddns.out"
printf 'hmac-sha256:hv1-key:%s\n' "$(sed -n 's/.*secret "\(.*\)";/\1/p' "$T/hv1.key")" >"$T/hv1.oneline"
conf "$T/hv1o" hv1 "$T/hv1.oneline" flat
push hv1o publish web 198.18.9.11 2001:db8::10 || fail "one-line key: $(cat "$T/err")"
conf "$T/hv3" hv3 "$T/ddns.out" flat
expect_eq "ddns-confgen output loads" "hv3-key." "$(dns_cli "$P" --conf "$T/hv3" config | sed -n 's/.* key \([^ ]*\) .*/\1/p')"

# --- configuration errors name the file and line ---
confbad() {     # confbad EXPECTED-REGEX LINES...
        local want=$1; shift
        mkdir -p "$T/cb"; printf '%s\n' "$@" >"$T/cb/dns.conf"
        if "$P" --conf "$T/cb" config 2>"$T/err"; then fail "accepted: $*"; fi
        grep -Eq "$want" "$T/err" || fail "for [$*] expected /$want/, got: $(cat "$T/err")"
        pass "config error: $(cat "$T/err")"
}
confbad "cb/dns.conf:2: unknown setting 'sever'" "zone = $Z" "sever = 198.18.8.1"
confbad "cb/dns.conf:1: server 'dns.example' is not an IPv4 or IPv6 address" "server = dns.example"
confbad "cb/dns.conf: 'key-file' is required" "server = 198.18.8.1" "zone = $Z"
confbad "cb/dns.conf:3: reverse-zone '198.18.0.0/15' is not under in-addr.arpa" "server = 198.18.8.1" "zone = $Z" "reverse-zone = 198.18.0.0/15"
confbad "cb/dns.conf:2: 'zone' set twice" "zone = $Z" "zone = x.test"
printf 'key "k" {\n\talgorithm hmac-sha384;\n\tsecret "c2VjcmV0";\n};\n' >"$T/cb/k384"
confbad "k384:1: TSIG algorithm 'hmac-sha384' not supported" "server = 198.18.8.1" "zone = $Z" "key-file = k384"
printf 'key "k" {\n\talgorithm hmac-sha256;\n\tsecrett "c2VjcmV0";\n};\n' >"$T/cb/kbad"
confbad "kbad:3: unknown 'secrett' in key" "server = 198.18.8.1" "zone = $Z" "key-file = kbad"
rc=0; "$P" --conf "$T/nothing-here" config 2>"$T/err" || rc=$?
expect_eq "no dns.conf: configuration exit" "78" "$rc"
grep -q "dns.conf: not present (DNS updates are off)" "$T/err" || fail "absent: $(cat "$T/err")"

# --- measurements: one update, reconcile of 10,000 records ---
t0=$(date +%s%N)
push hv1 publish timed 198.18.9.80 || fail "timed publish: $(cat "$T/err")"
t1=$(date +%s%N)
echo "measure: one publish (new name, A + PTR): $(( (t1 - t0) / 1000000 )) ms wall incl. process start; $(tail -1 "$T/err")"
conf "$T/big" big "$T/hv1.key" host
sed -i "s/^timeout-ms = .*/timeout-ms = 5000/" "$T/big/dns.conf"
awk 'BEGIN{for(i=0;i<10000;i++) printf "g%d 198.18.%d.%d\n", i, 100+int(i/250), i%250+1}' >"$T/want10k"
push big sync <"$T/want10k" >"$T/big.out" || fail "10k sync: $(head -3 "$T/err")"
echo "measure: sync of 10,000 names from empty: $(tail -1 "$T/err")"
grep -q "10000 claimed" "$T/big.out" || fail "10k sync: $(cat "$T/big.out")"
awk 'NR > 100' "$T/want10k" | awk 'NR <= 100 {$2 = "198.18.200." NR} {print}' >"$T/want2"
push big sync <"$T/want2" >"$T/big.out" || fail "10k resync: $(head -3 "$T/err")"
echo "measure: sync of 10,000 (100 gone, 100 moved): $(tail -1 "$T/err")"
grep -q "100 changed, 100 released, 9800 unchanged" "$T/big.out" || fail "10k resync: $(cat "$T/big.out")"
expect_eq "g5000.big after the reconcile" "198.18.120.1" "$(A g5000.big.$Z A)"
expect_eq "g50 gone" "" "$(A g50.big.$Z A)"
expect_eq "hv2's db untouched by big's reconcile" "198.18.9.20" "$(A db.$Z A)"

# --- a reconcile whose releases the server refuses, each one ---
# 300 names carry hv9's ownership record, but hv9's key may change only
# names under only.$Z: hv9's sync with nothing wanted plans 300 releases,
# the server's policy refuses each, and each is noted under its own
# name, also once the plan's array has grown past its first room (with
# the ASan build too, when built: a name read from the array's old
# place fails there).
conf "$T/hv9" hv9 "$T/hv9.key" flat
id9=$(dns_cli "$P" --conf "$T/hv9" config | sed -n 's/^id //p')
{
        printf 'server %s\nzone %s\n' "$DNS_SRV_ADDR" "$Z"
        for i in $(seq 300); do printf 'update add r%d.%s 60 TXT "virt-name-cache owner=hv9 id=%s"\n' $i $Z "$id9"; done
        echo send
} >"$T/r300.txt"
dns_cli nsupdate -k "$T/hv1.key" "$T/r300.txt" || fail "nsupdate: 300 names with hv9's ownership"
for DP in "$P" "$BA/selftest/dns-push"; do
        [ -x "$DP" ] || continue
        rc=0; dns_cli "$DP" --conf "$T/hv9" sync </dev/null >"$T/r300.out" 2>"$T/err" || rc=$?
        expect_eq "${DP#$TOP/}: 300 releases refused: result refused" 3 "$rc"
        expect_eq "${DP#$TOP/}: each refusal noted under its own name" 300 \
                "$(awk -F': ' '$1 == $2 && /refused the update/ {print $1}' "$T/err" | sort -u | wc -l)"
done
expect_eq "the refused names stay" "1" "$(A r300.$Z TXT | grep -c 'owner=hv9')"

# --- the server is down ---
dns_bind_stop "$T/bind"
t0=$(date +%s%N)
rc=0; push hv1 publish down1 198.18.9.90 || rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect_eq "server stopped: result network" 2 "$rc"
grep -q "$DNS_SRV_ADDR#53 refused the connection" "$T/err" || fail "server stopped: $(cat "$T/err")"
# the host answers "port unreachable": no need to wait for the timeout
[ "$ms" -lt 900 ] || fail "server stopped: took $ms ms although the host refused at once"
echo "measure: publish with the server stopped fails after $ms ms: $(head -1 "$T/err")"
ip -n "$DNS_NS_S" link set br0 down         # packets now vanish: the timeout itself
t0=$(date +%s%N)
rc=0; push hv1 publish down1 198.18.9.90 || rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect_eq "unreachable: result network" 2 "$rc"
[ "$ms" -le 2500 ] || fail "unreachable server: took $ms ms with timeout-ms = 1000"
grep -q "no answer from $DNS_SRV_ADDR#53 within 1000 ms" "$T/err" || fail "unreachable: $(cat "$T/err")"
pass "unreachable server: failed in $ms ms (timeout-ms = 1000): $(head -1 "$T/err")"
t0=$(date +%s%N)
rc=0; push hv1 --deadline 300 publish down1 198.18.9.90 || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "deadline: result network" 2 "$rc"
[ "$ms" -le 1000 ] || fail "a 300 ms deadline took $ms ms"
pass "a 300 ms session deadline: failed in $ms ms: $(head -1 "$T/err")"
if push hv1 sync </dev/null >/dev/null; then fail "sync succeeded with no server"; fi
grep -q "transfer of $Z" "$T/err" || fail "sync with no server: $(cat "$T/err")"
pass "sync with no server: $(head -1 "$T/err")"

# A server that is only starting refuses the transfer's connection (or
# answers SERVFAIL) for a moment: a sync started then tries again every
# quarter of a second, for up to timeout-ms (5000 here), and succeeds.
ip -n "$DNS_NS_S" link set br0 up
conf "$T/hv1s" hv1 "$T/hv1.key" flat
sed -i "s/^timeout-ms = .*/timeout-ms = 5000/" "$T/hv1s/dns.conf"
t0=$(date +%s%N)
dns_cli "$P" --conf "$T/hv1s" sync </dev/null >"$T/starting.out" 2>"$T/starting.err" &
sync_pid=$!
dns_bind_resume "$T/bind" "$Z"
wait $sync_pid || fail "sync while the server starts: $(cat "$T/starting.err")"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
pass "a sync started while the server was starting: done in $ms ms"
