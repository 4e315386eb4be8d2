#!/bin/sh /etc/rc.common
# routerha boot guard: before netifd (network is START=20) raises every 'auto 1' interface, persist
# network.X.auto=0 on each fenced openwrt_wan interface, so a rebooting former MASTER never brings its
# WAN up while the peer holds it. routerha's MASTER plan sets auto=1 and brings the WAN up once elected.
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
