#!/usr/bin/env bash
# t-e2e-attack: hostile guests against the name rules (issues 9 and 17),
# with the real components: Debian's libvirtd (own network namespace,
# private state in a private mount namespace, lib-e2e.sh), the dnsmasq it
# starts with our lease helper in front of libvirt's, real Linux guests
# behind real domain taps (lib-guest.sh: TCG, udhcpc, dhcp-forge as the
# DHCPv6 client, OpenSSH's sshd), dhclient in veth namespaces.  Every
# answer is read through glibc (getent -s hosts:virtname), `query`,
# `doctor`, the ssh proxy with real ssh, and Debian's libnss_libvirt
# modules on the same lease files, to show where we differ on purpose.
#
# Addresses: 198.18.40.0/24 and 2001:db8:40::/64 (atknet1, DNS domain
# atk.test), 198.18.41.0/24 (atknet2, infinite leases), inside namespaces
# of this test.  It runs in its own mount and UTS namespaces: the host
# name is vncatkhost.example.net and /etc/hosts a private copy with two
# more names, so "the host's own names" and "names in /etc/hosts" are
# known here and the machine's files are never touched.
#
#   vic    the victim: a real guest on atknet1 (DHCPv4 with host name
#          vichost, DHCPv6), tap vnavic; its port answers for its leases
#   atk    a real guest, no nwfilter         } the attackers, each running
#   Atk    a real guest, clean-traffic       } dhcp-forge (over ssh), and
#   GA     a veth namespace on the bridge    } names differing in case only
#   mute   a domain whose NIC never answers (no firmware, no OS)
#   atkdorm a domain defined, never started
# Attacks, each from GA, atk and Atk:
#   a1  chaddr = vic's MAC (own Ethernet source, broadcast flag), asking
#       for the attacker's own address;  a2 the same asking for vic's;
#   a3  chaddr and client id of vic, asking for vic's address
#   b   a RELAY-FORW sent by the guest itself, option 79 = vic's MAC
#   c   a forged DHCPRELEASE of vic's lease, then asking for its address
#   d   DHCPv6 with fresh DUIDs, again and again
#   e   DHCPv4 with hardware type 6
# then 66 chaddr spoofs of vic's MAC; GA spoofing mute's MAC and running
# sshd (the proxy connects there but pins no key); GB using vic's MAC on
# atknet2; GC sending hostile host names (localhost, this host's names,
# /etc/hosts names, a static host's, a domain's name, UUID or ID) with
# dhclient; the static host nas while atknet2 is stopped; atk and Atk,
# names differing only in case; `rebuild --connect`.  The log ends with
# the table "attack x configuration -> outcome": every cell is what the
# test checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-guest.sh"
e2e_require dhclient ebtables /usr/bin/qemu-system-x86_64 /usr/sbin/sshd ssh ssh-keygen mdb_stat flock
ls /lib/*/libnss_libvirt_guest.so.2 /usr/lib/*/libnss_libvirt_guest.so.2 >/dev/null 2>&1 ||
        skip "Debian's libnss-libvirt is not installed (make deps installs it)"
for p in proxy/ssh-proxy selftest/fdpass-recv selftest/dhcp-forge selftest/dhcp-forge.static; do
        [ -x "$B/$p" ] || fail "build first: make ($B/$p is missing)"
done
if [ "${IN_NAMESPACE:-}" != 1 ]; then
        unshare -m -u true 2>/dev/null || skip "cannot create mount and UTS namespaces here"
        IN_NAMESPACE=1 exec unshare -m -u --propagation private bash "$0"
fi

S=$T/store H=vnah$$ GA=vnaa$$ GB=vnab$$ GC=vnac$$
NET1=atknet1 NET2=atknet2 BR1=vnabr1 BR2=vnabr2 V4=198.18.40 V6=2001:db8:40: W4=198.18.41 GW=198.18.40.1
M=52:54:00:40:00:77 MN=52:54:00:40:00:a1 MF=52:54:00:40:00:a2 MS=52:54:00:40:00:22 MA=52:54:00:40:00:aa
MD=52:54:00:40:00:99
UV=7a7c0001-4e2e-4c0a-9d11-0e2e00000077 UN=7a7c0001-4e2e-4c0a-9d11-0e2e000000a1
UF=7a7c0001-4e2e-4c0a-9d11-0e2e000000a2 US=7a7c0001-4e2e-4c0a-9d11-0e2e00000022
UD=7a7c0001-4e2e-4c0a-9d11-0e2e00000099
HOSTNAME_FQDN=vncatkhost.example.net
P=$B/proxy/ssh-proxy LOG=$T/lease-helper.log KH=$T/known_hosts
export VIRT_NAME_CACHE_DIR=$S VIRT_NAME_CACHE_SESSION_DIR=$T/nosession
export VIRT_NAME_CACHE_KNOWN_HOSTS=$KH VIRT_NAME_CACHE_CONNECT_TIMEOUT=10
DOMS="vic atk Atk mute atkdorm"
CONFIGS="ns atk Atk" ATTACKS="a1 a2 a3 b c d e"
NDUID=12 NSPOOF=66
vnc() { "$B/virt-name-cache" "$@"; }
cleanup() {
        set +e
        local d f
        for f in "$T"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
        for d in $DOMS; do virsh destroy "$d" >/dev/null 2>&1; done
        for d in $DOMS; do
                [ -s "/run/libvirt/qemu/$d.pid" ] && kill "$(cat "/run/libvirt/qemu/$d.pid")" 2>/dev/null
        done
        virsh net-destroy $NET2 >/dev/null 2>&1
        [ -s /run/libvirt/network/$NET2.pid ] && kill "$(cat /run/libvirt/network/$NET2.pid)" 2>/dev/null
        e2e_stop $NET1
        for f in $GA $GB $GC; do ip netns del "$f" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- what the test reads -------------------------------------------------------
# Forwards: the sorted address set (ahosts, ahostsv4, ahostsv6 without
# v4-mapped ones, or hosts); reverse: the names, or "".
fwd() { addrs_of "$S" "$1" "$2" | tr ' ' '\n' | grep -v '^::ffff:' | xargs; }
rev() { virtname_getent "$S" hosts "$1" | awk '{$1=""; print}' | xargs; }
# Debian's modules on the same lease files (our private /var/lib/libvirt).
ref() { getent -s "hosts:$1" "${3:-ahostsv4}" "$2" | awk '{print $1}' | sort -u | xargs; }
helper_has() { grep -qE "$1" "$LOG" 2>/dev/null; }
# dnsmasq ran the helper for ACTIONS (regex) of MAC and ADDRESS, with the
# host name the guest sent (as an argument too, or not: dnsmasq leaves it
# out when the lease had another name).
helper_event() {   # ACTIONS MAC ADDRESS NAME [MORE-REGEX]
        helper_has "^($1) $2 $3( $4)? \| .*DNSMASQ_SUPPLIED_HOSTNAME=$4 ${5:-}"
}
helper_count() { grep -cE "$1" "$LOG" 2>/dev/null; }
# From `list`: ADDRESS HOST-NAME DOMAIN MAC NETWORK EVIDENCE ...
listed() { vnc list | awk -v a="$1" -v f="$2" '$1 == a { print $f }'; }
ev() { listed "$1" 6; }
has_lease() { [ -n "$(listed "$1" 1)" ]; }
mac_of() { listed "$1" 4; }
# Exactly what `differs` shows: ours must answer OURS, the reference
# exactly REFERENCE (the difference is shown, not assumed).
differs() {   # WHAT MODULE NAME OURS REFERENCE [DB]
        local o r want db=${6:-ahostsv4}
        o=$(fwd "$db" "$3") r=$(ref "$2" "$3" "$db") want=$(tr ' ' '\n' <<<"$5" | sort -u | xargs)
        [ "$o" = "$4" ] || fail "$1: virtname says [$o], expected [$4]"
        [ "$r" = "$want" ] || fail "$1: $2 says [$r], expected [$want] (the reference changed? update the test)"
        echo "DIFFERS (by design): $1: $3: virtname [$o], $2 [$r]"
}
# ... or only that the reference answers ADDRESS among others.
ref_has() {   # MODULE NAME ADDRESS [DB]
        case " $(ref "$1" "$2" "${4:-ahostsv4}") " in *" $3 "*) return 0 ;; esac
        return 1
}
ebt() { ip netns exec $H ebtables -t nat "$@"; }
drops() {   # packets libvirt-I-PORT's rule REGEX counted
        ebt -L "$1" --Lc | grep -- "$2" | sed -n 's/.* pcnt = \([0-9]*\) .*/\1/p' | head -n 1
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- the host: its names, its /etc/hosts, a private libvirt ----------------------
echo $HOSTNAME_FQDN >/proc/sys/kernel/hostname || fail "cannot set the host name in this UTS namespace"
expect_eq "host name (this test's UTS namespace)" "$HOSTNAME_FQDN" "$(uname -n)"
cp /etc/hosts "$T/hosts" && printf '198.18.99.1\tadminbox adminbox.corp.example\n' >>"$T/hosts" &&
        mount --bind "$T/hosts" /etc/hosts || fail "cannot put a private /etc/hosts in place"
mkdir -p /run/sshd && mount -t tmpfs -o mode=0755 tmpfs /run/sshd || fail "cannot mount a tmpfs on /run/sshd"
chmod 711 "$T"                          # libvirt-qemu reads the guest below it
guest_build "$T/guest"
echo "timing: guest image $GUEST_BUILD_SECONDS s"
e2e_private_libvirt
rm -f /etc/libvirt/qemu/networks/autostart/* /etc/libvirt/qemu/networks/*.xml /etc/libvirt/qemu/*.xml
e2e_start_libvirtd
# The bridge's IPv6 address usable at once (dnsmasq answers DHCPv6 from it).
ip netns exec $H sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0

# no-ping: dnsmasq would first ping each new address and answer only a
# later DISCOVER (3 s a lease); nothing here depends on it.
netxml() {   # NAME BRIDGE NET4 DOMAIN STATIC-HOST-XML RANGE-XML [IPV6-XML]
        cat <<XML
<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>$1</name>
  <forward mode='open'/>
  <bridge name='$2' stp='off' delay='0'/>
  <domain name='$4'/>
  <ip address='$3.1' netmask='255.255.255.0'>
    <dhcp><range start='$3.100' end='$3.250'>$6</range>$5</dhcp>
  </ip>${7:-}
  <dnsmasq:options><dnsmasq:option value='no-ping'/></dnsmasq:options>
</network>
XML
}
netxml $NET1 $BR1 $V4 atk.test "<host mac='52:54:00:40:00:05' name='fixed' ip='$V4.5'/>" "" \
        "<ip family='ipv6' address='$V6:1' prefix='64'><dhcp><range start='$V6:100' end='$V6:1ff'/></dhcp></ip>" \
        >"$T/net1.xml"
# atknet2 hands out infinite leases (expiry 0), as libvirt allows.
netxml $NET2 $BR2 $W4 other.test "<host mac='52:54:00:41:00:05' name='nas' ip='$W4.5'/>" "<lease expiry='0'/>" \
        >"$T/net2.xml"
for n in 1 2; do
        net=NET$n
        virsh net-define "$T/net$n.xml" >/dev/null || fail "net-define ${!net}"
        # The lease helper only: the network's DNS stays libvirt's, so that
        # libvirt's own modules see what they see without us (t-e2e-dns
        # runs hostile guests against our names in dnsmasq).
        vnc enable "${!net}" --no-dns --helper "$T/lease-helper" >/dev/null || fail "enable ${!net}"
        virsh net-start "${!net}" >/dev/null || fail "net-start ${!net}: $(tail -5 "$T/libvirtd.log")"
done
expect_eq "static host fixed (network hook)" "$V4.5" "$(fwd ahostsv4 fixed)"
expect_eq "static host nas (network hook)" "$W4.5" "$(fwd ahostsv4 nas)"

# --- the domains ------------------------------------------------------------------
guest_domain_xml vic $M $NET1 --uuid $UV --tap vnavic --host vichost --dhcp6 >"$T/vic.xml"
guest_domain_xml atk $MN $NET1 --uuid $UN --tap vnaatk --host atk-plain >"$T/atk.xml"
guest_domain_xml Atk $MF $NET1 --uuid $UF --tap vnaAtk --host atk-filtered --filter clean-traffic >"$T/Atk.xml"
# mute: a NIC without firmware and no OS behind it: nothing ever answers
# on its port.  atkdorm: defined, never started.
cat >"$T/mute.xml" <<XML
<domain type='qemu'>
  <name>mute</name><uuid>$US</uuid>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'><source network='$NET1'/><mac address='$MS'/><model type='e1000'/><rom enabled='no'/><target dev='vnamute'/></interface>
  </devices>
</domain>
XML
sed -e "s/mute/atkdorm/g; s/$US/$UD/; s/$MS/$MD/" "$T/mute.xml" >"$T/atkdorm.xml"
t0=$(date +%s%N)
for d in $DOMS; do virsh define "$T/$d.xml" >/dev/null || fail "define $d"; done
GUESTS="vic atk Atk"
for d in vic atk Atk mute; do
        virsh start $d >"$T/start.log" 2>&1 && continue
        [ $d = Atk ] || fail "start $d: $(cat "$T/start.log")"
        skip_part "libvirt's nwfilter cannot start a domain with clean-traffic here ($(tr '\n' ' ' <"$T/start.log")): no attacker behind clean-traffic"
        virsh undefine Atk >/dev/null
        CONFIGS="ns atk" GUESTS="vic atk" DOMS="vic atk mute atkdorm"
done
[ "$GUESTS" = "vic atk" ] || virsh nwfilter-binding-list | grep -q "vnaAtk *clean-traffic" ||
        fail "no clean-traffic binding on Atk's port: $(virsh nwfilter-binding-list)"
VA=$(guest_wait_lease vic) || fail "vic: no DHCPv4 lease"
echo "timing: the domains started, vic's DHCPv4 lease after $(ms_since $t0) ms"
VA6=$(guest_wait vic "lease6 " 120) || fail "vic: no DHCPv6 lease"
NA=$(guest_wait_lease atk) || fail "atk: no lease"
FA=
[ "$GUESTS" = "vic atk" ] || FA=$(guest_wait_lease Atk) || fail "Atk: no lease"
for d in $GUESTS; do guest_wait $d ready 120 >/dev/null || fail "$d's /init did not finish"; done
echo "timing: the guests ready after $(ms_since $t0) ms: vic $VA $VA6, atk $NA, Atk ${FA:-(not run)}"
ID_V=$(virsh domid vic) ID_M=$(virsh domid mute)
# vic's name follows its leases once its port answered for them.
vic_named() { [ "$(fwd ahostsv4 vic)" = "$VA" ] && [ "$(fwd ahostsv6 vic)" = "$VA6" ]; }
wait_for 60 vic_named || fail "vic: [$(fwd ahosts vic)], want $VA $VA6: $(vnc query vic)"
echo "timing: vic's name answers both leases $(ms_since $t0) ms after the start"
for a in $VA $VA6; do expect_eq "vic's lease $a: its port answered" port "$(ev $a)"; done
wait_for 60 eval '[ "$(fwd ahostsv4 atk)" = "$NA" ] && [ "$(fwd ahostsv4 Atk)" = "$FA" ]' ||
        fail "atk, Atk: [$(fwd ahostsv4 atk)] [$(fwd ahostsv4 Atk)], want $NA ${FA:-nothing}"
expect_eq "mute (its port never answers): no address" "" "$(fwd ahosts mute)"

# What must hold after every attack: vic's names, forwards and reverse.
vic_intact() {   # WHAT
        expect_eq "$1: vic, A" "$VA" "$(fwd ahostsv4 vic)"
        expect_eq "$1: vic, AAAA" "$VA6" "$(fwd ahostsv6 vic)"
        expect_eq "$1: vic.atk.test" "$VA $VA6" "$(fwd ahosts vic.atk.test)"
        expect_eq "$1: $VA in reverse" "vic.atk.test vic" "$(rev $VA)"
        expect_eq "$1: $VA6 in reverse" "vic.atk.test vic" "$(rev $VA6)"
}
vic_intact "before the attacks"

# --- ssh through the proxy: vic's key pinned on first use ------------------------
sed -e "s|@PROXY@|$P|" "$TOP/proxy/20-virt-name-cache.conf" >"$T/ssh_config"
printf 'Host *\n    IdentityFile %s\n    IdentitiesOnly yes\n    BatchMode yes\n    ConnectTimeout 30\n' \
        "$GUEST_DIR/id_ed25519" >>"$T/ssh_config"
sshq() {   # HOST COMMAND: ssh through the proxy from the host side
        local h=$1
        shift
        ip netns exec $H ssh -F "$T/ssh_config" "root@$h" "$@" 2>"$T/ssh.err"
}
# The addresses ssh-proxy -v tried for HOST ("" if none).
proxy_tried() {
        ip netns exec $H "$B/selftest/fdpass-recv" "$P" -v "$1" 22 2>&1 >/dev/null |
                sed -n 's/.*connecting over TCP to \([^ ]*\) port 22$/\1/p' | xargs
}
expect_eq "ssh qemu:system/vic: first use reaches vic's sshd" vichost "$(sshq qemu:system/vic hostname)"
grep -q "first connection to guest vic (UUID $UV): recorded its host key" "$T/ssh.err" ||
        fail "first use not said: $(cat "$T/ssh.err")"
expect_eq "the pinned key is vic's (the guest image's host key)" \
        "virt-name-cache:$UV $(cut -d' ' -f1,2 "$GUEST_DIR/ssh_host_ed25519_key.pub")" "$(cut -d' ' -f1-3 "$KH")"
KH_SUM=$(md5sum <"$KH")
ssh_vic_intact() {   # WHAT: ssh still reaches vic's sshd, the pinned key unchanged
        expect_eq "$1: ssh qemu:system/vic reaches vic" vichost "$(sshq qemu:system/vic hostname)"
        [ -s "$T/ssh.err" ] && fail "$1: ssh qemu:system/vic said: $(cat "$T/ssh.err")"
        expect_eq "$1: ssh-proxy -v qemu/vic tried vic's address only" "$VA" "$(proxy_tried qemu/vic)"
        [ "$(md5sum <"$KH")" = "$KH_SUM" ] || fail "$1: the known hosts file changed: $(cat "$KH")"
}

# --- the attackers ----------------------------------------------------------------
# GA: a namespace with a veth into atknet1's bridge, its own lease.
e2e_guest $GA vnaa0 $MA $BR1
ip netns exec $GA sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip -n $GA link set eth0 down && ip -n $GA link set eth0 up
wait_for 30 eval "ip -n $GA -6 addr show dev eth0 scope link 2>/dev/null | grep -q fe80" || fail "$GA: no link-local address"
out=$(ip netns exec $GA "$B/selftest/dhcp-forge" eth0 v4 --hostname atk-ns) || fail "$GA's own lease: $out"
XA=$(sed -n 's/^ack //p' <<<"$out")
ip -n $GA addr add "$XA/24" dev eth0 || fail "$GA: address $XA"
declare -A OWN=([ns]=$XA [atk]=$NA [Atk]=$FA) MACOF=([ns]=$MA [atk]=$MN [Atk]=$MF)
# (c): the chaddr each asks for vic's address with
declare -A MACC=([ns]=52:54:00:40:0c:01 [atk]=52:54:00:40:0c:02 [Atk]=52:54:00:40:0c:03)
declare -A WHO=([ns]="veth namespace $GA (a port of no domain, no filter)" [atk]="domain atk (no nwfilter)"
                [Atk]="domain Atk (clean-traffic)")
forge() {   # CONFIG ARGS...: dhcp-forge as that attacker
        local c=$1
        shift
        case $c in
        ns) ip netns exec $GA "$B/selftest/dhcp-forge" eth0 "$@" ;;
        atk) guest_ssh $NA dhcp-forge eth0 "$@" ;;
        Atk) guest_ssh $FA dhcp-forge eth0 "$@" ;;
        esac
}
declare -A CELL
cell() { CELL["$1|$2"]=$3; echo "OUTCOME $1 from ${WHO[$2]}: $3"; }
SILENT=()                               # leases vic's (or another domain's) port must not answer for
dnsmasq_has() { virsh net-dhcp-leases $NET1 --mac "$1" | grep -q " $2/"; }   # MAC ADDRESS
# libvirt's list has ADDRESS with MAC and HOSTNAME.  Its helper runs after
# ours: then the store has taken (or refused) the event.
lists() {   # ADDRESS MAC HOSTNAME
        virsh net-dhcp-leases $NET1 | awk -v a="$1" -v m="$2" -v h="$3" \
                '$3 == m && index($5, a "/") == 1 && $6 == h { f = 1 } END { exit !f }'
}
lease6_count() { virsh net-dhcp-leases $NET1 | awk '$4 == "ipv6"' | wc -l; }
store6_count() { vnc list | awk -v n=$NET1 '$1 ~ /:/ && $5 == n' | wc -l; }
tables() {   # the private store's tables and their entries (a copy taken under the writer lock)
        flock "$S/private/writer.lock" cp "$S/private/store.mdb" "$T/stat.mdb" || fail "cannot copy the store"
        mdb_stat -a -n "$T/stat.mdb" | awk '/^Status of/ { n = $3 } /Entries:/ { print n, $2 }'
        rm -f "$T/stat.mdb" "$T/stat.mdb-lock"
}
dropped_count() {
        vnc doctor --nsswitch /dev/null 2>/dev/null | sed -n 's/^info *\([0-9]*\) DHCP events\{0,1\} dropped as a guest.s junk.*/\1/p'
}

attack() {   # CONFIG: a1 .. e from that attacker
        local c=$1 own=${OWN[$1]} mac=${MACOF[$1]} mc=${MACC[$1]} out a n t d6 s6 t0 t1 dr0 store doc grew
        local blocked6=0
        [ $c = Atk ] && blocked6=1
        echo "=== attacks from ${WHO[$c]} (its address $own, MAC $mac)"

        # a1: chaddr = vic's MAC, asking for its own address (own client id:
        # dnsmasq finds its lease by it and moves it to that chaddr).
        out=$(forge $c v4 --chaddr $M --request $own --hostname evil-a1-$c) || fail "a1 ($c): $out"
        expect_eq "a1 ($c): dnsmasq acked its own address" "ack $own" "$(grep ^ack <<<"$out")"
        wait_for 30 lists $own $M evil-a1-$c || fail "a1 ($c): not in libvirt's list: $(tail -3 "$LOG")"
        helper_event old $M $own evil-a1-$c || fail "a1 ($c): no event: $(tail -3 "$LOG")"
        if [ $c = ns ]; then
                wait_for 10 eval '[ "$(mac_of $own)" = $M ]' || fail "a1 ($c): store: $(vnc query $own)"
                vnc query $own | grep -q "^evidence:  a DHCP claim: domain vic's port" ||
                        fail "a1 ($c): the evidence: $(vnc query $own)"
                # One lease answers per (network, MAC, family): vic's own.
                expect_eq "a1 ($c): the lease answers nothing, not even the attacker's host name" "" \
                        "$(fwd ahosts evil-a1-$c)"
                expect_eq "a1 ($c): $own in reverse: nothing" "" "$(rev $own)"
                SILENT+=("$own")
                store="a claim of vic's MAC, vic's port asked: silent; the lease answers nothing (vic's answered lease is its MAC's one answer), not even evil-a1"
                doc="warning (a lease of vic's MAC its port did not answer for)"
        else
                expect_eq "a1 ($c): the store keeps $own as $c's (its port answers for it)" "$mac port" \
                        "$(mac_of $own) $(ev $own)"
                vnc query $own | grep -q "^evidence:  its domain's port vna$c answered for it (" ||
                        fail "a1 ($c): query $own: $(vnc query $own)"
                expect_eq "a1 ($c): $c's name" "$own" "$(fwd ahostsv4 $c)"
                expect_eq "a1 ($c): evil-a1-$c not taken" "" "$(fwd ahosts evil-a1-$c)"
                store="refused: $c's own port answers for $own"
                doc="nothing"
        fi
        vic_intact "a1 ($c)"
        ref_has libvirt_guest vic $own || fail "a1 ($c): libvirt_guest does not give vic $own: $(ref libvirt_guest vic)"
        cell a1 $c "dnsmasq moved the attacker's lease $own to vic's MAC; store: $store; doctor: $doc; libnss-libvirt: vic -> $own too"

        # a2: the same, asking for vic's address: dnsmasq offers the lease of
        # the attacker's client id again.
        out=$(forge $c v4 --chaddr $M --request $VA --hostname evil-a2-$c) || fail "a2 ($c): $out"
        expect_eq "a2 ($c): dnsmasq acked the attacker's own address, not vic's" "ack $own" "$(grep ^ack <<<"$out")"
        wait_for 30 lists $own $M evil-a2-$c || fail "a2 ($c): not in libvirt's list: $(tail -3 "$LOG")"
        helper_event old $M $own evil-a2-$c || fail "a2 ($c): no event: $(tail -3 "$LOG")"
        if [ $c = ns ]; then
                expect_eq "a2 ($c): the claim, evil-a2-$c" "evil-a2-$c $M" "$(listed $own 2) $(mac_of $own)"
                expect_eq "a2 ($c): evil-a2-$c answers nothing" "" "$(fwd ahosts evil-a2-$c)"
        else
                expect_eq "a2 ($c): still refused" "$mac port" "$(mac_of $own) $(ev $own)"
        fi
        vic_intact "a2 ($c)"
        cell a2 $c "dnsmasq acked $own again (vic's address is another client's), then as a1"

        # a3: chaddr and client id of vic: dnsmasq renews vic's own lease,
        # with the attacker's host name.
        out=$(forge $c v4 --chaddr $M --client-id 01:$M --request $VA --hostname evil-a3-$c) || fail "a3 ($c): $out"
        expect_eq "a3 ($c): dnsmasq acked vic's address" "ack $VA" "$(grep ^ack <<<"$out")"
        wait_for 30 lists $VA $M evil-a3-$c || fail "a3 ($c): not in libvirt's list: $(tail -3 "$LOG")"
        helper_event old $M $VA evil-a3-$c || fail "a3 ($c): no event: $(tail -3 "$LOG")"
        wait_for 10 eval '[ "$(listed $VA 2)" = evil-a3-$c ]' || fail "a3 ($c): $(vnc query $VA)"
        expect_eq "a3 ($c): vic's lease keeps its MAC and evidence" "$M port vic" "$(mac_of $VA) $(ev $VA) $(listed $VA 3)"
        # Known limit: the host name of a lease is what the last DHCP
        # message about it said; the port proves the address, not who sent
        # the name.  (Reverse stays vic's: its domain name comes first.)
        expect_eq "a3 ($c): known limit: evil-a3-$c -> vic's address" "$VA" "$(fwd ahostsv4 evil-a3-$c)"
        expect_eq "a3 ($c): known limit: vichost keeps only its AAAA" "$VA6" "$(fwd ahosts vichost)"
        vic_intact "a3 ($c)"
        cell a3 $c "dnsmasq renewed vic's lease $VA (its chaddr and client id); store: vic's name and evidence kept; KNOWN LIMIT: the lease's host name is now evil-a3 (evil-a3 -> $VA, vichost loses its A until vic's next DISCOVER); doctor: nothing"

        # b: a RELAY-FORW with option 79 = vic's MAC.
        if [ $blocked6 = 0 ]; then
                out=$(forge $c v6 --relay-mac $M --link-address $V6:1 --hostname evil-b-$c) || fail "b ($c): $out"
                a=$(sed -n 's/^reply \([^ ]*\) .*/\1/p' <<<"$out")
                wait_for 30 lists $a $M evil-b-$c || fail "b ($c): not in libvirt's list: $(tail -3 "$LOG")"
                helper_has "^add [0-9a-f:]+ $a (evil-b-$c )?\| .*DNSMASQ_MAC=$M .*DNSMASQ_RELAY_ADDRESS=.*DNSMASQ_SUPPLIED_HOSTNAME=evil-b-$c " ||
                        fail "b ($c): no relayed add with DNSMASQ_MAC=$M: $(tail -3 "$LOG")"
                wait_for 10 has_lease $a || fail "b ($c): $a never reached the store"
                expect_eq "b ($c): relayed: the lease has no MAC" "- none" "$(mac_of $a) $(ev $a)"
                expect_eq "b ($c): query's evidence line" \
                        "evidence:  the guest's own claim (no MAC: a relayed or restored DHCP message)" \
                        "$(vnc query $a | grep '^evidence:')"
                expect_eq "b ($c): evil-b-$c, the guest's claim" "$a" "$(fwd ahostsv6 evil-b-$c)"
                vic_intact "b ($c)"
                ref_has libvirt_guest vic $a ahostsv6 ||
                        fail "b ($c): libvirt_guest does not give vic $a: $(ref libvirt_guest vic ahostsv6)"
                cell b $c "dnsmasq leased $a with DNSMASQ_MAC = vic's; store: relayed, no MAC (evidence none): only evil-b -> $a; doctor: nothing; libnss-libvirt: vic -> $a too"
        else
                n=$(drops libvirt-I-vnaAtk "^-j DROP")
                out=$(forge $c v6 --relay-mac $M --link-address $V6:1 --hostname evil-b-$c --timeout 6000) &&
                        fail "b ($c): an answer from behind clean-traffic: $out"
                expect_eq "b ($c): no answer" "no answer" "$out"
                helper_has "evil-b-$c" && fail "b ($c): it reached dnsmasq: $(grep evil-b-$c "$LOG")"
                [ "$(drops libvirt-I-vnaAtk "^-j DROP")" -gt "$n" ] || fail "b ($c): clean-traffic dropped nothing"
                vic_intact "b ($c)"
                cell b $c "blocked: clean-traffic drops all IPv6 (its last DROP rule counted the frames); nothing reached dnsmasq"
        fi

        # c: a DHCPRELEASE of vic's lease (vic's chaddr and client id), then
        # a request of its address from another chaddr.
        n=$(helper_count "^del $M $VA")
        if [ $c = Atk ]; then
                t=$(drops I-vnaAtk-ipv4-ip "^-j DROP")
                forge $c release --chaddr $M --addr $VA --server $GW >/dev/null || fail "c ($c): release"
                wait_for 10 eval '[ "$(drops I-vnaAtk-ipv4-ip "^-j DROP")" -gt "$t" ]' ||
                        fail "c ($c): a release from $VA passed no-ip-spoofing: $(ebt -L I-vnaAtk-ipv4-ip --Lc)"
                [ "$(helper_count "^del $M $VA")" = "$n" ] || fail "c ($c): a release from $VA reached dnsmasq"
                pass "c ($c): a release from vic's address dropped by clean-traffic (no-ip-spoofing)"
                forge $c release --chaddr $M --addr $VA --server $GW --ip-src 0.0.0.0 >/dev/null ||
                        fail "c ($c): release from 0.0.0.0"
        else
                forge $c release --chaddr $M --addr $VA --server $GW >/dev/null || fail "c ($c): release"
        fi
        wait_for 30 eval '[ "$(helper_count "^del $M $VA")" -gt "$n" ]' || fail "c ($c): dnsmasq passed no del"
        # libvirt's helper runs after ours: once its list lacks the lease,
        # the store has the release and vic's port is being asked.
        wait_for 30 eval '! dnsmasq_has $M $VA' || fail "c ($c): dnsmasq kept vic's lease"
        wait_for 45 eval '[ "$(ev $VA)" = port ]' || fail "c ($c): vic's port not asked again: $(vnc query $VA)"
        vic_intact "c ($c), release"
        out=$(forge $c v4 --chaddr $mc --no-client-id --request $VA --hostname evil-c-$c) || fail "c ($c): $out"
        expect_eq "c ($c): dnsmasq gave vic's address to the attacker" "ack $VA" "$(grep ^ack <<<"$out")"
        wait_for 30 lists $VA $mc evil-c-$c || fail "c ($c): not in libvirt's list: $(tail -3 "$LOG")"
        helper_event add $mc $VA evil-c-$c || fail "c ($c): no add: $(tail -3 "$LOG")"
        expect_eq "c ($c): the store refused it: vic's lease" "$M port" "$(mac_of $VA) $(ev $VA)"
        vnc query $VA | grep -q "^evidence:  its domain's port vnavic answered for it (" ||
                fail "c ($c): query $VA: $(vnc query $VA)"
        [ -n "$(ls "$S/private/spool" 2>/dev/null)" ] && fail "c ($c): events wait in the spool: $(ls "$S/private/spool")"
        expect_eq "c ($c): evil-c-$c not taken" "" "$(fwd ahosts evil-c-$c)"
        vic_intact "c ($c), request"
        expect_eq "c ($c): libnss-libvirt gives the attacker's name vic's address" "$VA" "$(ref libvirt evil-c-$c)"
        ref_has libvirt_guest vic $VA && fail "c ($c): libvirt_guest still gives vic $VA"
        # Back to the start: the attacker lets go, vic asks again (a new
        # lease for dnsmasq: its host name comes with it).
        if [ $c = Atk ]; then
                forge $c release --chaddr $mc --no-client-id --addr $VA --server $GW --ip-src 0.0.0.0 >/dev/null
        else
                forge $c release --chaddr $mc --no-client-id --addr $VA --server $GW >/dev/null
        fi || fail "c ($c): the attacker's release"
        wait_for 30 eval '! dnsmasq_has $mc $VA' || fail "c ($c): the attacker's release not seen"
        guest_ssh $VA 'kill -USR1 $(pidof udhcpc)' || fail "c ($c): cannot make vic renew"
        wait_for 30 eval '[ "$(fwd ahostsv4 vichost)" = $VA ]' || fail "c ($c): vic did not get $VA back: $(tail -3 "$LOG")"
        wait_for 45 eval '[ "$(ev $VA)" = port ]' || fail "c ($c): vic's lease: $(vnc query $VA)"
        vic_intact "c ($c), vic asked again"
        if [ $c = Atk ]; then
                cell c $c "a release from vic's address: dropped (no-ip-spoofing); from 0.0.0.0 it passes: dnsmasq dropped vic's lease and acked $VA to the attacker; store: vic's port asked again (answered: kept), the attacker's lease refused; doctor: nothing; libnss-libvirt: evil-c -> $VA, vic loses it"
        else
                cell c $c "dnsmasq dropped vic's lease and acked $VA to the attacker; store: vic's port asked again (answered: kept), the attacker's lease refused; doctor: nothing; libnss-libvirt: evil-c -> $VA, vic loses it"
        fi

        # d: fresh DUIDs: each a lease in dnsmasq; the store holds what
        # dnsmasq holds, and nothing else grows.
        d6=$(lease6_count) s6=$(store6_count) t0=$(tables)
        if [ $blocked6 = 0 ]; then
                out=$(forge $c v6 --duid random --count $NDUID) || fail "d ($c): $out"
                expect_eq "d ($c): $NDUID replies" $NDUID "$(grep -c '^reply ' <<<"$out")"
                for a in $(awk '/^reply/ { print $2 }' <<<"$out"); do
                        wait_for 30 has_lease $a || fail "d ($c): $a never reached the store: $(tail -3 "$LOG")"
                        expect_eq "d ($c): $a has the attacker's MAC (dnsmasq's neighbour cache)" $mac "$(mac_of $a)"
                done
                wait_for 10 eval '[ $(( $(lease6_count) - d6 )) = $NDUID ]' ||
                        fail "d ($c): dnsmasq's leases: $d6 -> $(lease6_count)"
        else
                n=$(drops libvirt-I-vnaAtk "^-j DROP")
                out=$(forge $c v6 --duid random --count 2 --timeout 6000) && fail "d ($c): answered: $out"
                [ "$(drops libvirt-I-vnaAtk "^-j DROP")" -gt "$n" ] || fail "d ($c): clean-traffic dropped nothing"
        fi
        t1=$(tables)
        expect_eq "d ($c): the store's DHCPv6 leases grew as dnsmasq's" "$(( $(lease6_count) - d6 ))" \
                "$(( $(store6_count) - s6 ))"
        grep -qi duid <<<"$t1" && fail "d ($c): a table of DUIDs: $t1"
        # Per table: growth.  leases and their index (ifaceidx) in step with
        # dnsmasq; nothing else.
        grew=$(join <(sort <<<"$t0") <(sort <<<"$t1") | awk '$3 != $2 && $1 != "meta" { printf "%s+%d ", $1, $3 - $2 }')
        n=$(( $(lease6_count) - d6 ))
        if [ "$n" = 0 ]; then
                expect_eq "d ($c): no table grew" "" "$grew"
        else
                case $grew in
                "ifaceidx+$n leases+$n "|"leases+$n ") ;;
                *) fail "d ($c): tables grew: [$grew] for $n new dnsmasq leases" ;;
                esac
        fi
        vic_intact "d ($c)"
        if [ $blocked6 = 1 ]; then
                cell d $c "blocked: clean-traffic drops all IPv6; no lease, no table grew"
        elif [ $c = atk ]; then
                for a in $(awk '/^reply/ { print $2 }' <<<"$out"); do SILENT+=("$a"); done
                cell d $c "$NDUID fresh DUIDs: $n new dnsmasq leases, $n new store leases (${grew% }), no other table grew; they carry atk's own MAC (DNSMASQ_MAC): atk's port asked, silent; doctor: warning (leases of atk's MAC its port did not answer for)"
        else
                cell d $c "$NDUID fresh DUIDs: $n new dnsmasq leases, $n new store leases (${grew% }), no other table grew; doctor: nothing"
        fi

        # e: hardware type 6 (no client id: dnsmasq would find its lease by it).
        out=$(forge $c v4 --htype 6 --no-client-id --hostname evil-e-$c) || fail "e ($c): $out"
        a=$(sed -n 's/^ack //p' <<<"$out")
        wait_for 30 helper_event "add|old" 06-$mac $a evil-e-$c || fail "e ($c): no event: $(tail -3 "$LOG")"
        wait_for 10 eval '[ "$(dropped_count)" = "$(helper_count "^(add|old|del) 06-")" ]' ||
                fail "e ($c): not counted as dropped: [$(dropped_count)], events [$(helper_count "^(add|old|del) 06-")]"
        has_lease $a && fail "e ($c): the store holds $a: $(vnc query $a)"
        expect_eq "e ($c): evil-e-$c answers nothing" "" "$(fwd ahosts evil-e-$c)"
        [ -e "$S/private/missed.log" ] && fail "e ($c): a missed event: $(cat "$S/private/missed.log")"
        vic_intact "e ($c)"
        cell e $c "dnsmasq leased $a to 06-$mac; the lease helper dropped and counted it: nothing stored, no missed event; doctor: info (events dropped as a guest's junk)"
        ssh_vic_intact "after the attacks from $c"
}
for c in $CONFIGS; do attack $c; done

# --- a domain whose port never answered: no key pinned ------------------------
# GA takes a lease with mute's MAC (chaddr, client id), holds the address
# and runs sshd: DHCP says it is mute's, its port never confirms it.
out=$(ip netns exec $GA "$B/selftest/dhcp-forge" eth0 v4 --chaddr $MS --client-id 01:$MS --hostname mute) ||
        fail "mute's MAC: $out"
YA=$(sed -n 's/^ack //p' <<<"$out")
SILENT+=("$YA")
ip -n $GA addr add "$YA/24" dev eth0 || fail "$GA: address $YA"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey-ga" || fail "keygen"
{ printf 'Port 22\nHostKey %s\nPidFile %s\nAuthorizedKeysFile %s\n' "$T/hostkey-ga" "$T/sshd-ga.pid" \
        "$GUEST_DIR/id_ed25519.pub"
  sshd_key_only; } >"$T/sshd-ga.conf"
ip netns exec $GA /usr/sbin/sshd -f "$T/sshd-ga.conf" -E "$T/sshd-ga.log" || fail "sshd in $GA: $(cat "$T/sshd-ga.log")"
wait_for 10 has_lease $YA || fail "$YA never reached the store"
expect_eq "mute: no address (its port never answered)" "" "$(fwd ahosts mute)"
out=$(sshq qemu:system/mute 'ip netns identify') && fail "ssh qemu:system/mute was let in: $out"
fp=$(ssh-keygen -l -f "$T/hostkey-ga.pub" | awk '{print $2}')
grep -q "guest mute: its port has answered for no address yet; trying the ones only its guest agent or DHCP says are its (a first host key seen this way is not recorded)" \
        "$T/ssh.err" || fail "ssh qemu:system/mute: no warning: $(cat "$T/ssh.err")"
grep -q "guest mute (UUID $US): its port has answered for no address, no administrator gave it one, and it has no VSOCK device, so the host key ssh-ed25519 $fp is not recorded.  Check that fingerprint on the guest's console" \
        "$T/ssh.err" || fail "ssh qemu:system/mute: no refusal: $(cat "$T/ssh.err")"
grep -q "Host key verification failed" "$T/ssh.err" || fail "ssh qemu:system/mute: $(cat "$T/ssh.err")"
[ "$(md5sum <"$KH")" = "$KH_SUM" ] || fail "a key was recorded for mute: $(cat "$KH")"
pass "ssh qemu:system/mute: the proxy connected to what DHCP says, warned, and pinned no key"
# Pinned by hand, as the message says: then ssh goes there.
line=$(sed -n 's/.*then add this line to [^ ]*: \(virt-name-cache:.*\)$/\1/p' "$T/ssh.err")
expect_eq "the line to add names mute's UUID and the key offered" \
        "virt-name-cache:$US $(cut -d' ' -f1,2 "$T/hostkey-ga.pub")" "$line"
echo "$line" >>"$KH"
expect_eq "pinned by hand: ssh qemu:system/mute goes where DHCP says" "$GA" "$(sshq qemu:system/mute 'ip netns identify')"
"$P" --forget qemu:system/mute >/dev/null || fail "--forget mute"
[ "$(md5sum <"$KH")" = "$KH_SUM" ] || fail "--forget left: $(cat "$KH")"

# --- vic's MAC on another network ---------------------------------------------
# dhclient's script: only the address, never this machine's resolv.conf
# or routes.  The daemon is stopped once bound (no release).
cat >"$T/dh-script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/24" dev "$interface" ;;
RELEASE) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/24" dev "$interface" ;;
esac
exit 0
SCRIPT
chmod 755 "$T/dh-script"
# dhcp NS TAG CLIENT-ID HOSTNAME: one lease with DHCP client id CLIENT-ID
# and host name HOSTNAME (none if ""), the client ended once bound (no
# release, no renewal); prints its address.
dhcp() {
        local ns=$1 tag=$2
        { printf 'send dhcp-client-identifier "%s";\n' "$3"
          [ -n "$4" ] && printf 'send host-name "%s";\n' "$4"
          printf 'request subnet-mask, broadcast-address;\ntimeout 40;\nretry 1;\ninitial-interval 1;\n'
        } >"$T/dh-$tag.conf"
        rm -f "$T/dh-$tag.leases"
        e2e_dhclient "dh-$tag" "$ns" -4 -cf "$T/dh-$tag.conf" -sf "$T/dh-script" eth0 ||
                fail "dhclient $tag in $ns got no lease"
        e2e_dhclient_stop "dh-$tag"
        sed -n 's/^ *fixed-address \(.*\);$/\1/p' "$T/dh-$tag.leases" | tail -n 1
}
e2e_guest $GB vnab0 $M $BR2
B2=$(dhcp $GB b1 "other-net" vic)
wait_for 10 has_lease "$B2" || fail "the lease $B2 on $NET2 never reached the store"
vic_intact "vic's MAC on $NET2"
expect_eq "vic.other.test ($NET2's domain): nothing" "" "$(fwd ahosts vic.other.test)"
expect_eq "the lease on $NET2: no name in reverse (its MAC is no domain's there; its host name is a domain's)" \
        "" "$(rev "$B2")"
ref_has libvirt_guest vic "$B2" || fail "libvirt_guest does not give vic $B2"
pass "vic's MAC on another network: never vic's, forwards or reverse (libvirt_guest gives it)"

# --- a1 many times: one answer --------------------------------------------------
# More leases of vic's MAC (distinct client ids) than the 64 addresses
# one answer can hold.
t0=$(date +%s%N)
for k in $(seq $NSPOOF); do
        out=$(ip netns exec $GA "$B/selftest/dhcp-forge" eth0 v4 --chaddr $M --client-id "ff:00:$(printf %02x $k)") ||
                fail "spoof $k: $out"
        SILENT+=("$(sed -n 's/^ack //p' <<<"$out")")
done
echo "timing: $NSPOOF chaddr spoofs in $(ms_since $t0) ms"
m_leases() { virsh net-dhcp-leases $NET1 --mac $M | awk '$4 == "ipv4"' | wc -l; }
# vic's, GA's, atk's and Atk's own (moved at a1) and the spoofs: dnsmasq
# runs the lease helper for each in turn.
n_m=$((NSPOOF + 4))
wait_for 60 eval '[ "$(m_leases)" = $n_m ]' || fail "leases of vic's MAC in dnsmasq: $(m_leases), want $n_m"
# All but atk's and Atk's own (dnsmasq moved them to vic's MAC at a1;
# the store refused that).
wait_for 30 eval '[ "$(vnc query vic | grep -c "^  lease: *$V4\.")" = $((n_m - 2)) ]' ||
        fail "the store does not hold the $((n_m - 2)) leases of vic's MAC: $(vnc query vic | grep -c "^  lease:")"
vic_intact "$n_m leases of vic's MAC"
r=$(ref libvirt_guest vic)
[ "$r" != "$VA" ] || fail "libvirt_guest answers vic's one address for $n_m leases: update the test"
echo "DIFFERS (by design): $n_m leases of vic's MAC: virtname [$VA], libvirt_guest [$(wc -w <<<"$r") addresses]"

# --- hostile host names ---------------------------------------------------------
e2e_guest $GC vnac0 52:54:00:40:01:00 $BR1
declare -A ADDR   # host name sent -> the address its lease got
n=0
attack_name() {   # HOSTNAME: a new MAC and client id, one lease; ADDR[HOSTNAME]
        n=$((n + 1))
        ip -n $GC link set eth0 address "$(printf '52:54:00:40:01:%02x' $n)"
        ADDR[$1]=$(dhcp $GC "c$n" "attacker-c$n" "$1")
        wait_for 10 has_lease "${ADDR[$1]}" || fail "the lease of ${ADDR[$1]} (host name $1) never reached the store"
}
attack_name atkbenign        # the control: a name of its own
expect_eq "control: a guest's own host name resolves to it" "${ADDR[atkbenign]}" "$(fwd ahostsv4 atkbenign)"
expect_eq "control: and in reverse" "atkbenign.atk.test atkbenign" "$(rev "${ADDR[atkbenign]}")"
RESERVED=(localhost ip6-localhost ip6-loopback _gateway wpad localhost.localdomain foo.localhost
          "$HOSTNAME_FQDN" "${HOSTNAME_FQDN%%.*}" adminbox adminbox.corp.example)
OWNED=(fixed vic mute "$US" "$ID_M")
for h in "${RESERVED[@]}" "${OWNED[@]}" 6c1b2a30-5e2e-4c0a-9d11-0e2e000000ff 77 laterbox; do
        attack_name "$h"
done
echo "what dnsmasq passed to the lease helper (add events of the attacker):"
grep "^add 52:54:00:40:01:" "$LOG" | sed 's/ | .*DNSMASQ_SUPPLIED_HOSTNAME=\([^ ]*\).*/ supplied=\1/; s/ | .*//; s/^/  /'

helper_got() {   # ADDRESS: the host name the guest sent (DNSMASQ_SUPPLIED_HOSTNAME) with its last add
        awk -v a="$1" '$1 == "add" && $3 == a { n = ""; for (i = 4; i <= NF; i++) if ($i ~ /^DNSMASQ_SUPPLIED_HOSTNAME=/) { n = $i; sub(/^[^=]*=/, "", n) } } END { print n }' "$LOG"
}
reserved_text() {   # NAME: one of the reserved names this test sends?
        case ${1,,} in
        localhost|localhost.*|*.localhost|ip6-*|_*|wpad|wpad.*|vncatkhost|vncatkhost.*|adminbox|adminbox.*) return 0 ;;
        esac
        return 1
}
expect_no() {   # WHAT NAME ADDRESS: NAME, in every form, never answers ADDRESS
        local f out db
        for f in "$2" "$2.atk.test" "${2^^}" "$2."; do
                for db in hosts ahosts ahostsv4; do
                        out=$(fwd $db "$f")
                        case " $out " in *" $3 "*) fail "$1: '$f' ($db) resolves to the attacker $3: [$out]" ;; esac
                done
        done
}
# Every reserved name the attacker sent: never answered, forwards (in
# every form) or in reverse, and never stored.
check_reserved() {
        local h a got want stored r
        for h in "${RESERVED[@]}"; do
                a=${ADDR[$h]}
                expect_no "reserved name $h" "$h" "$a"
                expect_eq "reserved name $h: answers nothing" "" "$(fwd ahosts "$h")"
                # The guest's name is what it sent, whole (dnsmasq's own
                # cleaned-up argument is not used): foo.localhost stays
                # reserved, where dnsmasq would have made it foo.
                got=$(helper_got "$a")
                want=""
                [ -n "$got" ] && ! reserved_text "$got" && want="$got.atk.test $got"
                expect_eq "reserved name $h (the guest sent '$got'): reverse of the attacker's $a" "$want" "$(rev "$a")"
                stored=$(listed "$a" 2)
                ! reserved_text "$stored" || fail "reserved name $h: stored as host name '$stored': $(vnc query "$a")"
        done
        # Whatever dnsmasq made of a name, the reserved ones never come back:
        for a in "${ADDR[@]}"; do
                for r in $(rev "$a"); do
                        ! reserved_text "$r" || fail "reverse of $a: a reserved name: [$(rev "$a")]"
                done
        done
}
check_reserved
pass "reserved names (localhost, ip6-*, _*, wpad, *.localhost, this host's names, /etc/hosts names): never answered"

expect_no "static host name" fixed "${ADDR[fixed]}"
expect_eq "static host fixed: the static address only" "$V4.5" "$(fwd ahosts fixed)"
expect_eq "static host fixed.atk.test: the static address only" "$V4.5" "$(fwd ahosts fixed.atk.test)"
expect_eq "the guest calling itself fixed: no name in reverse" "" "$(rev "${ADDR[fixed]}")"
expect_eq "the static address in reverse" "fixed.atk.test fixed" "$(rev $V4.5)"
expect_no "another domain's name" vic "${ADDR[vic]}"
vic_intact "a guest sends vic's name"
expect_eq "the guest calling itself vic: no name in reverse" "" "$(rev "${ADDR[vic]}")"
expect_no "a domain's name" mute "${ADDR[mute]}"
expect_eq "the guest calling itself mute: no name in reverse" "" "$(rev "${ADDR[mute]}")"
pass "names an administrator set (static host, domain names) win over guest-sent host names"

# /etc/hosts changes after a lease was recorded: the name goes at once.
expect_eq "laterbox (a guest's host name) resolves" "${ADDR[laterbox]}" "$(fwd ahostsv4 laterbox)"
printf '198.18.99.2\tlaterbox\n' >>"$T/hosts"     # the same file, bind-mounted on /etc/hosts
expect_eq "laterbox, now in /etc/hosts: not answered" "" "$(fwd ahosts laterbox)"
expect_eq "laterbox, now in /etc/hosts: no name in reverse" "" "$(rev "${ADDR[laterbox]}")"
vnc query laterbox | grep -q "reserved, never answered" || fail "query laterbox: $(vnc query laterbox)"
pass "a name added to /etc/hosts later is never answered again, forwards or reverse"

# The same guests through libvirt's modules: `libvirt` (guest host names)
# answers the attacker for every one of these names.  dnsmasq gives a
# host name to the newest lease that sent it only.
owner() {   # the address of the newest lease dnsmasq passed NAME with
        awk -v h="$1" '$1 == "add" && $4 == h { a = $3 } END { print a }' "$LOG"
}
for h in localhost ip6-localhost ip6-loopback wpad vncatkhost adminbox laterbox; do
        differs "a guest sends '$h'" libvirt "$h" "" "$(owner "$h")"
done
# dnsmasq drops '_gateway' (not a legal host name), but libvirt's helper
# then records the name the guest supplied.
differs "a guest sends '_gateway'" libvirt _gateway "" "${ADDR[_gateway]}"
differs "a guest sends the static host's name" libvirt fixed $V4.5 "$(owner fixed)"
# (GB on atknet2 sent it too: that network's dnsmasq has its own leases.)
differs "a guest sends vic's name" libvirt vic "$VA" "$(owner vic) $B2"

# The ssh proxy takes only libvirt's names: the attacker sent vic's
# name, mute's UUID and ID as host names.
for alias in vic "$UV" "$ID_V" Vic "${UV//-/}"; do
        expect_eq "ssh qemu/$alias: the domain, not a guest calling itself so" vichost "$(sshq "qemu/$alias" hostname)"
        [ -s "$T/ssh.err" ] && fail "ssh qemu/$alias said: $(cat "$T/ssh.err")"
        expect_eq "ssh-proxy -v qemu/$alias: tried only vic's address" "$VA" "$(proxy_tried "qemu/$alias")"
done
[ "$(md5sum <"$KH")" = "$KH_SUM" ] || fail "the known hosts file changed: $(cat "$KH")"
for alias in 6c1b2a30-5e2e-4c0a-9d11-0e2e000000ff 77 atkbenign; do
        out=$(sshq "qemu/$alias" true) && fail "ssh qemu/$alias (only a guest's host name) connected: $out"
        grep -q "unknown guest '$alias'" "$T/ssh.err" || fail "ssh qemu/$alias: $(cat "$T/ssh.err")"
        expect_eq "ssh-proxy -v qemu/$alias: tried nothing" "" "$(proxy_tried "qemu/$alias")"
done
pass "ssh qemu/<a guest's host name, UUID-shaped or numeric>: unknown guest"
for alias in mute "$US" "$ID_M"; do
        expect_eq "ssh-proxy -v qemu/$alias: mute's claimed address (no other)" "$YA" "$(proxy_tried "qemu/$alias")"
done

# --- a guest using the static host's MAC ----------------------------------------
ip -n $GC link set eth0 address 52:54:00:40:00:05
AF=$(dhcp $GC fx "fixed-spoof" evil)
wait_for 10 has_lease "$AF" || fail "the lease $AF never reached the store"
expect_eq "static host's MAC used by a guest: fixed answers the static address only" $V4.5 "$(fwd ahosts fixed)"
expect_eq "... $V4.5 is still fixed in reverse" "fixed.atk.test fixed" "$(rev $V4.5)"
e2e_dhclient_release dh-fx $GC -4 -cf "$T/dh-fx.conf" -sf "$T/dh-script" eth0
wait_for 30 eval '! dnsmasq_has 52:54:00:40:00:05 $AF' || fail "no release of $AF"
helper_has "^del 52:54:00:40:00:05 $AF" || fail "dnsmasq passed no del for $AF"
expect_eq "after that guest's release: fixed still answers the static address" $V4.5 "$(fwd ahosts fixed)"

# --- names that differ only in case: atk and Atk ---------------------------------
if [ -n "$FA" ]; then
expect_eq "atk: its own address" "$NA" "$(fwd ahostsv4 atk)"
expect_eq "Atk: its own address" "$FA" "$(fwd ahostsv4 Atk)"
expect_eq "ATK: two domains' in another case: nothing" "" "$(fwd ahosts ATK)"
expect_eq "query atk: its UUID" "uuid:      $UN" "$(vnc query atk | grep '^uuid:')"
expect_eq "query Atk: its UUID" "uuid:      $UF" "$(vnc query Atk | grep '^uuid:')"
expect_eq "$NA in reverse: atk" "atk.atk.test atk" "$(rev $NA)"
expect_eq "$FA in reverse: Atk" "Atk.atk.test Atk" "$(rev $FA)"
# ssh lower-cases the host name: qemu/Atk reaches the proxy as qemu/atk,
# which is also atk's exact name; the proxy cannot tell which was meant
# and refuses both, naming the UUID way.
for h in qemu/Atk qemu/atk; do
        out=$(sshq $h hostname)
        expect_eq "ssh $h: refused (ssh lower-cased it; two domains share it)" "" "$out"
        grep -q "differ only in case (ssh lower-cases host names): use its UUID or ID" "$T/ssh.err" ||
                fail "ssh $h: no reason given: $(cat "$T/ssh.err")"
done
for u in "$UN atk-plain" "$UF atk-filtered"; do
        set -- $u
        out=$(sshq "qemu/$1" hostname)
        expect_eq "ssh qemu/$1 (by UUID)" "$2" "$out"
done
echo "note: libvirt_guest for atk: [$(ref libvirt_guest atk)], for Atk: [$(ref libvirt_guest Atk)] (it matches names in any case)"
pass "atk and Atk: two records, each by its exact name and UUID; in another case neither"
# (the pins recorded by UUID just now)
"$P" --forget "$UN" >/dev/null && "$P" --forget "$UF" >/dev/null || fail "--forget atk, Atk"
fi

# --- every claim asked, then doctor ------------------------------------------------
t0=$(date +%s%N)
asked() { ! vnc doctor --nsswitch /dev/null 2>/dev/null | grep -q "not answered for by their ports yet"; }
wait_for 120 asked || fail "claims still not asked after 120 s: $(vnc doctor --nsswitch /dev/null 2>&1 | grep -i 'network')"
echo "timing: every port's answer or silence recorded $(ms_since $t0) ms after the last claim"
for a in "${SILENT[@]}"; do
        expect_eq "$a: its domain's port did not answer" silent "$(ev $a)"
done
vnc query $XA | grep -q "^evidence:  a DHCP claim: domain vic's port vnavic did not answer for it (asked .*): another guest may have put this MAC in its DHCP request" ||
        fail "query $XA: $(vnc query $XA)"
vnc query mute | grep -q "^    evidence: a DHCP claim: domain mute's port vnamute did not answer for it" ||
        fail "query mute: $(vnc query mute)"
printf 'hosts: files virtname dns\n' >"$T/nsswitch.conf"
doctor() { vnc doctor --nsswitch "$T/nsswitch.conf" --hooks-dir /etc/libvirt/hooks \
                --leases-dir /var/lib/libvirt/dnsmasq --helper "$T/lease-helper" 2>&1; }
out=$(doctor)
echo "$out" | sed 's/^/  doctor| /'
nsil=$(vnc list | awk -v n=$NET1 '$5 == n && $6 == "silent"' | wc -l)
expect_eq "every silent lease is one this test expects" "${#SILENT[@]}" "$nsil"
grep -q "^warning  network $NET1: $nsil leases carry a running domain's MAC but its port did not answer for them (e.g. .*): another guest may have put that MAC in its DHCP requests; the domain's name does not follow them" \
        <<<"$out" || fail "doctor: no warning of the $nsil silent leases"
grep -q "^info .* $(helper_count "^(add|old|del) 06-") DHCP events dropped as a guest's junk since the last rebuild (last: lease [a-z]* .*: the client's hardware address is not Ethernet's): not a problem" \
        <<<"$out" || fail "doctor: no info line of the htype-6 events"
grep -q "^ok .*no missed events" <<<"$out" || fail "doctor: missed events"
grep -q "^info .*network $NET1: [0-9]* of [0-9]* interfaces without libvirt's clean-traffic nwfilter" <<<"$out" ||
        fail "doctor: no line on the interfaces without clean-traffic"
grep "^problem" <<<"$out" | grep -qi "lease\|missed\|spool\|$NET1\|vic\|atk" && fail "doctor: a problem from the attacks"
pass "doctor: the silent claims (warning, with the reason), the dropped htype-6 events (info); nothing else of the attacks"

# --- a domain that is defined but has never run --------------------------------------
ip -n $GC link set eth0 address 52:54:00:40:01:fe
AD=$(dhcp $GC dorm "attacker-dorm" atkdorm)
wait_for 10 has_lease "$AD" || fail "the lease $AD never reached the store"
# libvirt runs no hook when a domain is defined: until it first starts
# (or a rebuild, below), the store does not know the name is a domain's,
# and a guest's host name answers (virt-name-cache(1), NAME RULES: a known limit).
# The ssh proxy takes only libvirt's names, and refuses it.
echo "note: atkdorm (defined, never started, not yet rebuilt) answers a guest's claim: [$(fwd ahosts atkdorm)]"
expect_eq "ssh-proxy -v qemu/atkdorm: tries nothing" "" "$(proxy_tried qemu/atkdorm)"
out=$(sshq qemu/atkdorm true) && fail "ssh qemu/atkdorm connected: $out"
grep -q "guest atkdorm is not running" "$T/ssh.err" || fail "ssh qemu/atkdorm: $(cat "$T/ssh.err")"
pass "ssh qemu/atkdorm: not running, never the guest that sent the name"

# --- rebuild from libvirt: the same answers ---------------------------------------
# In libvirtd's namespace: the rebuild asks the running domains' ports.
t0=$(date +%s%N)
ip netns exec $H "$B/virt-name-cache" rebuild --connect qemu:///system >"$T/rebuild.log" 2>&1 ||
        fail "rebuild --connect: $(cat "$T/rebuild.log")"
echo "timing: rebuild --connect (asking the ports inline) $(ms_since $t0) ms: $(tail -n 1 "$T/rebuild.log")"
grep -q "ignoring the reserved host name 'localhost'" "$T/rebuild.log" || fail "rebuild did not say it dropped localhost"
vnc query atkdorm | grep -q "^state: *shut off" || fail "rebuild: atkdorm not in the store: $(vnc query atkdorm)"
expect_eq "after rebuild: atkdorm (defined, shut off) answers nothing" "" "$(fwd ahosts atkdorm)"
expect_eq "after rebuild: the guest that sent atkdorm has no name in reverse" "" "$(rev "$AD")"
vic_intact "after rebuild"
# The same leases keep the names their guests sent, whole, as the store
# recorded them (not libvirt's list: dnsmasq's cleaned-up foo for
# foo.localhost).
check_reserved
expect_eq "after rebuild: fixed" $V4.5 "$(fwd ahosts fixed)"
expect_eq "after rebuild: $NET2's lease of vic's MAC is not vic's" "" "$(rev "$B2")"
for a in "${SILENT[@]}"; do
        expect_eq "after rebuild: $a (a claim of a domain's MAC) not its" silent "$(ev $a)"
done
expect_eq "after rebuild: mute, no address" "" "$(fwd ahosts mute)"
# libvirt's lease list has the MACs dnsmasq last saw: atk's and Atk's own
# leases carry vic's MAC since a1 (the live store refused that).  The
# rebuild takes dnsmasq's word and asks vic's port (silent), and also
# records what the neighbour table and atk's own port say of the address
# (atk's MAC, port): either way never vic's.
echo "note: after rebuild: atk [$(fwd ahostsv4 atk)], Atk [$(fwd ahostsv4 Atk)]: dnsmasq lists their leases with vic's MAC since a1"
got="$(mac_of $NA) $(ev $NA)"
case $got in
"$M silent"|"$MN port") pass "after rebuild: $NA, a lease of vic's MAC by dnsmasq's list, not vic's ($got)" ;;
*) fail "after rebuild: $NA, a lease of vic's MAC by dnsmasq's list: expected [$M silent] or atk's own [$MN port], got [$got]" ;;
esac
ssh_vic_intact "after rebuild"
pass "rebuild from libvirt keeps the rules"

# --- a static host keeps its name while its network is stopped ---------------------
virsh net-destroy $NET2 >/dev/null || fail "net-destroy $NET2"
expect_eq "$NET2 stopped: nas has no address" "" "$(fwd ahosts nas)"
ip -n $GC link set eth0 address 52:54:00:40:01:fd
AN=$(dhcp $GC nas "attacker-nas" nas)
wait_for 10 has_lease "$AN" || fail "the lease $AN never reached the store"
for f in nas NAS nas. nas.other.test; do
        for db in hosts ahosts ahostsv4; do
                case " $(fwd $db $f) " in *" $AN "*) fail "'$f' ($db) resolves to the guest $AN on $NET1" ;; esac
        done
done
expect_eq "the guest calling itself nas: no name in reverse" "" "$(rev "$AN")"
# Nor under the guest's own network's domain: a static host's name is
# the administrator's under every network's domain, as a domain's is.
expect_eq "nas.atk.test: not the guest on $NET1" "" "$(fwd ahostsv4 nas.atk.test)"
vnc query nas | sed 's/^/  query nas| /'
vnc query nas >/dev/null || fail "query nas: not found while $NET2 is stopped"
virsh net-start $NET2 >/dev/null || fail "net-start $NET2"
expect_eq "$NET2 started again: nas" "$W4.5" "$(fwd ahostsv4 nas)"
pass "a static host keeps its name while its network is stopped"

expect_nothing_missed "$S"

# --- the table -----------------------------------------------------------------------
declare -A ROW=([a1]="a1 chaddr = vic's MAC, asking its own address"
                [a2]="a2 chaddr = vic's MAC, asking vic's address"
                [a3]="a3 chaddr and client id of vic, asking vic's address"
                [b]="b RELAY-FORW, option 79 = vic's MAC"
                [c]="c DHCPRELEASE of vic's lease, then asking its address"
                [d]="d $NDUID fresh DUIDs"
                [e]="e DHCPv4 with htype 6")
echo
echo "Attack x configuration -> outcome (each cell checked above; in every cell vic's name, A and"
echo "AAAA, both reverses and ssh qemu:system/vic with the key pinned first stayed vic's):"
echo
printf '| attack | %s | %s | %s |\n|---|---|---|---|\n' "${WHO[ns]}" "${WHO[atk]}" "${WHO[Atk]}"
for a in $ATTACKS; do
        printf '| %s | %s | %s | %s |\n' "${ROW[$a]}" "${CELL[$a|ns]}" "${CELL[$a|atk]}" \
                "${CELL[$a|Atk]:-not run here (no nwfilter)}"
done
echo
echo "Also: $NSPOOF more leases of vic's MAC from $GA: vic answers its one address, each spoof silent"
echo "(libvirt_guest: up to all of them); a lease of mute's MAC (its port never answers) held by $GA"
echo "with sshd: the proxy connects there with a warning and pins no key (pinned by hand it works);"
echo "vic's MAC on $NET2: never vic's; hostile host names: never a domain's, static host's or reserved"
echo "name; rebuild --connect: the same answers."
pass "hostile guests with real libvirtd, dnsmasq, TCG guests, dhclient, OpenSSH, glibc: no domain name given away"
