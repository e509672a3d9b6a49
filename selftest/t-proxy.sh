#!/usr/bin/env bash
# t-proxy: the ssh proxy.  Part 1 resolves guests (name, UUID, ID; system
# vs session store; libvirt's test driver as the fallback; never a host
# name a guest sent) and follows the VSOCK path up to connect(): this
# machine has AF_VSOCK but no loopback transport and no vhost device, so
# no guest can answer; the test checks the CID and port that reach
# connect() and the error.  It also runs the KnownHostsCommand mode by
# hand.  Part 2 is end to end with Debian's OpenSSH: sshd in a guest
# network namespace (198.18.5.22) behind the domain's tap (vnet3, a port
# of the network's bridge in the host namespace, where ssh runs), the
# proxy passing the TCP socket to ssh (ProxyUseFdpass).  Until the tap
# answered for the lease (port-probe, the store's prober, asked by the
# test), the proxy connects where DHCP says but pins no key, and says how
# to pin it by hand; then it keeps one host key per guest UUID whichever
# alias is used.
. "$(dirname "$0")/lib.sh"
# The whole test runs in private mount and network namespaces: part 2
# mounts over /run/sshd, and nothing part 1 tries can leave the machine.
if [ "${IN_NAMESPACE:-}" != 1 ]; then
        unshare -m -n true 2>/dev/null || skip "no mount and network namespaces here"
        IN_NAMESPACE=1 exec unshare -m -n --propagation private bash "$0"
fi
F=$TOP/selftest/fixtures
export PROXY
SYS=$T/system SES=$T/session
export VIRT_NAME_CACHE_DIR=$SYS VIRT_NAME_CACHE_SESSION_DIR=$SES VIRT_NAME_CACHE_LEASESHELPER=$T/none
export VIRT_NAME_CACHE_LIBVIRT_URI=test:///$F/proxy/libvirt-node.xml VIRT_NAME_CACHE_CONNECT_TIMEOUT=1
# The hooks start no prober: part 2 runs it where the ports are.
export VIRT_NAME_CACHE_PORT_PROBE=/bin/true
P=${PROXY:-$B/proxy/ssh-proxy}
domain_xml() {   # NAME ID UUID-LAST-DIGITS CID MAC
        sed -e "s/VsockVM/$1/; s/id='12'/id='$2'/; s/3d11</$3</; s/address='42'/address='$4'/" \
            -e "s/52:54:00:05:00:03/$5/; /52:54:00:05:00:04/d" "$F/xml/domain-vsock.xml"
}
domain_xml VsockVM 12 3d11 42 52:54:00:05:00:03 | VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" VsockVM started begin -
domain_xml VsockVM 3 3d44 44 52:54:00:05:00:44 | VIRT_NAME_CACHE_DIR=$SES "$B/hooks/qemu-hook" VsockVM started begin -
domain_xml SessVM 4 3d43 43 52:54:00:05:00:43 | VIRT_NAME_CACHE_DIR=$SES "$B/hooks/qemu-hook" SessVM started begin -
[ -e "$SYS/names.delta" ] && [ -e "$SES/names.delta" ] || fail "stores not created"

proxy() { "$B/selftest/fdpass-recv" "$P" -v "$@" 2>"$T/err"; echo "exit $?" >>"$T/err"; }
expect_cid() {   # WHAT HOST CID [PORT]
        proxy "$2" "${4:-22}"
        grep -q "connecting over VSOCK to CID $3 port ${4:-22}" "$T/err" || fail "$1: $(cat "$T/err")"
        grep -q "cannot connect to .* over VSOCK (CID $3, port ${4:-22}): " "$T/err" ||
                fail "$1: no clear connect error: $(cat "$T/err")"
        grep -q "^exit 1" "$T/err" || fail "$1: exit status"
        pass "$1: CID $3 ($(grep 'cannot connect' "$T/err" | sed 's/.*: //'))"
}
expect_cid "domain name" qemu/vsockvm 42
expect_cid "UUID" qemu/6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d11 42
expect_cid "ID" qemu/12 42 2222
expect_cid "system first" qemu/VsockVM 42
expect_cid "qemu:session/ uses the session store" qemu:session/vsockvm 44
expect_cid "qemu/ falls back to the session store" qemu/sessvm 43
expect_cid "session ID" qemu:session/4 43
expect_cid "libvirt test driver fallback" qemu:system/lvonly 77
grep -q "from libvirt at test://" "$T/err" || fail "fallback not said"
expect_cid "libvirt fallback by UUID" qemu/11111111-2222-3333-4444-555555555555 77

# Only libvirt's names (issue 9).  System-store guests send DHCP host
# names that are a session domain's name, UUID and ID, look like a UUID
# or a number, or name no domain at all.  The system store holds them
# (the NSS module answers for host names), the proxy never takes them.
domain_xml mybox 5 3d45 45 52:54:00:05:00:45 | VIRT_NAME_CACHE_DIR=$SES "$B/hooks/qemu-hook" mybox started begin -
domain_xml impostor 31 3d31 46 52:54:00:05:00:31 | VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" impostor started begin -
n=31
for h in mybox 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43 4 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d99 99 onlyahostname; do
        VIRT_NAME_CACHE_DIR=$SYS DNSMASQ_LEASE_EXPIRES=0 DNSMASQ_SUPPLIED_HOSTNAME=$h \
                "$B/hooks/lease-helper" add "52:54:00:05:01:$n" "198.18.5.$n" "$h" ||
                fail "lease helper: $h"
        # All-digit names read as addresses: reserved, the lease kept
        # without them.
        case $h in *[!0-9]*) want=$h ;; *) want=- ;; esac
        "$B/virt-name-cache" --db-dir "$SYS" list | grep -q "^198\.18\.5\.$n  *$want " ||
                fail "the system store has no lease of host name $want: $("$B/virt-name-cache" --db-dir "$SYS" list)"
        n=$((n + 1))
done
expect_cid "qemu/mybox: the session domain, not a system guest calling itself mybox" qemu/mybox 45
grep -q "found in the store in $SES" "$T/err" || fail "qemu/mybox not from the session store: $(cat "$T/err")"
expect_cid "qemu/UUID: the session domain, not a guest host name equal to it" qemu/6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43 43
expect_cid "qemu/4: session domain ID 4, not a guest host name '4'" qemu/4 43
expect_cid "qemu/mybox in another case" qemu/MyBox 45
for h in qemu/6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d99 qemu/99 qemu/onlyahostname qemu:system/mybox; do
        proxy "$h" 22
        grep -q "unknown guest '${h#*/}'" "$T/err" && grep -q "^exit 1" "$T/err" ||
                fail "$h: a guest host name was taken for a guest: $(cat "$T/err")"
        grep -q "connecting" "$T/err" && fail "$h: connected somewhere: $(cat "$T/err")"
done
pass "UUID-like, numeric and plain guest host names: unknown guest"
# ssh lower-cases host names: a name that is two libvirt domains' in
# other cases is no answer; their UUIDs are.
proxy qemu/casevm 22
grep -q "guest name 'casevm' matches several domains at test:///.* that differ only in case: use its UUID" "$T/err" &&
        grep -q "^exit 1" "$T/err" || fail "names differing in case: $(cat "$T/err")"
pass "a name two domains have in other cases: refused"
expect_cid "one of them by UUID" qemu/11111111-2222-3333-4444-888888888888 80
if command -v strace >/dev/null; then
        strace -f -e trace=connect -o "$T/strace" "$B/selftest/fdpass-recv" "$P" qemu/vsockvm 2022 2>/dev/null
        # strace prints the CID and port in hex: 42 = 0x2a, 2022 = 0x7e6.
        grep -q "AF_VSOCK, svm_cid=0x2a, svm_port=0x7e6\|AF_VSOCK.*svm_port=2022.*svm_cid=42" "$T/strace" ||
                fail "connect() did not get CID 42 port 2022: $(grep connect "$T/strace")"
        pass "strace: connect(AF_VSOCK, cid 42, port 2022)"
else
        skip_part "strace not installed: the VSOCK connect() not traced"
fi

expect_error() {   # WHAT EXIT MESSAGE ARGS...
        local what=$1 code=$2 msg=$3; shift 3
        "$P" "$@" >/dev/null 2>"$T/err" </dev/null
        local rc=$?
        [ $rc = "$code" ] || fail "$what: exit $rc, want $code: $(cat "$T/err")"
        grep -qF -- "$msg" "$T/err" || fail "$what: no '$msg' in: $(cat "$T/err")"
        [ "$(wc -l <"$T/err")" = 1 ] || fail "$what: more than one line: $(cat "$T/err")"
        pass "$what: $(cat "$T/err")"
}
expect_error "unknown guest" 1 "unknown guest 'nosuch'" qemu/nosuch 22
expect_error "unknown in the system store only" 1 "unknown guest 'sessvm'" qemu:system/sessvm 22
VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" VsockVM stopped end - <"$F/xml/domain-vsock.xml"
expect_error "stopped guest" 1 "guest VsockVM is not running" qemu:system/vsockvm 22
expect_error "stopped in libvirt" 1 "guest LvStopped is not running" qemu/lvstopped 22
VIRT_NAME_CACHE_DIR=$T/none expect_error "missing store" 1 "unknown guest 'sessvm'" qemu:system/sessvm 22
expect_error "no prefix" 2 "bad host 'myguest'" myguest 22
expect_error "other prefix" 2 "bad host 'lxc/guest'" lxc/guest 22
expect_error "empty name" 2 "no guest name after 'qemu/'" qemu/ 22
expect_error "path separator" 2 "may not contain '/'" qemu/../../etc/passwd 22
expect_error "control character" 2 "may not contain '/' or control characters" "qemu/a$(printf '\t')b" 22
expect_error "over-long" 2 "longer than 253 bytes" "qemu/$(printf 'x%.0s' $(seq 300))" 22
expect_error "not UTF-8" 2 "not valid UTF-8" "qemu/$(printf 'gu\xffest')" 22
expect_error "bad port" 1 "bad port 'ssh'" qemu/sessvm ssh
expect_error "bad --vsock-timeout" 2 "bad --vsock-timeout 'soon'" --vsock-timeout soon qemu/sessvm 22
# Session and system: root has no session guests of its own (libvirt
# answers root's qemu:///session with the system's guests, which then had
# no address); a guest of the other scope is named.
expect_error "root, qemu:session/ of a system guest" 1 \
        "unknown guest 'impostor' among root's session guests (libvirt has none for root: its qemu:///session is the system's): use qemu/impostor or qemu:system/impostor" \
        qemu:session/impostor 22
expect_error "root, qemu:session/ of a guest only libvirt knows" 1 "unknown guest 'lvstopped' among root's session guests" \
        qemu:session/lvstopped 22
expect_error "qemu:system/ of a session guest" 1 \
        "unknown guest 'sessvm' at qemu:///system; your session has one of that name: use qemu:session/sessvm" \
        qemu:system/sessvm 22
if id nobody >/dev/null 2>&1; then
        chmod 755 "$T"
        mkdir -m 755 "$T/bin" && cp "$P" "$T/bin/ssh-proxy" && chmod 755 "$T/bin/ssh-proxy"
        setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent "$T/bin/ssh-proxy" \
                qemu:session/impostor 22 >/dev/null 2>"$T/err" </dev/null
        expect_eq "a user's qemu:session/ of a system guest: exit" 1 "$?"
        grep -qF "unknown guest 'impostor' at qemu:///session; the system has one of that name: use qemu:system/impostor" \
                "$T/err" || fail "a user's qemu:session/ of a system guest: $(cat "$T/err")"
        pass "a user's qemu:session/ of a system guest: $(cat "$T/err")"
fi
"$P" >/dev/null 2>"$T/err"; expect_eq "missing arguments: exit" "2" "$?"
grep -q "^Usage:" "$T/err" || fail "missing arguments: no usage"
"$P" qemu/sessvm 22 >"$T/out" 2>"$T/err" </dev/null
grep -q "standard output is not a socket" "$T/err" || fail "stdout check: $(cat "$T/err")"

# The KnownHostsCommand mode by hand (part 2 runs it from ssh): one key
# per guest UUID, printed under the name ssh asked about.
export VIRT_NAME_CACHE_KNOWN_HOSTS=$T/kh
KEY1=AAAAC3NzaC1lZDI1NTE5AAAAIBmJ3F0t0Nn2b1eGmGvW5rj4mD6o7gQm6HhTq1Ue8qvZ
KEY2=AAAAC3NzaC1lZDI1NTE5AAAAIKt8o5cR3h2JZ7n3M2WQ0R3jX8sVYv9bH3J6pXq0mZ1c
kh() { "$P" --known-hosts "$@" 2>"$T/err"; }
expect_eq "ORDER, nothing recorded yet" "" "$(kh ORDER qemu/sessvm NONE NONE NONE)"
expect_eq "first use: the offered key, under the name asked" "qemu/sessvm ssh-ed25519 $KEY1" \
        "$(kh HOSTNAME qemu/sessvm ssh-ed25519 SHA256:one "$KEY1")"
grep -q "first connection to guest SessVM (UUID 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43): recorded its host key ssh-ed25519 SHA256:one in $T/kh" "$T/err" ||
        fail "first use not said: $(cat "$T/err")"
expect_eq "recorded under the UUID" "virt-name-cache:6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43 ssh-ed25519 $KEY1 SessVM" \
        "$(cut -d' ' -f1-4 "$T/kh")"
expect_eq "known hosts file mode" 600 "$(stat -c %a "$T/kh")"
expect_eq "another alias: same key, under its own name" "qemu:session/4 ssh-ed25519 $KEY1" \
        "$(kh HOSTNAME qemu:session/4 ssh-ed25519 SHA256:one "$KEY1")"
expect_eq "ssh's [host]:port form" "[qemu/6a5e1c0e2b7a4c559d1a0c7f4b2e3d43]:2222 ssh-ed25519 $KEY1" \
        "$(kh HOSTNAME '[qemu/6a5e1c0e2b7a4c559d1a0c7f4b2e3d43]:2222' ssh-ed25519 SHA256:one "$KEY1")"
expect_eq "ORDER: the recorded key" "qemu/sessvm ssh-ed25519 $KEY1" "$(kh ORDER qemu/sessvm NONE NONE NONE)"
expect_eq "a changed key: the recorded one (ssh refuses)" "qemu/sessvm ssh-ed25519 $KEY1" \
        "$(kh HOSTNAME qemu/sessvm ssh-ed25519 SHA256:two "$KEY2")"
grep -q "offers host key ssh-ed25519 SHA256:two, not the one recorded in $T/kh" "$T/err" || fail "changed key not said: $(cat "$T/err")"
expect_eq "still one line" 1 "$(wc -l <"$T/kh")"
expect_eq "ADDRESS: nothing" "" "$(kh ADDRESS 198.18.5.9 ssh-ed25519 SHA256:two "$KEY2")"
kh HOSTNAME qemu/mybox ssh-ed25519 SHA256:two "$KEY2" >/dev/null
expect_eq "another guest, another entry" 2 "$(wc -l <"$T/kh")"
kh BOGUS qemu/sessvm NONE NONE NONE; expect_eq "unknown invocation: exit" 2 "$?"
kh HOSTNAME 'qemu/a,b' NONE NONE NONE; expect_eq "comma in the host: exit" 2 "$?"
kh HOSTNAME qemu/sessvm ssh-ed25519 SHA256:x 'AAAA
qemu/evil ssh-ed25519 AAAA'; expect_eq "a newline in the key: exit" 2 "$?"
kh HOSTNAME qemu/onlyahostname ssh-ed25519 SHA256:x "$KEY2" >/dev/null; expect_eq "a guest host name: exit" 1 "$?"
grep -q "unknown guest 'onlyahostname'" "$T/err" || fail "host name in known hosts mode: $(cat "$T/err")"
# A domain the store knows without a UUID, which libvirt does not know:
# no UUID to key its host keys by, so no answer rather than a guess.
domain_xml NoUuid 6 3d46 47 52:54:00:05:00:47 | sed '/<uuid>/d' |
        VIRT_NAME_CACHE_DIR=$SES "$B/hooks/qemu-hook" NoUuid started begin -
kh HOSTNAME qemu/nouuid ssh-ed25519 SHA256:x "$KEY2" >/dev/null; expect_eq "no UUID: exit" 1 "$?"
grep -q "guest NoUuid: the store in $SES knows no UUID for it, so its host key cannot be checked" "$T/err" ||
        fail "no UUID: $(cat "$T/err")"
# The store and libvirt disagree about a domain's UUID (a stale store):
# refused, by the proxy and in known hosts mode.
# (No CID and no address: the store cannot reach it, libvirt is asked.)
domain_xml LvOnly 7 3d47 0 52:54:00:05:00:48 | sed '/<vsock/,/<\/vsock>/d' |
        VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" LvOnly started begin -
expect_error "store and libvirt disagree" 1 "guest LvOnly: the store in $SYS says UUID 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d47, libvirt at test:///" \
        qemu:system/lvonly 22
kh HOSTNAME qemu:system/lvonly ssh-ed25519 SHA256:x "$KEY2" >/dev/null; expect_eq "disagreement, known hosts: exit" 1 "$?"
expect_eq "nothing recorded for it" 2 "$(wc -l <"$T/kh")"
chmod g+w "$T/kh"
kh ORDER qemu/sessvm NONE NONE NONE; expect_eq "group-writable file: exit" 1 "$?"
grep -q "writable by others: refusing" "$T/err" || fail "group-writable: $(cat "$T/err")"
chmod 600 "$T/kh"
expect_eq "--forget qemu/GUEST" "forgot 1 host key of guest SessVM (UUID 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43) in $T/kh" \
        "$("$P" --forget qemu:session/sessvm)"
expect_eq "--forget again" "no host keys recorded for guest SessVM (UUID 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d43) in $T/kh" \
        "$("$P" --forget qemu/4)"
expect_eq "--forget UUID of a guest libvirt no longer knows" "forgot 1 host key of UUID 6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d45 in $T/kh" \
        "$("$P" --forget 6A5E1C0E2B7A4C559D1A0C7F4B2E3D45)"
expect_eq "file empty again" 0 "$(wc -l <"$T/kh")"
unset VIRT_NAME_CACHE_KNOWN_HOSTS

# Part 2: real ssh and sshd.
for p in ssh /usr/sbin/sshd ssh-keygen ip; do
        command -v "$p" >/dev/null || skip "$p not installed (make deps installs openssh-client/server)"
done
[ "${IN_NAMESPACE:-}" = 1 ] || skip "no mount namespaces here: ssh end-to-end part not run"
C=vncc$$ G=vncg$$
cleanup() {
        [ -s "$T/sshd.pid" ] && kill "$(cat "$T/sshd.pid")" 2>/dev/null
        ip netns del $C 2>/dev/null; ip netns del $G 2>/dev/null
}
trap cleanup EXIT
mkdir -p /run/sshd            # sshd's privilege separation directory (this namespace only)
mount -t tmpfs -o mode=0755 tmpfs /run/sshd
# C is the host: the network's bridge vnctest0 and the domain's tap vnet3
# on it, whose other end is the guest's eth0 in G.
ip netns add $C && ip netns add $G || fail "netns"
ip -n $C link set lo up && ip -n $C link add vnctest0 type bridge && ip -n $C link set vnctest0 up &&
        ip -n $C addr add 198.18.5.1/24 dev vnctest0 &&
        ip -n $C link add vnet3 type veth peer name eth0 netns $G && ip -n $C link set vnet3 master vnctest0 up &&
        ip -n $G link set eth0 address 52:54:00:02:00:02 up && ip -n $G addr add 198.18.5.22/24 dev eth0 &&
        ip -n $G link set lo up || fail "the host's bridge and the guest's port"
ssh-keygen -q -t ed25519 -N '' -f "$T/id" || fail "keygen"
cp "$T/id.pub" "$T/authorized_keys"
# sshd (the guest) with host keys $T/KEYNAME..., on ports 22 and 2222.
start_sshd() {
        { printf 'Port 22\nPort 2222\nListenAddress 198.18.5.22\n'
          for k; do printf 'HostKey %s\n' "$T/$k"; done
          printf 'PidFile %s\nAuthorizedKeysFile %s\n' "$T/sshd.pid" "$T/authorized_keys"
          sshd_key_only
        } >"$T/sshd_config"
        ip netns exec $G /usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || fail "sshd: $(cat "$T/sshd.log")"
}
stop_sshd() {
        local pid; pid=$(cat "$T/sshd.pid")
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$T/sshd.pid"
}
newkey() { rm -f "$T/$1" "$T/$1.pub"; ssh-keygen -q -t "$2" -N '' -f "$T/$1" || fail "keygen $2"; }
newkey hostkey ed25519
start_sshd hostkey
# The guest: a running domain without VSOCK, its tap vnet3 (the live
# XML's <target dev>), its lease 198.18.5.22.
U1=6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d21 U2=6a5e1c0e-2b7a-4c55-9d1a-0c7f4b2e3d22
domain_xml sshguest 21 3d21 0 52:54:00:02:00:02 | sed '/<vsock/,/<\/vsock>/d' |
        VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" sshguest started begin -
# The lease is on the domain's network (labnet, bridge vnctest0): a domain
# name covers only leases of its own (network, MAC) pairs.
VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/network-hook" labnet started begin - <"$F/xml/network-started.xml"
VIRT_NAME_CACHE_DIR=$SYS VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=0 DNSMASQ_SUPPLIED_HOSTNAME=sshguest \
        "$B/hooks/lease-helper" add 52:54:00:02:00:02 198.18.5.22 sshguest
# The store's prober on the host's ports (the hooks start it; here the test).
probe() { ip netns exec $C env VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/port-probe" "$@" || fail "port-probe $*: exit $?"; }
evidence() { "$B/virt-name-cache" --db-dir "$SYS" list | awk '$1 == "198.18.5.22" { print $6 }'; }
# The shipped snippet, pointed at the built proxy; the guests' keys in $T.
sed -e "s|@PROXY@|$P|" "$TOP/proxy/20-virt-name-cache.conf" >"$T/ssh_config"
printf 'Host *\n    IdentityFile %s\n    BatchMode yes\n    ConnectTimeout 10\n' "$T/id" >>"$T/ssh_config"
export VIRT_NAME_CACHE_KNOWN_HOSTS=$T/known_hosts
KH=$T/known_hosts
unset VIRT_NAME_CACHE_LIBVIRT_URI
sshc() { ip netns exec $C ssh -F "$T/ssh_config" "$@"; }
ip netns exec $C ssh -G -F "$T/ssh_config" root@qemu/sshguest >"$T/ssh-G" 2>/dev/null || fail "ssh -G"
grep -q "^knownhostscommand $P --known-hosts %I %H %t %f %K$" "$T/ssh-G" &&
        grep -q "^userknownhostsfile none$" "$T/ssh-G" && grep -q "^globalknownhostsfile none$" "$T/ssh-G" ||
        fail "ssh does not read the snippet as meant: $(grep -i 'knownhosts' "$T/ssh-G")"
keys_of() { grep -c "^virt-name-cache:$1 " "$KH"; }

# Its port has not answered yet: DHCP alone says 198.18.5.22 is its.  The
# proxy connects there, says so, and pins no key; ssh refuses the host.
expect_eq "the lease: a DHCP claim" claim "$(evidence)"
sshc root@qemu/sshguest echo unpinned >"$T/out" 2>"$T/ssh.err" && fail "ssh accepted an unpinned key: $(cat "$T/out")"
fp1=$(ssh-keygen -l -f "$T/hostkey.pub" | awk '{print $2}')
grep -q "guest sshguest: its port has answered for no address yet; trying the ones only its guest agent or DHCP says are its (a first host key seen this way is not recorded)" \
        "$T/ssh.err" || fail "no warning: $(cat "$T/ssh.err")"
grep -q "guest sshguest (UUID $U1): its port has answered for no address, no administrator gave it one, and it has no VSOCK device, so the host key ssh-ed25519 $fp1 is not recorded.  Check that fingerprint on the guest's console (ssh-keygen -lf /etc/ssh/ssh_host_\*_key.pub), then add this line to $KH: virt-name-cache:$U1 ssh-ed25519 " \
        "$T/ssh.err" || fail "no refusal: $(cat "$T/ssh.err")"
grep -q "Host key verification failed" "$T/ssh.err" || fail "ssh: $(cat "$T/ssh.err")"
[ -s "$KH" ] && fail "a key was recorded: $(cat "$KH")"
pass "port not answered: the proxy connects where DHCP says, pins nothing, says how to pin by hand"
# Pinned by hand as the message says: accepted.
sed -n 's/.*then add this line to [^ ]*: \(virt-name-cache:.*\)$/\1/p' "$T/ssh.err" >"$KH"
chmod 600 "$KH"
expect_eq "the line to add" "virt-name-cache:$U1 $(cut -d' ' -f1,2 "$T/hostkey.pub")" "$(cat "$KH")"
expect_eq "pinned by hand: ssh goes in" pinned "$(sshc root@qemu/sshguest echo pinned 2>"$T/ssh.err")"
"$P" --forget qemu/sshguest >/dev/null || fail "--forget"
[ -s "$KH" ] && fail "--forget left: $(cat "$KH")"
# The tap answers (the guest holds the address): from now on, trust on
# first use.
probe lease labnet 198.18.5.22
expect_eq "the lease: its domain's port answered" port "$(evidence)"

out=$(strace -f -e trace=sendmsg -o "$T/strace" true 2>/dev/null && \
      ip netns exec $C strace -f -e trace=sendmsg -o "$T/strace" ssh -F "$T/ssh_config" root@qemu/sshguest echo hello-from-guest 2>"$T/ssh.err" ||
      sshc root@qemu/sshguest echo hello-from-guest 2>"$T/ssh.err")
expect_eq "ssh root@qemu/sshguest through the proxy" "hello-from-guest" "$out"
if [ -s "$T/strace" ]; then
        grep -q "SCM_RIGHTS" "$T/strace" || fail "no descriptor passed: $(grep sendmsg "$T/strace")"
        pass "the proxy passed the socket to ssh (sendmsg SCM_RIGHTS)"
fi
grep -q "first connection to guest sshguest (UUID $U1): recorded its host key ssh-ed25519 $fp1 in $KH" "$T/ssh.err" ||
        fail "first use not said: $(cat "$T/ssh.err")"
expect_eq "first connection: the key recorded under the guest's UUID" \
        "virt-name-cache:$U1 $(cut -d' ' -f1,2 "$T/hostkey.pub")" "$(cut -d' ' -f1-3 "$KH")"
expect_eq "known hosts file mode" 600 "$(stat -c %a "$KH")"
# Every alias of the guest: accepted with no question and no new entry.
sum=$(md5sum <"$KH")
for alias in qemu/sshguest qemu:system/sshguest "qemu/$U1" "qemu/${U1//-/}" qemu/21 qemu/SshGuest \
             "qemu/${U1^^}" "-p 2222 root@qemu/sshguest" "-p 2222 root@qemu/21"; do
        case $alias in -p*) args=($alias) ;; *) args=("root@$alias") ;; esac
        out=$(sshc "${args[@]}" echo via-alias 2>"$T/ssh.err")
        [ "$out" = via-alias ] || fail "alias $alias: $(cat "$T/ssh.err")"
        [ -s "$T/ssh.err" ] && fail "alias $alias: ssh said: $(cat "$T/ssh.err")"
        [ "$(md5sum <"$KH")" = "$sum" ] || fail "alias $alias changed the known hosts file: $(cat "$KH")"
done
expect_eq "9 aliases (name, scope, UUID with and without dashes, ID, case, port 2222): one entry" 1 "$(wc -l <"$KH")"
out=$(sshc -o ProxyCommand="$P -v %h %p" root@qemu/sshguest true 2>&1)
grep -q "no VSOCK CID; connecting over TCP to 198.18.5.22 port 22" <<<"$out" || fail "-v path: $out"
pass "-v says the TCP path was taken"
# The store answers for a guest without a CID: no libvirt connection on
# the way (there used to be one per ssh, 160-200 ms).
if command -v strace >/dev/null; then
        # (LeakSanitizer cannot run under ptrace: the ASan build's leak
        # check is off for the traced runs only.)
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        ip netns exec $C strace -f -e trace=connect -o "$T/strace-lv" ssh -F "$T/ssh_config" root@qemu/sshguest true \
                2>"$T/ssh.err" || fail "ssh under strace: $(cat "$T/ssh.err")"
        grep -q 'connect(.*AF_INET.*198\.18\.5\.22' "$T/strace-lv" || fail "no TCP connect seen: $(grep connect "$T/strace-lv")"
        grep -q "libvirt" "$T/strace-lv" && fail "the proxy connected to libvirt: $(grep libvirt "$T/strace-lv")"
        pass "a guest without a CID: the store answers, no libvirt connection"
fi

# The guest's host key changes: refused with ssh's warning, through every alias.
stop_sshd; newkey hostkey ed25519; start_sshd hostkey
for alias in qemu/sshguest qemu/21 "qemu/${U1//-/}"; do
        sshc "root@$alias" true >/dev/null 2>"$T/ssh.err" && fail "$alias: a changed host key was accepted"
        grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$T/ssh.err" && grep -q "Host key verification failed" "$T/ssh.err" ||
                fail "changed key, $alias: $(cat "$T/ssh.err")"
        grep -q "guest sshguest (UUID $U1) offers host key ssh-ed25519 SHA256:[^ ]*, not the one recorded in $KH; if its key really changed: virt-name-cache-ssh-proxy --forget $U1" "$T/ssh.err" ||
                fail "changed key, $alias: no hint: $(cat "$T/ssh.err")"
done
[ "$(md5sum <"$KH")" = "$sum" ] || fail "a refused key changed the known hosts file: $(cat "$KH")"
pass "changed host key refused with ssh's warning, file unchanged"
# A key of another type than the recorded one: refused, not recorded.
stop_sshd; newkey ecdsakey ecdsa; start_sshd ecdsakey
sshc root@qemu/sshguest true >/dev/null 2>"$T/ssh.err" && fail "a key of a new type was accepted"
grep -q "offers host key ecdsa-sha2-nistp256 SHA256:[^ ]*, but $KH holds only keys of other types for it: refusing" "$T/ssh.err" ||
        fail "other key type: $(cat "$T/ssh.err")"
[ "$(md5sum <"$KH")" = "$sum" ] || fail "another key type changed the known hosts file: $(cat "$KH")"
pass "a key of another type refused, file unchanged"
stop_sshd; start_sshd hostkey

# The guest is recreated: same name, MAC and address, new UUID: a new host.
domain_xml sshguest 22 3d22 0 52:54:00:02:00:02 | sed '/<vsock/,/<\/vsock>/d' |
        VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" sshguest started begin -
# A new run: what the port answered before holds no more; asked again.
expect_eq "recreated: the lease is a claim again" claim "$(evidence)"
probe domain sshguest
expect_eq "recreated: its port answered" port "$(evidence)"
out=$(sshc root@qemu/sshguest echo recreated 2>"$T/ssh.err")
expect_eq "recreated guest: accepted as a new host" recreated "$out"
grep -q "first connection to guest sshguest (UUID $U2): recorded" "$T/ssh.err" || fail "recreated: $(cat "$T/ssh.err")"
expect_eq "recreated guest: its own entry" "1 1" "$(keys_of "$U1") $(keys_of "$U2")"
sshc "root@qemu/$U1" true >/dev/null 2>"$T/ssh.err" && fail "the old UUID still connects"
grep -q "unknown guest '$U1'" "$T/ssh.err" || fail "old UUID: $(cat "$T/ssh.err")"
pass "the old guest's UUID is an unknown guest"

# Forgetting: by name, and by the UUID of a guest that is gone.
expect_eq "--forget qemu/sshguest" "forgot 1 host key of guest sshguest (UUID $U2) in $KH" "$("$P" --forget qemu/sshguest)"
expect_eq "--forget OLD-UUID" "forgot 1 host key of UUID $U1 in $KH" "$("$P" --forget "$U1")"
expect_eq "nothing left" 0 "$(wc -l <"$KH")"
# Concurrent first connections: one entry, every session accepted.
for i in 1 2 3 4 5 6; do
        (sshc root@qemu/sshguest echo "par$i" >"$T/par$i.out" 2>"$T/par$i.err") &
done
wait
for i in 1 2 3 4 5 6; do
        expect_eq "concurrent session $i" "par$i" "$(cat "$T/par$i.out")"
done
expect_eq "concurrent first connections: one entry" 1 "$(keys_of "$U2")"
expect_eq "one of them said it recorded the key" 1 "$(cat "$T"/par*.err | grep -c 'first connection to guest sshguest')"
ls "$T" | grep -q '^known_hosts\.' && fail "temporary files left: $(ls "$T")"

# A guest with a CID whose VSOCK does not answer (here: no VSOCK
# transport at all) is reached over TCP at its address; the VSOCK wait
# is --vsock-timeout (the kernel's own connect timeout set to it).
domain_xml sshguest 22 3d22 50 52:54:00:02:00:02 | VIRT_NAME_CACHE_DIR=$SYS "$B/hooks/qemu-hook" sshguest started begin -
probe domain sshguest
out=$(sshc -o ProxyCommand="$P -v --vsock-timeout 300 %h %p" root@qemu/sshguest echo fell-back 2>"$T/ssh.err")
expect_eq "VSOCK fails: ssh over TCP" "fell-back" "$out"
grep -q "connecting over VSOCK to CID 50 port 22 (at most 300 ms)" "$T/ssh.err" &&
        grep -q "VSOCK CID 50: .*; trying TCP" "$T/ssh.err" && grep -q "connecting over TCP to 198.18.5.22 port 22" "$T/ssh.err" ||
        fail "VSOCK then TCP: $(cat "$T/ssh.err")"
if command -v strace >/dev/null; then
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 VIRT_NAME_CACHE_VSOCK_TIMEOUT=250 \
        ip netns exec $C strace -f -e trace=setsockopt -o "$T/strace-vs" \
                "$B/selftest/fdpass-recv" "$P" qemu/sshguest 22 >/dev/null 2>&1
        # struct timeval { 0, 250000 }, as strace prints its bytes
        grep -F 'AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT' "$T/strace-vs" |
                grep -qF '"\0\0\0\0\0\0\0\0\220\320\3\0\0\0\0\0"' ||
                fail "VIRT_NAME_CACHE_VSOCK_TIMEOUT=250 not the VSOCK connect timeout: $(cat "$T/strace-vs")"
fi
pass "VSOCK that fails falls back to TCP; its timeout is --vsock-timeout or VIRT_NAME_CACHE_VSOCK_TIMEOUT"

sshc root@qemu/nosuch true >/dev/null 2>"$T/ssh.err" && fail "unknown guest connected"
grep -q "virt-name-cache-ssh-proxy: unknown guest 'nosuch'" "$T/ssh.err" || fail "unknown guest: $(cat "$T/ssh.err")"
pass "unknown guest: our message through ssh"
