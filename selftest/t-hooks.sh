#!/usr/bin/env bash
# t-hooks: the network hook, the qemu hook and the lease helper, run the
# way libvirtd and dnsmasq run them, against a scratch store; results
# checked through real glibc and `virt-name-cache query`.
. "$(dirname "$0")/lib.sh"
F=$TOP/selftest/fixtures/xml
H=$B/hooks
export VIRT_NAME_CACHE_DIR=$T/store VIRT_NAME_CACHE_LEASESHELPER=$T/none
resolve() { addrs_of "$VIRT_NAME_CACHE_DIR" ahosts "$1"; }
q() { "$B/virt-name-cache" query "$@"; }
soon=$(( $(date +%s) + 600 ))
# The lease helper and the qemu hook start port-probe, detached, to ask a
# domain's own port (its tap) whether its guest uses a lease's address: a
# domain's name follows a lease only once that port answered (issue 17).
# Here port-probe is a stub that records its arguments (never a real
# network: the real one asks real ports in t-probe and the end-to-end
# tests), and store-prove records what the ports would answer.
export VIRT_NAME_CACHE_PORT_PROBE=$T/port-probe PROBE_LOG=$T/probe.log
printf '#!/bin/sh\necho "$*" >>"$PROBE_LOG"\n' >"$T/port-probe"
chmod 755 "$T/port-probe"
# probe_started ARGS: was port-probe started with exactly ARGS (it is
# detached: wait for it up to 5 s)?
probe_started() {
        for _ in $(seq 50); do
                grep -qxF -- "$1" "$PROBE_LOG" 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}
prove() { "$B/selftest/store-prove" "$VIRT_NAME_CACHE_DIR" >/dev/null || fail "store-prove"; }

# Network started: bridge, DNS domain, static hosts (an invalid name is dropped).
"$H/network-hook" labnet started begin - <"$F/network-started.xml" || fail "network hook exit"
expect_eq "static host" "198.18.5.50" "$(resolve fixed)"
expect_eq "static host with the network's domain" "198.18.5.50" "$(resolve fixed.lab.test)"
expect_eq "static IPv6 host" "2001:db8:5::50" "$(resolve fixed6)"
"$B/virt-name-cache" list | grep -q '^198.18.5.51 .* - ' || fail "static host with invalid name not kept nameless"

# Lease helper: DHCPv4 add, the bridge names the network (and its domain).
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_CLIENT_ID=01:52:54:00:05:00:03 \
        DNSMASQ_SUPPLIED_HOSTNAME=vsockguest "$H/lease-helper" add 52:54:00:05:00:03 198.18.5.103 vsockguest || fail "lease-helper add exit"
expect_eq "DHCP lease by host name" "198.18.5.103" "$(resolve vsockguest)"
expect_eq "DHCP lease with suffix" "198.18.5.103" "$(resolve vsockguest.lab.test)"
# DHCPv6: the DUID in place of the MAC, the MAC (if known) in DNSMASQ_MAC.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=77 DNSMASQ_MAC=52:54:00:05:00:03 \
        DNSMASQ_SUPPLIED_HOSTNAME=vsockguest "$H/lease-helper" add 00:04:aa:bb:cc:dd 2001:db8:5::103 vsockguest ||
        fail "v6 add"
expect_eq "DHCPv6 lease" "198.18.5.103 2001:db8:5::103" "$(resolve vsockguest)"
# old: renewed with a new name; the old name goes.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=renamed \
        "$H/lease-helper" old 52:54:00:05:00:03 198.18.5.103 renamed
expect_eq "old: new name" "198.18.5.103" "$(resolve renamed)"
expect_eq "old: old name keeps only IPv6" "2001:db8:5::103" "$(resolve vsockguest)"
# A renewal that does not say what the guest sent keeps the name.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon "$H/lease-helper" old 52:54:00:05:00:03 198.18.5.103 other
expect_eq "old without the guest's name: kept" "198.18.5.103" "$(resolve renamed)"
expect_eq "old without the guest's name: the argument is not the guest's" "" "$(resolve other)"
# Only what the guest sent is its name: dnsmasq's argument may be a name
# from the network's hosts directory or a libvirt <host> entry.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon "$H/lease-helper" add 52:54:00:05:00:0d 198.18.5.113 notsent
expect_eq "add: a name the guest did not send" "" "$(resolve notsent)"
# A hostile host name is not stored; the lease is.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME='../../etc;rm -rf' \
        "$H/lease-helper" add 52:54:00:05:00:05 198.18.5.105 etc
"$B/virt-name-cache" list | grep -q '^198.18.5.105 .* - ' || fail "hostile host name stored"
# An expired lease (LEASE_LENGTH form) is never returned.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$(( $(date +%s) - 1 )) DNSMASQ_SUPPLIED_HOSTNAME=expired \
        "$H/lease-helper" add 52:54:00:05:00:06 198.18.5.106 expired
expect_eq "expired lease" "" "$(resolve expired)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_LENGTH=600 DNSMASQ_SUPPLIED_HOSTNAME=bylength \
        "$H/lease-helper" add 52:54:00:05:00:06 198.18.5.106 bylength
expect_eq "lease length" "198.18.5.106" "$(resolve bylength)"
pass "lease helper: add, old, v4, v6, hostile names, expiry"

# Qemu hook with real libvirt XML: libvirt's test driver dumps a domain.
"$H/qemu-hook" VsockVM started begin - <"$F/domain-vsock.xml" || fail "qemu hook exit"
# The running domain's tap is recorded, and port-probe is started to ask
# it about the domain's leases.  Until it answers, the leases with the
# domain's MAC are the DHCP payload's claim: the domain's name has no
# address, the address answers with the guest's own name.
expect_eq "qemu hook records the tap" "interface: 52:54:00:05:00:03 on labnet, port vnet3" \
        "$(q VsockVM | grep '^interface: 52:54:00:05:00:03')"
probe_started "domain VsockVM" || fail "qemu hook: port-probe not started for the domain: $(cat "$PROBE_LOG" 2>&1)"
pass "qemu hook starts port-probe domain VsockVM"
expect_eq "domain name, its port not answered yet: no address" "" "$(resolve vsockvm)"
q VsockVM | grep -q "^    evidence: a DHCP claim: domain VsockVM's port has not answered for it yet" ||
        fail "query: not a claim: $(q VsockVM)"
expect_eq "reverse, no port answer: the guest's own name" "name:      renamed (host name a guest sent)" \
        "$(q 198.18.5.103 | grep '^name')"
prove
expect_eq "domain name via its MAC's lease, its port answering" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
q VsockVM | grep -q "^    evidence: its domain's port vnet3 answered for it" || fail "query: no port evidence: $(q VsockVM)"
q VsockVM | grep -q "^vsock cid: 42" || fail "CID not recorded: $(q VsockVM)"
q 12 | grep -q "^domain:    VsockVM" || fail "ID lookup"
q 6a5e1c0e2b7a4c559d1a0c7f4b2e3d11 | grep -q "^domain:    VsockVM" || fail "UUID lookup"
q 198.18.5.103 | grep -q "^name:      VsockVM" || fail "reverse gives the domain name"
"$H/qemu-hook" VsockVM stopped end - <"$F/domain-vsock.xml"
out=$(q VsockVM)
grep -q "^state:     shut off" <<<"$out" || fail "stopped state: $out"
grep -q "^vsock cid" <<<"$out" && fail "a stopped domain keeps its CID"
grep -q "^id:" <<<"$out" && fail "a stopped domain keeps its ID"
expect_eq "stopped domain: ID gone" "1" "$(q 12 >/dev/null 2>&1; echo $?)"
# Shut off, it keeps its name, without addresses; so do its leases' names.
expect_eq "shut-off domain: no address" "" "$(resolve vsockvm)"
expect_eq "shut-off domain: its lease's guest name neither" "" "$(resolve renamed)"
# A new run (libvirt gives it a new ID) is asked again: the port's answer
# held for the run it came in.
sed "s/id='12'/id='13'/" "$F/domain-vsock.xml" >"$T/domain-vsock-13.xml"
"$H/qemu-hook" VsockVM started begin - <"$T/domain-vsock-13.xml"
expect_eq "running again, new run: its port not answered yet" "" "$(resolve vsockvm)"
prove
expect_eq "running again, its port answering" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
pass "qemu hook: started, stopped, CID, ID, UUID, port"
# Renamed (virsh domrename, same UUID; here its stop went unrecorded, as
# when libvirtd was down): the old name is gone, also once the domain is
# shut off again and the old record would own its MAC (issue 20).
sed 's|<name>VsockVM</name>|<name>VsockNew</name>|' "$F/domain-vsock.xml" >"$T/renamed.xml"
"$H/qemu-hook" VsockNew started begin - <"$T/renamed.xml"
# (a rename is of a shut-off domain: its start is a new run, asked again)
probe_started "domain VsockNew" || fail "renamed: port-probe not started: $(cat "$PROBE_LOG")"
prove
expect_eq "renamed: the new name" "198.18.5.103 2001:db8:5::103" "$(resolve vsocknew)"
expect_eq "renamed: the old name" "" "$(resolve vsockvm)"
q VsockVM >/dev/null 2>&1 && fail "renamed: the store still has the old domain: $(q VsockVM)"
"$H/qemu-hook" VsockNew stopped end - <"$T/renamed.xml"
expect_eq "renamed and shut off: the old name" "" "$(resolve vsockvm)"
q VsockVM >/dev/null 2>&1 && fail "renamed and shut off: the old name is back"
"$H/qemu-hook" VsockVM started begin - <"$F/domain-vsock.xml"
q VsockNew >/dev/null 2>&1 && fail "renamed back: VsockNew stays"
expect_eq "renamed back" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
pass "qemu hook: a renamed domain (same UUID) leaves its old name behind"
if command -v virsh >/dev/null; then
        virsh -q -c test:///default dumpxml test >"$T/test.xml" || fail "virsh dumpxml"
        "$H/qemu-hook" test started begin - <"$T/test.xml"
        out=$(q test)
        grep -q "^uuid:      6695eb01-f6a4-8304-79aa-97f2502e193f" <<<"$out" || fail "real XML: $out"
        grep -q "^interface: aa:bb:cc:dd:ee:ff on default" <<<"$out" || fail "real XML iface: $out"
        pass "qemu hook on XML from libvirt's own virsh dumpxml (test driver)"
else
        skip_part "virsh not installed: real-XML case not run"
fi

# Ports: a domain's MAC plugged into the network, then unplugged.
"$H/network-hook" labnet port-created begin - <"$F/port-created.xml"
q portvm | grep -q "^interface: 52:54:00:05:00:09 on labnet" || fail "port-created: $(q portvm)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon "$H/lease-helper" add 52:54:00:05:00:09 198.18.5.109
expect_eq "port owner, its port not answered" "" "$(resolve portvm)"
prove
expect_eq "port owner resolves by its MAC's lease" "198.18.5.109" "$(resolve portvm)"
"$H/network-hook" labnet port-deleted end - <"$F/port-created.xml"
q portvm | grep -q "^interface:" && fail "port-deleted left the interface"
expect_eq "unplugged domain no longer resolves" "" "$(resolve portvm)"
"$H/network-hook" labnet plugged begin - <"$F/plugged-old.xml"
q oldvm | grep -q "^interface: 52:54:00:05:00:0a on labnet" || fail "plugged (old format)"
pass "network hook: port-created/deleted, plugged"

# updated: a static host removed from the definition goes away.
"$H/network-hook" labnet updated begin - <"$F/network-updated.xml"
expect_eq "updated: removed static host" "" "$(resolve fixed)"
expect_eq "updated: other static host kept" "2001:db8:5::50" "$(resolve fixed6)"
expect_eq "updated: dynamic lease kept" "198.18.5.103" "$(resolve renamed)"
# del, then stopped: the network's leases go.
"$H/lease-helper" del 52:54:00:05:00:06 198.18.5.106 bylength
expect_eq "del" "" "$(resolve bylength)"
"$H/network-hook" labnet stopped end - </dev/null
expect_eq "stopped network: leases gone" "" "$(resolve renamed)"
expect_eq "stopped network: static gone" "" "$(resolve fixed6)"
pass "network hook: updated, stopped; lease helper del"

# The network starts again: the leases it kept answer again.
"$H/network-hook" labnet started begin - <"$F/network-started.xml"
expect_eq "restarted network: its leases answer again" "198.18.5.103" "$(resolve renamed)"

# Chaining: libvirt's helper gets the same argv, environment, stdin and
# stdout, and its exit status reaches dnsmasq.
export VIRT_NAME_CACHE_LEASESHELPER=$F/fake-leaseshelper FAKE_HELPER_LOG=$T/fake.log
out=$(echo "piped input" | VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=chained \
        "$H/lease-helper" add 52:54:00:05:00:08 198.18.5.108 chained); rc=$?
expect_eq "helper exit status passed on" "3" "$rc"
expect_eq "argv" "args=add 52:54:00:05:00:08 198.18.5.108 chained" "$(grep ^args "$T/fake.log")"
expect_eq "environment" "bridge=vnctest0" "$(grep ^bridge "$T/fake.log")"
expect_eq "stdin" "stdin=piped input" "$(grep ^stdin "$T/fake.log")"
expect_eq "recorded before handing on" "198.18.5.108" "$(resolve chained)"
# dnsmasq replays the lease without its name.  On a network whose DNS is
# ours, init gave it none: libvirt's helper gets the name the store kept, so
# its lease file keeps it too.  Elsewhere init gave back libvirt's own name;
# a replay without one has none, and none is made up.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
expect_eq "a replay, network DNS not ours: no name made up" "supplied=" "$(grep ^supplied "$T/fake.log")"
mkdir -p "$VIRT_NAME_CACHE_DIR/dnsmasq/labnet"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
expect_eq "a replay: libvirt's helper gets the kept name" "supplied=chained" "$(grep ^supplied "$T/fake.log")"
# ... from the published store when the replay waits in the spool (the
# name comes from the commit's view otherwise).
rm -f "$T/fake.log"
flock -o "$VIRT_NAME_CACHE_DIR/private/writer.lock" env VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon \
        DNSMASQ_DATA_MISSING=1 "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
[ -n "$(ls -A "$VIRT_NAME_CACHE_DIR/private/spool" 2>/dev/null)" ] || fail "a replay while the store is busy was not spooled"
expect_eq "a spooled replay: libvirt's helper gets the kept name" "supplied=chained" "$(grep ^supplied "$T/fake.log")"
# ... the guest's own name when the store answers it with the lease's
# address, never a claim it refused: none for a guest that claimed a
# domain's name.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:03 198.18.5.103 </dev/null
expect_eq "a replay of the domain's lease: the guest's name it answers to" "supplied=renamed" "$(grep ^supplied "$T/fake.log")"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=vsockvm \
        "$H/lease-helper" add 52:54:00:05:00:09 198.18.5.109 </dev/null
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:09 198.18.5.109 </dev/null
expect_eq "a replay of a lease claiming a domain's name: none" "supplied=" "$(grep ^supplied "$T/fake.log")"
"$H/lease-helper" del 52:54:00:05:00:09 198.18.5.109 </dev/null
rm -rf "$VIRT_NAME_CACHE_DIR/dnsmasq"
expect_eq "a replay keeps the name" "198.18.5.108" "$(resolve chained)"
out=$("$H/lease-helper" init </dev/null); rc=$?
expect_eq "init output unchanged" "1795400000 52:54:00:05:00:07 198.18.5.107 initguest *" "$out"
expect_eq "init: nothing recorded" "" "$(resolve initguest)"
expect_eq "init args" "args=init" "$(grep ^args "$T/fake.log")"
# dnsmasq starting: init writes the replay ledger (cache/ingest/replay.h).
# A replay of a lease as the store has it then needs neither the store nor
# its lock (held here: the full path waits, then spools the event); one
# that changes the lease takes the full path; a change removes the ledger.
state=$VIRT_NAME_CACHE_DIR/private
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" init </dev/null >/dev/null
[ -f "$state/replay.cdb" ] || fail "init wrote no replay ledger"
[ -z "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "events left in the spool before the ledger test"
flock -o "$state/writer.lock" env VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
[ -z "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "the ledger did not answer a replay of the lease as stored"
flock -o "$state/writer.lock" env VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) \
        DNSMASQ_DATA_MISSING=1 "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
[ -n "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "the ledger answered a replay with a new expiry"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
[ -z "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "the spooled replay was not applied"
[ ! -e "$state/replay.cdb" ] || fail "a change left the replay ledger"
expect_eq "the new expiry recorded" "$(date -d @$((soon + 60)) '+%F %T')" \
        "$("$B/virt-name-cache" list | awk '$1 == "198.18.5.108" {print $(NF - 1), $NF}')"
pass "the replay ledger answers replays of the store as it is, and only those"
# Not a replay that comes after a spooled event (that one first), nor one
# whose name libvirt's helper is to get on a network whose DNS is ours:
# that name is the store's answer now.
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" init </dev/null >/dev/null
[ -f "$state/replay.cdb" ] || fail "init wrote no replay ledger"
flock -o "$state/writer.lock" env VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon H="$H" \
        LATER=$((soon + 60)) bash -c '
        DNSMASQ_SUPPLIED_HOSTNAME=spooled "$H/lease-helper" add 52:54:00:05:00:0e 198.18.5.114 </dev/null
        DNSMASQ_LEASE_EXPIRES=$LATER DNSMASQ_DATA_MISSING=1 "$H/lease-helper" old 52:54:00:05:00:08 \
                198.18.5.108 </dev/null' || true
expect_eq "a replay after a spooled event waits for it" "2" "$(ls "$state/spool" | wc -l)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon "$H/lease-helper" del 52:54:00:05:00:0e 198.18.5.114 </dev/null
[ -z "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "the spooled events were not applied"
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" init </dev/null >/dev/null
[ -f "$state/replay.cdb" ] || fail "init wrote no replay ledger"
mkdir -p "$VIRT_NAME_CACHE_DIR/dnsmasq/labnet"
rm -f "$T/fake.log"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
expect_eq "a replay the ledger knows, network DNS ours: libvirt's helper gets the kept name" "supplied=chained" \
        "$(grep ^supplied "$T/fake.log")"
rm -rf "$VIRT_NAME_CACHE_DIR/dnsmasq"
pass "the replay ledger steps aside for a spooled event and for the name libvirt's helper keeps"
# The helper is a front that answers the replays the ledger knows without
# loading LMDB, and loads lease-record.so, next to it, for every other
# event (hooks/lease-helper.c); as ld.so shows (LD_DEBUG).
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" init </dev/null >/dev/null
[ -f "$state/replay.cdb" ] || fail "init wrote no replay ledger"
rm -f "$T/fake.log"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) DNSMASQ_DATA_MISSING=1 LD_DEBUG=files \
        "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null 2>"$T/ld-replay.log"
[ -f "$state/replay.cdb" ] || fail "a replay the ledger knows removed it"
grep -q 'file=.*lease-record\.so' "$T/ld-replay.log" && fail "a replay the ledger knows loaded lease-record.so"
grep -q 'file=liblmdb' "$T/ld-replay.log" && fail "a replay the ledger knows loaded liblmdb"
expect_eq "a replay the ledger knows goes on to libvirt's helper" "args=old 52:54:00:05:00:08 198.18.5.108" \
        "$(grep ^args "$T/fake.log")"
# ... also when dnsmasq names the interface, not libvirt the bridge.
flock -o "$state/writer.lock" env DNSMASQ_INTERFACE=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) \
        DNSMASQ_DATA_MISSING=1 "$H/lease-helper" old 52:54:00:05:00:08 198.18.5.108 </dev/null
[ -z "$(ls -A "$state/spool" 2>/dev/null)" ] || fail "the ledger did not answer a replay on DNSMASQ_INTERFACE"
# Events the store has no use for go straight on.
DNSMASQ_TFTP_FILE_NAME=x LD_DEBUG=files "$H/lease-helper" tftp 12 198.18.5.108 /x </dev/null 2>"$T/ld-tftp.log"
grep -q 'file=liblmdb' "$T/ld-tftp.log" && fail "a tftp event loaded liblmdb"
expect_eq "a tftp event goes on to libvirt's helper" "args=tftp 12 198.18.5.108 /x" "$(grep ^args "$T/fake.log")"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=fronted LD_DEBUG=files \
        "$H/lease-helper" add 52:54:00:05:00:0f 198.18.5.115 fronted </dev/null 2>"$T/ld-add.log"
grep -q 'file=.*/hooks/lease-record\.so' "$T/ld-add.log" || fail "an add did not load lease-record.so"
grep -q 'file=liblmdb' "$T/ld-add.log" || fail "an add did not load liblmdb"
expect_eq "an add through the front" "198.18.5.115" "$(resolve fronted)"
# ... also in secure-execution mode (AT_SECURE), as when dnsmasq's
# AppArmor profile starts the helper with a scrubbed environment (Cx):
# here a setgid copy, its store part beside it.  That mode ignores
# VIRT_NAME_CACHE_DIR (secure_getenv), so the copy runs in a mount
# namespace with /run and /var/lib of its own.
if ! unshare -m true 2>/dev/null; then
        skip_part "no mount namespaces: the helper in secure-execution mode not run"
else
        mkdir -p "$T/secure"
        cp "$H/lease-helper" "$H/lease-record.so" "$T/secure/"
        chgrp "$(id -gn nobody 2>/dev/null || echo 65534)" "$T/secure/lease-helper"
        chmod 2755 "$T/secure/lease-helper"
        out=$(unshare -m --propagation private bash -c '
                mount -t tmpfs -o mode=755 tmpfs /run && mount -t tmpfs -o mode=755 tmpfs /var/lib || exit 99
                VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$2 DNSMASQ_SUPPLIED_HOSTNAME=securely \
                        "$1/lease-helper" add 52:54:00:05:00:11 198.18.5.117 securely </dev/null
                env -u VIRT_NAME_CACHE_DIR "$3" list' _ "$T/secure" "$soon" "$B/virt-name-cache" 2>&1)
        grep -q '^198\.18\.5\.117 .*securely' <<<"$out" ||
                fail "an add through a front in secure-execution mode was not recorded: $out"
fi
pass "the lease helper loads LMDB only past the ledger"
# Without lease-record.so (a broken install, or one half-way through an
# upgrade) every event still reaches libvirt's helper: a lease event
# spooled for the next writer, init's leases without names where a
# network's DNS is ours; and the helper says why.
mkdir -p "$T/lone"
cp "$H/lease-helper" "$T/lone/"
rm -f "$T/fake.log"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=lonely VIRT_NAME_CACHE_LOG_STDERR=1 \
        "$T/lone/lease-helper" add 52:54:00:05:00:10 198.18.5.116 lonely </dev/null 2>"$T/lone.log"
expect_eq "without lease-record.so: libvirt's helper's exit status" 3 $?
grep -q "cannot load the lease helper's store part: .*lone/lease-record\.so" "$T/lone.log" ||
        fail "the helper without lease-record.so did not say so: $(cat "$T/lone.log")"
grep -q "lease add 198.18.5.116: spooled for the next writer" "$T/lone.log" ||
        fail "the helper without lease-record.so did not spool the add: $(cat "$T/lone.log")"
expect_eq "without lease-record.so: libvirt's helper still runs" "args=add 52:54:00:05:00:10 198.18.5.116 lonely" \
        "$(grep ^args "$T/fake.log")"
expect_eq "without lease-record.so: the add waits in the spool" "1" "$(ls "$state/spool" | wc -l)"
expect_eq "without lease-record.so: not yet recorded" "" "$(resolve lonely)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon "$H/lease-helper" del 52:54:00:05:00:0f 198.18.5.115 </dev/null
expect_eq "the next writer applies the spooled add" "198.18.5.116" "$(resolve lonely)"
mkdir -p "$VIRT_NAME_CACHE_DIR/dnsmasq/labnet"
out=$(VIR_BRIDGE_NAME=vnctest0 "$T/lone/lease-helper" init </dev/null 2>/dev/null)
expect_eq "without lease-record.so, a network's DNS ours: init's leases without names" \
        "1795400000 52:54:00:05:00:07 198.18.5.107 * *" "$out"
rm -rf "$VIRT_NAME_CACHE_DIR/dnsmasq"
pass "without its store part the lease helper spools events and hands them on"
# libvirt's own helper where this distribution's package put it: the one
# our helper hands events on to unless told otherwise (LIBVIRT_LEASESHELPER
# in GNUmakefile, compiled in).
LVH=$(installed_file libvirt_leaseshelper)
if [ -n "$LVH" ]; then
        built=$(sed -n 's/^#define VIRTNAME_LIBVIRT_LEASESHELPER "\(.*\)"$/\1/p' "$B/config.h")
        expect_eq "our helper hands events on to the installed libvirt_leaseshelper" "$LVH" "$built"
fi
if [ -z "$LVH" ]; then
        skip_part "libvirt's lease helper is not installed (libvirt-daemon): the chain through it not run"
elif ! unshare -m true 2>/dev/null; then
        skip_part "no mount namespaces: the chain through libvirt's lease helper not run"
else
        # libvirt's real helper writes in /var/lib/libvirt/dnsmasq: give it
        # a private one.  `add` then `init`: init prints the lease dnsmasq
        # must get back, exactly as when dnsmasq runs libvirt's helper.
        out=$(unshare -m --propagation private bash -c '
                if [ -d /var/lib/libvirt/dnsmasq ]; then mount -t tmpfs tmpfs /var/lib/libvirt/dnsmasq
                else mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt/dnsmasq; fi || exit 99
                export VIR_BRIDGE_NAME=vnctest9 DNSMASQ_LEASE_EXPIRES=$2 DNSMASQ_INTERFACE=vnctest9
                VIRT_NAME_CACHE_LEASESHELPER=$3 DNSMASQ_SUPPLIED_HOSTNAME=realhelper \
                        "$1/lease-helper" add 52:54:00:05:00:99 198.18.5.199 realhelper || echo "add failed"
                direct=$("$3" init; echo "rc=$?")
                chained=$(VIRT_NAME_CACHE_LEASESHELPER=$3 \
                        "$1/lease-helper" init; echo "rc=$?")
                [ "$direct" = "$chained" ] && echo "same init output" || echo "init differs: [$direct] [$chained]"
                grep -q 198.18.5.199 /var/lib/libvirt/dnsmasq/vnctest9.status && echo "libvirt recorded it"
                grep -q 198.18.5.199 <<<"$direct" && echo "init lists it"
                ' _ "$H" "$soon" "$LVH" 2>&1)
        echo "$out"
        grep -q "same init output" <<<"$out" || fail "init through libvirt's real helper: $out"
        grep -q "libvirt recorded it" <<<"$out" || fail "libvirt's helper did not get the add: $out"
        grep -q "init lists it" <<<"$out" || fail "libvirt's init does not list the lease: $out"
        expect_eq "and we recorded it too" "198.18.5.199" "$(resolve realhelper)"
        pass "libvirt's real helper: add recorded by both, init output passed through unchanged"
fi
unset FAKE_HELPER_LOG
export VIRT_NAME_CACHE_LEASESHELPER=$T/none
pass "chaining to libvirt's lease helper"


# A network restart: the stop drops its leases; dnsmasq then restores its
# DHCPv6 leases with `old` events that carry no MAC (DNSMASQ_DATA_MISSING).
# The MAC it reported with that DUID before is the lease's again, so the
# domain keeps its IPv6 address.  (The domain restarted first: a new run,
# ID 14, whose port has answered for nothing yet.)
sed "s/id='12'/id='14'/" "$F/domain-vsock.xml" >"$T/domain-vsock-14.xml"
"$H/qemu-hook" VsockVM started begin - <"$T/domain-vsock-14.xml"
"$H/network-hook" labnet started begin - <"$F/network-started.xml"
: >"$PROBE_LOG"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=77 DNSMASQ_MAC=52:54:00:05:00:03 \
        DNSMASQ_SUPPLIED_HOSTNAME=vsockguest "$H/lease-helper" add 00:04:aa:bb:cc:dd 2001:db8:5::103 vsockguest
# (the lease of a running domain's MAC: its port is asked about it)
probe_started "lease labnet 2001:db8:5::103" || fail "lease helper: port-probe not started: $(cat "$PROBE_LOG")"
prove
expect_eq "before the restart" "2001:db8:5::103" "$(addrs_of "$VIRT_NAME_CACHE_DIR" ahostsv6 vsockvm | tr ' ' '\n' | grep -v ffff | xargs)"
"$H/network-hook" labnet stopped end - </dev/null
expect_eq "network stopped: no leases" "" "$(resolve vsockvm)"
"$H/network-hook" labnet started begin - <"$F/network-started.xml"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=77 DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 00:04:aa:bb:cc:dd 2001:db8:5::103 vsockguest
expect_eq "restarted: the kept leases, and the restored DHCPv6 lease with its MAC" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=78 DNSMASQ_DATA_MISSING=1 \
        "$H/lease-helper" old 00:04:11:22:33:44 2001:db8:5::104 stranger
q 2001:db8:5::104 | grep -q "no MAC" || fail "an unknown DUID got a MAC: $(q 2001:db8:5::104)"
pass "DHCPv6 leases restored after a network restart keep their MAC (by DUID)"

# The network's DNS answers the store's names (enable: hostsdir=): the hook
# at `start` makes the directory before dnsmasq starts and fills it; every
# change reaches it; init gives dnsmasq no stored names back.
D=$VIRT_NAME_CACHE_DIR/dnsmasq/labnet
sed "s|</network>|<dnsmasq:options xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><dnsmasq:option value='hostsdir=$D'/><dnsmasq:option value='dhcp-ignore-names'/></dnsmasq:options></network>|" \
        "$F/network-started.xml" >"$T/net-dns.xml"
"$H/network-hook" labnet start begin - <"$T/net-dns.xml"
[ -d "$D" ] || fail "start: no hosts directory $D"
# hline ADDRESS: its line in the file of its block
hline() { awk -v a="$1" '$1 == a' "$D"/[0-9]* 2>/dev/null; }
expect_eq "hosts directory: the static host" "198.18.5.50 fixed" "$(hline 198.18.5.50)"
expect_eq "hosts directory: the domain's address, its name first" "198.18.5.103 vsockvm renamed" "$(hline 198.18.5.103)"
expect_eq "hosts directory: a small network's IPv4 lines in one file (its block of 1,024), in address order" \
        "$(awk '$1 ~ /^198\.18\.5\./' "$D"/* | sort -t. -k4,4n)" "$(cat "$D/198.18.4.0_22")"
expect_eq "hosts directory: files 0644" "644" "$(stat -c %a "$D/198.18.4.0_22")"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=dnsguest \
        "$H/lease-helper" add 52:54:00:05:00:21 198.18.5.121
expect_eq "a new lease" "198.18.5.121 dnsguest" "$(hline 198.18.5.121)"
"$H/lease-helper" del 52:54:00:05:00:21 198.18.5.121
[ -n "$(hline 198.18.5.121)" ] && fail "a released lease's line stays"
# A guest still leased that loses its names: dnsmasq gave the lease our
# name and keeps it until the lease gets another.
"$H/qemu-hook" VsockVM stopped end - <"$F/domain-vsock.xml"
expect_eq "shut off, still leased" "198.18.5.103 vnc-gone-198-18-5-103" "$(hline 198.18.5.103)"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=vnc-gone-198-18-5-9 \
        "$H/lease-helper" add 52:54:00:05:00:22 198.18.5.122
expect_eq "nobody else may be called vnc-gone-*" "" "$(resolve vnc-gone-198-18-5-9)"
: >"$PROBE_LOG"
"$H/qemu-hook" VsockVM started begin - <"$F/domain-vsock.xml"
probe_started "domain VsockVM" || fail "started again: port-probe not started: $(cat "$PROBE_LOG")"
expect_eq "running again, its port not answered yet: the guest's name only" "198.18.5.103 renamed" \
        "$(hline 198.18.5.103)"
prove
expect_eq "running again" "198.18.5.103 vsockvm renamed" "$(hline 198.18.5.103)"
export VIRT_NAME_CACHE_LEASESHELPER=$F/fake-leaseshelper FAKE_HELPER_LOG=$T/fake.log
expect_eq "init on this network: no names for dnsmasq" "1795400000 52:54:00:05:00:07 198.18.5.107 * *" \
        "$(VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" init </dev/null)"
expect_eq "init on another network: unchanged" "1795400000 52:54:00:05:00:07 198.18.5.107 initguest *" \
        "$(VIR_BRIDGE_NAME=othernet0 "$H/lease-helper" init </dev/null)"
export VIRT_NAME_CACHE_LEASESHELPER=$T/none
unset FAKE_HELPER_LOG
# Killed between its commit and the directory: the next writer finds the
# directory behind and rewrites it whole.
sed -i 's/^[0-9]* /1 /' "$VIRT_NAME_CACHE_DIR/dnsmasq/.generation"
rm -f "$D/198.18.4.0_22"
touch "$D/198.18.9.9"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=later \
        "$H/lease-helper" add 52:54:00:05:00:23 198.18.5.123
[ -n "$(hline 198.18.5.50)" ] && [ ! -e "$D/198.18.9.9" ] || fail "a directory behind the store was not rewritten: $(ls "$D")"
# Events that change nothing, or no line (a renewal), leave the files alone;
# a renewal still moves the directories' generation on with the store's.
G=$VIRT_NAME_CACHE_DIR/dnsmasq/.generation
# (strace: neither opens a file of the network's directory.)
ls -l --time-style=+%s.%N "$D" >"$T/hd-before"
g0=$(cut -d' ' -f1 "$G")
# Nameless and with DNSMASQ_DATA_MISSING, as dnsmasq replays a lease at a
# network start (any other `old` notes when the client last asked: a
# second later, that changes it).
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_DATA_MISSING=1 \
        strace -f -e trace=openat -o "$T/st-same" "$H/lease-helper" old 52:54:00:05:00:23 198.18.5.123
expect_eq "an unchanged event: the same generation" "$g0 blocks-64-1024" "$(cat "$G")"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$((soon + 60)) DNSMASQ_SUPPLIED_HOSTNAME=later \
        strace -f -e trace=openat -o "$T/st-renew" "$H/lease-helper" old 52:54:00:05:00:23 198.18.5.123
expect_eq "a renewal: the next generation" "$((g0 + 1)) blocks-64-1024" "$(cat "$G")"
ls -l --time-style=+%s.%N "$D" | diff "$T/hd-before" - || fail "an unchanged event or a renewal rewrote hosts files"
grep -E 'openat\([0-9]+, "[0-9a-f]' "$T/st-same" "$T/st-renew" &&
        fail "an unchanged event or a renewal read hosts files"
pass "hosts directory: made at start, follows every change, shut-off names replaced, init without names, repaired"

# Guest junk the lease helper attributes to nobody (issue 17).  A message
# dnsmasq got through a relay (DNSMASQ_RELAY_ADDRESS): libvirt's networks
# have no relay, so a guest forged it, and the MAC it carries (a relayed
# chaddr, RFC 6939's client link-layer address) is the forger's word.
# The lease is kept without a MAC: the guest's own name still resolves,
# the domain whose MAC it carries gets nothing, no port is asked.
: >"$PROBE_LOG"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_RELAY_ADDRESS=198.18.5.1 \
        DNSMASQ_SUPPLIED_HOSTNAME=relayed4 "$H/lease-helper" add 52:54:00:05:00:03 198.18.5.140 relayed4
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_RELAY_ADDRESS=2001:db8:5::1 DNSMASQ_IAID=9 \
        DNSMASQ_MAC=52:54:00:05:00:03 DNSMASQ_SUPPLIED_HOSTNAME=relayed6 \
        "$H/lease-helper" add 00:04:11:11:11:11 2001:db8:5::140 relayed6
q 198.18.5.140 | grep -q "^lease:     no MAC on network labnet, host name relayed4" || fail "relayed v4: $(q 198.18.5.140)"
q 2001:db8:5::140 | grep -q "^lease:     no MAC on network labnet, host name relayed6" ||
        fail "relayed v6: $(q 2001:db8:5::140)"
expect_eq "a relayed lease: the guest's own name resolves" "198.18.5.140" "$(resolve relayed4)"
prove
expect_eq "a relayed lease with the domain's MAC: not the domain's" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
sleep 0.3
expect_eq "a relayed lease: no port asked" "" "$(cat "$PROBE_LOG")"
pass "lease helper: a relayed DHCP message's MAC is attributed to nobody"

# A hardware address that is not Ethernet's: dnsmasq writes the type
# before it ("06-..." for a DHCPv4 htype 6, helper.c), and DNSMASQ_MAC
# for DHCPv6 in the same form.  A guest picks that at will: the event is
# dropped and counted, never a missed event (those mean the store lost
# something and make doctor report a problem).
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=tokenring \
        "$H/lease-helper" add 06-52:54:00:05:00:03 198.18.5.141 tokenring || fail "htype 6: exit $?"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=10 DNSMASQ_MAC=06-52:54:00:05:00:03 \
        DNSMASQ_SUPPLIED_HOSTNAME=tokenring6 "$H/lease-helper" add 00:04:22:22:22:22 2001:db8:5::141 tokenring6 ||
        fail "DHCPv6, htype 6: exit $?"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_IAID=11 DNSMASQ_MAC=01:02:03:04:05:06:07:08 \
        DNSMASQ_SUPPLIED_HOSTNAME=longmac6 "$H/lease-helper" add 00:04:33:33:33:33 2001:db8:5::142 longmac6 ||
        fail "DHCPv6, an 8-byte MAC: exit $?"
for a in 198.18.5.141 2001:db8:5::141 2001:db8:5::142; do
        expect_eq "dropped: no lease $a" "1" "$(q "$a" >/dev/null 2>&1; echo $?)"
done
expect_eq "dropped: no names" "" "$(resolve tokenring)$(resolve tokenring6)$(resolve longmac6)"
[ -s "$VIRT_NAME_CACHE_DIR/private/missed.log" ] &&
        fail "dropped events went to the missed-events log: $(cat "$VIRT_NAME_CACHE_DIR/private/missed.log")"
out=$("$B/virt-name-cache" doctor --hooks-dir "$T/nohooks" --leases-dir "$T/noleases" 2>&1)
grep -q "^info .*3 DHCP events dropped as a guest's junk since the last rebuild (last: lease add 2001:db8:5::142: the client's MAC is not an Ethernet address)" \
        <<<"$out" || fail "doctor: no info line for the dropped events: $out"
grep -q "^ok .*no missed events" <<<"$out" || fail "doctor: dropped events shown as missed: $out"
grep "^problem" <<<"$out" | grep -qi "drop\|missed\|could not be recorded" && fail "doctor: dropped events a problem: $out"
pass "lease helper: non-Ethernet hardware addresses dropped and counted, not missed"

# A DHCP release is payload too (any guest can send one with another's
# MAC and client id): a release of a lease its domain's port answered
# for marks it released and asks the port again; the lease keeps
# answering until the port says its guest no longer uses the address.
: >"$PROBE_LOG"
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" del 52:54:00:05:00:03 198.18.5.103 renamed
probe_started "lease labnet 198.18.5.103" || fail "del: port-probe not started: $(cat "$PROBE_LOG")"
q 198.18.5.103 | grep -q "^evidence:  its domain's port vnet3 answered for it (.*); DHCP says released: the port is asked again" ||
        fail "del of a proven lease: $(q 198.18.5.103)"
expect_eq "list: EVIDENCE released" "198.18.5.103 released" \
        "$("$B/virt-name-cache" list | awk '$1 == "198.18.5.103" {print $1, $6}')"
expect_eq "released, not asked yet: still the domain's" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
# A guest putting the domain's MAC in its own request gets a lease with it
# (dnsmasq reports it so); its port is asked, the domain's name stays.
: >"$PROBE_LOG"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=thief \
        "$H/lease-helper" add 52:54:00:05:00:03 198.18.5.150 thief
probe_started "lease labnet 198.18.5.150" || fail "chaddr claim: port-probe not started: $(cat "$PROBE_LOG")"
expect_eq "a claim of the domain's MAC: the domain's name stays" "198.18.5.103 2001:db8:5::103" "$(resolve vsockvm)"
out=$("$B/virt-name-cache" doctor --hooks-dir "$T/nohooks" --leases-dir "$T/noleases" 2>&1)
grep -q "^info .*network labnet: 1 lease of running domains not answered for by their ports yet" <<<"$out" ||
        fail "doctor: the claim not counted as waiting: $out"
pass "lease helper: a release and a claim of a proven domain's MAC ask its port; its name stays meanwhile"
# dnsmasq gives a released address to the next guest that asks: a report
# of it with another MAC is refused, and only that event: nothing waits
# in the spool to fail again, the next event is applied.
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=taker \
        "$H/lease-helper" add 52:54:00:05:09:09 198.18.5.103 taker
expect_eq "another MAC's report of the proven address: refused" "" "$(resolve taker)"
q 198.18.5.103 | grep -q "^lease: *MAC 52:54:00:05:00:03 on network labnet" || fail "refused report: $(q 198.18.5.103)"
[ -n "$(ls "$VIRT_NAME_CACHE_DIR/private/spool" 2>/dev/null)" ] &&
        fail "the refused report waits in the spool: $(ls "$VIRT_NAME_CACHE_DIR/private/spool")"
VIR_BRIDGE_NAME=vnctest0 DNSMASQ_LEASE_EXPIRES=$soon DNSMASQ_SUPPLIED_HOSTNAME=nexttaker \
        "$H/lease-helper" add 52:54:00:05:09:0a 198.18.5.151 nexttaker
expect_eq "the next event after a refused one: applied" "198.18.5.151" "$(resolve nexttaker)"
pass "lease helper: a DHCP report of a proven address with another MAC refused, the store goes on"

# The real port-probe, started with the arguments the hooks gave it, on a
# port of the same name (vnet3) in a network namespace of this test: a
# bridge, the domain's tap, and its guest behind it holding 198.18.5.103
# only.  The released lease is answered for again; the claim of .150 and
# the released IPv6 lease get silence (after port-probe's 30 s): the
# claim is marked so (doctor warns), the released lease goes.
HN=vnhh$$ GN=vnhg$$
cleanup() { ip netns del $GN 2>/dev/null; ip netns del $HN 2>/dev/null; }
trap cleanup EXIT
ip netns add $HN && ip netns add $GN || fail "cannot create namespaces"
ip -n $HN link add vnctest0 type bridge && ip -n $HN link set vnctest0 up && ip -n $HN addr add 198.18.5.1/24 dev vnctest0 &&
        ip -n $HN link add vnet3 type veth peer name eth0 netns $GN && ip -n $HN link set vnet3 master vnctest0 up &&
        ip -n $GN link set eth0 address 52:54:00:05:00:03 up && ip -n $GN addr add 198.18.5.103/24 dev eth0 ||
        fail "namespace set-up"
VIR_BRIDGE_NAME=vnctest0 "$H/lease-helper" del 00:04:aa:bb:cc:dd 2001:db8:5::103 vsockguest
expect_eq "del of the proven IPv6 lease: released" "2001:db8:5::103 released" \
        "$("$B/virt-name-cache" list | awk '$1 == "2001:db8:5::103" {print $1, $6}')"
port_probe() { ip netns exec $HN "$B/hooks/port-probe" "$@"; }
port_probe lease labnet 2001:db8:5::103 & p6=$!
port_probe lease labnet 198.18.5.150 & p150=$!
port_probe lease labnet 198.18.5.103 || fail "port-probe exit $?"
# One process asks a port at a time: the last of the three may have left
# its question to the one asking vnet3, which records an answer within
# its first 3 s.
evidence_of() { "$B/virt-name-cache" list | awk -v a="$1" '$1 == a {print $1, $6}'; }
wait_for 10 eval '[ "$(evidence_of 198.18.5.103)" = "198.18.5.103 port" ]'
expect_eq "the port answered: released no more" "198.18.5.103 port" \
        "$("$B/virt-name-cache" list | awk '$1 == "198.18.5.103" {print $1, $6}')"
wait $p6 $p150
expect_eq "the port silent: the released IPv6 lease goes" "1" "$(q 2001:db8:5::103 >/dev/null 2>&1; echo $?)"
expect_eq "the claim the port did not answer for" "198.18.5.150 silent" \
        "$("$B/virt-name-cache" list | awk '$1 == "198.18.5.150" {print $1, $6}')"
expect_eq "the domain: what its port answered for" "198.18.5.103" "$(resolve vsockvm)"
out=$("$B/virt-name-cache" doctor --hooks-dir "$T/nohooks" --leases-dir "$T/noleases" 2>&1)
grep -q "^warning .*network labnet: 1 lease carries a running domain's MAC but its port did not answer for it (e.g. 198.18.5.150 under MAC 52:54:00:05:00:03 of VsockVM)" \
        <<<"$out" || fail "doctor: the silent claim not warned: $out"
pass "port-probe: an answer clears a release, silence removes a released lease and marks a claim"
