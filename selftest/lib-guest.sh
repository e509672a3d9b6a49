# selftest/lib-guest.sh - sourced (after lib.sh and lib-e2e.sh) by the
# end-to-end tests that need a real guest behind a real domain tap (issue
# 17: only what a domain's own port carries may give its name an
# address, so a veth namespace using a domain's MAC no longer will).
#
# The guest: Debian's own kernel (the linux-image-amd64 dependency,
# `apt-get download`ed, unpacked, never installed), busybox-static (the
# same way: it conflicts with the busybox package), the NIC modules, this
# machine's OpenSSH sshd with the libraries it links, the static
# dhcp-forge, and an /init that takes its settings from the kernel
# command line.  It runs under TCG (no KVM needed) as a diskless libvirt
# domain; its console goes to DIR/logs/NAME.log, where /init reports
# what happens in lines "vnc-guest: EVENT ...":
#   boot, link MAC, sshd up, v4 ADDR/PLEN, v6 ADDR/PLEN, lease4 ADDR,
#   lease6 ADDR, agent up, run N: OUTPUT-LINE, run N exit RC, ready,
#   FAIL WHY
#
#   guest_build DIR [--no-sshd] [--agent] [--add FILE]...
#       DIR gets vmlinuz, initrd.gz, logs/ (libvirt-qemu's), id_ed25519
#       (ssh's key for root in the guest), known_hosts ("* " + the host
#       key: any guest address), ssh_host_ed25519_key.pub, info.  Built
#       once per content (kernel and busybox versions, sshd, dhcp-forge,
#       this file) and kept in $GUEST_CACHE (default
#       /var/cache/virt-name-cache-selftest); sets GUEST_DIR and
#       GUEST_BUILD_SECONDS.  DIR and its parents must be traversable by
#       libvirt-qemu (a `mktemp -d` $T is 0700: chmod 711 it).
#       --add FILE: one more (static) program in the guest's /bin (as
#       its name without .static).  --agent: Debian's qemu-guest-agent
#       (qemu-ga, `apt-get download`ed, with the libraries `ldd` lists)
#       too, which a domain's --agent starts (GUEST_AGENT says whether
#       the image has it).
#   guest_domain_xml NAME MAC NETWORK [options] > XML
#       --uuid UUID, --memory MIB (256), --nic e1000|virtio (e1000),
#       --tap DEV (<target dev>), --filter NAME (<filterref>, e.g.
#       clean-traffic), --filter-param NAME=VALUE (repeatable),
#       --bridge (NETWORK is a host bridge: <interface type='bridge'>),
#       --direct (NETWORK is a host device: <interface type='direct'>,
#       macvtap in bridge mode), --metadata XML (in <metadata>),
#       --agent (the channel org.qemu.guest_agent.0, and qemu-ga in the
#       guest: guest_build --agent), --agent-channel (the channel only:
#       a --run program of the guest's answers on it),
#       and the guest's own settings (kernel command line):
#       --host NAME (DHCPv4 option 12, DHCPv6 FQDN, its host name; no
#       spaces: the kernel command line splits there),
#       --no-dhcp4, --v4 ADDR/PLEN (static; repeatable), --dhcp6
#       (dhcp-forge as a plain client: DUID-LL,
#       FQDN option), --udhcpc6 (busybox's, where it has one: Debian
#       12's busybox-static has none), --v6 ADDR/PLEN (static, repeatable),
#       --no-sshd, --run 'PROG ARG...' (after the network is up, in
#       order, output on the console; no commas in it), --cmdline TEXT
#   guest_console NAME          the console log's path
#   guest_wait NAME EVENT [SECONDS]
#       wait (default 300 s) for the console line "vnc-guest: EVENT ...";
#       print what follows EVENT; 1 (and the console's tail) when the
#       domain stopped, the guest said FAIL, or time ran out
#   guest_wait_lease NAME [SECONDS]   the guest's DHCPv4 address
#   guest_ssh ADDR COMMAND...   ssh root@ADDR from namespace $H with the
#                               known key, host key checked
#   guest_tap NAME              the domain's tap (from its live XML)

GUEST_CACHE=${GUEST_CACHE:-/var/cache/virt-name-cache-selftest}
# The kernel modules the guest loads, in order (virtio_console: the guest
# agent's virtio-serial port).
GUEST_MODULES="e1000 virtio_pci virtio_net virtio_console"

# The guest's /init.  Kernel command line: vnc_host=NAME vnc_dhcp4=0|1
# vnc_dhcp6=0|1|udhcpc6 vnc_v4=ADDR/PLEN[,...] vnc_v6=ADDR/PLEN[,...]
# vnc_sshd=0|1 vnc_agent=0|1 vnc_run=PROG,ARG,...
guest_init_script() {
        cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "vnc-guest: $*"; }
host= dhcp4=1 dhcp6=0 v4= v6= sshd=1 agent=0 runs=
for a in $(cat /proc/cmdline); do
        case $a in
        vnc_host=*) host=${a#*=} ;;
        vnc_dhcp4=*) dhcp4=${a#*=} ;;
        vnc_dhcp6=*) dhcp6=${a#*=} ;;
        vnc_v4=*) v4="$v4 $(echo ${a#*=} | tr , ' ')" ;;
        vnc_v6=*) v6="$v6 $(echo ${a#*=} | tr , ' ')" ;;
        vnc_agent=*) agent=${a#*=} ;;
        vnc_sshd=*) sshd=${a#*=} ;;
        vnc_run=*) runs="$runs ${a#*=}" ;;
        esac
done
say "boot $(cut -d' ' -f1 /proc/uptime)"
for m in $(cat /lib/modules/load); do insmod /lib/modules/$m.ko || say "FAIL insmod $m"; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /sys/class/net/eth0 ] || say "FAIL no eth0"
[ -n "$host" ] && hostname "$host"
# No duplicate address detection: addresses (the link-local one too)
# answer at once.
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad
ip link set lo up
ip link set eth0 up
say "link $(cat /sys/class/net/eth0/address)"
if [ "$sshd" = 1 ] && [ -x /usr/sbin/sshd ]; then
        mkdir -p /run/sshd
        if /usr/sbin/sshd -e -f /etc/ssh/sshd_config; then say "sshd up"; else say "FAIL sshd"; fi
fi
for a in $v4; do ip addr add "$a" dev eth0 && say "v4 $a"; done
for a in $v6; do ip -6 addr add "$a" dev eth0 && say "v6 $a"; done
if [ "$dhcp4" = 1 ]; then
        # Until a lease comes, then in the background (renewals).
        udhcpc -i eth0 ${host:+-x hostname:$host} -s /etc/udhcpc.script -t 5 -T 2 -A 2
fi
if [ "$dhcp6" != 0 ]; then
        while ! ip -6 addr show dev eth0 scope link | grep -q fe80; do sleep 0.1; done
fi
if [ "$dhcp6" = udhcpc6 ]; then
        busybox udhcpc6 --help >/dev/null 2>&1 || say "FAIL this busybox has no udhcpc6"
        udhcpc6 -i eth0 ${host:+-x fqdn:$host} -s /etc/udhcpc.script -t 5 -T 2 -A 2
elif [ "$dhcp6" = 1 ]; then
        # dhcp-forge as a plain client: DUID-LL of eth0, FQDN option.
        dhcp-forge eth0 v6 ${host:+--hostname $host} >/tmp/dhcp6.out 2>&1
        a=$(sed -n 's/^reply \([^ ]*\) .*/\1/p' /tmp/dhcp6.out)
        if [ -n "$a" ] && ip -6 addr add "$a/64" dev eth0; then say "lease6 $a"; else say "FAIL dhcp6 $(cat /tmp/dhcp6.out)"; fi
fi
if [ "$agent" = 1 ]; then
        # The agent's port, by its name (no udev: no /dev/virtio-ports).
        port=
        for p in /sys/class/virtio-ports/*; do
                [ "$(cat $p/name 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/${p##*/}
        done
        mkdir -p /var/run
        if [ -n "$port" ] && [ -x /usr/sbin/qemu-ga ] && /usr/sbin/qemu-ga -d -m virtio-serial -p $port; then
                say "agent up"
        else
                say "FAIL agent (port ${port:-none})"
        fi
fi
n=0
for r in $runs; do
        n=$((n + 1))
        cmd=$(echo "$r" | tr , ' ')
        say "run $n start $cmd"
        $cmd >/tmp/run$n.out 2>&1
        rc=$?
        sed "s/^/vnc-guest: run $n: /" /tmp/run$n.out
        say "run $n exit $rc"
done
say "ready"
while :; do sleep 3600; done
INIT
}

guest_udhcpc_script() {
        cat <<'SCRIPT'
#!/bin/sh
# udhcpc and udhcpc6: the address on eth0 and a line on the console
# (the script's output goes where udhcpc's goes).
case $1 in
deconfig) [ -z "$ipv6" ] && ip -4 addr flush dev "$interface" ;;
bound|renew)
        if [ -n "$ipv6" ]; then
                ip -6 addr replace "$ipv6/64" dev "$interface"
                echo "vnc-guest: lease6 $ipv6 $1" >/dev/console
        else
                ip -4 addr flush dev "$interface"
                ip addr add "$ip/${mask:-24}" dev "$interface"
                [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
                echo "vnc-guest: lease4 $ip $1" >/dev/console
        fi ;;
esac
exit 0
SCRIPT
}

guest_sshd_config() {
        printf '%s\n' 'HostKey /etc/ssh/ssh_host_ed25519_key' 'AuthorizedKeysFile /etc/ssh/authorized_keys' \
                'UseDNS no' 'PrintMotd no' 'PidFile /run/sshd.pid'
        sshd_key_only
}

# The programs of OpenSSH's server (OpenSSH 9.8 and later split it in
# sshd, sshd-session and sshd-auth).
guest_sshd_files() {
        local f
        for f in /usr/sbin/sshd /usr/lib/openssh/sshd-session /usr/lib/openssh/sshd-auth; do
                [ -x "$f" ] && echo "$f"
        done
}

# PACKAGE: its candidate version (apt-cache), "" if none.
guest_candidate() {
        apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# The kernel package linux-image-amd64 depends on (this Debian's).
guest_kernel_package() {
        apt-cache depends linux-image-amd64 2>/dev/null |
                awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# guest_unpack PACKAGE VERSION DIR: apt-get download, dpkg-deb -x; 3
# when the download failed (the archive out of reach: the test skips).
guest_unpack() {
        local d rc=0
        d=$(mktemp -d "$GUEST_CACHE/dl.XXXXXX") || return 1
        # apt drops to _apt for the download where it can.
        chown _apt "$d" 2>/dev/null
        if ! (cd "$d" && apt-get download -q "$1=$2" >"$d.log" 2>&1); then
                echo "lib-guest: apt-get download $1=$2 failed: $(tail -n 3 "$d.log" | xargs)" >&2
                rc=3
        elif ! dpkg-deb -x "$d"/*.deb "$3"; then
                rc=1
        fi
        rm -rf "$d" "$d.log"
        return $rc
}

# guest_module_cat FILE: a module (.ko, .ko.xz, .ko.gz or .ko.zst) uncompressed.
guest_module_cat() {
        case $1 in
        *.xz) "$GUEST_BUSYBOX" xzcat "$1" ;;
        *.gz) gzip -dc "$1" ;;
        *.zst) zstd -qdc "$1" ;;
        *) cat "$1" ;;
        esac
}

# guest_kernel KPKG KVER OUT: vmlinuz and the NIC modules (e1000;
# virtio_net and virtio_pci) with what they depend on, uncompressed, in
# OUT/modules/, their load order in OUT/modules/load.  The package has no
# modules.dep (depmod writes it when the package is installed): the
# dependencies are each module's own "depends=" (what depmod reads).
guest_kernel() {
        local kpkg=$1 kver=$2 out=$3 x mod rc=0 order=() seen=" "
        x=$(mktemp -d "$GUEST_CACHE/kernel.XXXXXX") || return 1
        guest_unpack "$kpkg" "$kver" "$x" || { rc=$?; rm -rf "$x"; return $rc; }
        mkdir -p "$out/modules"
        if ! cp "$(find "$x/boot" -name 'vmlinuz-*' | head -n 1)" "$out/vmlinuz"; then
                echo "lib-guest: no vmlinuz in $kpkg" >&2
                rc=1
        fi
        for mod in $GUEST_MODULES; do
                [ $rc = 0 ] && { guest_module_add $mod || rc=1; }
        done
        printf '%s\n' "${order[@]}" >"$out/modules/load"
        rm -rf "$x"
        return $rc
}

# guest_module_add NAME: NAME after what it depends on, into guest_kernel's
# $out/modules and $order (from its unpacked package $x).
guest_module_add() {
        local m=$1 f d
        case $seen in *" $m "*) return 0 ;; esac
        seen="$seen$m "
        f=$(find "$x" -path '*/modules/*' \( -name "$m.ko*" -o -name "${m//_/-}.ko*" \) | head -n 1)
        if [ -z "$f" ]; then
                # Built into the kernel (Debian 13's virtio_pci): nothing to load.
                find "$x" -path '*/modules/*' -name modules.builtin -exec cat {} + 2>/dev/null |
                        grep -qE "/($m|${m//_/-})\.ko\$" && return 0
                echo "lib-guest: module $m is not in $kpkg" >&2
                return 1
        fi
        guest_module_cat "$f" >"$out/modules/$m.ko" || return 1
        for d in $(tr '\0' '\n' <"$out/modules/$m.ko" | sed -n 's/^depends=//p' | tr , ' '); do
                guest_module_add "${d//-/_}" || return 1
        done
        order+=("$m")
}

# guest_image KEYDIR KPKG KVER BBVER SSHD QGAVER ADD...: build the image
# into KEYDIR (a new directory); QGAVER: qemu-guest-agent's version, or
# "" for none.
guest_image() {
        local out=$1 kpkg=$2 kver=$3 bbver=$4 sshd=$5 qga=$6 s f l qdir
        shift 6
        local kdir="$GUEST_CACHE/kernel-$kpkg-$kver-$(echo $GUEST_MODULES | sha256sum | cut -c1-8)"
        local bbdir="$GUEST_CACHE/busybox-$bbver"
        if [ ! -e "$bbdir/done" ]; then
                rm -rf "$bbdir" && mkdir -p "$bbdir" || return 1
                guest_unpack busybox-static "$bbver" "$bbdir/x" || return $?
                # /bin on Debian 12, /usr/bin on 13 (its packages ship merged /usr).
                f=$(ls "$bbdir"/x/bin/busybox "$bbdir"/x/usr/bin/busybox 2>/dev/null | head -n 1)
                [ -n "$f" ] || { echo "lib-guest: no busybox in busybox-static $bbver" >&2; return 1; }
                mv "$f" "$bbdir/busybox" && rm -rf "$bbdir/x" && touch "$bbdir/done" || return 1
        fi
        GUEST_BUSYBOX=$bbdir/busybox
        touch "$bbdir"
        if [ ! -e "$kdir/done" ]; then
                rm -rf "$kdir" && mkdir -p "$kdir" || return 1
                guest_kernel "$kpkg" "$kver" "$kdir" || return $?
                touch "$kdir/done"
        fi
        touch "$kdir"
        s=$out/stage
        mkdir -p "$s"/{bin,dev,proc,sys,tmp,run,root,etc/ssh,lib/modules} || return 1
        cp "$bbdir/busybox" "$s/bin/busybox" &&
                cp "$kdir"/modules/* "$s/lib/modules/" &&
                cp "$kdir/vmlinuz" "$out/vmlinuz" &&
                guest_init_script >"$s/init" && guest_udhcpc_script >"$s/etc/udhcpc.script" &&
                chmod 755 "$s/init" "$s/etc/udhcpc.script" || return 1
        for f in "$@"; do cp "$f" "$s/bin/$(basename "$f" .static)" || return 1; done
        # sshd's privilege separation user is "sshd" in Debian's builds
        # ("_sshd" is there in case a later one follows OpenBSD).
        printf '%s\n' root:x:0:0:root:/root:/bin/sh sshd:x:100:65534::/run/sshd:/bin/false \
                _sshd:x:101:65534::/run/sshd:/bin/false nobody:x:65534:65534:nobody:/nonexistent:/bin/false \
                >"$s/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$s/etc/group"
        if [ -n "$qga" ]; then
                # qemu-ga and exactly the libraries it links (ldd).
                qdir=$(mktemp -d "$GUEST_CACHE/qga.XXXXXX") || return 1
                guest_unpack qemu-guest-agent "$qga" "$qdir" || { f=$?; rm -rf "$qdir"; return $f; }
                mkdir -p "$s/usr/sbin" && cp "$qdir/usr/sbin/qemu-ga" "$s/usr/sbin/" || { rm -rf "$qdir"; return 1; }
                for l in $(ldd "$qdir/usr/sbin/qemu-ga" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
                        mkdir -p "$s$(dirname "$l")" && cp -L "$l" "$s$l" || { rm -rf "$qdir"; return 1; }
                done
                rm -rf "$qdir"
        fi
        if [ "$sshd" = 1 ]; then
                # OpenSSH's sshd and exactly the libraries it links (ldd),
                # at the paths the dynamic loader looks them up.
                for f in $(guest_sshd_files); do
                        for l in "$f" $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
                                mkdir -p "$s$(dirname "$l")" && cp -L "$l" "$s$l" || return 1
                        done
                done
                guest_sshd_config >"$s/etc/ssh/sshd_config"
                ssh-keygen -q -t ed25519 -N '' -C vnc-guest-host -f "$s/etc/ssh/ssh_host_ed25519_key" &&
                        ssh-keygen -q -t ed25519 -N '' -C vnc-guest-root -f "$out/id_ed25519" || return 1
                cp "$out/id_ed25519.pub" "$s/etc/ssh/authorized_keys"
                cp "$s/etc/ssh/ssh_host_ed25519_key.pub" "$out/"
                echo "* $(cut -d' ' -f1,2 "$out/ssh_host_ed25519_key.pub")" >"$out/known_hosts"
        fi
        (cd "$s" && find . | "$GUEST_BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -6 >"$out/initrd.gz" ||
                return 1
        {
                echo "kernel: $kpkg $kver"
                echo "busybox: busybox-static $bbver"
                echo "modules: $(xargs <"$s/lib/modules/load")"
                echo "sshd: $([ "$sshd" = 1 ] && guest_sshd_files | xargs || echo none)"
                echo "agent: ${qga:+qemu-guest-agent $qga}"
                echo "udhcpc6: $("$GUEST_BUSYBOX" udhcpc6 --help >/dev/null 2>&1 && echo yes || echo no)"
                echo "added: $*"
        } >"$out/info"
        rm -rf "$s"
}

guest_build() {
        local dir=$1 sshd=1 add=("$B/selftest/dhcp-forge.static") kpkg kver bbver key img start=$SECONDS f qga=
        shift
        while [ $# -gt 0 ]; do
                case $1 in
                --no-sshd) sshd=0 ;;
                --agent) qga=$(guest_candidate qemu-guest-agent)
                         [ -n "$qga" ] || skip "apt-cache has no candidate for qemu-guest-agent (apt-get update?)" ;;
                --add) add+=("$2"); shift ;;
                *) fail "guest_build: unknown option $1" ;;
                esac
                shift
        done
        [ "$(dpkg --print-architecture)" = amd64 ] || skip "the test guest is amd64 (Debian's linux-image-amd64)"
        for f in apt-get apt-cache dpkg-deb gzip ldd ssh-keygen runuser; do
                command -v $f >/dev/null || skip "$f is not installed"
        done
        [ "$sshd" = 0 ] || [ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
        for f in "${add[@]}"; do [ -x "$f" ] || fail "$f is missing: build first (make)"; done
        kpkg=$(guest_kernel_package)
        [ -n "$kpkg" ] || skip "apt-cache knows no linux-image-amd64 dependency (apt-get update?)"
        kver=$(guest_candidate "$kpkg") bbver=$(guest_candidate busybox-static)
        [ -n "$kver" ] && [ -n "$bbver" ] || skip "apt-cache has no candidate for $kpkg or busybox-static (apt-get update?)"
        mkdir -p "$GUEST_CACHE" || fail "cannot create $GUEST_CACHE"
        # The image's key: everything that goes into it.
        key=$({
                echo "$kpkg $kver busybox-static $bbver sshd=$sshd qga=$qga $GUEST_MODULES"
                declare -f guest_init_script guest_udhcpc_script guest_sshd_config guest_image guest_kernel \
                        guest_module_add guest_module_cat
                sha256sum "${add[@]}" | cut -d' ' -f1
                [ "$sshd" = 0 ] || for f in $(guest_sshd_files); do
                        sha256sum "$f" $(ldd "$f" | awk '$3 ~ /^\// { print $3 }') | cut -d' ' -f1
                done
        } | sha256sum | cut -c1-16)
        img=$GUEST_CACHE/img-$key
        (
                flock 9
                [ -e "$img/done" ] && exit 0
                rm -rf "$img.new" && mkdir -p "$img.new" || exit 1
                guest_image "$img.new" "$kpkg" "$kver" "$bbver" "$sshd" "$qga" "${add[@]}" || exit $?
                touch "$img.new/done" && rm -rf "$img" && mv "$img.new" "$img"
        ) 9>"$GUEST_CACHE/lock"
        case $? in
        0) ;;
        3) rm -rf "$img.new"; skip "the guest's packages cannot be downloaded here (above)" ;;
        *) rm -rf "$img.new"; fail "cannot build the guest image (above)" ;;
        esac
        touch "$img"
        # What no build used for a week goes (a kernel or busybox version
        # gone from the archive, an image of an older lib-guest.sh), and
        # what a killed build left.
        find "$GUEST_CACHE" -mindepth 1 -maxdepth 1 -type d -mtime +7 \
                \( -name 'img-*' -o -name 'kernel-*' -o -name 'busybox-*' -o -name 'kernel.*' -o -name 'dl.*' \
                -o -name 'qga.*' \) \
                -exec rm -rf {} + 2>/dev/null
        mkdir -p "$dir/logs" && cp -a "$img"/. "$dir/" && rm -f "$dir/done" || fail "cannot copy the guest into $dir"
        chmod 755 "$dir"
        chown libvirt-qemu "$dir/logs"
        runuser -u libvirt-qemu -- test -r "$dir/initrd.gz" ||
                fail "libvirt-qemu cannot read $dir/initrd.gz: make $dir and its parents traversable (chmod 711)"
        GUEST_DIR=$(cd "$dir" && pwd) GUEST_BUILD_SECONDS=$((SECONDS - start)) GUEST_AGENT=${qga:+1}
        sed 's/^/guest: /' "$dir/info"
}

guest_domain_xml() {
        local name=$1 mac=$2 net=$3 uuid= mem=256 nic=e1000 tap= filter= params= cmd="console=ttyS0 quiet panic=-1"
        local type=network source="network='$3'" meta= channel=
        shift 3
        [ -n "${GUEST_DIR:-}" ] || fail "guest_domain_xml: guest_build first"
        while [ $# -gt 0 ]; do
                case $1 in
                --uuid) uuid="<uuid>$2</uuid>"; shift ;;
                --memory) mem=$2; shift ;;
                --nic) nic=$2; shift ;;
                --tap) tap="<target dev='$2'/>"; shift ;;
                --filter) filter=$2; shift ;;
                --filter-param) params="$params<parameter name='${2%%=*}' value='${2#*=}'/>"; shift ;;
                --host) cmd="$cmd vnc_host=$2"; shift ;;
                --no-dhcp4) cmd="$cmd vnc_dhcp4=0" ;;
                --v4) cmd="$cmd vnc_v4=$2"; shift ;;
                --bridge) type=bridge source="bridge='$net'" ;;
                --direct) type=direct source="dev='$net' mode='bridge'" ;;
                --metadata) meta="<metadata>$2</metadata>"; shift ;;
                --agent) cmd="$cmd vnc_agent=1"
                         channel="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" ;;
                --agent-channel)
                         channel="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" ;;
                --dhcp6) cmd="$cmd vnc_dhcp6=1" ;;
                --udhcpc6) cmd="$cmd vnc_dhcp6=udhcpc6" ;;
                --v6) cmd="$cmd vnc_v6=$2"; shift ;;
                --no-sshd) cmd="$cmd vnc_sshd=0" ;;
                --run) case $2 in *,*) fail "guest_domain_xml: no commas in --run '$2'" ;; esac
                       cmd="$cmd vnc_run=$(printf %s "$2" | tr -s ' ' ,)"; shift ;;
                --cmdline) cmd="$cmd $2"; shift ;;
                *) fail "guest_domain_xml: unknown option $1" ;;
                esac
                shift
        done
        [ "$nic" = e1000 ] || [ "$nic" = virtio ] || fail "guest_domain_xml: --nic e1000 or virtio"
        [ -z "$filter" ] || filter="<filterref filter='$filter'>$params</filterref>"
        # A host name is the guest's: anything but a space goes.
        cmd=$(printf %s "$cmd" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
        cat <<XML
<domain type='qemu'>
  <name>$name</name>$uuid$meta
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST_DIR/vmlinuz</kernel>
    <initrd>$GUEST_DIR/initrd.gz</initrd>
    <cmdline>$cmd</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='$type'>
      <source $source/>
      <mac address='$mac'/>
      <model type='$nic'/>
      <rom enabled='no'/>
      $tap$filter
    </interface>
    <serial type='pty'><log file='$GUEST_DIR/logs/$name.log' append='off'/></serial>$channel
    <console type='pty'/>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

guest_console() {
        echo "$GUEST_DIR/logs/$1.log"
}

guest_wait() {
        local name=$1 event=$2 end=$((SECONDS + ${3:-300})) log line pid=/run/libvirt/qemu/$1.pid
        log=$(guest_console "$name")
        while :; do
                line=$(tr -d '\r' <"$log" 2>/dev/null | grep -m1 -e "^vnc-guest: $event" -e "^vnc-guest: FAIL")
                case $line in
                "vnc-guest: FAIL"*) ;;
                ?*) echo "${line#"vnc-guest: $event"}" | sed 's/^ //'; return 0 ;;
                esac
                if [ -n "$line" ] || [ $SECONDS -ge $end ] || ! { [ -s $pid ] && kill -0 "$(cat $pid)" 2>/dev/null; }; then
                        echo "guest $name: no \"$event\" (${line:-$([ $SECONDS -ge $end ] && echo "timed out" || echo "the domain stopped")}); its console:" >&2
                        tr -d '\r' <"$log" 2>/dev/null | tail -n 25 | sed 's/^/    /' >&2
                        return 1
                fi
                sleep 0.2
        done
}

guest_wait_lease() {
        local a
        a=$(guest_wait "$1" "lease4 " "${2:-300}") || return 1
        echo "${a%% *}"
}

guest_ssh() {
        local addr=$1
        shift
        ip netns exec "$H" ssh -F /dev/null -i "$GUEST_DIR/id_ed25519" -o IdentitiesOnly=yes \
                -o UserKnownHostsFile="$GUEST_DIR/known_hosts" -o GlobalKnownHostsFile=/dev/null \
                -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=60 -o LogLevel=ERROR \
                "root@$addr" "$@"
}

guest_tap() {
        virsh domiflist "$1" | awk 'NR > 0 && $1 ~ /^[a-z]/ { print $1; exit }'
}
