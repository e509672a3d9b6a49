#!/usr/bin/env bash
# t-nss-conf: enable-nss / disable-nss on copies of nsswitch.conf files
# with unusual layouts (selftest/fixtures/nsswitch/NAME.in, expected
# NAME.out): exact result, idempotent, disable undoes enable byte for
# byte, a backup, mode and owner kept, symlinks edited where they point.
# glibc itself, reading each result, then asks virtname, and doctor
# (the same parser) agrees.  A bind-mounted nsswitch.conf (a mount point,
# as in containers) is rewritten in place; a failed edit leaves neither
# its backup nor a temporary file.
. "$(dirname "$0")/lib.sh"
VNC=${VNC:-$B/virt-name-cache}
D=$TOP/selftest/fixtures/nsswitch
S=$T/store
make_store "$S"

# glibc itself reads FILE (bind-mounted over /etc/nsswitch.conf in a
# private mount namespace) in a network namespace of its own, so that no
# DNS query leaves the machine; its one address (on a veth pair, from
# 198.18.0.0/15) lets getaddrinfo's AI_ADDRCONFIG ask for IPv4 at all.
# Prints the addresses a plain getent finds for web-vm.
if unshare -m -n true 2>/dev/null; then
        through_glibc() {
                unshare -m -n --propagation private bash -c 'mount --bind "$1" /etc/nsswitch.conf &&
                        ip link add vnc0 type veth peer name vnc1 && ip addr add 198.18.255.1/24 dev vnc0 &&
                        ip link set vnc0 up && ip link set vnc1 up &&
                        VIRT_NAME_CACHE_DIR=$2 LD_LIBRARY_PATH=$3 timeout 10 getent ahostsv4 web-vm' _ "$1" "$S" "$B" |
                        awk '{print $1}' | sort -u | xargs
        }
else
        skip_part "no mount and network namespaces: plain getent through the edited file not run"
        through_glibc() { echo "no unshare"; }
fi
# What doctor says of FILE's hosts line.
doctor_says() {
        "$VNC" --db-dir "$T/none" doctor --nsswitch "$1" --hooks-dir "$T/none" --leases-dir "$T/none" \
                --helper "$T/none" 2>&1 | grep -F "$1"
}

for in in "$D"/*.in; do
        name=$(basename "$in" .in) f=$T/$name.conf
        cp "$in" "$f"
        chmod 640 "$f"
        if [ "$name" != already ] && [ "$(through_glibc "$f")" != "no unshare" ]; then
                expect_eq "$name: before, glibc does not ask virtname" "" "$(through_glibc "$f")"
                doctor_says "$f" | grep -q "^problem " ||
                        fail "$name: doctor before enable: $(doctor_says "$f")"
        fi
        "$VNC" enable-nss --file "$f" >"$T/said" || fail "$name: enable-nss failed"
        # What it says of the source it was placed before is that source's text.
        [ "$name" = resolved-first ] && { grep -qF "placed before 'resolve [!UNAVAIL=return]', which ends the lookup" \
                "$T/said" || fail "$name: enable-nss said: $(cat "$T/said")"; }
        cmp -s "$f" "$D/$name.out" || fail "$name: enable-nss gave:$(echo; cat -A "$f")"
        [ "$(through_glibc "$f")" = "no unshare" ] ||
                expect_eq "$name: glibc asks virtname" "198.18.0.10" "$(through_glibc "$f")"
        doctor_says "$f" | grep -q "^ok .*hosts line names virtname" || fail "$name: doctor: $(doctor_says "$f")"
        "$VNC" enable-nss --file "$f" | grep -q "already enabled" || fail "$name: second enable not idempotent"
        cmp -s "$f" "$D/$name.out" || fail "$name: second enable changed the file"
        expect_eq "$name: mode kept" "640" "$(stat -c %a "$f")"
        case $name in
        already) ;;
        *) cmp -s "$f.virt-name-cache.bak" "$in" || fail "$name: no backup of the original" ;;
        esac
        "$VNC" disable-nss --file "$f" >/dev/null || fail "$name: disable-nss failed"
        case $name in
        no-hosts) expect_eq "$name: disable leaves the added hosts line without virtname" \
                          "hosts:          files dns" "$(grep '^hosts' "$f")" ;;
        already) expect_eq "$name: disable" "hosts: files dns" "$(cat "$f")" ;;
        # glibc ignores a last line without a newline: enable added one.
        no-newline) cmp -s "$f" <(cat "$in"; echo) || fail "$name: disable-nss gave:$(echo; cat -A "$f")" ;;
        *) cmp -s "$f" "$in" || fail "$name: disable-nss did not restore the original:$(echo; cat -A "$f")" ;;
        esac
        "$VNC" disable-nss --file "$f" | grep -q "already disabled" || fail "$name: second disable"
        pass "$name"
done

# A symlinked nsswitch.conf: the target is edited, the link stays a link.
cp "$D/debian.in" "$T/real.conf"
ln -s real.conf "$T/link.conf"
"$VNC" enable-nss --file "$T/link.conf" >/dev/null || fail "symlink: enable"
[ -L "$T/link.conf" ] || fail "symlink replaced by a file"
cmp -s "$T/real.conf" "$D/debian.out" || fail "symlink target not edited"
pass "symlink edited through"

# The result is what glibc reads: our module answers through it.
cp "$D/mdns.in" "$T/nss.conf" && "$VNC" enable-nss --file "$T/nss.conf" >/dev/null
line=$(sed -n 's/^hosts: *//p' "$T/nss.conf" | sed 's/ *#.*//')
expect_eq "enabled line" "files virtname mdns4_minimal [NOTFOUND=return] dns myhostname" "$line"
if [ "$(through_glibc "$T/nss.conf")" != "no unshare" ]; then
        expect_eq "enabled: plain getent resolves the guest" "198.18.0.10" "$(through_glibc "$T/nss.conf")"
        "$VNC" disable-nss --file "$T/nss.conf" >/dev/null
        expect_eq "disabled: it does not" "" "$(through_glibc "$T/nss.conf")"
fi

# disable-nss takes every virtname off the line glibc uses.
printf 'hosts: virtname files virtname [NOTFOUND=return] dns virtname\n' >"$T/many.conf"
"$VNC" disable-nss --file "$T/many.conf" >/dev/null || fail "disable of several"
expect_eq "disable removes every virtname" "hosts: files dns" "$(cat "$T/many.conf")"
# Already there but where it is never asked: enable-nss says so.
printf 'hosts: files [NOTFOUND=return] virtname\n' >"$T/late.conf"
"$VNC" enable-nss --file "$T/late.conf" 2>"$T/err" | grep -q "already enabled" || fail "late: already"
grep -q "never asked" "$T/err" || fail "late virtname not warned about: $(cat "$T/err")"
pass "a virtname that is never asked is pointed out"

# A hosts line glibc rejects (a bad action block) is not edited.
printf 'hosts: files [NOTFOUND=bogus] dns\n' >"$T/bad.conf"
cp "$T/bad.conf" "$T/bad.orig"
"$VNC" enable-nss --file "$T/bad.conf" 2>"$T/err"; expect_eq "malformed hosts line: exit" "4" "$?"
grep -q "line 1.*malformed (unknown action 'bogus'" "$T/err" || fail "malformed message: $(cat "$T/err")"
cmp -s "$T/bad.conf" "$T/bad.orig" || fail "malformed file changed"
[ -e "$T/bad.conf.virt-name-cache.bak" ] && fail "backup written for a refused edit"
pass "a malformed hosts line is refused"

# nsswitch.conf as a mount point (a bind-mounted file, as in a container):
# no rename can replace it (EBUSY), so it is rewritten in place; the
# backup goes beside it and no temporary file is left.
leftovers() { find "$1" -name 'nsswitch.conf.??????' -o -name '*.bak.??????' | xargs; }
if unshare -m true 2>/dev/null; then
        mkdir -p "$T/etc"
        cp "$D/debian.in" "$T/etc/nsswitch.conf" && cp "$D/debian.in" "$T/outside.conf"
        chmod 644 "$T/outside.conf"
        in_ns() {   # COMMAND: run in a private mount namespace with $T/outside.conf bound over $T/etc/nsswitch.conf
                unshare -m --propagation private bash -c 'mount --bind "$1/outside.conf" "$1/etc/nsswitch.conf" &&
                        "$2" "$3" --file "$1/etc/nsswitch.conf"' _ "$T" "$VNC" "$1"
        }
        in_ns enable-nss >"$T/out" 2>&1 || fail "enable-nss on a mount point: $(cat "$T/out")"
        cmp -s "$T/outside.conf" "$D/debian.out" || fail "mount point: the mounted file was not edited"
        cmp -s "$T/etc/nsswitch.conf.virt-name-cache.bak" "$D/debian.in" || fail "mount point: no backup"
        expect_eq "mount point: no temporary file left" "" "$(leftovers "$T")"
        expect_eq "mount point: mode kept" "644" "$(stat -c %a "$T/outside.conf")"
        in_ns disable-nss >"$T/out" 2>&1 || fail "disable-nss on a mount point: $(cat "$T/out")"
        cmp -s "$T/outside.conf" "$D/debian.in" || fail "mount point: disable did not restore"
        pass "a bind-mounted nsswitch.conf is edited in place, with a backup"

        # A read-only mount: the edit fails, the file is unchanged, the
        # earlier backup is what it was and nothing else is left behind.
        printf 'an earlier backup\n' >"$T/etc/nsswitch.conf.virt-name-cache.bak"
        unshare -m --propagation private bash -c 'mount --bind "$1/outside.conf" "$1/etc/nsswitch.conf" &&
                mount -o remount,bind,ro "$1/etc/nsswitch.conf" && "$2" enable-nss --file "$1/etc/nsswitch.conf"' \
                _ "$T" "$VNC" >"$T/out" 2>&1
        expect_eq "read-only mount: exit" "6" "$?"
        grep -q "Read-only file system (it is unchanged)" "$T/out" || fail "read-only mount message: $(cat "$T/out")"
        cmp -s "$T/outside.conf" "$D/debian.in" || fail "read-only mount: file changed"
        expect_eq "read-only mount: the earlier backup is kept" "an earlier backup" \
                "$(cat "$T/etc/nsswitch.conf.virt-name-cache.bak")"
        rm "$T/etc/nsswitch.conf.virt-name-cache.bak"
        unshare -m --propagation private bash -c 'mount --bind "$1/outside.conf" "$1/etc/nsswitch.conf" &&
                mount -o remount,bind,ro "$1/etc/nsswitch.conf" && "$2" enable-nss --file "$1/etc/nsswitch.conf"' \
                _ "$T" "$VNC" >"$T/out" 2>&1
        expect_eq "read-only mount, no earlier backup: exit" "6" "$?"
        [ -e "$T/etc/nsswitch.conf.virt-name-cache.bak" ] && fail "the backup of a failed edit was left behind"
        expect_eq "read-only mount: no temporary file left" "" "$(leftovers "$T")"
        pass "a failed edit leaves the file, the earlier backup and nothing else"
else
        skip_part "unshare -m not possible here: mount-point cases not run"
fi

# A file authselect generates is refused (authselect would undo the edit),
# with the way that lasts; authselect's user file is edited as usual.
printf '# Generated by authselect\n# Do not modify this file manually, use authselect instead.\n\npasswd:     files systemd\nhosts:      files myhostname resolve [!UNAVAIL=return] dns\n' >"$T/authselect.conf"
cp "$T/authselect.conf" "$T/authselect.orig"
"$VNC" enable-nss --file "$T/authselect.conf" 2>"$T/err"; expect_eq "authselect file: exit" "4" "$?"
grep -q "generated by authselect" "$T/err" && grep -q "user-nsswitch.conf" "$T/err" || fail "authselect message: $(cat "$T/err")"
cmp -s "$T/authselect.conf" "$T/authselect.orig" || fail "authselect file changed"
"$VNC" disable-nss --file "$T/authselect.conf" | grep -q "already disabled" || fail "disable on an authselect file"
pass "a file generated by authselect is refused, unchanged, with the way to do it"

# Errors: missing file, a directory, usage.
"$VNC" enable-nss --file "$T/missing" 2>"$T/err"; expect_eq "missing file: exit" "4" "$?"
grep -q "No such file" "$T/err" || fail "missing file message"
"$VNC" enable-nss --file "$T" 2>"$T/err"; expect_eq "directory: exit" "4" "$?"
grep -q "not a regular file" "$T/err" || fail "directory message: $(cat "$T/err")"
"$VNC" enable-nss --file /dev/null 2>"$T/err"; expect_eq "a device: exit" "4" "$?"
grep -q "^virt-name-cache: /dev/null: not a regular file$" "$T/err" || fail "device message: $(cat "$T/err")"
mkfifo "$T/fifo"
timeout 10 "$VNC" enable-nss --file "$T/fifo" 2>"$T/err"; expect_eq "a FIFO (opening must not block): exit" "4" "$?"
grep -q "fifo: not a regular file$" "$T/err" || fail "FIFO message: $(cat "$T/err")"
truncate -s 2M "$T/huge.conf"
"$VNC" enable-nss --file "$T/huge.conf" 2>"$T/err"; expect_eq "a huge file: exit" "4" "$?"
grep -q "not a plausible nsswitch.conf (too large)" "$T/err" || fail "huge file message: $(cat "$T/err")"
"$VNC" enable-nss extra 2>/dev/null; expect_eq "extra argument: exit" "2" "$?"
"$VNC" enable-nss --help | grep -q "^Usage: virt-name-cache enable-nss" || fail "--help"
