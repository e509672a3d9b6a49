#!/usr/bin/env bash
# t-cmd: the virt-name-cache command - rebuild from lease files, list,
# query, doctor, --help, exit codes - and bad input: malformed,
# truncated or mistyped JSON, invalid MACs, addresses and host names,
# a missing or damaged store.  A bad lease file never changes the store.
. "$(dirname "$0")/lib.sh"
VNC=${VNC:-$B/virt-name-cache}
now=$(date +%s) soon=$(( $(date +%s) + 3600 ))
S=$T/store L=$T/leases
mkdir -p "$L"

vnc() { "$VNC" --db-dir "$S" "$@"; }
# rc_of CMD...: the exit status, output discarded.
rc_of() { "$@" >/dev/null 2>&1; echo $?; }

cat >"$L/net1.conf" <<CONF
interface=vbr1
domain=Lab.Test
CONF
cat >"$L/vbr1.status" <<JSON
[ { "ip-address": "198.18.1.10", "mac-address": "52:54:00:00:01:01", "hostname": "alpha", "expiry-time": $soon },
  { "ip-address": "198.18.1.11", "mac-address": "52:54:00:00:01:02", "hostname": "bad_host!", "expiry-time": $soon },
  { "ip-address": "198.18.1.300", "mac-address": "52:54:00:00:01:03", "expiry-time": $soon },
  { "ip-address": "198.18.1.12", "mac-address": "52:54:00:00:01:zz", "expiry-time": $soon },
  { "ip-address": "198.18.1.13", "mac-address": "52:54:00:00:01:04", "hostname": "$(printf 'a%.0s' $(seq 300))", "expiry-time": $soon },
  { "ip-address": 42, "expiry-time": $soon },
  { "ip-address": "198.18.1.14", "expiry-time": "soon" },
  { "ip-address": "198.18.1.15", "mac-address": "52:54:00:00:01:05", "hostname": "gone", "expiry-time": $((now - 5)) },
  "not an object" ]
JSON
cat >"$L/vbr1.macs" <<JSON
[ { "domain": "Alpha-VM", "macs": [ "52:54:00:00:01:01", "nonsense", 7 ] },
  { "domain": "beta", "macs": "52:54:00:00:01:02" } ]
JSON

# rebuild: good entries in, bad ones reported one line each and skipped.
out=$(vnc rebuild --leases-dir "$L" 2>"$T/err") || fail "rebuild failed: $(cat "$T/err")"
echo "$out"; cat "$T/err"
expect_eq "rebuild summary" "rebuilt $S from $L: 1 network, 1 domain, 3 leases (8 entries skipped)" "$out"
for w in "entry 1 (198.18.1.11): ignoring invalid host name" "entry 2: invalid address '198.18.1.300'" \
         "entry 3: invalid MAC '52:54:00:00:01:zz'" "entry 4 (198.18.1.13): ignoring invalid host name" \
         "entry 5: not a lease" "entry 6: not a lease" "entry 8: not a lease" \
         "vbr1.macs: entry 0 (Alpha-VM): ignoring invalid MAC" "vbr1.macs: entry 1: needs a string 'domain'"; do
        grep -qF -- "$w" "$T/err" || fail "no warning '$w'"
done
pass "each bad entry named in a warning"
expect_eq "snapshot mode" "644 644" "$(stat -c %a "$S/names.delta" "$(base_of "$S")" | xargs)"
expect_eq "private dir mode" "700" "$(stat -c %a "$S/private")"

# Lease files know no ports (issue 17): the domain's name follows its
# lease only once the domain's own port answered for the address.  Until
# then the domain has no address, the address answers with the guest's
# own name, and query, list and list --json say it is a DHCP claim.
out=$(vnc query Alpha-VM)
grep -q "^addresses: none current (a domain's name follows only addresses its own ports answered for" <<<"$out" ||
        fail "domain from lease files alone: $out"
grep -q "^    evidence: a DHCP claim: domain Alpha-VM is not known to run (its port is not known)" <<<"$out" || fail "query: claim: $out"
expect_eq "lease files alone: the address answers with the guest's name" "name:      alpha (host name a guest sent)" \
        "$(vnc query 198.18.1.10 | grep "^name")"
expect_eq "list: EVIDENCE claim" "198.18.1.10 claim" "$(vnc list | awk '$1 == "198.18.1.10" {print $1, $6}')"
grep -q '"evidence": "claim"' <<<"$(vnc list --json)" || fail "list --json: no claim evidence"
pass "a domain's name needs its port's answer; lease files carry none"
# What port-probe records when the running domain's port answers
# (store-prove stands in for it): from here on the name rules as before.
"$B/selftest/store-prove" "$S" >/dev/null || fail "store-prove"
grep -q "^    evidence: its domain's port vp0i0 answered for it" <<<"$(vnc query Alpha-VM)" ||
        fail "query: port evidence: $(vnc query Alpha-VM)"
expect_eq "list: EVIDENCE port" "198.18.1.10 port" "$(vnc list | awk '$1 == "198.18.1.10" {print $1, $6}')"
grep -q '"evidence": "port"' <<<"$(vnc list --json)" || fail "list --json: no port evidence"

# query: names (any case, trailing dot, suffix), addresses, exit codes.
expect_eq "query hostname" "198.18.1.10" "$(vnc query ALPHA.lab.test. | awk '/^address/ {print $2}')"
expect_eq "query domain" "domain:    Alpha-VM" "$(vnc query alpha-vm | grep '^domain')"
expect_eq "query address" "name:      Alpha-VM (libvirt domain name)" "$(vnc query 198.18.1.10 | grep "^name")"
expect_eq "query fqdn" "fqdn:      Alpha-VM.lab.test" "$(vnc query 198.18.1.10 | grep '^fqdn')"
expect_eq "expired lease not returned" "1" "$(rc_of vnc query gone)"
expect_eq "invalid host name: lease kept without the name" "198.18.1.11 - -" \
        "$(vnc list | awk '$1 == "198.18.1.11" {print $1, $2, $3}')"
expect_eq "unknown name exit" "1" "$(rc_of vnc query nosuch)"
expect_eq "unknown address exit" "1" "$(rc_of vnc query 192.0.2.99)"
expect_eq "query without argument" "2" "$(rc_of vnc query)"
expect_eq "query over-long name" "2" "$(rc_of vnc query "$(printf 'x%.0s' $(seq 300))")"
json=$(vnc query --json alpha)
grep -q '"address": "198.18.1.10"' <<<"$json" || fail "query --json: $json"
pass "query --json"

# list: text and JSON, --all shows the expired lease only when asked.
vnc list | grep -q '^198.18.1.10 .* alpha .* Alpha-VM ' || fail "list: $(vnc list)"
vnc list | grep -q 198.18.1.15 && fail "list shows an expired lease"
vnc list --all | grep -q '198.18.1.15' && fail "rebuild imported an expired lease"
expect_eq "list --json leases" "3" "$(vnc list --json | grep -c '"address"')"
pass "list"

# Bad files: the rebuild changes nothing, names the file and exits 4.
gen=$(vnc list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
cp -r "$L" "$T/bad"
check_bad_file() {   # WHAT CONTENT MESSAGE
        printf '%s' "$2" >"$T/bad/vbr1.status"
        "$VNC" --db-dir "$S" rebuild --leases-dir "$T/bad" >"$T/out" 2>"$T/err"
        expect_eq "$1: exit status" "4" "$?"
        grep -qF "$3" "$T/err" || fail "$1: no '$3' in: $(cat "$T/err")"
        grep -qF "the store is unchanged" "$T/err" || fail "$1: not said unchanged"
        expect_eq "$1: store untouched" "$gen" "$(vnc list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')"
        vnc query alpha >/dev/null || fail "$1: alpha lost"
}
check_bad_file "truncated JSON" '[ { "ip-address": "198.18.1.10", "expi' "vbr1.status: not valid JSON: truncated"
check_bad_file "a bare bracket" '[' "vbr1.status: not valid JSON: truncated"
check_bad_file "not an array" '{ "ip-address": "198.18.1.10" }' "vbr1.status: expected a JSON array"
check_bad_file "trailing garbage" '[] ]' "vbr1.status: not valid JSON: trailing data"
check_bad_file "binary junk" "$(head -c 4096 /dev/urandom | tr -d '\0')" "vbr1.status: not valid JSON"
truncate -s 300M "$T/bad/vbr1.status"
"$VNC" --db-dir "$S" rebuild --leases-dir "$T/bad" 2>"$T/err" >/dev/null
grep -qF "vbr1.status: file too large" "$T/err" || fail "huge file: $(cat "$T/err")"
pass "huge file refused"
# Not a regular file, or a link, where a lease file or a network's
# configuration belongs: refused at once (a FIFO used to block the
# rebuild forever, holding the writer lock), and the store unchanged.
for f in vbr1.status vbr1.macs net1.conf; do
        rm -rf "$T/odd" && cp -r "$L" "$T/odd" && rm -f "$T/odd/$f"
        mkfifo "$T/odd/$f"
        timeout 20 "$VNC" --db-dir "$S" rebuild --leases-dir "$T/odd" >/dev/null 2>"$T/err"
        expect_eq "$f as a FIFO: exit" "4" "$?"
        grep -qF "odd/$f: not a regular file" "$T/err" || fail "$f as a FIFO: $(cat "$T/err")"
        rm -f "$T/odd/$f" && ln -s "$L/$f" "$T/odd/$f"
        timeout 20 "$VNC" --db-dir "$S" rebuild --leases-dir "$T/odd" >/dev/null 2>"$T/err"
        expect_eq "$f as a symbolic link: exit" "4" "$?"
        grep -qF "odd/$f: a symbolic link" "$T/err" || fail "$f as a link: $(cat "$T/err")"
done
expect_eq "store untouched by refused files" "$gen" "$(vnc list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')"
# doctor reads libvirt's dnsmasq configurations and dns.conf the same way.
mkdir -p "$T/oddconf" && mkfifo "$T/oddconf/net9.conf" "$T/oddconf/dns.conf"
out=$(VIRT_NAME_CACHE_CONF=$T/oddconf timeout 20 "$VNC" --db-dir "$S" doctor --leases-dir "$T/oddconf" 2>&1)
expect_eq "doctor with FIFOs: finished" "1" "$?"
grep -q "^warning .*oddconf/net9.conf: not a regular file" <<<"$out" || fail "doctor, a FIFO .conf: $out"
grep -q "^problem .*fleet DNS: .*oddconf/dns.conf: not a regular file" <<<"$out" || fail "doctor, a FIFO dns.conf: $out"
pass "FIFOs and links as lease files, configurations and dns.conf: refused at once, nothing changed"

# The directories a writer creates get their modes whatever the umask:
# the snapshot's readable by everyone (dnsmasq, unprivileged lookups),
# the private store root's alone.
( umask 077 && "$VNC" --db-dir "$T/umask/store" rebuild --leases-dir "$L" >/dev/null 2>&1 ) ||
        fail "rebuild under umask 077"
expect_eq "modes under umask 077" "755 755 700 644" \
        "$(stat -c %a "$T/umask" "$T/umask/store" "$T/umask/store/private" "$T/umask/store/names.delta" | xargs)"
printf '[' >"$T/bad/vbr1.status"
out=$(vnc rebuild --leases-dir "$T/bad" --partial 2>/dev/null); rc=$?
expect_eq "--partial exit" "4" "$rc"
expect_eq "--partial commits what it could read" "1" "$(rc_of vnc query alpha)"
vnc rebuild --leases-dir "$L" >/dev/null 2>&1
expect_eq "missing leases dir" "4" "$(rc_of vnc rebuild --leases-dir "$T/nonexistent")"
expect_eq "unknown option" "2" "$(rc_of vnc rebuild --bogus)"
expect_eq "--connect with --leases-dir" "2" "$(rc_of vnc rebuild --connect test:///default --leases-dir "$L")"
# Without a source named, an unreachable libvirt falls back to its lease
# files (the package's first rebuild); a --connect that fails changes
# nothing.  A private /run hides any libvirtd; libvirt's lease files are
# the fixture's.
if unshare -m true 2>/dev/null; then
        gen=$(vnc list --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
        out=$(unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /run && mkdir -p /var/lib/libvirt &&
                mount -t tmpfs tmpfs /var/lib/libvirt && cp -r "$1" /var/lib/libvirt/dnsmasq &&
                "$2" --db-dir "$3" rebuild --connect qemu:///system; echo "rc=$?"
                "$2" --db-dir "$3" list --json | sed -n "s/.*\"generation\": \([0-9]*\).*/gen=\1/p"
                "$2" --db-dir "$3" rebuild; echo "rc=$?"' _ "$L" "$VNC" "$S" 2>&1)
        echo "$out"
        grep -q "^virt-name-cache: libvirt at qemu:///system is not reachable: .*; the store is unchanged" <<<"$out" &&
                grep -q "^rc=5$" <<<"$out" && grep -q "^gen=$gen$" <<<"$out" || fail "a --connect that fails: $out"
        grep -q "warning: libvirt at qemu:///system is not reachable: .*rebuilding from the lease files in /var/lib/libvirt/dnsmasq instead" \
                <<<"$out" && grep -q "^rebuilt $S from /var/lib/libvirt/dnsmasq: 1 network, 1 domain, 3 leases" <<<"$out" &&
                grep -c "^rc=0$" <<<"$out" | grep -q 1 || fail "the fallback without --connect: $out"
        pass "--connect that fails: exit 5, store unchanged; without it, the lease files"
fi

# A rebuild replaces everything: a lease that vanished from the files is
# gone.  (An empty file is what libvirt's helper leaves for no leases.)
: >"$T/bad/vbr1.status"
vnc rebuild --leases-dir "$T/bad" >/dev/null 2>&1 || fail "rebuild of empty status"
expect_eq "rebuild replaces the store" "1" "$(rc_of vnc query alpha)"
vnc rebuild --leases-dir "$L" >/dev/null 2>&1

# Damaged or missing snapshot: clear error, exit 3.
base=$(base_of "$S")
cp "$base" "$T/good.mdb"
head -c 100 "$T/good.mdb" >"$base"
vnc list >/dev/null 2>"$T/err"; expect_eq "truncated snapshot exit" "3" "$?"
grep -q "not a valid snapshot" "$T/err" || fail "truncated snapshot message: $(cat "$T/err")"
head -c 65536 /dev/urandom >"$base"
expect_eq "random snapshot exit" "3" "$(rc_of vnc query alpha)"
cp "$T/good.mdb" "$base"
cp "$S/names.delta" "$T/good.delta"
printf 'x' | dd of="$S/names.delta" bs=1 seek=70 conv=notrunc 2>/dev/null
vnc query alpha 2>"$T/err"; expect_eq "damaged delta exit" "3" "$?"
grep -q "not a valid snapshot" "$T/err" || fail "damaged delta message: $(cat "$T/err")"
rm "$S/names.delta"
vnc query alpha 2>"$T/err"; expect_eq "missing snapshot exit" "3" "$?"
grep -q "no snapshot in $S" "$T/err" || fail "missing snapshot message: $(cat "$T/err")"
cp "$T/good.delta" "$S/names.delta"
# A damaged private store: rebuild moves it aside and starts again.
head -c 8192 /dev/urandom >"$S/private/store.mdb"
vnc rebuild --leases-dir "$L" >/dev/null 2>"$T/err" || fail "rebuild over a damaged store: $(cat "$T/err")"
expect_eq "rebuild after damage" "0" "$(rc_of vnc query alpha)"

# An unprivileged user reads the snapshot (no write access anywhere).
# The command is copied where that user can run it: the checkout may be
# in root's home (mode 0700).
chmod 755 "$T"
mkdir -m 755 "$T/bin" && cp "$VNC" "$T/bin/virt-name-cache" && chmod 755 "$T/bin/virt-name-cache"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/bin/virt-name-cache" "$@"; }
if id nobody >/dev/null 2>&1; then
        out=$(as_nobody --db-dir "$S" query alpha 2>&1) || fail "nobody cannot query: $out"
        pass "unprivileged query"
        out=$(as_nobody --db-dir "$T/umask/store" query alpha 2>&1) || fail "nobody cannot read a store made under umask 077: $out"
        pass "unprivileged query of a store made under umask 077"
        as_nobody --db-dir "$S" rebuild --leases-dir "$L" >/dev/null 2>"$T/err"
        expect_eq "unprivileged rebuild exit" "3" "$?"
        grep -q "^virt-name-cache: rebuild needs root (or write access to $S/private): " "$T/err" ||
                fail "unprivileged rebuild: $(cat "$T/err")"
        chmod 600 "$S/names.delta"
        as_nobody --db-dir "$S" list >/dev/null 2>"$T/err"
        expect_eq "unreadable snapshot exit" "3" "$?"
        grep -q "Permission denied" "$T/err" || fail "unreadable: $(cat "$T/err")"
        chmod 644 "$S/names.delta"
else
        skip_part "no user nobody: unprivileged query and doctor not run"
fi

# doctor: reports the store, missed events, hooks; exit 1 on problems.
printf 'passwd: files\nhosts:\tfiles virtname dns # comment\n' >"$T/nss-ok"
printf 'hosts: files dns\n' >"$T/nss-no"
mkdir -p "$T/hooks/network.d" "$T/hooks/qemu.d" "$T/hooks/daemon.d"
for f in network.d/virt-name-cache qemu.d/virt-name-cache daemon.d/virt-name-cache; do printf '#!/bin/sh\n' >"$T/hooks/$f"; chmod +x "$T/hooks/$f"; done
cp "$T/hooks/qemu.d/virt-name-cache" "$T/helper"
mkdir -p "$T/dnsmasq"
printf 'interface=vbr1\ndhcp-script=/usr/lib/libvirt/libvirt_leaseshelper\ndhcp-script=%s\n' "$T/helper" >"$T/dnsmasq/net1.conf"
printf 'interface=vbr2\ndhcp-script=/usr/lib/libvirt/libvirt_leaseshelper\n' >"$T/dnsmasq/net2.conf"
doctor() { LD_LIBRARY_PATH=$B "$VNC" --db-dir "$S" doctor --hooks-dir "$T/hooks" --helper "$T/helper" --leases-dir "$T/dnsmasq" "$@"; }
out=$(doctor --nsswitch "$T/nss-ok"); rc=$?
echo "$out"
expect_eq "doctor healthy exit" "0" "$rc"
grep -q "^ok .*generation .* 1 networks, 1 domains, 3 leases" <<<"$out" || fail "doctor: snapshot line"
grep -q "^ok .*network net1 reports its leases" <<<"$out" || fail "doctor: net1"
grep -q "^warning .*network net2 does not report leases" <<<"$out" || fail "doctor: net2"
out=$(doctor --nsswitch "$T/nss-no"); expect_eq "doctor without virtname" "1" "$?"
grep -q "does not name virtname" <<<"$out" || fail "doctor: nsswitch problem not named"
# A missed event (what a hook writes when it cannot record) shows as missed...
printf '%s lease-helper: add 198.18.1.99: malformed\n' "$now" >"$S/private/missed.log"
out=$(doctor --nsswitch "$T/nss-ok"); expect_eq "doctor with a missed event" "1" "$?"
grep -q "1 libvirt or DHCP event could not be recorded" <<<"$out" || fail "doctor: missed event not shown: $out"
# (and the end-to-end tests' check of "nothing missed" sees it)
bash -c '. "$1/selftest/lib.sh" && expect_nothing_missed "$2"' _ "$TOP" "$S" >/dev/null 2>&1 &&
        fail "expect_nothing_missed (lib.sh) passes with a missed event"
# (and fail ends a test also from inside "$(...)")
bash -c '. "$1/selftest/lib.sh"; x=$(fail "inside"); echo "went on"' _ "$TOP" 2>/dev/null | grep -q "went on" &&
        fail "fail (lib.sh) inside \$(...) does not end the test"
# ... until a rebuild, which recreates everything, clears it.
vnc rebuild --leases-dir "$L" >/dev/null 2>&1
[ -e "$S/private/missed.log" ] && fail "rebuild kept the missed-events log"
doctor --nsswitch "$T/nss-ok" >/dev/null || fail "doctor after rebuild"
pass "missed event shown by doctor, cleared by rebuild"
# The lease helper without its store part (lease-record.so beside it).
mkdir -p "$T/lone"
cp "$B/hooks/lease-helper" "$T/lone/"
out=$(LD_LIBRARY_PATH=$B "$VNC" --db-dir "$S" doctor --hooks-dir "$T/hooks" --helper "$T/lone/lease-helper" \
        --leases-dir "$T/dnsmasq" --nsswitch "$T/nss-ok"); expect_eq "doctor, helper without lease-record.so" "1" "$?"
grep -q "^problem .*lease helper's store part: $T/lone/lease-record.so: .*No such file" <<<"$out" ||
        fail "doctor, helper without lease-record.so: $out"
out=$(LD_LIBRARY_PATH=$B "$VNC" --db-dir "$S" doctor --hooks-dir "$T/hooks" --helper "$B/hooks/lease-helper" \
        --leases-dir "$T/dnsmasq" --nsswitch "$T/nss-ok")
grep -q "^ok .*lease helper's store part: $B/hooks/lease-record.so" <<<"$out" || fail "doctor, the built helper: $out"
pass "doctor: the lease helper's store part"
# What libvirt no longer defines: libvirt's test driver (a domain "test"
# and a network "default") stands for libvirtd.
out=$(doctor --nsswitch "$T/nss-ok" --connect test:///default)
grep -q "^warning  domain Alpha-VM is in the store but libvirt at test:///default does not define it" <<<"$out" ||
        fail "doctor: stale domain not flagged: $out"
grep -q "^warning  network net1 is in the store but libvirt" <<<"$out" || fail "doctor: stale network not flagged"
grep -q "^warning  $T/dnsmasq/net2.conf: a dnsmasq configuration (and lease files) of network net2" <<<"$out" ||
        fail "doctor: lease files of an undefined network not flagged: $out"
out=$(doctor --nsswitch "$T/nss-ok" --connect 'test+unix:///nonexistent')
grep -q "^info .*not reached" <<<"$out" || fail "doctor: unreachable libvirt not said: $out"
pass "doctor: store entries and lease files libvirt does not define"

# doctor reads the hosts line with enable-nss's parser (the last hosts
# line, as glibc does; any spacing) and flags a virtname that glibc never
# asks because a source before it ends the lookup.
check_doctor() {   # WHAT NSSWITCH-TEXT LEVEL PATTERN
        printf '%s\n' "$2" >"$T/nss-x"
        local out rc
        out=$(doctor --nsswitch "$T/nss-x"); rc=$?
        out=$(grep -F "$T/nss-x" <<<"$out")
        grep -q "^$3 .*$4" <<<"$out" || fail "doctor, $1: $out"
        [ "$3" = problem ] && [ $rc != 1 ] && fail "doctor, $1: exit $rc, want 1"
        [ "$3" != problem ] && [ $rc != 0 ] && fail "doctor, $1: exit $rc, want 0"
        pass "doctor: $1"
}
check_doctor "systemd's layout, virtname after resolve" \
        "hosts: mymachines resolve [!UNAVAIL=return] files virtname myhostname dns" \
        problem "after 'resolve \[!UNAVAIL=return\]', which ends the lookup when it finds nothing, so virtname is never asked"
check_doctor "systemd's layout, virtname before resolve" \
        "hosts: mymachines virtname resolve [!UNAVAIL=return] files myhostname dns" ok "hosts line names virtname"
check_doctor "after [NOTFOUND=return]" "hosts: files mdns4_minimal [NOTFOUND=return] virtname dns" problem "never asked"
check_doctor "after [notfound=Return]" "hosts: files mdns4_minimal [notfound=Return] virtname" problem "never asked"
check_doctor "after a source returning when unavailable" "hosts: files myhostname [UNAVAIL=return] virtname" \
        warning "when it is unavailable"
check_doctor "after dns" "hosts: files dns virtname" warning "comes after dns"
check_doctor "spaces around the colon" "  hosts : files virtname dns" ok "hosts line names virtname"
check_doctor "no colon" "hosts files virtname dns" ok "hosts line names virtname"
check_doctor "glibc uses the last hosts line" $'hosts: files virtname dns\nhosts: files dns' problem "does not name virtname"
check_doctor "a commented-out line is not the hosts line" $'hosts: files virtname dns\n#hosts: files dns' ok "names virtname"
check_doctor "a malformed action" "hosts: files [NOTFOUND=bogus] virtname" problem "malformed (unknown action 'bogus'"
printf 'hosts: files virtname dns' >"$T/nss-x"
doctor --nsswitch "$T/nss-x" | grep -q "^problem .*has no newline: glibc 2.33 and later ignore it" ||
        fail "doctor: unterminated last line"
doctor --nsswitch "$T" | grep -q "^problem .*$T: not a regular file" || fail "doctor: a directory as nsswitch.conf"
pass "doctor: a hosts line glibc ignores, a directory"

# Run by an ordinary user, doctor cannot read libvirt's root-only dnsmasq
# configurations: it says so, and not that no network runs.
if id nobody >/dev/null 2>&1; then
        chmod 600 "$T/dnsmasq/"*.conf
        out=$(as_nobody --db-dir "$S" doctor --nsswitch "$T/nss-ok" --hooks-dir "$T/hooks" --helper "$T/helper" \
                --leases-dir "$T/dnsmasq" 2>&1)
        echo "$out"
        grep -q "^info .*network net1: cannot read $T/dnsmasq/net1.conf (Permission denied): not checked (run doctor as root)" \
                <<<"$out" || fail "unprivileged doctor does not say what it could not read"
        grep -q "no running libvirt networks" <<<"$out" && fail "unprivileged doctor claims no network runs"
        chmod 644 "$T/dnsmasq/"*.conf
        pass "unprivileged doctor names the network configurations it could not read"
fi

rm -rf "$T/hooks/qemu.d"
out=$(doctor --nsswitch "$T/nss-ok"); expect_eq "doctor without qemu hook" "1" "$?"
grep -q "^problem .*qemu hook" <<<"$out" || fail "doctor: qemu hook"

# disable --all (the package's removal) with libvirt unreachable: fine
# when no saved network definition names the lease helper, refused (exit
# 5, saying which and what to do) when one does.  A private /run hides
# any libvirtd; a private libvirt networks directory holds the saved
# definitions.
expect_eq "enable --all" "2" "$(rc_of vnc enable --all)"
expect_eq "disable --no-dns" "2" "$(rc_of vnc disable n1 --no-dns)"
if unshare -m true 2>/dev/null && [ -d /etc/libvirt/qemu/networks ]; then
        out=$(unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /run &&
                mount -t tmpfs tmpfs /etc/libvirt/qemu/networks || exit 9
                "$1" --db-dir "$2" disable --all; echo "rc=$?"
                printf "%s\n" "<network><name>n9</name><dnsmasq:options xmlns:dnsmasq=\"http://libvirt.org/schemas/network/dnsmasq/1.0\"><dnsmasq:option value=\"dhcp-script=/usr/libexec/virt-name-cache/lease-helper\"/></dnsmasq:options></network>" \
                        >/etc/libvirt/qemu/networks/n9.xml
                "$1" --db-dir "$2" disable --all; echo "rc=$?"' _ "$VNC" "$S" 2>&1)
        echo "$out"
        grep -q "^libvirt at qemu:///system is not reachable, and no saved network definition names the lease helper$" <<<"$out" &&
                grep -q "^rc=0$" <<<"$out" || fail "disable --all, nothing saved names us: $out"
        grep -q "^virt-name-cache: network n9 still names the lease helper or its hosts directory$" <<<"$out" &&
                grep -q "^virt-name-cache: libvirt at qemu:///system is not reachable (.*): start libvirtd (.*), then run this again" <<<"$out" &&
                grep -q "^rc=5$" <<<"$out" || fail "disable --all, a saved definition names us: $out"
        pass "disable --all without libvirt: nothing to do, or refused naming the network"
fi

# A rebuild never takes a name dnsmasq got from us for the guest's own.
# On a network with a hosts directory (enable), dnsmasq names a lease
# after our file's first name (here the domain's, Alpha-VM) and libvirt's
# lease list records that; the lease helper recorded what the guest sent.
P=$T/prior PL=$T/prior.leases
mkdir -p "$PL" && cp "$L/net1.conf" "$L/vbr1.macs" "$PL/"
status() {   # HOSTNAME EXPIRY: libvirt's lease list for alpha's lease
        printf '[ { "ip-address": "198.18.1.10", "mac-address": "52:54:00:00:01:01", "hostname": "%s", "expiry-time": %s } ]\n' \
                "$1" "$2" >"$PL/vbr1.status"
}
status alpha "$soon"
"$VNC" --db-dir "$P" rebuild --leases-dir "$PL" >/dev/null 2>&1 || fail "prior: first rebuild"
# Alpha-VM's port answered for its lease: the store answers Alpha-VM with
# it, and so does our hosts file, which dnsmasq names the lease after.
"$B/selftest/store-prove" "$P" >/dev/null || fail "prior: store-prove"
mkdir -p "$P/dnsmasq/net1"
VIRT_NAME_CACHE_DIR=$P VIRT_NAME_CACHE_LEASESHELPER=/nonexistent VIR_BRIDGE_NAME=vbr1 DNSMASQ_SUPPLIED_HOSTNAME=realname \
        DNSMASQ_LEASE_EXPIRES=$soon "$B/hooks/lease-helper" add 52:54:00:00:01:01 198.18.1.10 Alpha-VM ||
        fail "prior: lease helper"
prior_host() { "$VNC" --db-dir "$P" list | awk '$1 == "198.18.1.10" {print $2}'; }
expect_eq "the lease helper records the name the guest sent" "realname" "$(prior_host)"
status Alpha-VM "$soon"
"$VNC" --db-dir "$P" rebuild --leases-dir "$PL" >/dev/null 2>&1 || fail "prior: rebuild"
expect_eq "rebuild keeps the guest's name for the same lease" "realname" "$(prior_host)"
expect_eq "... and it resolves" "198.18.1.10" "$(addrs_of "$P" ahostsv4 realname)"
# A lease renewed since (another expiry) whose name is one the store
# answered with that address: not the guest's word either.
"$B/selftest/store-prove" "$P" >/dev/null || fail "prior: store-prove"
status Alpha-VM "$((soon + 60))"
"$VNC" --db-dir "$P" rebuild --leases-dir "$PL" >/dev/null 2>&1 || fail "prior: rebuild, renewed"
expect_eq "a name the store answered with the address is not taken" "-" "$(prior_host)"
status newname "$((soon + 90))"
"$VNC" --db-dir "$P" rebuild --leases-dir "$PL" >/dev/null 2>&1 || fail "prior: rebuild, new name"
expect_eq "a name the store did not give is the guest's" "newname" "$(prior_host)"
# Without a hosts directory (a network whose DNS is libvirt's own) the
# lease list has the guests' names.
rm -rf "$P/dnsmasq/net1"
status alpha-vm "$((soon + 120))"
"$VNC" --db-dir "$P" rebuild --leases-dir "$PL" >/dev/null 2>&1 || fail "prior: rebuild, no hosts directory"
expect_eq "no hosts directory: libvirt's name" "alpha-vm" "$(prior_host)"
pass "rebuild keeps the names guests sent, never one dnsmasq took from our hosts directory"

# Every command has --help (exit 0, a Usage line); bad commands exit 2.
for c in rebuild list query doctor; do
        "$VNC" "$c" --help | grep -q "^Usage: virt-name-cache $c" || fail "$c --help"
done
"$VNC" --help | grep -q "^Usage:" || fail "--help"
"$VNC" --version | grep -q "^virt-name-cache [0-9]" || fail "--version"
expect_eq "no command" "2" "$(rc_of "$VNC")"
expect_eq "unknown command" "2" "$(rc_of "$VNC" frobnicate)"
pass "help and usage errors"
