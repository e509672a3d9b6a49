#!/usr/bin/env bash
# t-nss-entry: every _nss_virtname_* hosts entry point called directly, as
# glibc calls it (selftest/tools/nss-entry.c, the idea of systemd's
# test-nss-hosts): gethostbyname{,2,3,4}_r and gethostbyaddr{,2}_r with
# AF_INET, AF_INET6, AF_UNSPEC and AF_LOCAL, for the names and addresses
# of a fixture store.  Checked: the status/errno/h_errno triple for
# SUCCESS, NOTFOUND, UNAVAIL and TRYAGAIN (ERANGE), the hostent and
# gaih_addrtuple layout inside the caller's buffer, and every smaller
# buffer asking for a bigger one.
#
# The same harness and the same expected answers then run against the
# reference, Debian's libnss_libvirt.so.2 and libnss_libvirt_guest.so.2,
# on the same lease files (in a private mount namespace over
# /var/lib/libvirt/dnsmasq, as t-differential does): the expectations are
# what glibc's own modules and libvirt's do, and where libvirt's modules
# break glibc's rules the deviation is named (--allow) and printed.
#
# Finally the harness runs with the ASan/UBSan build and under valgrind.
# Every part runs even when an earlier one failed; the test fails at the
# end if any did.
. "$(dirname "$0")/lib.sh"
[ -x "$B/selftest/nss-entry" ] || fail "$B/selftest/nss-entry is not built (make)"

L=$T/leases S=$T/store

# Host names (libnss-libvirt's "libvirt" answers these too).
HOSTNAME_CASES=(
        name web - 198.18.0.10 2001:db8:0:1::110
        name Lone - 198.18.0.14 -
        name db2 - 198.19.0.21 -
        name v6only - - 2001:db8:0:9::5
        name many - 198.18.9.21,198.18.9.22,198.18.9.23,198.18.9.24 2001:db8:0:9::24
        name nosuchname - - -
        gone old
)
# Domain names ("libvirt_guest" answers these).
DOMAIN_CASES=(
        name web-vm - 198.18.0.10 2001:db8:0:1::110
        name db-vm - 198.18.0.11,198.19.0.21 -
        name intruder - 198.18.0.13 -
        name nosuchdomain - - -
)
# Ours only: our name rules (virt-name-cache(1), NAME RULES) and reverse lookups,
# which the reference modules do not have.
OUR_CASES=(
        name WEB-VM - 198.18.0.10 2001:db8:0:1::110      # any case; the answer keeps the query's
        name web-vm. web-vm 198.18.0.10 2001:db8:0:1::110 # one trailing dot, answered without it
        name web.lab.test - 198.18.0.10 2001:db8:0:1::110  # NAME.DOMAIN of the network
        name db-vm.lab.test - 198.18.0.11 -
        addr 198.18.0.10 web-vm.lab.test web-vm
        addr 2001:db8:0:1::110 web-vm.lab.test web-vm
        addr 198.19.0.21 db-vm -
        addr 198.18.0.13 intruder.lab.test intruder
        addr 198.18.0.14 Lone.lab.test Lone
        addr 2001:db8:0:9::5 v6only -
        addr 198.18.0.15 - -                             # expired
        addr 198.18.0.99 - -
        addr 2001:db8::99 - -
)

# The reference on the same lease files (made below), in a private mount
# namespace: this script runs itself there with NSS_ENTRY_REFERENCE=1.
reference() {
        if [ -d /var/lib/libvirt/dnsmasq ]; then
                mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq || return 1
        else
                mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq || return 1
        fi
        cp "$L"/* /var/lib/libvirt/dnsmasq/ || return 1
        local dir rc=0 allow=(
                # libvirt 9.0's known breaches of glibc's contract, each shown when met:
                --allow erange-enomem    # small buffer: ENOMEM/TRY_AGAIN, glibc never retries it
                --allow nodata-unavail   # known name, no address of the family: UNAVAIL, not NOTFOUND
                --allow unaligned        # assumes the caller's buffer is pointer-aligned
        )
        dir=$(dirname "$(ls /lib/*/libnss_libvirt.so.2 /usr/lib/*/libnss_libvirt.so.2 2>/dev/null | head -1)")
        echo "=== reference: $dir/libnss_libvirt.so.2"
        "$B/selftest/nss-entry" "${allow[@]}" "$dir/libnss_libvirt.so.2" libvirt "${HOSTNAME_CASES[@]}" || rc=1
        echo "=== reference: $dir/libnss_libvirt_guest.so.2"
        # libvirt_guest also answers UNAVAIL/NO_RECOVERY for any unknown name.
        "$B/selftest/nss-entry" "${allow[@]}" --allow notfound-unavail \
                "$dir/libnss_libvirt_guest.so.2" libvirt_guest "${DOMAIN_CASES[@]}" || rc=1
        echo "=== reference: lease directory missing"
        mount -t tmpfs tmpfs /var/lib/libvirt || return 1
        "$B/selftest/nss-entry" "${allow[@]}" "$dir/libnss_libvirt.so.2" libvirt unavail web 198.18.0.10 || rc=1
        return $rc
}
if [ "${NSS_ENTRY_REFERENCE:-}" = 1 ]; then
        reference
        exit
fi

# The fixture of lib.sh, plus: a name with IPv6 only, and a name with
# more addresses than one small buffer holds.
make_fixture "$L"
soon=$(( $(date +%s) + 3600 ))
cat >"$L/vbr9.status" <<JSON
[ { "ip-address": "2001:db8:0:9::5", "mac-address": "52:54:00:00:09:01", "hostname": "v6only", "iaid": "1", "expiry-time": $soon },
  { "ip-address": "198.18.9.21", "mac-address": "52:54:00:00:09:21", "hostname": "many", "expiry-time": $soon },
  { "ip-address": "198.18.9.22", "mac-address": "52:54:00:00:09:22", "hostname": "many", "expiry-time": $soon },
  { "ip-address": "198.18.9.23", "mac-address": "52:54:00:00:09:23", "hostname": "many", "expiry-time": 0 },
  { "ip-address": "198.18.9.24", "mac-address": "52:54:00:00:09:24", "hostname": "many", "expiry-time": $soon },
  { "ip-address": "2001:db8:0:9::24", "mac-address": "52:54:00:00:09:24", "hostname": "many", "iaid": "1", "expiry-time": $soon } ]
JSON
printf 'interface=vbr9\n' >"$L/net9.conf"
"$B/virt-name-cache" --db-dir "$S" rebuild --leases-dir "$L" >/dev/null || fail "rebuild of the fixture"
# The domains' ports answering for their leases (lease files know no
# ports; a domain name follows only what its port answered for): this
# test is about the entry points, the evidence rule is t-hooks' and
# t-probe's.
"$B/selftest/store-prove" "$S" >/dev/null || fail "store-prove of the fixture"

failed=() missing=() last_rc=0
harness() {   # LABEL COMMAND...: run it, note a failure and go on
        local label=$1 rc; shift
        "$@" >"$T/out" 2>&1
        rc=$? last_rc=$rc
        cat "$T/out"
        if [ $rc = 0 ]; then
                pass "$label"
        else
                echo "FAIL: $label (exit $rc): $(grep -c '^FAIL' "$T/out") failed checks"
                failed+=("$label")
        fi
        return $rc
}

ours() {   # WRAPPER... (with $1 the build directory)
        local b=$1; shift
        VIRT_NAME_CACHE_DIR=$S "$@" "$b/selftest/nss-entry" "$b/libnss_virtname.so.2" virtname \
                "${HOSTNAME_CASES[@]}" "${DOMAIN_CASES[@]}" "${OUR_CASES[@]}"
}
echo "=== virtname (normal build)"
harness "virtname: every entry point, every family" ours "$B"

# A snapshot that exists but cannot be read: UNAVAIL.  A missing one
# means "no guests": NOTFOUND.
mkdir -p "$T/bad"
yes 'not a snapshot' | head -c 65536 >"$T/bad/names.delta"
echo "=== virtname, damaged snapshot"
harness "virtname: damaged snapshot gives UNAVAIL" env VIRT_NAME_CACHE_DIR="$T/bad" \
        "$B/selftest/nss-entry" "$B/libnss_virtname.so.2" virtname unavail web-vm 198.18.0.10
echo "=== virtname, no snapshot at all"
harness "virtname: no snapshot is NOTFOUND" env VIRT_NAME_CACHE_DIR="$T/none" \
        "$B/selftest/nss-entry" "$B/libnss_virtname.so.2" virtname name web-vm - - - addr 198.18.0.10 - -

if ! ls /lib/*/libnss_libvirt.so.2 /usr/lib/*/libnss_libvirt.so.2 >/dev/null 2>&1; then
        missing+=("Debian's libnss-libvirt is not installed: no reference run (make deps installs it)")
elif ! unshare -m true 2>/dev/null; then
        missing+=("cannot create a mount namespace here: no reference run")
else
        harness "reference: libnss-libvirt meets the same expectations" \
                env NSS_ENTRY_REFERENCE=1 unshare -m --propagation private bash "$0"
fi

if [ -x "$BA/selftest/nss-entry" ] && [ -e "$BA/libnss_virtname.so.2" ]; then
        echo "=== virtname, ASan/UBSan build"
        # Memory errors exit 98 (ASan) or abort (UBSan, -fno-sanitize-recover);
        # a failed check alone exits 1.
        ASAN_OPTIONS=detect_leaks=1:exitcode=98 harness "ASan/UBSan build" ours "$BA"
        if [ "$last_rc" != 0 ] && [ "$last_rc" != 1 ]; then failed+=("ASan/UBSan error (exit $last_rc)"); fi
else
        skip_part "no ASan build in $BA (make SAN=1 B=build-asan): make check builds it"
fi
if command -v valgrind >/dev/null; then
        echo "=== virtname under valgrind"
        # The module keeps the current snapshot open between lookups (one
        # per process, on purpose): no exit-time freeres, definite leaks only.
        harness "valgrind" ours "$B" valgrind -q --run-libc-freeres=no --error-exitcode=99 \
                --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
        [ "$last_rc" = 99 ] && failed+=("valgrind errors")
else
        missing+=("valgrind is not installed (make deps installs it)")
fi

[ ${#failed[@]} = 0 ] || fail "${#failed[@]} part(s) failed: $(printf '%s; ' "${failed[@]}")"
[ ${#missing[@]} = 0 ] || skip "$(printf '%s; ' "${missing[@]}")"
