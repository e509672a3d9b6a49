#!/usr/bin/env bash
# t-install-deps: packaging/install-deps, which `make deps`, `make
# test-deps` and `make pkg-deps` run.  Only missing packages are asked
# for ("a|b": either one counts); apt-get runs after `apt-get update`,
# noninteractive, without Recommends, under a /usr/sbin/policy-rc.d that
# forbids every service start and is removed again, also when apt-get
# fails; a policy-rc.d the machine has is left alone; a libvirt `default`
# network definition that the install created is removed.  `make deps`
# asks for the build packages only.
#
# apt-get here is a stand-in that records how it was called and what
# policy-rc.d answered, and defines the default network as Debian's
# libvirt-daemon-config-network does; the real installation is checked on
# a fresh Debian 12 (see the README).  Everything runs in a private mount
# namespace with tmpfs over /usr/sbin and /etc/libvirt: the machine's
# files are never touched.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces)"
unshare -m true 2>/dev/null || skip "no mount namespaces here"
command -v dpkg-query >/dev/null || skip "not a Debian system"
[ -d /etc/libvirt ] || skip "no /etc/libvirt to cover with a tmpfs"

mkdir -p "$T/bin"
cat >"$T/bin/apt-get" <<'SH'
#!/bin/sh
{
        echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND"
        if [ -x /usr/sbin/policy-rc.d ]; then
                /usr/sbin/policy-rc.d libvirtd start
                echo "policy-rc.d libvirtd start: $?"
        fi
} >>"$LOG"
if [ "$1" = install ]; then
        n=/etc/libvirt/qemu/networks/default.xml
        [ -e $n ] || { mkdir -p ${n%/*} && echo '<network/>' >$n; }
        exit "${APT_RC:-0}"
fi
SH
chmod 755 "$T/bin/apt-get"

# run SETUP PACKAGES...: install-deps in a fresh namespace after the shell
# commands SETUP; prints its output, then the state it left behind.
run() {
        local setup=$1; shift
        : >"$T/log"
        unshare -m --propagation private bash -c '
                mount -t tmpfs -o mode=755 vnc-sbin /usr/sbin && mount -t tmpfs -o mode=755 vnc-etc /etc/libvirt || exit 99
                eval "$1"; shift
                PATH=$T/bin:$PATH LOG=$T/log sh "$TOP/packaging/install-deps" "test" "$@"
                echo "exit $?"
                echo "policy-rc.d: $(cat /usr/sbin/policy-rc.d 2>/dev/null || echo none)"
                echo "default network: $(cat /etc/libvirt/qemu/networks/default.xml 2>/dev/null || echo none)"
        ' _ "$setup" "$@" 2>&1
}

out=$(run : dpkg 'vnc-no-such-package|coreutils')
echo "$out"
grep -q "^test: all packages present" <<<"$out" || fail "installed packages asked for: $out"
[ -s "$T/log" ] && fail "apt-get ran although every package is installed: $(cat "$T/log")"
pass "installed packages (and alternatives) are not installed again"

out=$(run : dpkg vnc-no-such-package 'vnc-other|vnc-second')
echo "$out"; cat "$T/log"
grep -q "^test: installing vnc-no-such-package vnc-other$" <<<"$out" || fail "what is installed: $out"
expect_eq "apt-get calls" "apt-get update DEBIAN_FRONTEND=noninteractive
policy-rc.d libvirtd start: 101
apt-get install -y --no-install-recommends vnc-no-such-package vnc-other DEBIAN_FRONTEND=noninteractive
policy-rc.d libvirtd start: 101" "$(cat "$T/log")"
grep -q "^exit 0$" <<<"$out" || fail "exit status: $out"
grep -q "^policy-rc.d: none$" <<<"$out" || fail "policy-rc.d left behind: $out"
grep -q "^default network: none$" <<<"$out" || fail "the default network definition stayed: $out"
grep -q "removed libvirt's 'default' network definition that this install created" <<<"$out" || fail "not said"
pass "apt-get update, then install noninteractive without Recommends, no service start; cleaned up"

out=$(APT_RC=100 run : vnc-no-such-package)
echo "$out"
grep -q "^exit 100$" <<<"$out" || fail "a failed apt-get did not fail install-deps: $out"
grep -q "^policy-rc.d: none$" <<<"$out" || fail "policy-rc.d left behind after a failure: $out"
grep -q "^default network: none$" <<<"$out" || fail "default network left after a failure: $out"
pass "a failed install still removes policy-rc.d and the default network it defined"

printf '#!/bin/sh\n# this machine, not ours\nexit 101\n' >"$T/own-policy"
out=$(run 'cp -p "$T/own-policy" /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
           mkdir -p /etc/libvirt/qemu/networks && echo mine >/etc/libvirt/qemu/networks/default.xml' vnc-no-such-package)
echo "$out"
grep -q "policy-rc.d: #!/bin/sh # this machine, not ours exit 101" <<<"$(tr '\n' ' ' <<<"$out")" ||
        fail "the machine's policy-rc.d was not left alone: $out"
grep -q "^default network: mine$" <<<"$out" || fail "a default network that was there before was touched: $out"
pass "the machine's own policy-rc.d and default network are left alone"

out=$(run "printf '#!/bin/sh\n# virt-name-cache install-deps: no service starts during the install\nexit 101\n' \
           >/usr/sbin/policy-rc.d" vnc-no-such-package)
grep -q "^policy-rc.d: none$" <<<"$out" || fail "a policy-rc.d left by a killed run was kept: $out"
pass "a policy-rc.d an earlier, killed run left is removed"

# make deps asks for the build packages only; make test-deps for all.
deps=$(make -s -n -C "$TOP" deps)
for p in build-essential pkg-config liblmdb-dev libjson-c-dev libvirt-dev libxml2-dev libsystemd-dev libcdb-dev; do
        grep -q "'$p'" <<<"$deps" || fail "make deps lacks $p: $deps"
done
for p in libvirt-daemon-system qemu-system-x86 lintian rpm valgrind openssh-server debhelper; do
        grep -q "'$p'" <<<"$deps" && fail "make deps installs the test or packaging package $p"
done
tdeps=$(make -s -n -C "$TOP" test-deps)
for p in build-essential libvirt-daemon-system qemu-system-x86 lintian rpm valgrind openssh-server debhelper; do
        grep -q "'$p'" <<<"$tdeps" || fail "make test-deps lacks $p"
done
grep -q "test-deps" <<<"$(make -s -n -C "$TOP" check | head -1)" || fail "make check does not install the test packages"
pass "make deps: build packages only; make test-deps: everything"
