#!/usr/bin/env bash
# t-unit: the C unit tests (selftest/unit/), with the normal and the
# ASan/UBSan build: names, records and index keys, the delta format (every
# bit flip and truncation refused), and the name rules through a real
# writer and a published snapshot.
. "$(dirname "$0")/lib.sh"
[ -x "$B/selftest/unit-records" ] && [ -x "$B/selftest/unit-lookup" ] || fail "the unit tests are not built in $B"
for b in "$B" "$BA"; do
        [ -x "$b/selftest/unit-records" ] || { echo "no ASan build in $b: make check builds it"; continue; }
        "$b/selftest/unit-records" || fail "unit-records ($b)"
        VIRT_NAME_CACHE_LEASESHELPER=/nonexistent "$b/selftest/unit-lookup" "$T/store-$(basename "$b")" ||
                fail "unit-lookup ($b)"
        pass "unit tests ($b)"
done
