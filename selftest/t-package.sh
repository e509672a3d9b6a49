#!/usr/bin/env bash
# lock: packages
# t-package: build the Debian packages, check them with lintian (and that
# nothing is under /lib, /bin or /sbin: Debian 13's lintian calls that an
# aliased location), install them on this machine with dpkg, use them
# (doctor, the installed module through glibc without LD_LIBRARY_PATH,
# ssh -G takes our proxy, enable-nss on a copy), purge them and check
# nothing is left.  An upgrade from 0.1 (this package repacked as 0.1
# used to be: the ssh snippet 30-virt-name-cache.conf) moves the snippet
# with its local change.  Then build the RPM where rpmbuild is available,
# with Fedora's compiler flags (_FORTIFY_SOURCE=3): no warning.  The
# machine's /etc/nsswitch.conf is never edited.
. "$(dirname "$0")/lib.sh"
for p in dpkg-buildpackage lintian dh fakeroot; do
        command -v "$p" >/dev/null || skip "$p not installed (make pkg-deps installs debhelper, lintian, fakeroot)"
done
[ "$(id -u)" = 0 ] || skip "installing packages needs root"
cd "$TOP"
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
SNIPPET=/etc/ssh/ssh_config.d/20-virt-name-cache.conf OLD_SNIPPET=/etc/ssh/ssh_config.d/30-virt-name-cache.conf
LEFT="/usr/bin/virt-name-cache /usr/libexec/virt-name-cache /usr/lib/$MULTIARCH/libnss_virtname.so.2
      /etc/libvirt/hooks/network.d/virt-name-cache /etc/libvirt/hooks/qemu.d/virt-name-cache
      $SNIPPET /var/lib/virt-name-cache /run/virt-name-cache
      /etc/libvirt/hooks/daemon.d/virt-name-cache /usr/lib/systemd/system/virt-name-cache-publish.service
      /usr/lib/systemd/system/virt-name-cache-watch.service
      /usr/share/man/man1/virt-name-cache.1.gz
      /etc/apparmor.d/abstractions/nameservice.d/virt-name-cache
      /etc/apparmor.d/abstractions/virt-name-cache-libvirtd
      /etc/apparmor.d/abstractions/virt-name-cache-dnsmasq
      /etc/apparmor.d/abstractions/virt-name-cache-lease-helper
      /etc/apparmor.d/abstractions/virt-name-cache-dns-send
      /etc/apparmor.d/abstractions/virt-name-cache-port-probe
      /etc/apparmor.d/abstractions/virt-name-cache-store"
# The programs in libexec (the package ships the directory whole).
LIBEXEC="network-hook qemu-hook daemon-hook lease-helper port-probe dns-send watch"
purge() { dpkg --purge virt-name-cache libnss-virtname >/dev/null 2>&1; }
# An earlier run's packages would hide what this one installs.
dpkg -s virt-name-cache >/dev/null 2>&1 && purge
for f in $LEFT $OLD_SNIPPET; do [ -e "$f" ] && skip "$f exists but not from our package: not touching this machine"; done
trap purge EXIT

rm -f build/packages/*.deb
make deb >"$T/deb.log" 2>&1 || { tail -30 "$T/deb.log"; fail "make deb"; }
debs=$(ls build/packages/libnss-virtname_*.deb build/packages/virt-name-cache_*.deb)
# `make deb` itself runs lintian and fails on an error (the README says so).
sed -n '/^lintian /,$p' "$T/deb.log"
grep -q "^lintian --fail-on error .*libnss-virtname_.*virt-name-cache_" "$T/deb.log" &&
        grep -q "^lintian: no errors" "$T/deb.log" || fail "make deb did not run lintian on both packages"
pass "make deb ran lintian: no errors"
aliased=$(for d in $debs; do dpkg-deb -c "$d" | awk '{print $6}' | grep -E '^\./(lib|lib32|lib64|libx32|bin|sbin)/'; done)
expect_eq "files under /lib, /bin, /sbin (merged /usr: aliased locations)" "" "$aliased"
dpkg-deb -f build/packages/libnss-virtname_*.deb Depends | grep -qv "virt\|json\|xml" ||
        fail "the NSS package depends on more than libc and liblmdb"
expect_eq "NSS package depends" "libc6 liblmdb0" \
        "$(dpkg-deb -f build/packages/libnss-virtname_*.deb Depends | tr ',' '\n' | awk '{print $1}' | sort | xargs)"
dpkg-deb -f build/packages/virt-name-cache_*.deb Depends | grep -q "liblmdb0.*\|libjson-c5" || fail "command depends"
for d in liblmdb0 libjson-c5 libvirt0 libsystemd0; do
        dpkg-deb -f build/packages/virt-name-cache_*.deb Depends | grep -q "$d" || fail "virt-name-cache lacks Depends $d"
done
! dpkg-deb -f build/packages/virt-name-cache_*.deb Depends | grep -q libxxhash ||
        fail "virt-name-cache depends on libxxhash, whose XXH3 is compiled in"
pass "dependencies declared"

cp /etc/nsswitch.conf "$T/nsswitch.before"
dpkg -i $debs >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "dpkg -i"; }
cat "$T/install.log"
grep -q "virt-name-cache enable-nss" "$T/install.log" || fail "post-install message lacks the enable-nss command"
# ... and how to restart libvirtd on this host (systemd or not).
grep -q "systemctl restart libvirtd\|service libvirtd restart" "$T/install.log" ||
        fail "post-install message does not say how to restart libvirtd"
# The install-time rebuild's warnings are shown (here: no libvirtd to ask).
if [ ! -S /run/libvirt/libvirt-sock-ro ]; then
        grep -q "^virt-name-cache: warning: libvirt at qemu:///system is not reachable" "$T/install.log" ||
                fail "the install-time rebuild's warnings are hidden"
fi
cmp -s /etc/nsswitch.conf "$T/nsswitch.before" || fail "installing edited nsswitch.conf"
for f in $LEFT; do [ -e "$f" ] || fail "not installed: $f"; done
for p in $LIBEXEC; do [ -x "/usr/libexec/virt-name-cache/$p" ] || fail "not installed: /usr/libexec/virt-name-cache/$p"; done
# The lease helper's store part, loaded by the helper (not run).
[ -f /usr/libexec/virt-name-cache/lease-record.so ] || fail "not installed: /usr/libexec/virt-name-cache/lease-record.so"
expect_eq "store directory" "700 root:root" "$(stat -c '%a %U:%G' /var/lib/virt-name-cache)"
expect_eq "hook link" "/usr/libexec/virt-name-cache/network-hook" "$(readlink /etc/libvirt/hooks/network.d/virt-name-cache)"
[ -e /var/lib/virt-name-cache/store.mdb ] && [ -e /run/virt-name-cache/names.delta ] ||
        fail "the post-install rebuild made no store"
pass "installed: files, modes, hooks, no nsswitch edit, rebuild ran"
# The watcher is off until enable-watch (issue 22).
expect_eq "the watcher's unit after installing" disabled \
        "$(systemctl --root=/ is-enabled virt-name-cache-watch.service 2>&1)"
if [ ! -d /run/systemd/system ]; then
        out=$(virt-name-cache enable-watch 2>&1) && fail "enable-watch without systemd: $out"
        grep -q "does not run systemd: run, as root, /usr/libexec/virt-name-cache/watch" <<<"$out" ||
                fail "enable-watch without systemd does not say what to run: $out"
fi

virt-name-cache doctor --nsswitch "$T/nsswitch.before" >"$T/doctor" 2>&1
cat "$T/doctor"
grep -q "^ok .*libnss_virtname.so.2 loads" "$T/doctor" || fail "doctor: module"
grep -q "^ok .*network hook" "$T/doctor" || fail "doctor: hooks"
grep -q "^ok .*lease helper" "$T/doctor" || fail "doctor: lease helper"
grep -q "^ok .*lease helper's store part: /usr/libexec/virt-name-cache/lease-record.so" "$T/doctor" ||
        fail "doctor: the lease helper's store part"
grep -q "^ok .*ssh: qemu/GUEST goes through /usr/libexec/virt-name-cache/ssh-proxy %h %p ($SNIPPET)" "$T/doctor" ||
        fail "doctor: ssh"
pass "doctor sees the installed module, hooks, helper and ssh snippet"
# The machine's own ssh configuration (a libvirt-ssh-proxy installed here
# included) gives qemu/ hosts our proxy.
expect_eq "ssh -G root@qemu/guest: our proxy" "/usr/libexec/virt-name-cache/ssh-proxy %h %p" \
        "$(ssh -G -F /etc/ssh/ssh_config root@qemu/guest 2>/dev/null | sed -n 's/^proxycommand //p')"

# A sample guest, through the installed module only (no LD_LIBRARY_PATH):
# the host name it sent (a domain's name would need its running domain's
# port to answer, which lease files cannot say).
virt-name-cache rebuild --leases-dir "$TOP/selftest/demo" >/dev/null || fail "rebuild into the installed store"
out=$(env -u LD_LIBRARY_PATH -u VIRT_NAME_CACHE_DIR getent -s hosts:virtname ahostsv4 web | awk '{print $1}' | sort -u)
expect_eq "installed module resolves a guest" "198.18.0.10" "$out"
cp "$TOP/selftest/fixtures/nsswitch/mdns.in" "$T/nss.conf"
virt-name-cache enable-nss --file "$T/nss.conf" >/dev/null && cmp -s "$T/nss.conf" "$TOP/selftest/fixtures/nsswitch/mdns.out" ||
        fail "installed enable-nss"
virt-name-cache disable-nss --file "$T/nss.conf" >/dev/null && cmp -s "$T/nss.conf" "$TOP/selftest/fixtures/nsswitch/mdns.in" ||
        fail "installed disable-nss"
pass "installed enable-nss/disable-nss on a copy"

dpkg --purge virt-name-cache libnss-virtname >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "purge"; }
for f in $LEFT; do [ -e "$f" ] && fail "left behind after purge: $f"; done
[ -e /etc/nsswitch.conf.virt-name-cache.bak ] && fail "backup left behind"
cmp -s /etc/nsswitch.conf "$T/nsswitch.before" || fail "purge changed nsswitch.conf"
pass "purge leaves nothing behind"

# An upgrade from 0.1, which installed the ssh snippet as
# 30-virt-name-cache.conf (it sorted after libvirt-ssh-proxy's): 0.1 is
# this package repacked with that name and without the move.
old=$T/old
dpkg-deb -R build/packages/virt-name-cache_*.deb "$old" || fail "dpkg-deb -R"
mv "$old$SNIPPET" "$old$OLD_SNIPPET"
sed -i "s|^$SNIPPET\$|$OLD_SNIPPET|" "$old/DEBIAN/conffiles"
sed -i 's/^Version: .*/Version: 0.1/' "$old/DEBIAN/control"
sed -i '/dpkg-maintscript-helper mv_conffile/d' "$old/DEBIAN/postinst" "$old/DEBIAN/postrm"
rm -f "$old/DEBIAN/preinst"
dpkg-deb -b "$old" "$T/virt-name-cache_0.1_old.deb" >/dev/null || fail "dpkg-deb -b 0.1"
upgrade() {   # LOCAL-CHANGE: install 0.1, change its snippet (if given), upgrade
        dpkg -i build/packages/libnss-virtname_*.deb "$T/virt-name-cache_0.1_old.deb" >"$T/old.log" 2>&1 ||
                { cat "$T/old.log"; fail "dpkg -i 0.1"; }
        [ -e "$OLD_SNIPPET" ] && [ ! -e "$SNIPPET" ] || fail "0.1 did not install $OLD_SNIPPET"
        [ -z "$1" ] || echo "$1" >>"$OLD_SNIPPET"
        dpkg -i build/packages/virt-name-cache_*.deb >"$T/upgrade.log" 2>&1 || { cat "$T/upgrade.log"; fail "upgrade"; }
        expect_eq "upgraded" "0.2" "$(dpkg-query -W -f='${Version}' virt-name-cache)"
        [ -e "$OLD_SNIPPET" ] && fail "the upgrade left $OLD_SNIPPET"
        expect_eq "the snippet's conffile name" "$SNIPPET" "$(dpkg-query -W -f='${Conffiles}' virt-name-cache | awk '/ssh_config/ && $3 != "obsolete" {print $1}')"
}
upgrade ""
cmp -s "$SNIPPET" "$old$OLD_SNIPPET" || fail "upgraded snippet differs from the package's"
expect_eq "nothing beside the snippet" "$SNIPPET" "$(ls -d /etc/ssh/ssh_config.d/*virt-name-cache*)"
purge
upgrade "# a local change"
grep -qx "# a local change" "$SNIPPET" || fail "the local change did not move to $SNIPPET: $(cat "$T/upgrade.log")"
[ -e "$SNIPPET.dpkg-new" ] || fail "the package's new snippet was not kept as $SNIPPET.dpkg-new"
purge
for f in $LEFT $OLD_SNIPPET /etc/ssh/ssh_config.d/*virt-name-cache*; do [ -e "$f" ] && fail "left behind after purge: $f"; done
pass "upgrade from 0.1: 30-virt-name-cache.conf moved to 20-virt-name-cache.conf, a local change with it"
trap - EXIT

if command -v rpmbuild >/dev/null; then
        # Fedora's %{optflags} (less its gcc specs files, which only
        # redhat-rpm-config has, and its x86 ones): _FORTIFY_SOURCE=3 the
        # -Wp way.
        fedora='-O2 -flto=auto -ffat-lto-objects -fexceptions -g -grecord-gcc-switches -pipe -Wall
                -Werror=format-security -Wp,-U_FORTIFY_SOURCE,-D_FORTIFY_SOURCE=3 -Wp,-D_GLIBCXX_ASSERTIONS
                -fstack-protector-strong -fasynchronous-unwind-tables -fstack-clash-protection
                -fno-omit-frame-pointer'
        make rpm RPM_OPTFLAGS="$(echo $fedora)" >"$T/rpm.log" 2>&1 || { tail -30 "$T/rpm.log"; fail "make rpm"; }
        grep -q -- "-Wp,-U_FORTIFY_SOURCE,-D_FORTIFY_SOURCE=3 .*-c -o build/obj/cmd/doctor.o" "$T/rpm.log" ||
                fail "the RPM build did not compile with the distribution's flags"
        grep -q -- "-D_FORTIFY_SOURCE=2" "$T/rpm.log" && fail "the RPM build added its own _FORTIFY_SOURCE=2"
        # The compiler's and the linker's (rpmbuild's own "warning: absolute
        # symlink" is Debian policy for the hook links).
        grep -E ".: (warning|error):" "$T/rpm.log" && fail "the RPM build with Fedora's flags warns"
        pass "the RPM builds with Fedora's flags, _FORTIFY_SOURCE=3, without a warning"
        for p in virt-name-cache libnss-virtname; do
                rpm=$(find build/packages/rpm/RPMS -name "$p-0*.rpm" | head -1)
                [ -n "$rpm" ] || fail "no $p rpm"
                rpm -qlp "$rpm" 2>/dev/null | sed 's/^/    /'
        done
        rpm -qlp "$(find build/packages/rpm/RPMS -name 'libnss-virtname-0*.rpm')" 2>/dev/null | grep -q "libnss_virtname.so.2" ||
                fail "the NSS rpm lacks the module"
        files=$(rpm -qlp "$(find build/packages/rpm/RPMS -name 'virt-name-cache-0*.rpm' | head -1)" 2>/dev/null)
        for p in $LIBEXEC lease-record.so; do
                grep -qx "/usr/libexec/virt-name-cache/$p" <<<"$files" || fail "the rpm lacks /usr/libexec/virt-name-cache/$p"
        done
        grep -qx /etc/apparmor.d/abstractions/virt-name-cache-port-probe <<<"$files" ||
                fail "the rpm lacks the AppArmor rules of port-probe"
        if [ -f /usr/share/selinux/devel/Makefile ]; then
                rpm=$(find build/packages/rpm/RPMS -name 'virt-name-cache-selinux-0*.rpm' | head -1)
                [ -n "$rpm" ] || fail "no virt-name-cache-selinux rpm"
                rpm -qlp "$rpm" 2>/dev/null | grep -q '/usr/share/selinux/packages/targeted/virt-name-cache.pp.bz2' ||
                        fail "the -selinux rpm lacks the policy module"
                rpm -qp --scripts "$rpm" 2>/dev/null | grep -q 'semodule .* -i ' ||
                        fail "the -selinux rpm does not install the module in %post"
        else
                skip_part "no SELinux devel Makefile: no -selinux rpm built"
        fi
        pass "rpmbuild -bb built the RPMs"
else
        skip_part "rpmbuild not installed: RPM build not checked"
fi
