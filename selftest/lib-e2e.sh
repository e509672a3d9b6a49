# selftest/lib-e2e.sh - sourced (after lib.sh) by the end-to-end tests that
# run Debian's libvirtd, the dnsmasq it starts and real DHCP clients in
# namespaces of their own.  The caller sets S (the store directory) and
# H (the name of libvirtd's network namespace) first.
#
#   e2e_require PROGRAM...     skip unless these and libvirt's user exist
#   e2e_enter                  re-run the test in a private mount namespace
#   e2e_private_libvirt        private /run, /var/lib, /var/cache,
#                              /var/log/libvirt and /etc/libvirt; our hooks
#   e2e_start_libvirtd         libvirtd in netns $H (pid in $T/libvirtd.pid)
#   e2e_stop                   kill what e2e_start_libvirtd started, by PID
#   e2e_guest NS PEER MAC BR   a "guest" namespace NS joined to bridge BR of
#                              netns $H by a veth pair (PEER on the host side)
#   e2e_dhclient TAG NS ARGS...  dhclient ARGS (-cf, -sf, -4/-6, IFACE) in
#                              netns NS, in the foreground of a background
#                              job whose PID is in $T/TAG.pid, its leases
#                              in $T/TAG.leases; returns once it is bound
#   e2e_dhclient_stop TAG      end it, by that PID
#   e2e_dhclient_release TAG NS ARGS...   end it, then dhclient -r
#   e2e_name_after_lease NAME ADDRESS [SECONDS [LINE]]
#                              the milliseconds from dnsmasq's event of the
#                              lease (after line LINE of the lease helper's
#                              log) to NAME resolving to ADDRESS via glibc
#   virsh ...                  virsh on the private libvirtd, timed

e2e_require() {
        local p
        for p in /usr/sbin/libvirtd virsh dnsmasq ip "$@"; do
                command -v "$p" >/dev/null || skip "$p is not installed (make deps installs it)"
        done
        id libvirt-qemu >/dev/null 2>&1 || skip "libvirt-daemon-system is not installed (no libvirt-qemu user)"
        unshare -m true 2>/dev/null || skip "cannot create mount namespaces here"
}

# The test again, in a mount namespace of its own: every mount below
# disappears with it.
e2e_enter() {
        if [ "${IN_NAMESPACE:-}" != 1 ]; then
                IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
        fi
}

virsh() {
        local s=$SECONDS r
        command virsh -q -c qemu:///system "$@"
        r=$?
        [ $((SECONDS - s)) -gt 2 ] && echo "(virsh $1: $((SECONDS - s)) s)" >&2
        return $r
}

# WRAPPER TARGET [SHELL-LINE]: libvirt and dnsmasq clean the environment,
# so a wrapper points the hook at the test's store and at the build's
# port-probe (which the hooks start to ask a domain's tap about its
# leases), and runs SHELL-LINE first.
e2e_wrap() {
        printf '#!/bin/sh\nexport VIRT_NAME_CACHE_DIR=%s VIRT_NAME_CACHE_LOG_STDERR=1 VIRT_NAME_CACHE_PORT_PROBE=%s\n%s\nexec %s "$@"\n' \
                "$S" "$B/hooks/port-probe" "${3:-}" "$2" >"$1"
        chmod 755 "$1"
}

# Private libvirt state, the machine's own libvirt never seen; our network
# and qemu hooks installed, the lease helper wrapper in $T/lease-helper:
# it logs each call, "ARGS | DNSMASQ_*=..." (what dnsmasq passed), to
# $T/lease-helper.log.
e2e_private_libvirt() {
        local d
        for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
                mkdir -p "$d" && mount -t tmpfs tmpfs "$d" || fail "cannot mount a tmpfs on $d"
        done
        # No KVM for libvirt here (the tests' domains are TCG).  Where QEMU's
        # capability probe finds KVM but libvirt-qemu cannot open /dev/kvm
        # (this machine: root:993 0660, libvirt-qemu in group kvm), libvirt
        # finds its capability cache invalid at every lookup and probes
        # again: 4 s each, 30-50 s a `virsh define`.  An unreadable file over
        # /dev/kvm in this mount namespace makes both sides say "no KVM".
        if [ -e /dev/kvm ]; then
                : >"$T/no-kvm" && chmod 0 "$T/no-kvm" && mount --bind "$T/no-kvm" /dev/kvm ||
                        fail "cannot hide /dev/kvm"
        fi
        mkdir -p "$T/etc" && cp -a /etc/libvirt/. "$T/etc/" && mount --bind "$T/etc" /etc/libvirt ||
                fail "cannot bind a private /etc/libvirt"
        # QEMU here: no virtlogd, no AppArmor/SELinux labelling, no cgroups
        # or mount namespaces of libvirt's own (the test runs in one).
        printf 'stdio_handler = "file"\nsecurity_driver = "none"\nnamespaces = [ ]\ncgroup_controllers = [ ]\n' \
                >>/etc/libvirt/qemu.conf
        rm -rf /etc/libvirt/hooks && mkdir -p /etc/libvirt/hooks/network.d /etc/libvirt/hooks/qemu.d
        e2e_wrap /etc/libvirt/hooks/network.d/virt-name-cache "$B/hooks/network-hook"
        e2e_wrap /etc/libvirt/hooks/qemu.d/virt-name-cache "$B/hooks/qemu-hook"
        e2e_wrap "$T/lease-helper" "$B/hooks/lease-helper" \
                "echo \"\$* | \$(env | grep '^DNSMASQ_' | sort | tr '\\n' ' ')\" >>$T/lease-helper.log"
}

e2e_start_libvirtd() {
        local i
        ip netns add "$H" && ip -n "$H" link set lo up || fail "cannot create network namespace $H"
        ip netns exec "$H" /usr/sbin/libvirtd --pid-file "$T/libvirtd.pid" >"$T/libvirtd.log" 2>&1 &
        for i in $(seq 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
        [ -S /run/libvirt/libvirt-sock ] || { tail "$T/libvirtd.log"; skip "libvirtd did not start here"; }
        virsh version --daemon | head -3
}

# Stop NETWORK (if given), the DHCP clients and libvirtd, then remove
# namespace H.
e2e_stop() {
        local net=${1:-} f
        for f in "$T"/*.dhclient; do [ -e "$f" ] && e2e_dhclient_stop "$(basename "$f" .dhclient)"; done
        if [ -n "$net" ]; then
                virsh net-destroy "$net" >/dev/null 2>&1
                [ -s "/run/libvirt/network/$net.pid" ] && kill "$(cat "/run/libvirt/network/$net.pid")" 2>/dev/null
        fi
        [ -s "$T/libvirtd.pid" ] && kill "$(cat "$T/libvirtd.pid")" 2>/dev/null
        sleep 0.5
        ip netns del "$H" 2>/dev/null
}

e2e_guest() {   # NS PEER MAC BRIDGE
        ip netns add "$1" || fail "netns $1"
        ip -n "$H" link add "$2" type veth peer name eth0 netns "$1" || fail "veth $2"
        ip -n "$H" link set "$2" master "$4" up
        ip -n "$1" link set lo up
        ip -n "$1" link set eth0 address "$3" up
}

# Wait (default 120 s) for dnsmasq's event of the lease of ADDRESS in the
# lease helper's log (after its line LINE, default 0), then for NAME to resolve to ADDRESS through glibc
# (a domain's name: once its port answered); print the milliseconds
# between the two, 1 when either never came.
e2e_name_after_lease() {
        local name=$1 addr=$2 end=$((SECONDS + ${3:-120})) from=$((${4:-0} + 1)) t0=
        while [ $SECONDS -lt $end ]; do
                [ -z "$t0" ] && tail -n "+$from" "$T/lease-helper.log" 2>/dev/null | grep -qE "^(add|old) [^ ]+ $addr( |$)" &&
                        t0=$(date +%s%N)
                if [ -n "$t0" ] && virtname_getent "$S" ahosts "$name" | grep -q "^$addr "; then
                        echo $(( ($(date +%s%N) - t0) / 1000000 ))
                        return 0
                fi
                sleep 0.02
        done
        return 1
}

# dhclient forks into the background once bound and writes its pid file
# after its parent returned: a run can leave a daemon nobody knows of
# (and every run with the same -pf overwrites the file).  Here it stays
# in the foreground (-d) of a job of ours: its PID is known from the
# start.  "bound to" (DHCPv4) or "Bound to" (DHCPv6) in its log: bound.
e2e_dhclient() {   # TAG NS ARGS...
        local tag=$1 ns=$2 n end=$((SECONDS + 60))
        shift 2
        e2e_dhclient_stop "$tag"
        touch "$T/$tag.log"
        n=$(grep -ci "bound to" "$T/$tag.log")
        ip netns exec "$ns" dhclient -d -1 -v -lf "$T/$tag.leases" -pf "$T/$tag.dhclient-pid" "$@" \
                >>"$T/$tag.log" 2>&1 &
        echo $! >"$T/$tag.pid"
        touch "$T/$tag.dhclient"
        while [ "$(grep -ci "bound to" "$T/$tag.log")" = "$n" ]; do
                if [ $SECONDS -ge $end ] || ! kill -0 "$(cat "$T/$tag.pid")" 2>/dev/null; then
                        tail -n 5 "$T/$tag.log" >&2
                        e2e_dhclient_stop "$tag"
                        return 1
                fi
                sleep 0.05
        done
}

e2e_dhclient_stop() {   # TAG
        local pid i
        pid=$(cat "$T/$1.pid" 2>/dev/null) || return 0
        kill "$pid" 2>/dev/null
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null
        rm -f "$T/$1.pid" "$T/$1.dhclient"
}

# The lease released: the client ended, then dhclient -r with the same
# lease file sends the release and exits.
e2e_dhclient_release() {   # TAG NS ARGS...
        local tag=$1 ns=$2
        shift 2
        e2e_dhclient_stop "$tag"
        rm -f "$T/$tag.dhclient-pid"    # -r would end the process it names
        ip netns exec "$ns" timeout 30 dhclient -r -v -lf "$T/$tag.leases" -pf "$T/$tag.dhclient-pid" "$@" \
                >>"$T/$tag.log" 2>&1
}
