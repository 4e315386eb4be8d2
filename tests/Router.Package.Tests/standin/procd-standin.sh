# Stand-in for OpenWrt's /etc/rc.common, /lib/functions.sh and /lib/functions/procd.sh, which do not
# exist on Debian. Usage: busybox ash procd-standin.sh INIT_SCRIPT FUNCTION...
# Every procd_* / config_* call is appended to $STANDIN_LOG, each argument in [brackets].
# The UCI config seen by config_*: one section 'main' of type global; its 'enabled' option is
# $STANDIN_ENABLED (unset: the option is absent); any other option OPT is $STANDIN_OPT (upper case).

record() {
	printf '%s' "$1" >> "$STANDIN_LOG"
	shift
	for a in "$@"; do printf ' [%s]' "$a" >> "$STANDIN_LOG"; done
	echo >> "$STANDIN_LOG"
}

procd_open_instance() { record procd_open_instance "$@"; }
procd_set_param() { record procd_set_param "$@"; }
procd_close_instance() { record procd_close_instance "$@"; }
procd_add_reload_trigger() { record procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { record procd_add_interface_trigger "$@"; }
procd_send_signal() { record procd_send_signal "$@"; }
config_load() { record config_load "$@"; }
config_foreach() {
	record config_foreach "$@"
	[ "$2" = global ] && "$1" main
}
config_get_bool() {
	local v="${STANDIN_ENABLED-$4}"
	case "$v" in 1|yes|on|true|enabled) v=1 ;; *) v=0 ;; esac
	eval "$1=$v"
}
config_get() {
	local upper v
	upper=$(echo "$3" | tr a-z A-Z)
	eval "v=\${STANDIN_$upper-\$4}"
	eval "$1=\$v"
}
# rc.common in procd mode: start runs start_service inside a service description.
start() { record start; start_service; }

init_script=$1
shift
. "$init_script"
for fn in "$@"; do "$fn"; done
