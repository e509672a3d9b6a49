# selftest/lib.sh - sourced by every selftest/t-*.sh.
set -u
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${B:=$TOP/build}" "${BA:=$TOP/build-asan}"
: "${T:=$(mktemp -d)}"
export TOP B BA T

# fail ends the test also when called in a subshell ($(...), a pipeline,
# a background job), where exit alone would end only the subshell: a
# check inside "$(...)" (t-resolved's sanitizer check of doctor's output)
# printed FAIL and the test went on to pass.
VNC_TEST_PID=$$
trap 'exit 1' USR1
fail() {
        echo "FAIL: $*" >&2
        [ "$BASHPID" = "$VNC_TEST_PID" ] || kill -USR1 "$VNC_TEST_PID" 2>/dev/null
        exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "ok: $*"; }
# The options every test's sshd shares: root by key only, no PAM, no
# owner checks on the test's files.
sshd_key_only() {
        printf '%s\n' 'PermitRootLogin prohibit-password' 'PasswordAuthentication no' \
                'KbdInteractiveAuthentication no' 'UsePAM no' 'StrictModes no'
}
# skip_part WHY: a part of the test cannot run here (a component or the
# ASan build is missing); the test goes on.  selftest/run shows every such
# line in the test's summary ("PASS t-x (2 parts skipped: ...)") and keeps
# its log.
skip_part() { echo "SKIP-PART: $*"; }

# installed_file NAME: the installed, executable file called NAME that a
# package put somewhere (dpkg -S: Debian moves programs between /lib,
# /usr/lib and /usr/libexec across releases), "" if there is none.
installed_file() {
        local f
        for f in $(dpkg-query -S "*/$1" 2>/dev/null | sed -n 's/^[^:]*: //p'); do
                [ -x "$f" ] && [ ! -d "$f" ] && { echo "$f"; return; }
        done
}

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds;
# false if it has not within SECONDS.
wait_for() {
        local end=$((SECONDS + $1)); shift
        until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
        [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
        pass "$1"
}

# Resolve through real glibc with only our module, against store dir $1.
virtname_getent() {
        local dir=$1; shift
        VIRT_NAME_CACHE_DIR=$dir LD_LIBRARY_PATH=$B getent -s hosts:virtname "$@"
}

# The sorted address set getent ahosts* prints for NAME ("" if none).
addrs_of() {
        local dir=$1 db=$2 name=$3
        virtname_getent "$dir" "$db" "$name" | awk '{print $1}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# make_fixture DIR: libvirt-format lease files for two networks in DIR
# (expiry times relative to now), the names the NSS tests resolve:
#   web-vm (domain; MAC ...:01) -> 198.18.0.10, 2001:db8:0:1::110 (host name "web")
#   db-vm (domain, two NICs) -> 198.18.0.11 (net1), 198.19.0.21 (net2)
#   intruder (domain) sends host name "web-vm" -> 198.18.0.13 only as "intruder"
#   Lone (host name only, no domain) -> 198.18.0.14
#   old (expired) -> nothing
make_fixture() {
        local d=$1 soon=$(( $(date +%s) + 3600 )) past=$(( $(date +%s) - 60 ))
        mkdir -p "$d"
        printf 'strict-order\ninterface=vbr1\ndomain=lab.test\n' >"$d/net1.conf"
        printf 'strict-order\ninterface=vbr2\n' >"$d/net2.conf"
        cat >"$d/vbr1.status" <<JSON
[ { "ip-address": "198.18.0.10", "mac-address": "52:54:00:00:00:01", "hostname": "web", "expiry-time": $soon },
  { "ip-address": "2001:db8:0:1::110", "mac-address": "52:54:00:00:00:01", "hostname": "web", "iaid": "5", "expiry-time": 0 },
  { "ip-address": "198.18.0.11", "mac-address": "52:54:00:00:00:02", "expiry-time": $soon },
  { "ip-address": "198.18.0.13", "mac-address": "52:54:00:00:00:04", "hostname": "web-vm", "expiry-time": $soon },
  { "ip-address": "198.18.0.14", "mac-address": "52:54:00:00:00:05", "hostname": "Lone", "expiry-time": $soon },
  { "ip-address": "198.18.0.15", "mac-address": "52:54:00:00:00:06", "hostname": "old", "expiry-time": $past } ]
JSON
        cat >"$d/vbr1.macs" <<JSON
[ { "domain": "web-vm", "macs": [ "52:54:00:00:00:01" ] },
  { "domain": "db-vm", "macs": [ "52:54:00:00:00:02" ] },
  { "domain": "intruder", "macs": [ "52:54:00:00:00:04" ] } ]
JSON
        cat >"$d/vbr2.status" <<JSON
[ { "ip-address": "198.19.0.21", "mac-address": "52:54:00:00:00:03", "hostname": "db2", "expiry-time": $soon } ]
JSON
        printf '[ { "domain": "db-vm", "macs": [ "52:54:00:00:00:03" ] } ]\n' >"$d/vbr2.macs"
}

# expect_nothing_missed STORE: no libvirt or DHCP event went unrecorded
# into store directory STORE: its missed-events log (in the state
# directory, STORE/private, beside the private store, which must be there:
# a check of the wrong directory would always pass) does not exist.
expect_nothing_missed() {
        local state=$1/private
        [ -e "$state/store.mdb" ] || fail "no private store in $state: is $1 a store directory?"
        [ -e "$state/missed.log" ] && fail "events were missed: $(cat "$state/missed.log")"
        pass "no event missed"
}

# base_of DIR: the base snapshot file of store directory DIR (the newest).
base_of() {
        ls -1 "$1"/names.*.mdb 2>/dev/null | sort | tail -n 1
}

# make_store DIR: a store built from make_fixture's files, with every
# domain running and its port answering for its leases (store-prove: the
# lease files know no ports; the end-to-end tests prove it with real ones).
make_store() {
        make_fixture "$1.leases"
        "$B/virt-name-cache" --db-dir "$1" rebuild --leases-dir "$1.leases" >/dev/null ||
                fail "rebuild of the fixture failed"
        "$B/selftest/store-prove" "$1" >/dev/null || fail "store-prove of the fixture failed"
}
