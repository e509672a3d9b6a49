#!/usr/bin/env bash
# t-build: the makefile takes the caller's flags and install paths.
# -Werror only with WERROR=1; our -D_FORTIFY_SOURCE=2 only when the
# caller's CPPFLAGS/CFLAGS set none (Debian's CPPFLAGS, Fedora's
# -Wp,-U_FORTIFY_SOURCE,-D_FORTIFY_SOURCE=3); an install path changed on
# the command line (LIBEXECDIR) rebuilds what compiles it in, in a scratch
# build tree, and an unchanged one rebuilds nothing.  (make check builds
# the whole tree with gcc, ASan/UBSan and clang under -Werror; t-package
# builds the packages with Debian's and Fedora's flags.)
. "$(dirname "$0")/lib.sh"
cd "$TOP" || fail "no source tree"
compile_line() {   # MAKE-ARGS...: how make would compile cmd/doctor.c
        make -n -B B="$T/b" "$@" "$T/b/obj/cmd/doctor.o" 2>/dev/null | grep -- '-c -o .*doctor\.o'
}
fortify() { compile_line "$@" | grep -o -- '-D_FORTIFY_SOURCE=[0-9]' | xargs; }

compile_line | grep -q -- '-Werror' && fail "-Werror without WERROR=1"
compile_line WERROR=1 | grep -q -- ' -Werror ' || fail "no -Werror with WERROR=1"
pass "-Werror only with WERROR=1"

expect_eq "no flags: ours" "-D_FORTIFY_SOURCE=2" "$(fortify)"
expect_eq "CFLAGS with =3" "-D_FORTIFY_SOURCE=3" "$(fortify CFLAGS='-O2 -g -D_FORTIFY_SOURCE=3')"
expect_eq "CPPFLAGS with =3 (where dpkg-buildflags puts it)" "-D_FORTIFY_SOURCE=3" \
        "$(fortify CPPFLAGS=-D_FORTIFY_SOURCE=3)"
expect_eq "Fedora's -Wp form" "-D_FORTIFY_SOURCE=3" "$(fortify CFLAGS='-O2 -Wp,-U_FORTIFY_SOURCE,-D_FORTIFY_SOURCE=3')"
pass "the caller's _FORTIFY_SOURCE is the only one"

# The lease helper's store part compiles in LIBEXECDIR (where dns-send
# and port-probe are), its front and that part libvirt's helper.
H=$T/b/hooks/lease-helper S=$T/b/hooks/lease-record.so
make -s B="$T/b" "$H" "$S" >"$T/make1.log" 2>&1 || fail "build: $(tail -5 "$T/make1.log")"
strings "$S" | grep -qx '/usr/libexec/virt-name-cache' || fail "default LIBEXECDIR not compiled in"
make B="$T/b" LIBEXECDIR=/opt/vnc LIBVIRT_LEASESHELPER=/opt/lv/helper "$H" "$S" >"$T/make2.log" 2>&1 ||
        fail "rebuild: $(tail -5 "$T/make2.log")"
grep -q -- '-c -o .*hooks/hook\.o' "$T/make2.log" || fail "LIBEXECDIR changed, hook.o not rebuilt"
strings "$S" | grep -qx '/opt/vnc/virt-name-cache' || fail "the new LIBEXECDIR is not in the helper"
for f in "$H" "$S"; do
        strings "$f" | grep -qx '/opt/lv/helper' || fail "the new LIBVIRT_LEASESHELPER is not in ${f##*/}"
done
make B="$T/b" LIBEXECDIR=/opt/vnc LIBVIRT_LEASESHELPER=/opt/lv/helper "$H" "$S" >"$T/make3.log" 2>&1
grep -q -- '-c -o ' "$T/make3.log" && fail "the same paths again rebuilt: $(grep -- '-c -o ' "$T/make3.log" | head -3)"
pass "a changed install path rebuilds (config.h), an unchanged one does not"
