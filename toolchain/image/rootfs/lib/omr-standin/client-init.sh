# Sourced by the STAND-IN init scripts of OMR's VPS clients (glorytun, glorytun-udp, dsvpn, mlvpn, ubond, openvpn,
# shadowsocks-libev/-rust, v2ray, xray; openmptcprouter-feeds). As the real ones: `start` runs the client only while
# its UCI switch says enabled (omr.sh), so a disabled one stays stopped whatever starts it; `running` is its exit
# code. The client is /usr/sbin/omr-client, a process that logs `tunnel|proxy: NAME client up|down` and does nothing
# else (there is no VPS here).
. /lib/omr-standin/omr.sh
omr_client "$CLIENT" || { echo "client-init: unknown client $CLIENT" >&2; exit 1; }

start_service() {
	if ! omr_client_enabled; then
		omr_log "$CLIENT_KIND: $CLIENT_INIT not started ($CLIENT_FLAG is not $CLIENT_ON)"
		return 0
	fi
	procd_open_instance
	procd_set_param command /usr/sbin/omr-client "$CLIENT_KIND" "$CLIENT_INIT"
	procd_close_instance
}
