#!/bin/sh /etc/rc.common
# routerha boot guard: before dnsmasq (START=19) and netifd (START=20) raise DHCP and every 'auto 1'
# interface, persist network.X.auto=0 on each fenced openwrt_wan interface and dhcp.S.ignore=1 on each
# openwrt_dnsmasq section, so a rebooting former MASTER never brings its WAN up or serves DHCP while the
# peer does. routerha's MASTER plan turns both back on once elected.
# Not a procd service: it runs once at boot and leaves nothing running.

START=15

boot() {
	start
}

start() {
	# Only while routerha itself starts at boot; its config's option enabled '0' is checked by the verb.
	/etc/init.d/routerha enabled || return 0
	/usr/sbin/routerha boot-guard -c /etc/config/routerha
}

stop() {
	return 0
}
