#!/usr/bin/env bash
# t-watch-asan: t-watch again with the watcher, the hooks and port-probe
# built with ASan/UBSan (a report aborts the program, so the checks fail).
. "$(dirname "$0")/lib.sh"
[ -x "$BA/hooks/watch" ] || skip "no ASan build in $BA (make SAN=1 B=build-asan)"
export ASAN_OPTIONS=detect_leaks=1:exitcode=99
HB=$BA exec bash "$(dirname "$0")/t-watch.sh"
