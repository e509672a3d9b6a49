#!/usr/bin/env bash
# t-nss-badstore: a missing, truncated, corrupt, wrong-type, unreadable,
# untrusted or rewritten snapshot gives "not found" (getent exit 2) and
# never a crash or a hang, with the normal and the ASan/UBSan build of the
# module.  Each case damages one file of a good snapshot (the delta or the
# base), checks, and puts the good file back.  Cases are fixed: every run
# damages the same bytes, and the "random" bytes come from a seeded
# generator whose seed is in the case's name, so a failure repeats.
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
# One change after the rebuild, so that the delta holds records.
VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_LEASESHELPER=/nonexistent VIR_BRIDGE_NAME=vbr1 \
        DNSMASQ_LEASE_EXPIRES=$(( $(date +%s) + 3600 )) DNSMASQ_SUPPLIED_HOSTNAME=extra "$B/hooks/lease-helper" add 52:54:00:00:00:09 198.18.0.19 extra
[ "$(addrs_of "$S" ahostsv4 extra)" = 198.18.0.19 ] || fail "the change after the rebuild is not visible"
base=$(base_of "$S")
delta=$S/names.delta
cp "$base" "$T/good.base"
cp "$delta" "$T/good.delta"
size=$(stat -c %s "$base")
dsize=$(stat -c %s "$delta")
[ "$dsize" -gt 64 ] || fail "the delta holds no records ($dsize bytes)"

asan_lib=$(gcc -print-file-name=libasan.so 2>/dev/null || true)
# resolve BUILD [RUNAS...]: getent's exit status for web-vm (124: hung).
resolve() {
        local b=$1 pre=
        shift
        [ "$b" = "$BA" ] && pre=$asan_lib
        ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD=$pre VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$b \
                timeout 10 "$@" getent -s hosts:virtname ahosts web-vm >/dev/null 2>"$T/err"
        local rc=$?
        [ -s "$T/err" ] && cat "$T/err"
        return $rc
}
builds=("$B")
if [ -e "$BA/libnss_virtname.so.2" ] && [ -e "$asan_lib" ]; then builds+=("$BA")
else skip_part "no ASan build in $BA (or no libasan): make check builds it"; fi

expect_all() {   # WHAT EXPECTED-STATUS [RUNAS...]
        local what=$1 want=$2; shift 2
        for b in "${builds[@]}"; do
                resolve "$b" "$@"; local rc=$?
                [ "$rc" = "$want" ] || fail "$what ($b): getent exit $rc, want $want$( [ $rc = 124 ] && echo ' (hung)')"
        done
        pass "$what: exit $want"
}
restore() { rm -rf "$base" "$delta"; cp "$T/good.base" "$base"; cp "$T/good.delta" "$delta"; chmod 644 "$base" "$delta"; }
# noise SEED COUNT: COUNT pseudo-random bytes, the same for the same SEED on
# every machine (Park-Miller minimal standard generator, high byte of each
# step; no rand(), /dev/urandom or $RANDOM).  perl is Essential on Debian.
noise() {
        perl -e 'my ($x, $n) = @ARGV; $x = $x * 2654435761 % 2147483646 + 1; my $o = "";
                 for (1 .. $n) { $x = $x * 16807 % 2147483647; $o .= chr(($x >> 23) & 255) }
                 binmode STDOUT; print $o' "$1" "$2"
}
# poke FILE OFFSET HEX: overwrite bytes in place.
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

expect_all "good store" 0

# The base: truncated anywhere, random, a damaged meta page or trailer.
for cut in 0 1 100 4096 8192 $((size / 2)) $((size - 64)) $((size - 1)); do
        head -c "$cut" "$T/good.base" >"$base"
        expect_all "base truncated to $cut bytes" 2
done
restore
noise 1 "$size" >"$base"
expect_all "base: random bytes (seed 1)" 2
restore
{ head -c 8192 "$T/good.base"; noise 2 $((size - 8192)); } >"$base"
expect_all "base: good meta pages, random data pages (seed 2)" 2
restore
poke "$base" $((4096 + 40)) '\x00\x00\x10\x00'          # page size in meta page 1: 1 MiB
expect_all "base: page size of meta page 1 set to 1 MiB" 2
restore
poke "$base" 40 '\x00\x02\x00\x00'                       # page size in meta page 0: 512
expect_all "base: page size of meta page 0 set to 512" 2
restore
poke "$base" 136 '\xff\xff\xff\x00'                      # last page far past the end
expect_all "base: last page beyond the file" 2
restore
poke "$base" 16 '\xef\xbe\xad\xde'                       # LMDB magic
expect_all "base: meta magic" 2
restore
poke "$base" $((size / 2)) '\x5a'                        # one byte in the data
expect_all "base: one byte changed (checksum)" 2
restore
poke "$base" $((size - 64)) 'XNAMEBAS'                   # trailer magic
expect_all "base: trailer magic" 2
restore
poke "$base" $((size - 64 + 16)) '\x07'                  # generation in the trailer
expect_all "base: another generation than the delta names" 2
restore

# The delta: truncated, random, one byte, a record out of its bounds.
for cut in 0 1 63 64 $((dsize / 2)) $((dsize - 1)); do
        head -c "$cut" "$T/good.delta" >"$delta"
        expect_all "delta truncated to $cut bytes" 2
done
restore
noise 3 "$dsize" >"$delta"
expect_all "delta: random bytes (seed 3)" 2
restore
poke "$delta" $((dsize - 3)) '\x01'
expect_all "delta: one byte changed (checksum)" 2
restore
poke "$delta" 12 '\xff\xff\x00\x00'                      # record count
expect_all "delta: record count too large" 2
restore
poke "$delta" 16 '\x00\x00\x00\x00\x00\x00\x01\x00'      # base it names
expect_all "delta names a base that does not exist" 2
restore

# Wrong kinds of file.
rm -f "$delta"; mkdir "$delta"
expect_all "a directory instead of the delta" 2
rmdir "$delta"; mkfifo "$delta"
expect_all "a FIFO instead of the delta (must not block)" 2
rm -f "$delta"; ln -s "$T/good.delta" "$delta"
expect_all "a symbolic link instead of the delta" 2
rm -f "$delta"
expect_all "no snapshot" 2
restore
rm -f "$base"; mkfifo "$base"
expect_all "a FIFO instead of the base (must not block)" 2
restore

# Trust: like ssh with its configuration, a snapshot someone else could
# have written is refused, even by root.
if id nobody >/dev/null 2>&1; then
        chown nobody "$base"
        expect_all "base owned by an ordinary user" 2
        restore
        chown nobody "$delta"
        expect_all "delta owned by an ordinary user" 2
        restore
else
        skip_part "no user nobody: snapshots owned by another user not tried"
fi
chmod 666 "$delta"
expect_all "world-writable delta" 2
restore
chmod 664 "$base"
expect_all "group-writable base" 2
restore
chmod 777 "$S"
expect_all "world-writable store directory" 2
chmod 755 "$S"
expect_all "good store again" 0

# Unprivileged readers: the module and the store must be reachable without
# the checkout (which may be under /root, mode 0700).
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
        U=$(mktemp -d /tmp/vnc-badstore-user.XXXXXX)
        chmod 755 "$U"
        for b in "${builds[@]}"; do
                mkdir -p "$U/$(basename "$b")" && cp "$b/libnss_virtname.so.2" "$U/$(basename "$b")/"
        done
        cp -a "$S" "$U/store"
        as_user() {   # WHAT EXPECTED-STATUS
                for b in "${builds[@]}"; do
                        local pre=
                        [ "$b" = "$BA" ] && pre=$asan_lib
                        ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD=$pre VIRT_NAME_CACHE_DIR=$U/store \
                                LD_LIBRARY_PATH=$U/$(basename "$b") timeout 10 \
                                setpriv --reuid=nobody --regid=nogroup --clear-groups \
                                getent -s hosts:virtname ahosts web-vm >/dev/null 2>&1
                        local rc=$?
                        [ "$rc" = "$2" ] || { rm -rf "$U"; fail "$1 ($b): getent exit $rc, want $2"; }
                done
                pass "$1: exit $2"
        }
        as_user "an unprivileged reader of a good store" 0
        chmod 600 "$U/store/names.delta"
        as_user "an unreadable snapshot" 2
        chmod 644 "$U/store/names.delta"; chmod 700 "$U/store"
        as_user "an unreadable store directory" 2
        rm -rf "$U"
else
        skip_part "no user nobody or no setpriv: unprivileged cases not run"
fi

# A long-running reader whose base is rewritten in place (cp over it)
# between two lookups must notice (size, mtime) and reopen, not read the
# old mapping: it answers "not found" while the file is wrong and the
# right answer once it is right again.
step=$B/selftest/lookup-steps
[ -x "$step" ] || fail "$step not built"
coproc STEPS { VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$B "$step" virtname; }
# bash unsets STEPS_PID once it reaps the coprocess, which may be before
# the wait below (bash 5.2 on Debian 13 did): keep the PID.
steps_pid=$STEPS_PID
ask() { echo "$1" >&"${STEPS[1]}"; read -r -t 10 answer <&"${STEPS[0]}" || answer="(no answer)"; echo "$answer"; }
expect_eq "long-running reader: first lookup" "web-vm 198.18.0.10" "$(ask web-vm)"
head -c 8192 "$T/good.base" >"$base"
expect_eq "long-running reader: base truncated in place" "web-vm -" "$(ask web-vm)"
cat "$T/good.base" >"$base"
expect_eq "long-running reader: base rewritten in place, good again" "web-vm 198.18.0.10" "$(ask web-vm)"
echo quit >&"${STEPS[1]}"
wait "$steps_pid"; expect_eq "long-running reader exit status (no crash)" "0" "$?"
