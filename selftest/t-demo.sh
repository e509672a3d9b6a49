#!/usr/bin/env bash
# t-demo: what `make demo` prints is right (the README's first command):
# guests' host names from the sample lease files, a domain name without
# an address until its port's answer is recorded (store-prove standing
# in, said so), then the domain names.
. "$(dirname "$0")/lib.sh"
out=$(B=$B "$TOP/selftest/demo.sh" 2>&1) || fail "demo.sh failed: $out"
echo "$out"
after() {    # the output lines after the getent command $1
        awk -v cmd="\$ getent -s hosts:virtname $1" '$0 == cmd {on = 1; next} /^\$ |^==/ {on = 0} on && NF' <<<"$out"
}
# A domain name needs its port's answer, which lease files do not carry;
# the demo says so, then runs store-prove in its place (and says that).
expect_eq "domain name from lease files alone" "(not found: getent exit status 2)" "$(after "hosts web-vm")"
grep -q "^    evidence: a DHCP claim" <<<"$out" || fail "demo: the lease of web-vm not shown as a DHCP claim"
grep -q "store-prove stands in for the" <<<"$out" || fail "demo: does not say what store-prove stands in for"
grep -q "^[0-9]* domains running, [0-9]* ports answered" <<<"$out" || fail "demo: store-prove did not run"
expect_eq "guest host name from the lease" "198.18.0.10 2001:db8:0:1::110" \
        "$(after "ahosts web" | awk '{print $1}' | sort -u | xargs)"
expect_eq "domain name, both families" "198.18.0.10 2001:db8:0:1::110" \
        "$(after "ahosts web-vm" | awk '{print $1}' | sort -u | xargs)"
expect_eq "mixed case with suffix" "198.18.0.11     DB-primary.lab.test" "$(after "hosts DB-primary.lab.test")"
expect_eq "two networks" "198.18.0.12 198.19.0.20" "$(after "ahostsv4 builder" | awk '{print $1}' | sort -u | xargs)"
expect_eq "reverse" "198.18.0.11     db-vm.lab.test db-vm" "$(after "hosts 198.18.0.11")"
expect_eq "takeover refused" "198.18.0.10" "$(after "ahostsv4 web-vm" | awk '{print $1}' | sort -u | xargs)"
expect_eq "expired" "(not found: getent exit status 2)" "$(after "hosts oldguest")"
ls -d /tmp/virt-name-cache-demo.* 2>/dev/null && fail "demo left its store behind"
pass "demo output"
