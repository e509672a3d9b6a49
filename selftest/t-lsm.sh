#!/usr/bin/env bash
# t-lsm: the AppArmor and SELinux policy we ship, as far as a machine
# without an active LSM can show it.
#
# AppArmor: apparmor_parser compiles (never loads: -Q) profiles against a
# private copy of Debian's abstractions holding the files `make install`
# puts in /etc/apparmor.d, and the compiled rules (-D rule-exprs) are
# matched against sample paths: a profile that includes
# abstractions/nameservice may read the snapshot and nothing else of ours;
# Debian's libvirtd profile may run the hooks only with our include, and
# then runs dns-send in a child profile and port-probe as the hooks run;
# dnsmasq's profile (apparmor-profiles) runs the lease helper, dns-send and
# port-probe in child profiles, reads the hosts directories and gains no
# write access itself; the helper's child may write the store, the
# snapshot and the hosts directories; dns-send's child may also read
# dns.conf and the key and reach the network; port-probe's child may
# write the store, read which bridge a tap is on and open raw packet
# sockets, and reaches no network otherwise.
# SELinux: the module builds with the refpolicy devel Makefile, its file
# contexts match what `make install` installs or the programs create,
# and it installs into a copy of Debian's full policy store (semodule -p),
# whose linked policy is then queried (setools) for who may read and write.
# doctor's check (lsm-check) against fake /sys and /etc trees.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3     # Debian's, with setools
missing=
for tool in apparmor_parser semodule setfattr matchpathcon; do
        command -v "$tool" >/dev/null || missing="$missing $tool"
done
[ -x "$PY" ] && "$PY" -c 'import setools' 2>/dev/null || missing="$missing python3-setools"
for f in /etc/apparmor.d/abstractions/nameservice /etc/apparmor.d/usr.sbin.libvirtd \
         /etc/apparmor.d/usr.sbin.dnsmasq /usr/share/selinux/devel/Makefile \
         /usr/share/selinux/default/base.pp.bz2 /var/lib/selinux/default/active; do
        [ -e "$f" ] || missing="$missing $f"
done
[ -z "$missing" ] || skip "missing:$missing (make deps installs them)"
[ "$(id -u)" = 0 ] || skip "labelling a fake snapshot (security.selinux) needs root"
[ -x "$B/selftest/lsm-check" ] || fail "$B/selftest/lsm-check is not built (make build-all)"

make -C "$TOP" --no-print-directory install DESTDIR="$T/root" B="$B" >"$T/install.log" 2>&1 ||
        { cat "$T/install.log"; fail "make install"; }
OURS="abstractions/nameservice.d/virt-name-cache abstractions/virt-name-cache-libvirtd
      abstractions/virt-name-cache-dnsmasq abstractions/virt-name-cache-lease-helper
      abstractions/virt-name-cache-dns-send abstractions/virt-name-cache-store
      abstractions/virt-name-cache-port-probe"
for f in $OURS; do
        [ -f "$T/root/etc/apparmor.d/$f" ] || fail "make install did not install /etc/apparmor.d/$f"
done
pass "make install installs the AppArmor files"

# ---------------------------------------------------------------- AppArmor
# aa_tree DIR: Debian's abstractions and tunables, without any of our files
# the machine may have, plus an empty local/.
aa_tree() {
        mkdir -p "$1/local"
        cp -a /etc/apparmor.d/abstractions /etc/apparmor.d/tunables "$1/"
        [ -d /etc/apparmor.d/abi ] && cp -a /etc/apparmor.d/abi "$1/"
        for f in $OURS; do rm -f "$1/$f"; done
}
aa_install_ours() {
        mkdir -p "$1/abstractions/nameservice.d"
        for f in $OURS; do cp "$T/root/etc/apparmor.d/$f" "$1/$f"; done
}

# aa_perms TREE PROFILE PATH...: for each PATH, the file permissions the
# compiled PROFILE file grants ("-" for none), from the parser's rule dump.
# Permission bits of the parser (user half; the other half is << 14):
# x 1, w 2, r 4, a 8, l 0x10, k 0x20, m 0x40.  deny rules subtract.
cat >"$T/aaperms.py" <<'PY'
import re, subprocess, sys
tree, profile, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
out = subprocess.run(["apparmor_parser", "-Q", "-K", "--base", tree, "-I", tree,
                      "-D", "rule-exprs", profile], capture_output=True, text=True)
if out.returncode != 0:
    sys.exit("apparmor_parser failed:\n" + out.stderr)
rules = []
for line in out.stderr.splitlines() + out.stdout.splitlines():
    m = re.match(r"rule: (.*?)  ->  .*?( deny)? \((0x[0-9a-f]+)/(?:0x)?[0-9a-f]+\)", line)
    if not m:
        continue
    try:
        rx = re.compile(m.group(1), re.S)
    except re.error as e:
        sys.exit("cannot read rule %r: %s" % (m.group(1), e))
    rules.append((rx, bool(m.group(2)), int(m.group(3), 16)))
if not rules:
    sys.exit("no rules in the parser's dump")
for p in paths:
    allow = deny = 0
    for rx, is_deny, bits in rules:
        if rx.fullmatch(p):
            bits = (bits | bits >> 14) & 0x7f
            if is_deny:
                deny |= bits
            else:
                allow |= bits
    bits = allow & ~deny
    print(p, "".join(c for c, b in zip("rwaklmx", (4, 2, 8, 0x20, 0x10, 0x40, 1)) if bits & b) or "-")
PY
# expect_perms TREE PROFILE "PATH PERMS"...
expect_perms() {
        local tree=$1 profile=$2; shift 2
        local want=() paths=() got
        for pair in "$@"; do want+=("$pair"); paths+=("${pair%% *}"); done
        got=$("$PY" "$T/aaperms.py" "$tree" "$profile" "${paths[@]}") || fail "compiling $profile"
        expect_eq "$(basename "$profile"): $(printf '%s ' "${paths[@]}")" \
                "$(printf '%s\n' "${want[@]}")" "$got"
}

aa_tree "$T/aa0"
aa_tree "$T/aa"
aa_install_ours "$T/aa"
cat >"$T/reader.profile" <<'EOF'
abi <abi/3.0>,
include <tunables/global>
profile virt-name-cache-test-reader /usr/bin/virt-name-cache-test-reader {
  include <abstractions/base>
  include <abstractions/nameservice>
}
EOF
# Without our snippet nothing of ours is readable (the dump is not vacuous)...
expect_perms "$T/aa0" "$T/reader.profile" "/run/virt-name-cache/names.delta -" "/etc/hosts r"
# ... with it, a program confined by any profile that includes
# abstractions/nameservice reads the snapshot, and nothing more.
expect_perms "$T/aa" "$T/reader.profile" \
        "/run/virt-name-cache/ r" "/run/virt-name-cache/names.delta r" \
        "/run/virt-name-cache/names.42.mdb r" "/var/run/virt-name-cache/names.42.mdb r" \
        "/run/virt-name-cache/.names.tmp1 -" "/run/virt-name-cache/names.42.mdb-lock -" \
        "/run/virt-name-cache/dnsmasq/web.hosts -" "/run/virt-name-cache/dnsmasq/default/192.0.2.5 -" \
        "/run/virt-name-cache/sub/names.delta -" "/etc/virt-name-cache/dns.conf -" \
        "/var/lib/virt-name-cache/ -" "/var/lib/virt-name-cache/store.mdb -" \
        "/var/lib/virt-name-cache/writer.lock -" "/etc/hosts r"
apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -p "$T/reader.profile" 2>/dev/null |
        grep -q '@{run}/virt-name-cache/names.delta r,' || fail "preprocessed profile lacks the snippet"
pass "AppArmor: abstractions/nameservice includes the snippet; snapshot read-only, store untouched"

# libvirtd: Debian's own profile, with and without our line in local/.
cp /etc/apparmor.d/usr.sbin.libvirtd "$T/aa/"
: >"$T/aa/local/usr.sbin.libvirtd"
# The hooks, and port-probe, which the qemu hook starts and which runs
# as the hooks run (in libvirtd's profile).
HOOKS="/usr/libexec/virt-name-cache/network-hook /usr/libexec/virt-name-cache/qemu-hook
       /usr/libexec/virt-name-cache/daemon-hook /usr/libexec/virt-name-cache/port-probe"
got=$("$PY" "$T/aaperms.py" "$T/aa" "$T/aa/usr.sbin.libvirtd" $HOOKS) || fail "compiling usr.sbin.libvirtd"
echo "$got" | grep -q 'x$' && fail "Debian's libvirtd profile already allows executing the hooks? $got"
pass "AppArmor: Debian's libvirtd profile alone does not let libvirtd run the hooks"
echo 'include if exists <abstractions/virt-name-cache-libvirtd>' >"$T/aa/local/usr.sbin.libvirtd"
got=$("$PY" "$T/aaperms.py" "$T/aa" "$T/aa/usr.sbin.libvirtd" $HOOKS) || fail "compiling usr.sbin.libvirtd"
expect_eq "libvirtd with our include executes every hook and port-probe" "4" "$(echo "$got" | grep -c 'x$')"
got=$("$PY" "$T/aaperms.py" "$T/aa" "$T/aa/usr.sbin.libvirtd" /usr/libexec/virt-name-cache/dns-send) ||
        fail "compiling usr.sbin.libvirtd"
case $got in *x) ;; *) fail "libvirtd (a hook) may not start dns-send: $got" ;; esac
names=$(apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -N "$T/aa/usr.sbin.libvirtd" 2>/dev/null) ||
        fail "libvirtd's profile does not compile with our include"
echo "$names" | grep -qx 'libvirtd//virt_name_cache_dns_send' ||
        fail "no child profile for dns-send in libvirtd's profile: $names"
# The network hook talks to systemd-resolved over the system bus: libvirtd's
# own profile allows that (abstractions/dbus), so we add no dbus rules.
apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -p "$T/aa/usr.sbin.libvirtd" 2>/dev/null |
        grep -q '^ *dbus bus=system,' || fail "libvirtd's profile no longer allows the system bus"
pass "AppArmor: libvirtd with our include runs the hooks and port-probe, and dns-send in a child profile; D-Bus is libvirtd's"

# dnsmasq: apparmor-profiles' profile with our include.
cp /etc/apparmor.d/usr.sbin.dnsmasq "$T/aa/"
echo 'include if exists <abstractions/virt-name-cache-dnsmasq>' >"$T/aa/local/usr.sbin.dnsmasq"
names=$(apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -N "$T/aa/usr.sbin.dnsmasq" 2>/dev/null) ||
        fail "dnsmasq's profile does not compile with our include"
echo "$names" | grep -qx 'dnsmasq//virt_name_cache_lease_helper' ||
        fail "no child profile for the lease helper: $names"
echo "$names" | grep -qx 'dnsmasq//virt_name_cache_dns_send' ||
        fail "no child profile for dns-send: $names"
echo "$names" | grep -qx 'dnsmasq//virt_name_cache_port_probe' ||
        fail "no child profile for port-probe: $names"
echo "$names" | grep -qx 'dnsmasq//libvirt_leaseshelper' ||
        fail "dnsmasq's profile has no libvirt_leaseshelper child to hand events on to: $names"
pass "AppArmor: dnsmasq's profile compiles with the lease helper's, dns-send's and port-probe's child profiles"
# dnsmasq itself: the same tree with the child's body emptied, so that
# only dnsmasq's own rules are compiled.
cp -a "$T/aa" "$T/aa-parent"
: >"$T/aa-parent/abstractions/virt-name-cache-lease-helper"
: >"$T/aa-parent/abstractions/virt-name-cache-dns-send"
: >"$T/aa-parent/abstractions/virt-name-cache-port-probe"
# dnsmasq reads its hosts directories (hostsdir=STORE/dnsmasq/NETWORK: the
# directory and the ADDRESS files) and writes none of them.
expect_perms "$T/aa-parent" "$T/aa-parent/usr.sbin.dnsmasq" \
        "/var/lib/virt-name-cache/store.mdb -" "/var/lib/virt-name-cache/writer.lock -" \
        "/run/virt-name-cache/ r" "/run/virt-name-cache/names.delta r" \
        "/run/virt-name-cache/.names.tmp1 -" \
        "/run/virt-name-cache/dnsmasq/default/ r" "/run/virt-name-cache/dnsmasq/default/192.0.2.5 r" \
        "/run/virt-name-cache/dnsmasq/default/192.0.2.0_26 r" "/run/virt-name-cache/dnsmasq/web-net/fd00::40_122 r" \
        "/run/virt-name-cache/dnsmasq/web-net/fd00::5 r" "/var/run/virt-name-cache/dnsmasq/default/192.0.2.5 r" \
        "/run/virt-name-cache/dnsmasq/default/.192.0.2.5.tmp -" "/run/virt-name-cache/dnsmasq/.generation -" \
        "/run/virt-name-cache/dnsmasq/default/.192.0.2.0_26.tmp -" \
        "/run/virt-name-cache/dnsmasq/default/sub/192.0.2.5 -" \
        "/etc/virt-name-cache/dns.conf -" "/etc/virt-name-cache/hv1.key -"
got=$("$PY" "$T/aaperms.py" "$T/aa-parent" "$T/aa-parent/usr.sbin.dnsmasq" \
        /usr/libexec/virt-name-cache/lease-helper /usr/libexec/virt-name-cache/dns-send \
        /usr/libexec/virt-name-cache/port-probe) || fail "compiling usr.sbin.dnsmasq"
echo "$got" | grep -q '/lease-helper .*x$' || fail "dnsmasq may not execute the lease helper: $got"
echo "$got" | grep -q '/dns-send .*x$' && fail "dnsmasq itself may execute dns-send: $got"
echo "$got" | grep -q '/port-probe .*x$' && fail "dnsmasq itself may execute port-probe: $got"
pass "AppArmor: dnsmasq runs the lease helper, reads the hosts directories, writes nothing of ours"
# The child's own rules, compiled as a profile of their own.
cat >"$T/helper.profile" <<'EOF'
abi <abi/3.0>,
include <tunables/global>
profile virt-name-cache-test-helper {
  include <abstractions/virt-name-cache-lease-helper>
}
EOF
# (AppArmor's w includes a.)
expect_perms "$T/aa" "$T/helper.profile" \
        "/var/lib/virt-name-cache/ rwa" "/var/lib/virt-name-cache/store.mdb rwak" \
        "/var/lib/virt-name-cache/writer.lock rwak" "/var/lib/virt-name-cache/spool/1234.event rwak" \
        "/run/virt-name-cache/ rwa" "/run/virt-name-cache/.names.Xq3 rwa" \
        "/run/virt-name-cache/names.delta rwa" "/run/virt-name-cache/names.43.mdb rwa" \
        "/run/virt-name-cache/dnsmasq/ rwa" "/run/virt-name-cache/dnsmasq/.generation rwa" \
        "/run/virt-name-cache/dnsmasq/..generation.tmp rwa" "/run/virt-name-cache/dnsmasq/default/ rwa" \
        "/run/virt-name-cache/dnsmasq/default/192.0.2.5 rwa" \
        "/run/virt-name-cache/dnsmasq/default/.192.0.2.5.tmp rwa" \
        "/run/virt-name-cache/dnsmasq/default/192.0.2.0_26 rwa" \
        "/run/virt-name-cache/dnsmasq/default/.192.0.2.0_26.tmp rwa" \
        "/run/virt-name-cache/dnsmasq/default/sub/192.0.2.5 -" "/run/virt-name-cache/other -" \
        "/run/virt-name-cache/dnsmasq/default.hosts -" \
        "/etc/hosts r" "/etc/virt-name-cache/dns.conf r" "/etc/virt-name-cache/hv1.key -" \
        "/etc/virt-name-cache/x -" "/var/lib/libvirt/dnsmasq/virbr0.status -" \
        "/etc/passwd -" "/tmp/x -" "/usr/libexec/virt-name-cache/lease-helper rm" \
        "/usr/libexec/virt-name-cache/lease-record.so rm" "/usr/libexec/virt-name-cache/other.so -"
got=$("$PY" "$T/aaperms.py" "$T/aa" "$T/helper.profile" /usr/lib/libvirt/libvirt_leaseshelper \
        /usr/libexec/virt-name-cache/dns-send /usr/libexec/virt-name-cache/port-probe) ||
        fail "compiling the helper's profile"
expect_eq "the lease helper runs libvirt_leaseshelper, dns-send and port-probe" "3" "$(echo "$got" | grep -c 'x$')"
apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -p "$T/helper.profile" 2>/dev/null >"$T/helper.pp"
grep -q '^ *network' "$T/helper.pp" && fail "the lease helper's profile has network rules"
grep -q '^ *capability' "$T/helper.pp" && fail "the lease helper's profile has capabilities"
grep -q 'port-probe Px -> dnsmasq//virt_name_cache_port_probe,' "$T/helper.pp" ||
        fail "the lease helper does not start port-probe in dnsmasq's child profile for it"
pass "AppArmor: the lease helper's child profile writes the store, snapshot and hosts files, runs dns-send and port-probe"
# dns-send's rules, compiled as a profile of their own.
cat >"$T/dns-send.profile" <<'EOF'
abi <abi/3.0>,
include <tunables/global>
profile virt-name-cache-test-dns-send {
  include <abstractions/virt-name-cache-dns-send>
}
EOF
expect_perms "$T/aa" "$T/dns-send.profile" \
        "/etc/virt-name-cache/ r" "/etc/virt-name-cache/dns.conf r" "/etc/virt-name-cache/hv1.key r" \
        "/etc/bind/hv1.key -" "/etc/passwd -" "/etc/shadow -" \
        "/var/lib/virt-name-cache/store.mdb rwak" "/var/lib/virt-name-cache/dns-send.lock rwak" \
        "/run/virt-name-cache/names.delta rwa" "/run/virt-name-cache/dnsmasq/default/192.0.2.5 rwa" \
        "/run/virt-name-cache/other -" "/tmp/x -" \
        "/usr/libexec/virt-name-cache/dns-send rm" "/usr/libexec/virt-name-cache/lease-helper -" \
        "/etc/machine-id r" "/var/lib/dbus/machine-id r"
apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -p "$T/dns-send.profile" 2>/dev/null >"$T/dns-send.pp"
for rule in 'network inet dgram,' 'network inet6 dgram,' 'network inet stream,' 'network inet6 stream,'; do
        grep -q "^ *$rule" "$T/dns-send.pp" || fail "dns-send's profile lacks '$rule'"
done
pass "AppArmor: dns-send's child profile reads dns.conf, the key and the machine-id, writes only the store, reaches the network"
# port-probe's rules, compiled as a profile of their own: the store, the
# tap's bridge from sysfs, raw packet sockets; no key, no other network.
cat >"$T/port-probe.profile" <<'PROFILE'
abi <abi/3.0>,
include <tunables/global>
profile virt-name-cache-test-port-probe {
  include <abstractions/virt-name-cache-port-probe>
}
PROFILE
expect_perms "$T/aa" "$T/port-probe.profile" \
        "/sys/class/net/ r" "/sys/class/net/vnet3/master r" "/sys/devices/virtual/net/vnet3/master r" \
        "/sys/class/net/vnet3/address -" "/sys/devices/virtual/net/vnet3/brport/learning -" \
        "/var/lib/virt-name-cache/store.mdb rwak" "/var/lib/virt-name-cache/writer.lock rwak" \
        "/run/virt-name-cache/names.delta rwa" "/run/virt-name-cache/dnsmasq/default/192.0.2.5 rwa" \
        "/etc/hosts r" "/etc/virt-name-cache/dns.conf r" "/etc/virt-name-cache/hv1.key -" \
        "/etc/passwd -" "/tmp/x -" "/run/virt-name-cache/other -" \
        "/usr/libexec/virt-name-cache/port-probe rm" "/usr/libexec/virt-name-cache/lease-helper -"
apparmor_parser -Q -K --base "$T/aa" -I "$T/aa" -p "$T/port-probe.profile" 2>/dev/null >"$T/port-probe.pp"
for rule in 'capability net_raw,' 'network packet raw,' 'dns-send Px -> dnsmasq//virt_name_cache_dns_send,'; do
        grep -q "$rule" "$T/port-probe.pp" || fail "port-probe's profile lacks '$rule'"
done
others=$(grep -E '^ *(network|capability) ' "$T/port-probe.pp" | grep -v -e 'capability net_raw,' -e 'network packet raw,')
[ -z "$others" ] || fail "port-probe's profile has other network or capability rules: $others"
pass "AppArmor: port-probe's child profile writes the store, reads the taps' bridges, opens raw packet sockets only"

# ---------------------------------------------------------------- SELinux
make -C "$TOP" --no-print-directory selinux B="$T/build" >"$T/selinux.log" 2>&1 ||
        { cat "$T/selinux.log"; fail "the SELinux module does not build"; }
PP=$T/build/selinux/virt-name-cache.pp
[ -s "$PP" ] || fail "no $PP"
pass "SELinux: the module builds with /usr/share/selinux/devel/Makefile"

# Every file context names something the build installs or the programs
# create, and each such path gets the type we mean.
RUNTIME="/run/virt-name-cache /run/virt-name-cache/names.delta /run/virt-name-cache/names.7.mdb
         /run/virt-name-cache/.names.tmp1 /var/lib/virt-name-cache /var/lib/virt-name-cache/store.mdb
         /var/lib/virt-name-cache/writer.lock /var/lib/virt-name-cache/spool/1.event
         /var/lib/virt-name-cache/missed.log /var/lib/virt-name-cache/dns-send.lock
         /run/virt-name-cache/dnsmasq /run/virt-name-cache/dnsmasq/.generation
         /run/virt-name-cache/dnsmasq/default /run/virt-name-cache/dnsmasq/default/192.0.2.5"
(cd "$T/root" && find . -mindepth 1 | sed 's|^\.||') >"$T/installed"
printf '%s\n' $RUNTIME >>"$T/installed"
"$PY" - "$TOP/packaging/selinux/virt-name-cache.fc" "$T/installed" <<'PY' || fail "file contexts"
import re, sys
paths = open(sys.argv[2]).read().split()
for line in open(sys.argv[1]):
    if not line.strip() or line.startswith("#"):
        continue
    rx = line.split()[0]
    hits = [p for p in paths if re.fullmatch(rx, p)]
    if not hits:
        sys.exit("%s matches nothing installed or created at run time" % rx)
    print("%-32s %s" % (rx, " ".join(hits[:3]) + (" ..." if len(hits) > 3 else "")))
PY
pass "SELinux: every file context matches installed or run-time paths"

# Install into a copy of Debian's policy store (as %post does) and ask the
# linked policy.
mkdir -p "$T/se/etc/selinux" "$T/se/var/lib/selinux"
cp -a /etc/selinux/default "$T/se/etc/selinux/"
cp /etc/selinux/semanage.conf "$T/se/etc/selinux/" 2>/dev/null
cp -a /var/lib/selinux/default "$T/se/var/lib/selinux/"
semodule -p "$T/se" -s default -n -X 200 -i "$PP" >"$T/semodule.log" 2>&1 ||
        { cat "$T/semodule.log"; fail "semodule -i into a copy of Debian's policy"; }
FC=$T/se/etc/selinux/default/contexts/files/file_contexts
for p in /run/virt-name-cache /run/virt-name-cache/names.delta /run/virt-name-cache/names.7.mdb \
         /var/run/virt-name-cache/names.delta /run/virt-name-cache/dnsmasq/default \
         /run/virt-name-cache/dnsmasq/default/192.0.2.5 /run/virt-name-cache/dnsmasq/.generation; do
        expect_eq "label of $p" virt_name_cache_var_run_t "$(matchpathcon -f "$FC" "$p" | awk '{print $2}' | cut -d: -f3)"
done
for p in /var/lib/virt-name-cache /var/lib/virt-name-cache/store.mdb /var/lib/virt-name-cache/spool/1.event; do
        expect_eq "label of $p" virt_name_cache_var_lib_t "$(matchpathcon -f "$FC" "$p" | awk '{print $2}' | cut -d: -f3)"
done
for p in /usr/libexec/virt-name-cache/lease-helper /usr/libexec/virt-name-cache/lease-record.so \
         /usr/libexec/virt-name-cache/dns-send /usr/libexec/virt-name-cache/port-probe; do
        expect_eq "label of $p" virt_name_cache_helper_exec_t "$(matchpathcon -f "$FC" "$p" | awk '{print $2}' | cut -d: -f3)"
done
expect_eq "the hooks keep their distribution label" bin_t \
        "$(matchpathcon -f "$FC" /usr/libexec/virt-name-cache/network-hook | awk '{print $2}' | cut -d: -f3)"
POLICY=$(ls "$T"/se/etc/selinux/default/policy/policy.* | head -1)
"$PY" - "$POLICY" <<'PY' || fail "SELinux policy query"
import sys, setools
p = setools.SELinuxPolicy(sys.argv[1])
def perms(src, tgt, cls):
    s = set()
    for r in setools.TERuleQuery(p, ruletype=["allow"], source=src, target=tgt, tclass=[cls]).results():
        s |= set(r.perms)
    return s
def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        sys.exit(1)
run, lib = "virt_name_cache_var_run_t", "virt_name_cache_var_lib_t"
members = {str(t) for t in p.lookup_typeattr("nsswitch_domain").expand()}
check("nsswitch_domain has the confined daemons that resolve names (%d types)" % len(members),
      {"sshd_t", "chronyd_t", "virtd_t"} <= members)
for d in ("sshd_t", "chronyd_t"):
    f = perms(d, run, "file")
    check("%s reads and maps the snapshot" % d, {"open", "read", "map"} <= f)
    check("%s cannot write the snapshot" % d, not f & {"write", "append", "create", "unlink", "rename"})
    check("%s has nothing on the private store" % d, not perms(d, lib, "file") and not perms(d, lib, "dir"))
for d in ("virtd_t", "dnsmasq_t"):
    check("%s manages the store" % d, {"create", "write", "rename", "lock", "map"} <= perms(d, lib, "file"))
    check("%s publishes the snapshot" % d, {"create", "write", "rename", "unlink"} <= perms(d, run, "file"))
    tt = [r for r in setools.TERuleQuery(p, ruletype=["type_transition"], source=d, target="var_run_t",
                                         tclass=["dir"], default=run).results()]
    check("%s creates /run/virt-name-cache with its type" % d, any(r.filename == "virt-name-cache" for r in tt))
    # dns-send runs in the domain of the hook or helper that starts it.
    check("%s (dns-send) connects to the DNS server over TCP" % d,
          "name_connect" in perms(d, "dns_port_t", "tcp_socket"))
# dnsmasq runs the lease helper (it may not execute bin_t), the hooks and
# the helper run dns-send, both in the caller's domain.
for d in ("dnsmasq_t", "virtd_t"):
    check("%s runs the lease helper and dns-send in its own domain" % d,
          {"execute", "execute_no_trans", "read", "open", "map"} <= perms(d, "virt_name_cache_helper_exec_t", "file"))
check("dnsmasq_t may not run other programs (bin_t)", "execute" not in perms("dnsmasq_t", "bin_t", "file"))
# port-probe, started by the qemu hook (virtd_t) and the lease helper
# (dnsmasq_t), asks a tap on raw packet sockets and reads its bridge.
for d in ("dnsmasq_t", "virtd_t"):
    check("%s (port-probe) has net_raw" % d, "net_raw" in perms(d, d, "capability"))
    check("%s (port-probe) opens and uses packet sockets" % d,
          {"create", "bind", "read", "write", "setopt", "ioctl"} <= perms(d, d, "packet_socket"))
    check("%s (port-probe) reads a tap's bridge in sysfs" % d, "read" in perms(d, "sysfs_t", "lnk_file"))
tt = [str(r.default) for r in setools.TERuleQuery(p, ruletype=["type_transition"], source="dnsmasq_t",
                                                  target="virt_leaseshelper_exec_t", tclass=["process"]).results()]
check("libvirt_leaseshelper, run by our helper in dnsmasq_t, still moves to virt_leaseshelper_t",
      tt == ["virt_leaseshelper_t"])
# dnsmasq's hosts directories (hostsdir=) are in the snapshot's type.
check("dnsmasq_t lists and watches its hosts directories",
      {"read", "search", "watch"} <= perms("dnsmasq_t", run, "dir"))
check("dnsmasq_t reads the hosts files", {"open", "read"} <= perms("dnsmasq_t", run, "file"))
PY
pass "SELinux: linked into Debian's policy, readers read, writers write"
semodule -p "$T/se" -s default -n -X 200 -r virt-name-cache >"$T/semodule-r.log" 2>&1 ||
        { cat "$T/semodule-r.log"; fail "semodule -r"; }
grep -q virt_name_cache "$FC" && fail "file contexts left after semodule -r"
pass "SELinux: semodule -r removes the module and its file contexts"

# ---------------------------------------------------------------- doctor
# lsm_check with a fake /sys and /etc (VIRT_NAME_CACHE_LSM_ROOT), in the
# normal build and, when it is there, the ASan/UBSan one.
check() {       # check ROOT SNAPSHOT_DIR EXPECTED_STATUS: output in $T/check.out
        local rc=0
        VIRT_NAME_CACHE_LSM_ROOT=$1 "$LSM_CHECK" "$2" >"$T/check.out" 2>&1 || rc=$?
        sed 's/^/    | /' "$T/check.out"
        [ "$rc" = "$3" ] || fail "lsm-check exit status $rc, expected $3"
}
has() { grep -q "$1" "$T/check.out" || fail "lsm-check did not say: $1"; }
doctor_checks() {
        snap=$T/run/virt-name-cache
        rm -rf "$T/run" "$T/none" "$T/fake-aa" "$T/fake-se"
        mkdir -p "$snap" "$T/none"
        check "$T/none" "$snap" 0
        expect_eq "no LSM: one info line" "1 info" "$(wc -l <"$T/check.out") $(awk '{print $1}' "$T/check.out")"

        F=$T/fake-aa
        mkdir -p "$F/sys/module/apparmor/parameters" "$F/sys/kernel/security/apparmor" \
                 "$F/etc/apparmor.d/abstractions" "$F/etc/apparmor.d/local"
        echo Y >"$F/sys/module/apparmor/parameters/enabled"
        printf 'libvirtd (enforce)\ndnsmasq//libvirt_leaseshelper (complain)\ndnsmasq (complain)\nman_groff (enforce)\n' \
                >"$F/sys/kernel/security/apparmor/profiles"
        cp /etc/apparmor.d/abstractions/nameservice "$F/etc/apparmor.d/abstractions/"
        : >"$F/etc/apparmor.d/local/usr.sbin.libvirtd"
        check "$F" "$snap" 1
        has "^problem .*nameservice.d/virt-name-cache is missing"
        has "^problem .*confines libvirtd (enforce mode).*include if exists <abstractions/virt-name-cache-libvirtd>"
        has "^warning .*confines dnsmasq (complain mode)"
        pass "doctor: active AppArmor without our files is a problem"
        cp -a "$T/root/etc/apparmor.d/abstractions/." "$F/etc/apparmor.d/abstractions/"
        printf '# site\n  include if exists <abstractions/virt-name-cache-libvirtd>\n' >"$F/etc/apparmor.d/local/usr.sbin.libvirtd"
        printf '#include <abstractions/virt-name-cache-dnsmasq>\n' >"$F/etc/apparmor.d/local/usr.sbin.dnsmasq"
        check "$F" "$snap" 0
        has "^ok .*may read the snapshot"
        has "^ok .*libvirtd's profile includes abstractions/virt-name-cache-libvirtd"
        has "^ok .*dnsmasq's profile includes abstractions/virt-name-cache-dnsmasq"
        grep -q '^problem\|^warning' "$T/check.out" && fail "complaints with everything in place"
        pass "doctor: AppArmor with the snippet and both includes is ok"
        printf '# include <abstractions/virt-name-cache-libvirtd>\n' >"$F/etc/apparmor.d/local/usr.sbin.libvirtd"
        grep -v 'nameservice.d' /etc/apparmor.d/abstractions/nameservice >"$F/etc/apparmor.d/abstractions/nameservice"
        check "$F" "$snap" 1
        has "^problem .*does not include abstractions/nameservice.d"
        has "^problem .*confines libvirtd"
        pass "doctor: a commented-out include and an old nameservice abstraction are problems"

        F=$T/fake-se
        mkdir -p "$F/sys/fs/selinux" "$F/etc/selinux" "$F/var/lib/selinux/targeted/active/modules/100/base"
        echo 1 >"$F/sys/fs/selinux/enforce"
        printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' >"$F/etc/selinux/config"
        setfattr -n security.selinux -v system_u:object_r:var_run_t:s0 "$snap" 2>"$T/setfattr.err" ||
                skip "cannot set security.selinux here: $(cat "$T/setfattr.err")"
        check "$F" "$snap" 1
        has "^problem .*module virt-name-cache is not installed in the targeted policy"
        has "^problem .*is labelled var_run_t, not virt_name_cache_var_run_t.*restorecon -R $snap"
        mkdir -p "$F/var/lib/selinux/targeted/active/modules/200/virt-name-cache"
        setfattr -n security.selinux -v system_u:object_r:virt_name_cache_var_run_t:s0 "$snap"
        : >"$snap/names.delta"
        setfattr -n security.selinux -v system_u:object_r:tmp_t:s0 "$snap/names.delta"
        check "$F" "$snap" 1
        has "^ok .*module virt-name-cache is installed"
        has "^problem .*names.delta is labelled tmp_t"
        setfattr -n security.selinux -v system_u:object_r:virt_name_cache_var_run_t:s0 "$snap/names.delta"
        check "$F" "$snap" 0
        has "^ok .*$snap is labelled virt_name_cache_var_run_t"
        echo 0 >"$F/sys/fs/selinux/enforce"
        setfattr -n security.selinux -v system_u:object_r:var_run_t:s0 "$snap"
        check "$F" "$snap" 0
        has "^warning .*SELinux (permissive)"
        pass "doctor: SELinux module and snapshot label (enforcing: problem, permissive: warning)"
}

for LSM_CHECK in "$B/selftest/lsm-check" "$BA/selftest/lsm-check"; do
        [ -x "$LSM_CHECK" ] || continue
        echo "== $LSM_CHECK"
        doctor_checks
done
