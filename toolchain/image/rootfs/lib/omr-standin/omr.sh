# Sourced by the OMR stand-ins of the router image (init scripts of the VPS clients, omr-schedule's rounds).
# Which UCI switch enables which OMR client, from openmptcprouter-feeds (omr-facts.md "Which tunnel", "Other
# single-client-to-VPS services"): NAME -> init script, UCI option, value meaning "enabled".
omr_client() {  # NAME: sets CLIENT_INIT CLIENT_FLAG CLIENT_ON, or fails for an unknown name
	case "$1" in
	glorytun_tcp | glorytun) CLIENT_INIT=glorytun CLIENT_FLAG=glorytun.vpn.enable CLIENT_ON=1 ;;
	glorytun_udp | glorytun-udp) CLIENT_INIT=glorytun-udp CLIENT_FLAG=glorytun-udp.vpn.enable CLIENT_ON=1 ;;
	dsvpn) CLIENT_INIT=dsvpn CLIENT_FLAG=dsvpn.vpn.enable CLIENT_ON=1 ;;
	mlvpn) CLIENT_INIT=mlvpn CLIENT_FLAG=mlvpn.general.enable CLIENT_ON=1 ;;
	ubond) CLIENT_INIT=ubond CLIENT_FLAG=ubond.general.enable CLIENT_ON=1 ;;
	openvpn) CLIENT_INIT=openvpn CLIENT_FLAG=openvpn.omr.enabled CLIENT_ON=1 ;;
	shadowsocks | shadowsocks-libev) CLIENT_INIT=shadowsocks-libev CLIENT_FLAG=shadowsocks-libev.sss0.disabled CLIENT_ON=0 ;;
	shadowsocks-rust) CLIENT_INIT=shadowsocks-rust CLIENT_FLAG=shadowsocks-rust.sss0.disabled CLIENT_ON=0 ;;
	v2ray) CLIENT_INIT=v2ray CLIENT_FLAG=v2ray.main.enabled CLIENT_ON=1 ;;
	xray) CLIENT_INIT=xray CLIENT_FLAG=xray.main.enabled CLIENT_ON=1 ;;
	*) return 1 ;;
	esac
}

omr_client_enabled() { [ "$(uci -q get "$CLIENT_FLAG")" = "$CLIENT_ON" ]; }

# Logs beside routerha's own lines (the image has no logd), so one file shows what happened in order.
omr_log() {
	local uptime rest
	read uptime rest < /proc/uptime
	echo "$* (uptime $uptime s)" >> /var/log/routerha.log
}
