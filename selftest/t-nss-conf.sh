#!/usr/bin/env bash
# t-nss-conf: enable-nss / disable-nss on copies of nsswitch.conf files
# with unusual layouts (selftest/fixtures/nsswitch/NAME.in, expected
# NAME.out): exact result, idempotent, disable undoes enable byte for
# byte, a backup, mode and owner kept, symlinks edited where they point.
. "$(dirname "$0")/lib.sh"
VNC=${VNC:-$B/virt-name-cache}
D=$TOP/selftest/fixtures/nsswitch
for in in "$D"/*.in; do
        name=$(basename "$in" .in) f=$T/$name.conf
        cp "$in" "$f"
        chmod 640 "$f"
        "$VNC" enable-nss --file "$f" >/dev/null || fail "$name: enable-nss failed"
        cmp -s "$f" "$D/$name.out" || fail "$name: enable-nss gave:$(echo; cat -A "$f")"
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
S=$T/store
make_store "$S"
cp "$D/mdns.in" "$T/nss.conf" && "$VNC" enable-nss --file "$T/nss.conf" >/dev/null
line=$(sed -n 's/^hosts: *//p' "$T/nss.conf" | sed 's/ *#.*//')
expect_eq "enabled line" "files virtname mdns4_minimal [NOTFOUND=return] dns myhostname" "$line"
# glibc itself reads the edited file (bind-mounted over /etc/nsswitch.conf
# in a private mount namespace only): a plain getent finds the guest.
if unshare -m true 2>/dev/null; then
        through_glibc() {
                unshare -m --propagation private bash -c 'mount --bind "$1" /etc/nsswitch.conf &&
                        VIRT_NAME_CACHE_DIR=$2 LD_LIBRARY_PATH=$3 getent ahostsv4 web-vm' _ "$1" "$S" "$B" |
                        awk '{print $1}' | sort -u | xargs
        }
        expect_eq "enabled: plain getent resolves the guest" "198.18.0.10" "$(through_glibc "$T/nss.conf")"
        "$VNC" disable-nss --file "$T/nss.conf" >/dev/null
        expect_eq "disabled: it does not" "" "$(through_glibc "$T/nss.conf")"
fi

# Errors: missing file, a directory, usage.
"$VNC" enable-nss --file "$T/missing" 2>"$T/err"; expect_eq "missing file: exit" "4" "$?"
grep -q "No such file" "$T/err" || fail "missing file message"
"$VNC" enable-nss --file "$T" 2>"$T/err"; expect_eq "directory: exit" "4" "$?"
grep -q "not a regular file" "$T/err" || fail "directory message: $(cat "$T/err")"
"$VNC" enable-nss extra 2>/dev/null; expect_eq "extra argument: exit" "2" "$?"
"$VNC" enable-nss --help | grep -q "^Usage: virt-name-cache enable-nss" || fail "--help"
