#!/usr/bin/env bash
# t-proxy-asan: t-proxy again with the proxy built with ASan/UBSan.
. "$(dirname "$0")/lib.sh"
[ -x "$BA/proxy/ssh-proxy" ] || skip "no ASan build in $BA (make SAN=1 B=build-asan)"
export ASAN_OPTIONS=detect_leaks=1:exitcode=99
PROXY=$BA/proxy/ssh-proxy exec bash "$(dirname "$0")/t-proxy.sh"
