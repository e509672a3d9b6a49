#!/bin/sh
# rogue-agent.sh - a hostile "guest agent" for t-agent-hang, run in the
# test guest (lib-guest.sh, --agent-channel, --run rogue-agent.sh): on the
# virtio-serial port org.qemu.guest_agent.0 it answers libvirt's
# guest-sync (so libvirt goes on to send its question) and then never
# answers anything else.  Each line it reads is noted on the console.
port=
for p in /sys/class/virtio-ports/*; do
        [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/${p##*/}
done
[ -n "$port" ] || { echo "rogue-agent: no port org.qemu.guest_agent.0"; exit 1; }
(
        # The port stays open (closing it would end libvirt's wait): a
        # read finding no host connected returns end-of-file, and is tried
        # again.
        exec 3<>"$port"
        while :; do
                while read -r line <&3; do
                        case $line in
                        *guest-sync*)
                                id=$(echo "$line" | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
                                echo "{\"return\": $id}" >&3
                                echo "vnc-guest: rogue sync $id" >/dev/console ;;
                        *)      echo "vnc-guest: rogue silent to $(echo "$line" | cut -c1-80)" >/dev/console ;;
                        esac
                done
                sleep 0.2
        done
) </dev/null >/dev/null 2>&1 &
echo "rogue-agent: on $port"
