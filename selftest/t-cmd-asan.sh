#!/usr/bin/env bash
# t-cmd-asan: t-cmd again, with the command built with AddressSanitizer
# and UBSan (any report aborts the command, so the checks fail).
. "$(dirname "$0")/lib.sh"
[ -x "$BA/virt-name-cache" ] || skip "no ASan build in $BA (make SAN=1 B=build-asan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
VNC=$BA/virt-name-cache exec bash "$(dirname "$0")/t-cmd.sh"
