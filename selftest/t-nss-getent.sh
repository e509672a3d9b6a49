#!/usr/bin/env bash
# t-nss-getent: the module through real glibc (getent -s hosts:virtname,
# nothing else answering): every getent form, both families, reverse
# lookups, the name rules, and the store directory from the environment.
. "$(dirname "$0")/lib.sh"
S=$T/store
make_store "$S"
g() { virtname_getent "$S" "$@"; }

expect_eq "ahosts domain name" "198.18.0.10 2001:db8:0:1::110" "$(addrs_of "$S" ahosts web-vm)"
expect_eq "ahostsv4" "198.18.0.10" "$(addrs_of "$S" ahostsv4 web-vm)"
expect_eq "ahostsv6" "2001:db8:0:1::110" "$(addrs_of "$S" ahostsv6 web-vm)"
expect_eq "hosts (IPv6 first, as glibc asks)" "2001:db8:0:1::110 web-vm" "$(g hosts web-vm | xargs)"
expect_eq "guest host name" "198.18.0.10 2001:db8:0:1::110" "$(addrs_of "$S" ahosts web)"
expect_eq "host name with the network's domain" "198.18.0.10 2001:db8:0:1::110" "$(addrs_of "$S" ahosts web.lab.test)"
expect_eq "domain name with the network's domain" "198.18.0.10" "$(addrs_of "$S" ahostsv4 WEB-VM.Lab.Test.)"
expect_eq "case and trailing dot" "198.18.0.14" "$(addrs_of "$S" ahosts lone.)"
expect_eq "two NICs on two networks" "198.18.0.11 198.19.0.21" "$(addrs_of "$S" ahosts db-vm)"
expect_eq "suffix only where the network has it" "" "$(addrs_of "$S" ahosts db2.lab.test)"
expect_eq "wrong suffix" "" "$(addrs_of "$S" ahosts web.other.test)"
# A guest sending another domain's name as its host name does not get it.
expect_eq "takeover refused (forward)" "198.18.0.10 2001:db8:0:1::110" "$(addrs_of "$S" ahosts web-vm)"
expect_eq "takeover refused (reverse)" "198.18.0.13 intruder.lab.test intruder" "$(g hosts 198.18.0.13 | xargs)"
expect_eq "expired lease" "" "$(addrs_of "$S" ahosts old)"
expect_eq "reverse IPv4" "198.18.0.10 web-vm.lab.test web-vm" "$(g hosts 198.18.0.10 | xargs)"
expect_eq "reverse IPv6" "2001:db8:0:1::110 web-vm.lab.test web-vm" "$(g hosts 2001:db8:0:1::110 | xargs)"
expect_eq "reverse without suffix" "198.19.0.21 db-vm" "$(g hosts 198.19.0.21 | xargs)"
g hosts 198.18.0.15 >/dev/null; expect_eq "reverse of an expired lease" "2" "$?"
g hosts nosuchguest >/dev/null; expect_eq "unknown name: getent exit 2" "2" "$?"
g ahosts nosuchguest >/dev/null; expect_eq "unknown name (ahosts)" "2" "$?"
g hosts 192.0.2.1 >/dev/null; expect_eq "unknown address" "2" "$?"
long=$(printf 'a%.0s' $(seq 300))
g hosts "$long" >/dev/null; expect_eq "over-long name" "2" "$?"

# The store directory comes from VIRT_NAME_CACHE_DIR; none there: not found.
virtname_getent "$T/elsewhere" hosts web-vm >/dev/null; expect_eq "missing store" "2" "$?"
mv "$S" "$T/moved"
expect_eq "VIRT_NAME_CACHE_DIR honoured" "198.18.0.10" "$(addrs_of "$T/moved" ahostsv4 web-vm)"

# Reserved names are checked at every answer: a guest name an
# administrator then puts in /etc/hosts stops resolving through virtname
# within a tick of the coarse clock, even in a process that has been
# resolving it (the module keeps /etc/hosts in memory until the file
# changes, and looks at it once a tick: the test waits 50 ms, past any
# kernel's tick).  /etc/hosts is replaced only inside a private mount
# namespace.
if unshare -m true 2>/dev/null; then
        S=$T/moved
        cp /etc/hosts "$T/hosts"
        out=$(unshare -m --propagation private bash -c '
                mount --bind "$1" /etc/hosts || exit 99
                coproc STEPS { VIRT_NAME_CACHE_DIR=$2 LD_LIBRARY_PATH=$3 "$3/selftest/lookup-steps" virtname; }
                ask() { echo "$1" >&"${STEPS[1]}"; read -r a <&"${STEPS[0]}"; echo "$a"; }
                ask web
                printf "192.0.2.200\tother  Web. # db-vm\n" >>"$1"
                sleep 0.05
                ask web
                ask web-vm
                ask db-vm
                echo quit >&"${STEPS[1]}"; wait
                ' _ "$T/hosts" "$S" "$B")
        expect_eq "a name added to /etc/hosts is no longer a guest's" \
                "web 198.18.0.10|web -|web-vm 198.18.0.10|db-vm 198.18.0.11 198.19.0.21" "$(tr '\n' '|' <<<"$out" | sed 's/|$//')"
else
        skip_part "no mount namespaces: the /etc/hosts case was not run"
fi
