#!/usr/bin/env bash
# t-nss-buffers: getaddrinfo, gethostbyname2_r, gethostbyname_r,
# gethostbyaddr_r and the module's gethostbyname4_r with buffers from one
# byte up: ERANGE/TRYAGAIN until the answer fits, then the right answer.
# Runs with the normal build, the ASan/UBSan build, and under valgrind.
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
run() {   # BUILD-DIR [WRAPPER...]
        local b=$1; shift
        for args in "web-vm 198.18.0.10" "web-vm 2001:db8:0:1::110" "db-vm 198.19.0.21" "--unknown nosuch"; do
                VIRT_NAME_CACHE_DIR=$S LD_LIBRARY_PATH=$b "$@" "$b/selftest/nss-buffers" \
                        "$b/libnss_virtname.so.2" $args || fail "nss-buffers $args ($b $*)"
        done
}
run "$B"
pass "normal build"
if [ -x "$BA/selftest/nss-buffers" ]; then
        ASAN_OPTIONS=detect_leaks=1 run "$BA"
        pass "ASan/UBSan build"
else
        skip_part "no ASan build in $BA: make check builds it"
fi
command -v valgrind >/dev/null || skip "valgrind not installed"
valgrind --version
# The module keeps the current snapshot open between lookups (one per
# process, on purpose); glibc's exit-time freeres unloads NSS modules,
# which would make that cache look lost, so valgrind runs without it.
run "$B" valgrind -q --run-libc-freeres=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
pass "valgrind: no errors, no definite leaks"
