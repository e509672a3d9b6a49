# selftest/lib.sh - sourced by every selftest/t-*.sh.
set -u
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${B:=$TOP/build}" "${BA:=$TOP/build-asan}"
: "${T:=$(mktemp -d)}"
export TOP B BA T

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "ok: $*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
        [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
        pass "$1"
}

# Resolve through real glibc with only our module, against store dir $1.
vnc_getent() {
        local dir=$1; shift
        VIRT_NAME_CACHE_DIR=$dir LD_LIBRARY_PATH=$B getent -s hosts:virtname "$@"
}

# The sorted address set getent ahosts* prints for NAME ("" if none).
addrs_of() {
        local dir=$1 db=$2 name=$3
        vnc_getent "$dir" "$db" "$name" | awk '{print $1}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
