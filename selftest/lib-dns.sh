# selftest/lib-dns.sh - sourced by DNS tests (after lib.sh): a real
# authoritative BIND 9 in a network namespace of the test's own.
#
#   dns_net_up PREFIX        namespaces ${PREFIX}s (server, 198.18.8.1 on a bridge)
#                            and ${PREFIX}c (clients, 198.18.8.2) joined to it
#   dns_ns_add NS ADDRESS    one more namespace on the server's bridge
#   dns_key NAME FILE        a TSIG key (hmac-sha256) as tsig-keygen writes it
#   dns_bind_start DIR "ZONE REVZONE..." KEYSPEC...
#                            named -g -c DIR/named.conf in the server namespace,
#                            primary for ZONE and the reverse zones, dynamic; each
#                            KEYSPEC is KEYFILE (the key may update any name:
#                            update-policy zonesub) or KEYFILE:NAME,NAME... (the
#                            enforcing policy of virt-name-cache(1), FLEET DNS: only names under those,
#                            grant KEY subdomain NAME A AAAA TXT PTR); every key may
#                            transfer the zones; nothing from /etc/bind.  Waits until
#                            it answers (UDP and TCP).  PID in DIR/server.pid, log
#                            DIR/server.log.
#   dns_bind_stop DIR        stop that named (by its PID) and wait for it
#   dns_bind_resume DIR ZONE start it again, its zones as they were
#   dns_knot_start DIR "ZONES" KEYSPEC...
#                            the same with Knot DNS (knotd -c DIR/knot.conf): KEYFILE
#                            alone may update anything, KEYFILE:NAMES an ACL with
#                            update-owner: name, update-owner-name: NAMES
#   dns_server_start IMPL DIR "ZONES" KEYSPEC...   bind or knot
#   dns_server_stop DIR, dns_server_resume DIR ZONE, dns_server_wipe DIR ZONE
#                            stop, start again as it was, or start again from the
#                            zone files it started with (a server rebuilt empty)
#   dns_cli CMD...           run CMD in the client namespace
#   dns_axfr ZONE KEYFILE    the zone's records, one per line, sorted, without
#                            SOA and NS (dig AXFR signed with KEYFILE)
#   dns_net_down             stop what dns_bind_start started, remove the namespaces
#
# Addresses: 198.18.8.0/24 only, inside the namespaces.

DNS_SRV_ADDR=198.18.8.1
DNS_CLI_ADDR=198.18.8.2
DNS_NS_S= DNS_NS_C=
DNS_BIND_DIRS=()

dns_need() {
        local t
        for t in named tsig-keygen dig ip; do
                command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
                        skip "$t not installed (make deps installs bind9, bind9-utils, bind9-dnsutils)"
        done
        [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
}

# Is Knot DNS there?  (make test-deps installs knot, knot-dnsutils)
dns_have_knot() {
        command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ]
}

# KEYSPEC (see above) -> K_FILE, K_NAME, K_SECRET, K_OWN (space-separated names, absolute)
_dns_keyspec() {
        K_FILE=${1%%:*} K_OWN=
        [ "$1" != "$K_FILE" ] && K_OWN=$(echo "${1#*:}" | tr ',' ' ')
        K_NAME=$(sed -n 's/^key "\([^"]*\)".*/\1/p' "$K_FILE")
        K_SECRET=$(sed -n 's/.*secret "\(.*\)";/\1/p' "$K_FILE")
}

# The zone files a server starts with (and starts again with after a wipe),
# in DIR/initial: SOA, NS, and in each zone one record of the administrator's
# that no host may touch.
_dns_zone_files() {
        local dir=$1 zones=$2 zone=${2%% *} z
        mkdir -p "$dir/initial"
        for z in $zones; do
                {
                        printf '$TTL 300\n@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n@ IN NS ns.%s.\n' \
                                "$zone" "$zone" "$zone"
                        case $z in
                        "$zone") printf 'ns IN A %s\nadmin-box IN A 198.18.8.200\n' "$DNS_SRV_ADDR" ;;
                        *.in-addr.arpa) printf '200.8.18.198.in-addr.arpa. IN PTR admin-box.%s.\n' "$zone" ;;
                        *)      printf 'admin-box IN PTR admin-box.%s.\n' "$zone" ;;
                        esac
                } >"$dir/initial/$z.db"
                cp "$dir/initial/$z.db" "$dir/$z.db"
        done
}

# Does the server answer ZONE's SOA, over UDP and over TCP (what the
# transfers use: a dns-sync right after a restart once could not connect,
# BIND 9.20 on Debian 13, after UDP had answered)?
dns_answers() {
        dns_cli dig +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$1" SOA 2>/dev/null | grep -q . &&
                dns_cli dig +tcp +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$1" SOA 2>/dev/null | grep -q .
}

# Until the server answers every zone's SOA (10 s at most).
_dns_wait_up() {
        local dir=$1 zones=$2 i z up
        for i in $(seq 100); do
                up=1
                for z in $zones; do dns_answers "$z" || up=0; done
                [ $up = 1 ] && return 0
                kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || { tail -20 "$dir/server.log"; fail "the DNS server exited"; }
                sleep 0.1
        done
        tail -20 "$dir/server.log"
        fail "the DNS server did not answer within 10 s"
}

dns_net_up() {
        ip netns add "${1}s" || fail "ip netns add ${1}s"
        DNS_NS_S="${1}s" DNS_NS_C="${1}c"   # only now: dns_net_down removes it
        ip -n "$DNS_NS_S" link set lo up
        # The server on a bridge, so that more namespaces can join it.
        ip -n "$DNS_NS_S" link add br0 type bridge || fail "bridge"
        ip -n "$DNS_NS_S" addr add "$DNS_SRV_ADDR/24" dev br0
        ip -n "$DNS_NS_S" link set br0 up
        dns_ns_add "$DNS_NS_C" "$DNS_CLI_ADDR"
}

# Another namespace NS with ADDRESS (198.18.8.0/24) on the server's bridge;
# dns_net_down removes it.
DNS_NS_MORE=()
dns_ns_add() {
        local port="v${#DNS_NS_MORE[@]}$RANDOM"
        ip netns add "$1" || fail "ip netns add $1"
        DNS_NS_MORE+=("$1")
        ip -n "$1" link set lo up
        ip -n "$DNS_NS_S" link add "$port" type veth peer name eth0 netns "$1" || fail "veth for $1"
        ip -n "$DNS_NS_S" link set "$port" master br0 up
        ip -n "$1" addr add "$2/24" dev eth0
        ip -n "$1" link set eth0 up
}

dns_key() {
        tsig-keygen -a hmac-sha256 "$1" >"$2" || fail "tsig-keygen $1"
        chmod 600 "$2"
}

dns_cli() {
        ip netns exec "$DNS_NS_C" "$@"
}

dns_bind_start() {
        local dir=$1 zones=$2 k grants="" xfer="" z n
        shift 2
        mkdir -p "$dir"
        : >"$dir/keys.conf"
        for k in "$@"; do
                _dns_keyspec "$k"
                cat "$K_FILE" >>"$dir/keys.conf"
                if [ -z "$K_OWN" ]; then
                        grants="$grants grant $K_NAME zonesub ANY;"
                else
                        for n in $K_OWN; do grants="$grants grant $K_NAME subdomain $n A AAAA TXT PTR;"; done
                fi
                xfer="$xfer key $K_NAME;"
        done
        {
                printf 'options {\n\tdirectory "%s";\n\tpid-file none;\n\tlisten-on port 53 { %s; };\n' "$dir" "$DNS_SRV_ADDR"
                printf '\tlisten-on-v6 { none; };\n\trecursion no;\n\tallow-query { any; };\n\tdnssec-validation no;\n'
                printf '\tnotify no;\n\tsession-keyfile none;\n\tmanaged-keys-directory "%s";\n};\n' "$dir"
                printf 'controls { };\ninclude "%s/keys.conf";\n' "$dir"
        } >"$dir/named.conf"
        _dns_zone_files "$dir" "$zones"
        for z in $zones; do
                printf 'zone "%s" { type primary; file "%s/%s.db"; update-policy {%s }; allow-transfer {%s }; };\n' \
                        "$z" "$dir" "$z" "$grants" "$xfer" >>"$dir/named.conf"
        done
        named-checkconf "$dir/named.conf" || fail "named-checkconf $dir/named.conf"
        echo bind >"$dir/impl"
        DNS_BIND_DIRS+=("$dir")
        _dns_bind_run "$dir"
        _dns_wait_up "$dir" "$zones"
}

_dns_bind_run() {
        ip netns exec "$DNS_NS_S" named -g -c "$1/named.conf" >>"$1/server.log" 2>&1 </dev/null &
        echo $! >"$1/server.pid"
}

dns_knot_start() {
        local dir=$1 zones=$2 k z acls=""
        shift 2
        mkdir -p "$dir/db"
        {
                printf 'server:\n    listen: %s@53\n    rundir: "%s"\n    user: root:root\n' "$DNS_SRV_ADDR" "$dir"
                printf 'log:\n  - target: stderr\n    any: info\n'
                printf 'database:\n    storage: "%s/db"\n' "$dir"
                printf 'key:\n'
                for k in "$@"; do
                        _dns_keyspec "$k"
                        printf '  - id: %s\n    algorithm: hmac-sha256\n    secret: %s\n' "$K_NAME" "$K_SECRET"
                done
                printf 'acl:\n'
                for k in "$@"; do
                        _dns_keyspec "$k"
                        printf '  - id: acl-%s\n    key: %s\n    action: [update, transfer]\n' "$K_NAME" "$K_NAME"
                        if [ -n "$K_OWN" ]; then
                                printf '    update-owner: name\n    update-owner-match: sub-or-equal\n'
                                printf '    update-owner-name: [%s]\n' "$(echo $K_OWN | sed 's/ /, /g')"
                                printf '    update-type: [A, AAAA, TXT, PTR]\n'
                        fi
                        acls="$acls${acls:+, }acl-$K_NAME"
                done
                printf 'template:\n  - id: default\n    storage: "%s"\n    file: "%%s.db"\n' "$dir"
                printf '    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: changes\n    semantic-checks: off\n'
                printf 'zone:\n'
                for z in $zones; do printf '  - domain: %s\n    acl: [%s]\n' "$z" "$acls"; done
        } >"$dir/knot.conf"
        _dns_zone_files "$dir" "$zones"
        knotc -c "$dir/knot.conf" conf-check >/dev/null || fail "knotc conf-check $dir/knot.conf"
        echo knot >"$dir/impl"
        DNS_BIND_DIRS+=("$dir")
        _dns_knot_run "$dir"
        _dns_wait_up "$dir" "$zones"
}

_dns_knot_run() {
        ip netns exec "$DNS_NS_S" knotd -c "$1/knot.conf" >>"$1/server.log" 2>&1 </dev/null &
        echo $! >"$1/server.pid"
}

dns_server_start() {
        local impl=$1
        shift
        case $impl in
        bind) dns_bind_start "$@" ;;
        knot) dns_knot_start "$@" ;;
        *) fail "dns_server_start: bind or knot, not $impl" ;;
        esac
}

# Start the server of DIR again as it was (zones and their journals kept).
dns_server_resume() {
        case $(cat "$1/impl") in
        knot) _dns_knot_run "$1" ;;
        *) _dns_bind_run "$1" ;;
        esac
        _dns_wait_up "$1" "$2"
}
dns_bind_resume() { dns_server_resume "$@"; }

# Stopped, then started again from its first zone files: every update gone.
dns_server_wipe() {
        local dir=$1 z
        dns_server_stop "$dir"
        rm -rf "$dir"/*.jnl "$dir/db"
        mkdir -p "$dir/db"
        for z in "$dir"/initial/*.db; do cp "$z" "$dir/"; done
        dns_server_resume "$dir" "$2"
}

dns_server_stop() {
        local pid i
        pid=$(cat "$1/server.pid" 2>/dev/null) || return 0
        kill "$pid" 2>/dev/null || { rm -f "$1/server.pid"; return 0; }
        for i in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        wait "$pid" 2>/dev/null
        rm -f "$1/server.pid"
}
dns_bind_stop() { dns_server_stop "$@"; }

dns_axfr() {
        dns_cli dig -k "$2" +nocmd +nostats +nocomments @"$DNS_SRV_ADDR" "$1" AXFR |
                awk '$0 !~ /^;/ && NF && $4 != "SOA" && $4 != "NS" && $4 != "TSIG" {print $1, $4, $5, $6, $7}' |
                sort -u
}

dns_net_down() {
        local d
        for d in "${DNS_BIND_DIRS[@]}"; do dns_server_stop "$d"; done
        for d in "${DNS_NS_MORE[@]}"; do ip netns del "$d" 2>/dev/null; done
        [ -n "$DNS_NS_S" ] && ip netns del "$DNS_NS_S" 2>/dev/null
        DNS_NS_S= DNS_NS_C= DNS_NS_MORE=()
}
