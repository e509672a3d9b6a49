#!/usr/bin/env bash
# t-nss-badstore: a missing, truncated, random, wrong-type or unreadable
# snapshot gives "not found" (getent exit 2): never a crash, never a
# hang.  With the normal and the ASan/UBSan build of the module.
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
good=$T/good.mdb
cp "$S/names.mdb" "$good"
size=$(stat -c %s "$good")
chmod 755 "$T"

asan_lib=$(gcc -print-file-name=libasan.so 2>/dev/null || true)
# resolve BUILD [RUNAS]: getent's exit status for web-vm (124: hung).
resolve() {
        local b=$1 pre=
        shift
        [ "$b" = "$BA" ] || [ "$b" = "$T/unpriv/asan" ] && pre=$asan_lib
        ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD=$pre VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$b \
                timeout 10 "$@" getent -s hosts:virtname ahosts web-vm >/dev/null 2>"$T/err"
        local rc=$?
        [ -s "$T/err" ] && cat "$T/err"
        return $rc
}
builds=("$B")
if [ -e "$BA/libnss_virtname.so.2" ] && [ -e "$asan_lib" ]; then builds+=("$BA"); fi

expect_all() {   # WHAT EXPECTED-STATUS [RUNAS...]
        local what=$1 want=$2; shift 2
        for b in "${builds[@]}"; do
                resolve "$b" "$@"; local rc=$?
                [ "$rc" = "$want" ] || fail "$what ($b): getent exit $rc, want $want$( [ $rc = 124 ] && echo ' (hung)')"
        done
        pass "$what: exit $want"
}

expect_all "good store" 0
for cut in 0 1 100 4096 8192 $((size / 2)) $((size - 1)); do
        head -c "$cut" "$good" >"$S/names.mdb"
        expect_all "truncated to $cut bytes" 2
done
head -c 65536 /dev/urandom >"$S/names.mdb"
expect_all "random bytes" 2
# A valid header with random pages after it.
{ head -c 8192 "$good"; head -c $((size - 8192)) /dev/urandom; } >"$S/names.mdb"
expect_all "good meta pages, random data pages" 2
cp "$good" "$S/names.mdb"; printf '\xff\xff\xff\xff' | dd of="$S/names.mdb" bs=1 seek=16 conv=notrunc 2>/dev/null
expect_all "damaged meta page" 2
rm -f "$S/names.mdb"; mkdir "$S/names.mdb"
expect_all "a directory instead of the file" 2
rmdir "$S/names.mdb"; mkfifo "$S/names.mdb"
expect_all "a FIFO instead of the file (must not block)" 2
rm -f "$S/names.mdb"
expect_all "no snapshot" 2

cp "$good" "$S/names.mdb"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
        # The unprivileged reader gets copies of the module(s) and of the
        # store where it can read them: the checkout may be in root's home
        # (mode 0700).
        U=$T/unpriv ubuilds=()
        for b in "${builds[@]}"; do
                d=$U/normal
                [ "$b" = "$BA" ] && d=$U/asan
                mkdir -p "$d" && cp "$b/libnss_virtname.so.2" "$d/" || fail "cannot copy the module"
                ubuilds+=("$d")
        done
        builds=("${ubuilds[@]}")
        S=$U/store
        mkdir -p "$S" && cp "$good" "$S/names.mdb" && chmod -R a+rX "$U" || fail "cannot copy the store"
        as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        expect_all "an unprivileged reader of a good store" 0 "${as_nobody[@]}"
        chmod 000 "$S/names.mdb"
        expect_all "an unreadable snapshot" 2 "${as_nobody[@]}"
        chmod 644 "$S/names.mdb"; chmod 700 "$S"
        expect_all "an unreadable store directory" 2 "${as_nobody[@]}"
        chmod 755 "$S"
else
        echo "no user nobody or no setpriv: unprivileged cases not run"
fi
