#!/usr/bin/env bash
# t-ssh-config: our ssh_config.d snippet beside libvirt's own ssh proxy
# (package libvirt-ssh-proxy, Debian 13: 30-libvirt-ssh-proxy.conf, the
# same Host qemu/* qemu:system/* qemu:session/*).  Through the real ssh
# -G (the options a host gets, first value read wins) and Debian's own
# /etc/ssh/ssh_config pointed at a test ssh_config.d: with both snippets
# installed ours wins every option; under 0.1's name (30-virt-name-cache)
# libvirt's ProxyCommand won and mixed with our KnownHostsCommand; doctor
# names a snippet or ssh_config itself when it takes qemu/* first, says
# ok when ours wins, and only an info line without ssh.
. "$(dirname "$0")/lib.sh"
command -v ssh >/dev/null || skip "ssh is not installed (make test-deps installs openssh-client)"
[ -r /etc/ssh/ssh_config ] || skip "no /etc/ssh/ssh_config"
grep -q '^Include /etc/ssh/ssh_config.d/\*\.conf' /etc/ssh/ssh_config ||
        skip "/etc/ssh/ssh_config does not include ssh_config.d/*.conf"

# Our snippet as `make install` (and the packages) install it.
make -s -C "$TOP" --no-print-directory install-proxy B="$B" DESTDIR="$T/root" >"$T/install.log" 2>&1 ||
        fail "make install-proxy: $(cat "$T/install.log")"
E=$T/root/etc/ssh
OURS=$(cd "$E/ssh_config.d" && ls)
[ "$(wc -w <<<"$OURS")" = 1 ] || fail "install-proxy installed not one snippet: $OURS"
PROXY=/usr/libexec/virt-name-cache/ssh-proxy
sed "s|^Include /etc/ssh/ssh_config.d/|Include $E/ssh_config.d/|" /etc/ssh/ssh_config >"$E/ssh_config"

# libvirt's snippet: from the real package where the distribution has
# it (Debian 13), else (Debian 12) the text Debian 13's package ships.
LV=$E/ssh_config.d/30-libvirt-ssh-proxy.conf
if [ -n "$(apt-cache policy libvirt-ssh-proxy 2>/dev/null | sed -n 's/^ *Candidate: \([^(]\)/\1/p')" ]; then
        (cd "$T" && apt-get download libvirt-ssh-proxy) >"$T/download.log" 2>&1 &&
                dpkg-deb --fsys-tarfile "$T"/libvirt-ssh-proxy_*.deb |
                tar -xOf - ./etc/ssh/ssh_config.d/30-libvirt-ssh-proxy.conf >"$LV" ||
                skip_part "cannot download libvirt-ssh-proxy: $(tail -n 1 "$T/download.log"); its Debian 13 text used"
fi
if [ ! -s "$LV" ]; then
        echo "libvirt-ssh-proxy is not in this distribution: its snippet as Debian 13 ships it"
        printf 'Host qemu/* qemu:system/* qemu:session/*\n    ProxyCommand /usr/lib/libvirt/libvirt-ssh-proxy %%h %%p\n    ProxyUseFdpass yes\n    CheckHostIP no\n' >"$LV"
fi
cat "$LV"
LVPROXY=$(sed -n 's/^ *ProxyCommand \(.*\)/\1/p' "$LV")
[ -n "$LVPROXY" ] || fail "libvirt's snippet sets no ProxyCommand"

opt() {   # CONFIG HOST OPTION: what ssh -G gives HOST for OPTION
        ssh -G -F "$1" "$2" 2>/dev/null | sed -n "s/^$3 //p"
}
for h in root@qemu/guest qemu:system/guest qemu:session/guest; do
        expect_eq "both installed, $h: our ProxyCommand" "$PROXY %h %p" "$(opt "$E/ssh_config" $h proxycommand)"
done
expect_eq "both installed: our KnownHostsCommand" "$PROXY --known-hosts %I %H %t %f %K" \
        "$(opt "$E/ssh_config" qemu/guest knownhostscommand)"
expect_eq "both installed: our UserKnownHostsFile" "none" "$(opt "$E/ssh_config" qemu/guest userknownhostsfile)"
expect_eq "other hosts: no ProxyCommand of either" "" "$(opt "$E/ssh_config" example.org proxycommand)"
pass "with libvirt-ssh-proxy's snippet installed too, ssh takes ours ($OURS) for qemu/*"

# 0.1's name sorted after libvirt's: its ProxyCommand won, mixed with ours.
mv "$E/ssh_config.d/$OURS" "$E/ssh_config.d/30-virt-name-cache.conf"
expect_eq "0.1's name: libvirt's ProxyCommand" "$LVPROXY" "$(opt "$E/ssh_config" qemu/guest proxycommand)"
expect_eq "0.1's name: with our KnownHostsCommand" "$PROXY --known-hosts %I %H %t %f %K" \
        "$(opt "$E/ssh_config" qemu/guest knownhostscommand)"
mv "$E/ssh_config.d/30-virt-name-cache.conf" "$E/ssh_config.d/$OURS"
pass "under 0.1's name (30-virt-name-cache.conf) libvirt's proxy took qemu/*, with our known-hosts command"

# doctor, against the test's ssh configuration.
make_store "$T/store"
ssh_line() {   # the ssh line of doctor --ssh-config CONFIG [PATH]
        env PATH="${2:-$PATH}" "$B/virt-name-cache" --db-dir "$T/store" doctor --connect test:///default --leases-dir "$T/none" \
                --hooks-dir "$T/none" --ssh-config "$1" 2>&1 | grep '^[a-z]* *ssh: '
}
out=$(ssh_line "$E/ssh_config")
grep -q "^ok  *ssh: qemu/GUEST goes through $PROXY %h %p ($E/ssh_config.d/$OURS)$" <<<"$out" ||
        fail "doctor, ours first: $out"
pass "doctor: ok when ours comes first"

cp "$LV" "$E/ssh_config.d/10-other-proxy.conf"
out=$(ssh_line "$E/ssh_config")
grep -q "^warning  *ssh: $E/ssh_config.d/10-other-proxy.conf sorts before $OURS and sets qemu/\*'s proxycommand first.*runs $LVPROXY" <<<"$out" ||
        fail "doctor, a snippet before ours: $out"
rm "$E/ssh_config.d/10-other-proxy.conf"
pass "doctor names a snippet that sorts before ours and takes qemu/*'s ProxyCommand"

{ printf 'Host qemu/*\n    KnownHostsCommand /bin/true\n'; cat "$E/ssh_config"; } >"$E/ssh_config.first"
cp "$E/ssh_config.first" "$E/ssh_config"
out=$(ssh_line "$E/ssh_config")
grep -q "^warning  *ssh: $E/ssh_config gives qemu/\* its own knownhostscommand before $E/ssh_config.d/$OURS" <<<"$out" ||
        fail "doctor, ssh_config first: $out"
pass "doctor names ssh_config when it sets an option of ours for qemu/* before the snippets"

out=$(ssh_line "$E/ssh_config" /nonexistent)
grep -q "^info  *ssh: ssh is not installed: the ssh set-up is not checked$" <<<"$out" || fail "doctor without ssh: $out"
rm "$E/ssh_config.d/$OURS"
out=$(ssh_line "$E/ssh_config")
grep -q "^info  *ssh: $E/ssh_config.d/$OURS: No such file or directory" <<<"$out" || fail "doctor without our snippet: $out"
pass "doctor without ssh or without our snippet: an info line"
