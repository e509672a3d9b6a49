#!/usr/bin/env bash
# t-layers: the folders include only what their layer may use (README,
# "How it works"; cache/build.mk): read/ nothing but itself (the NSS
# module links it alone), then write/, libvirt/, derive/, ingest/, each
# only the ones before it; the programs (nss/, proxy/, dns/, hooks/,
# cmd/) only cache/ and what this table allows; cache/ no program.  And
# one include root: every quoted include names its file from the top.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || fail "no source tree"

# folder: the folders its files may include from (besides the system's).
declare -A may=(
        [cache/read]="cache/read"
        [cache/write]="cache/read cache/write"
        [cache/libvirt]="cache/read cache/write cache/libvirt"
        [cache/derive]="cache/read cache/write cache/libvirt cache/derive"
        [cache/ingest]="cache/read cache/write cache/libvirt cache/derive cache/ingest"
        [nss]="cache/read nss"
        [proxy]="cache/read cache/write cache/libvirt proxy"
        [dns]="cache/read cache/write cache/derive dns"
        [hooks]="cache dns hooks"
        [cmd]="cache dns cmd"
)
bad=0 checked=0
for dir in "${!may[@]}"; do
        for f in "$dir"/*.[ch]; do
                [ -e "$f" ] || continue
                while IFS= read -r inc; do
                        checked=$((checked + 1))
                        [ -e "$inc" ] || { echo "$f: \"$inc\" is not a path from the top"; bad=1; continue; }
                        ok=0
                        for allowed in ${may[$dir]}; do
                                case $inc in "$allowed"/*) ok=1 ;; esac
                        done
                        [ $ok = 1 ] || { echo "$f includes $inc: $dir may use only ${may[$dir]}"; bad=1; }
                done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
        done
done
[ $checked -gt 100 ] || fail "only $checked includes found: is the tree there?"
[ $bad = 0 ] || fail "includes that break the layers (above)"
pass "$checked includes follow the layers"

# The NSS module's objects are read/'s and its own, nothing else.
objs=$(make -s -C "$TOP" -pn B="$B" 2>/dev/null | sed -n 's/^NSS_SRCS := //p' | head -n 1)
[ -n "$objs" ] || fail "cannot read NSS_SRCS from the makefiles"
for o in $objs; do
        case $o in cache/read/*.c|nss/*.c) ;; *) fail "the NSS module links $o" ;; esac
done
pass "the NSS module links read/ and nss/ only"
