# selftest/lib-dns.sh - sourced by DNS tests (after lib.sh): a real
# authoritative BIND 9 in a network namespace of the test's own.
#
#   dns_net_up PREFIX        namespaces ${PREFIX}s (server, 198.18.8.1 on a bridge)
#                            and ${PREFIX}c (clients, 198.18.8.2) joined to it
#   dns_ns_add NS ADDRESS    one more namespace on the server's bridge
#   dns_key NAME FILE        a TSIG key (hmac-sha256) as tsig-keygen writes it
#   dns_bind_start DIR "ZONE REVZONE..." KEYFILE...
#                            named -g -c DIR/named.conf in the server namespace,
#                            primary for ZONE and the reverse zones, dynamic: each key may
#                            update any name (update-policy zonesub) and transfer
#                            the zones; nothing from /etc/bind.  Waits until it
#                            answers (UDP and TCP).  PID in DIR/named.pid, log DIR/named.log.
#   dns_bind_stop DIR        stop that named (by its PID) and wait for it
#   dns_bind_resume DIR ZONE start it again, its zones as they were (waits
#                            until it answers over UDP and TCP)
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
        local dir=$1 zones=$2 zone k name grants="" xfer="" i z up
        shift 2
        zone=${zones%% *}
        mkdir -p "$dir"
        : >"$dir/keys.conf"
        for k in "$@"; do
                cat "$k" >>"$dir/keys.conf"
                name=$(sed -n 's/^key "\([^"]*\)".*/\1/p' "$k")
                grants="$grants grant $name zonesub ANY;"
                xfer="$xfer key $name;"
        done
        cat >"$dir/named.conf" <<EOF
options {
        directory "$dir";
        pid-file none;
        listen-on port 53 { $DNS_SRV_ADDR; };
        listen-on-v6 { none; };
        recursion no;
        allow-query { any; };
        dnssec-validation no;
        notify no;
        session-keyfile none;
        managed-keys-directory "$dir";
};
controls { };
include "$dir/keys.conf";
EOF
        for z in $zones; do
                cat >"$dir/$z.db" <<EOF
\$TTL 300
@ IN SOA ns.$zone. hostmaster.$zone. 1 3600 600 86400 60
@ IN NS ns.$zone.
EOF
                # in each zone one record of the administrator's, that no host may touch
                case $z in
                "$zone") printf 'ns IN A %s\nadmin-box IN A 198.18.8.200\n' "$DNS_SRV_ADDR" ;;
                *.in-addr.arpa) printf '200.8.18.198.in-addr.arpa. IN PTR admin-box.%s.\n' "$zone" ;;
                *)      printf 'admin-box IN PTR admin-box.%s.\n' "$zone" ;;
                esac >>"$dir/$z.db"
                printf 'zone "%s" { type primary; file "%s/%s.db"; update-policy {%s }; allow-transfer {%s }; };\n' \
                        "$z" "$dir" "$z" "$grants" "$xfer" >>"$dir/named.conf"
        done
        named-checkconf "$dir/named.conf" || fail "named-checkconf $dir/named.conf"
        ip netns exec "$DNS_NS_S" named -g -c "$dir/named.conf" >>"$dir/named.log" 2>&1 </dev/null &
        echo $! >"$dir/named.pid"
        DNS_BIND_DIRS+=("$dir")
        for i in $(seq 100); do
                up=1
                for z in $zones; do dns_answers "$z" || up=0; done
                [ $up = 1 ] && return 0
                kill -0 "$(cat "$dir/named.pid")" 2>/dev/null || { tail -20 "$dir/named.log"; fail "named exited"; }
                sleep 0.1
        done
        tail -20 "$dir/named.log"
        fail "named did not answer within 10 s"
}

# Does the server answer ZONE's SOA, over UDP and over TCP (what the
# transfers use: a dns-sync right after a restart once could not connect,
# BIND 9.20 on Debian 13, after UDP had answered)?
dns_answers() {
        dns_cli dig +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$1" SOA 2>/dev/null | grep -q . &&
                dns_cli dig +tcp +short +tries=1 +time=1 @"$DNS_SRV_ADDR" "$1" SOA 2>/dev/null | grep -q .
}

# Start the named of DIR again as it was (zones and their journals kept).
dns_bind_resume() {
        local dir=$1 i
        ip netns exec "$DNS_NS_S" named -g -c "$dir/named.conf" >>"$dir/named.log" 2>&1 </dev/null &
        echo $! >"$dir/named.pid"
        for i in $(seq 100); do
                dns_answers "$2" && return 0
                sleep 0.1
        done
        fail "named did not come back within 10 s"
}

dns_bind_stop() {
        local pid i
        pid=$(cat "$1/named.pid" 2>/dev/null) || return 0
        kill "$pid" 2>/dev/null || { rm -f "$1/named.pid"; return 0; }
        for i in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        wait "$pid" 2>/dev/null
        rm -f "$1/named.pid"
}

dns_axfr() {
        dns_cli dig -k "$2" +nocmd +nostats +nocomments @"$DNS_SRV_ADDR" "$1" AXFR |
                awk '$0 !~ /^;/ && NF && $4 != "SOA" && $4 != "NS" && $4 != "TSIG" {print $1, $4, $5, $6, $7}' |
                sort -u
}

dns_net_down() {
        local d
        for d in "${DNS_BIND_DIRS[@]}"; do dns_bind_stop "$d"; done
        for d in "${DNS_NS_MORE[@]}"; do ip netns del "$d" 2>/dev/null; done
        [ -n "$DNS_NS_S" ] && ip netns del "$DNS_NS_S" 2>/dev/null
        DNS_NS_S= DNS_NS_C= DNS_NS_MORE=()
}
