#!/usr/bin/env bash
# t-crash: writers killed with SIGKILL at random points, 200 times, while
# two readers resolve through glibc and check every answer: no reader
# error, no torn answer (a guest's IPv4 and IPv6 addresses, changed in one
# transaction, from the same commit), and after every kill the next writer
# works and its change is visible: the store recovers without a rebuild.
# Writers killed: a churning writer (commit + publish in a loop), a
# rebuild, and a writer that must write a new base (a 1-byte delta limit).
# The points are random, the seed is printed: SEED=N reruns a sequence.
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
SEED=${SEED:-$$}
RANDOM=$SEED
KILLS=${KILLS:-200}
echo "seed $SEED, $KILLS kills"
"$B/selftest/store-churn" "$S" 1 1 >/dev/null || fail "seed writer"
# A rebuild reads these files: churn1 must exist there too, with an IPv4
# and an IPv6 address of the same round (see store-churn.c).
printf 'interface=vchurn\n' >"$S.leases/churnnet.conf"
cat >"$S.leases/vchurn.status" <<JSON
[ { "ip-address": "198.18.101.1", "mac-address": "52:54:00:c1:00:01", "hostname": "churn1", "expiry-time": 0 },
  { "ip-address": "2001:db8::1:1", "mac-address": "52:54:00:c1:00:01", "hostname": "churn1", "expiry-time": 0 } ]
JSON
"$B/virt-name-cache" --db-dir "$S" rebuild --leases-dir "$S.leases" >/dev/null || fail "rebuild with churn1"
expect_eq "churn1 after a rebuild" "198.18.101.1 2001:db8::1:1" "$(addrs_of "$S" ahosts churn1)"

# The readers ask for guests' host names: a rebuild from lease files
# (which know no ports) leaves a domain's name without an address until
# its port answers again (issue 17), so domain names would fail between a
# rebuild and the ports' answers whether or not anything crashed.  web
# and db2 are leases of domains' MACs, Lone of none, churn1 the churning
# writers' IPv4 and IPv6 pair (the torn-answer check).
readers=()
for r in 1 2; do
        VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$B "$B/selftest/lookup-loop" -c -t 3600 \
                virtname web Lone db2 churn1 >"$T/r$r" 2>&1 &
        readers+=($!)
done
stop_readers() { kill -INT "${readers[@]}" 2>/dev/null; wait "${readers[@]}" 2>/dev/null; }
trap stop_readers EXIT

kill_after() {   # MILLISECONDS COMMAND...: run it, SIGKILL it after that long
        local ms=$1; shift
        "$@" >/dev/null 2>&1 &
        local pid=$!
        sleep "$(printf '0.%03d' "$ms")"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
}

killed_publish=0
for i in $(seq "$KILLS"); do
        case $((i % 4)) in
        0) kill_after $((RANDOM % 60)) env VIRT_NAME_CACHE_DIR=$S "$B/virt-name-cache" rebuild \
                   --leases-dir "$S.leases" ;;
        1) kill_after $((RANDOM % 40)) env VIRT_NAME_CACHE_DELTA_LIMIT=64 \
                   "$B/selftest/store-churn" "$S" 1 100000 ;;
        *) kill_after $((RANDOM % 40)) "$B/selftest/store-churn" "$S" 1 100000 ;;
        esac
        # Whatever the killed writer left, the next one must work, and
        # what it commits must be what readers then see.
        out=$("$B/selftest/store-churn" "$S" 2 1 2>&1) || fail "after kill $i: the next writer failed: $out"
        [ -n "$(addrs_of "$S" ahostsv4 churn2)" ] || fail "after kill $i: the next writer's change is not visible"
        ls "$S" | grep -q '^\.names\.' && killed_publish=$((killed_publish + 1))
done
stop_readers
trap - EXIT
cat "$T/r1" "$T/r2"
for r in 1 2; do
        grep -q '^lookups [1-9][0-9]* failures 0 inconsistent 0' "$T/r$r" ||
                fail "reader $r saw a failed or torn lookup: $(cat "$T/r$r")"
done
pass "$KILLS writers killed at random points: 0 failed and 0 torn lookups in 2 readers"
echo "kills that left a writer's temporary file behind: $killed_publish"

# The store needs no rebuild: doctor finds the snapshot current, and a
# writer's cleanup removed what killed writers left.
VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_DELTA_LIMIT=64 "$B/selftest/store-churn" "$S" 3 1 >/dev/null ||
        fail "a writer after all the kills"
"$B/virt-name-cache" --db-dir "$S" doctor --nsswitch /dev/null --hooks-dir "$T" --leases-dir "$T" >"$T/doctor" 2>&1
grep -q "^ok .*the snapshot matches the private store" "$T/doctor" || fail "doctor: $(cat "$T/doctor")"
# ... and domain names answer again once the ports' answers are recorded.
"$B/selftest/store-prove" "$S" >/dev/null || fail "store-prove after all the kills"
expect_eq "domain names after all the kills" "198.18.0.11 198.19.0.21" "$(addrs_of "$S" ahostsv4 db-vm)"
ls "$S" | grep -q '^\.names\.' && fail "temporary files left after a writer's cleanup: $(ls -a "$S")"
expect_eq "bases kept (the current one and the one before)" "1" "$(( $(ls "$S"/names.*.mdb | wc -l) <= 2 ))"
pass "the store recovered without a rebuild"
