#!/usr/bin/env bash
# t-nss-elf: the module is safe to load into any process: it needs only
# libc and liblmdb (XXH3 is compiled in), exports only the six
# _nss_virtname_* entry points, starts no threads, registers nothing at
# exit, and opens every file with O_CLOEXEC.
. "$(dirname "$0")/lib.sh"
M=$B/libnss_virtname.so.2
command -v readelf >/dev/null || skip "readelf (binutils) not installed"
expect_eq "soname" "libnss_virtname.so.2" \
        "$(readelf -d "$M" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
expect_eq "NEEDED" "liblmdb.so.0 libc.so.6" \
        "$(readelf -d "$M" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -r | xargs)"
exports=$(readelf --dyn-syms -W "$M" | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $4 != "SECTION" {print $8}' |
          sed 's/@.*//' | sort | xargs)
expect_eq "exports" "_nss_virtname_gethostbyaddr2_r _nss_virtname_gethostbyaddr_r _nss_virtname_gethostbyname2_r _nss_virtname_gethostbyname3_r _nss_virtname_gethostbyname4_r _nss_virtname_gethostbyname_r" "$exports"
imports=$(readelf --dyn-syms -W "$M" | awk '$7 == "UND" {print $8}' | sed 's/@.*//')
for bad in pthread_create atexit __cxa_atexit on_exit signal sigaction; do
        grep -qx "$bad" <<<"$imports" && fail "the module imports $bad"
done
pass "no threads, no exit handlers, no signal handlers"

command -v strace >/dev/null || skip "strace not installed"
S=$T/store
make_store "$S"
VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$B strace -f -e trace=openat,open -o "$T/trace" \
        getent -s hosts:virtname ahosts web-vm >/dev/null || fail "lookup under strace"
grep -q "names.delta" "$T/trace" || fail "strace saw no open of the snapshot delta"
grep -Eq 'names\.[0-9a-f]{16}\.mdb' "$T/trace" || fail "strace saw no open of the snapshot base"
grep 'names\.' "$T/trace"
# Our own opens (the store) must be close-on-exec.  LMDB 0.9.24's
# mdb_env_open opens the base without O_CLOEXEC and has no way to ask for
# it, so the module sets FD_CLOEXEC right after (once per base, not per
# change: a new delta is read through our own O_CLOEXEC descriptor);
# nss-buffers checks that no descriptor is left without it (t-nss-buffers).
# Any other open of ours must carry O_CLOEXEC.
opens=$(grep -E 'open(at)?\(' "$T/trace" | grep "$S" | grep -v ENOENT | grep -v O_CLOEXEC |
        grep -Ev 'names\.[0-9a-f]{16}\.mdb", O_RDONLY\)' || true)
[ -z "$opens" ] || fail "opened without O_CLOEXEC: $opens"
pass "the store is opened close-on-exec (the base: FD_CLOEXEC set right after LMDB's open)"
