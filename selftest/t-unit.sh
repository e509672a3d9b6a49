#!/usr/bin/env bash
# t-unit: the C unit tests (selftest/unit/), with the normal, the
# ASan/UBSan and the clang build: names, records and index keys, the delta format (every
# bit flip and truncation refused), the name rules through a real
# writer and a published snapshot, what a transaction changed in the
# answers (cache/derive/affected.h) against the whole export before and
# after, the answers database (cache/read/answers.h) against the rules,
# the hosts directory's blocks (cache/derive/hostsdir.h) under random
# changes against the lines put, and the replay ledger
# (cache/ingest/replay.h) against the full path.
. "$(dirname "$0")/lib.sh"
: "${BC:=$TOP/build-clang}"
[ -x "$B/selftest/unit-records" ] && [ -x "$B/selftest/unit-lookup" ] || fail "the unit tests are not built in $B"
for b in "$B" "$BA" "$BC"; do
        [ -x "$b/selftest/unit-records" ] || { skip_part "no build in $b: make check builds it"; continue; }
        "$b/selftest/unit-records" || fail "unit-records ($b)"
        VIRT_NAME_CACHE_LEASESHELPER=/nonexistent "$b/selftest/unit-lookup" "$T/store-$(basename "$b")" ||
                fail "unit-lookup ($b)"
        # What a transaction changed, against the full export before and
        # after, over random transactions (three seeds).
        for seed in 1 2 3; do
                VIRT_NAME_CACHE_LEASESHELPER=/nonexistent "$b/selftest/unit-affected" \
                        "$T/affected-$(basename "$b")-$seed" 300 $seed || fail "unit-affected seed $seed ($b)"
        done
        # The answers database against the rules, over random stores with
        # every kind of evidence, at every expiry (three seeds; fewer
        # rounds in the sanitizer and clang builds, ten times slower).
        rounds=50; [ "$b" = "$B" ] && rounds=200
        for seed in 1 2 3; do
                VIRT_NAME_CACHE_LEASESHELPER=/nonexistent "$b/selftest/unit-answers" \
                        "$T/answers-$(basename "$b")-$seed" $rounds $seed || fail "unit-answers seed $seed ($b)"
        done
        # The hosts directory's blocks: split, merged, never overlapping,
        # every line in its block's file (three seeds).
        for seed in 1 2 3; do
                "$b/selftest/unit-hostsdir" "$T/hostsdir-$(basename "$b")-$seed" 300 $seed ||
                        fail "unit-hostsdir seed $seed ($b)"
        done
        # The replay ledger against the full path: never a change or a
        # port to ask that it calls a replay (three seeds).
        for seed in 1 2 3; do
                VIRT_NAME_CACHE_LEASESHELPER=/nonexistent "$b/selftest/unit-replay" \
                        "$T/replay-$(basename "$b")-$seed" 300 $seed || fail "unit-replay seed $seed ($b)"
        done
        pass "unit tests ($b)"
done
