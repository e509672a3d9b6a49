#!/usr/bin/env bash
# t-concurrency: three writer processes commit changes as fast as they can
# while two reader processes resolve through glibc for a bounded time.
# Every lookup must succeed, and a guest's IPv4 and IPv6 addresses,
# changed together in one transaction, must always come from the same
# commit (one snapshot per lookup).
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
W=3 ROUNDS=${ROUNDS:-1000} SECONDS_READ=${SECONDS_READ:-8}
for i in $(seq $W); do "$B/selftest/store-churn" "$S" "$i" 1 >/dev/null || fail "seed writer $i"; done
names="web-vm web db-vm $(for i in $(seq $W); do printf 'churn%d ' "$i"; done)"

pids=()
for i in $(seq $W); do
        "$B/selftest/store-churn" "$S" "$i" "$ROUNDS" >"$T/w$i" 2>&1 &
        pids+=($!)
done
rpids=()
for r in 1 2; do
        VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$B "$B/selftest/lookup-loop" -c -t "$SECONDS_READ" \
                virtname $names >"$T/r$r" 2>&1 &
        rpids+=($!)
done
wrc=0 rrc=0
for p in "${pids[@]}"; do wait "$p" || wrc=1; done
writers_done=$(date +%s.%N)
for p in "${rpids[@]}"; do wait "$p" || rrc=1; done
cat "$T"/w* "$T"/r*
[ $wrc = 0 ] || fail "a writer failed"
[ $rrc = 0 ] || fail "a reader saw a failed or inconsistent lookup"
gen=$("$B/virt-name-cache" --db-dir "$S" list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
lookups=$(awk '{n += $2} END {print n}' "$T"/r*)
echo "generation after the run: $gen; lookups: $lookups"
[ "$gen" -ge $((W * ROUNDS)) ] || fail "only $gen commits"
# Readers must have overlapped the writers for the test to mean anything.
grep -q "^lookups" "$T/r1" || fail "reader 1 printed nothing"
pass "$((W * ROUNDS)) commits by $W writers, $lookups lookups by 2 readers: 0 failed, 0 inconsistent"

# A writer that writes a new base at every commit (a 64-byte delta limit)
# removes the base before last each time.  A reader that read the delta
# naming a base must, when that base vanishes before it is mapped (LMDB
# opens it again by name), read the new delta instead of failing.
VIRT_NAME_CACHE_DELTA_LIMIT=64 "$B/selftest/store-churn" "$S" 1 1000000 >"$T/wc" 2>&1 &
wpid=$!
lpids=()
for r in 1 2; do
        "$B/selftest/snapshot-load" "$S" "${LOAD_SECONDS:-12}" >"$T/l$r" 2>&1 &
        lpids+=($!)
done
lrc=0
for p in "${lpids[@]}"; do wait "$p" || lrc=1; done
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
cat "$T"/l*
[ $lrc = 0 ] || fail "a snapshot load failed while the writer replaced bases"
gen2=$("$B/virt-name-cache" --db-dir "$S" list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
[ "$gen2" -gt $((gen + 100)) ] || fail "the compacting writer made only $((gen2 - gen)) commits"
pass "$(awk '{n += $2} END {print n}' "$T"/l*) loads while a writer wrote $((gen2 - gen)) bases: 0 failed"
