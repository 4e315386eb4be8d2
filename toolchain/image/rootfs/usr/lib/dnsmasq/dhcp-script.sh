#!/bin/sh
# STAND-IN for OpenWrt's /usr/lib/dnsmasq/dhcp-script.sh plus procd's hotplug dispatch (omr-facts.md "dnsmasq
# hotplug"): dnsmasq's add/del/old become ACTION=add/remove/update with MACADDR, IPADDR, HOSTNAME (and dnsmasq's
# DNSMASQ_* variables) exported, and every file of /etc/hotplug.d/dhcp is sourced by its own `sh -c` in the
# background: asynchronous, not ordered, output discarded, as procd runs hotplug calls.
case "$1" in
add) ACTION=add ;;
del) ACTION=remove ;;
old) ACTION=update ;;
*) exit 0 ;;
esac
export ACTION MACADDR=$2 IPADDR=$3 HOSTNAME=$4
for f in /etc/hotplug.d/dhcp/*; do
	[ -f "$f" ] || continue
	setsid sh -c ". '$f'" < /dev/null > /dev/null 2>&1 &
done
exit 0
