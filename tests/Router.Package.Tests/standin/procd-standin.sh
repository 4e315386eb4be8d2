# Stand-in for OpenWrt's /etc/rc.common, /lib/functions.sh and /lib/functions/procd.sh, which do not
# exist on Debian. Usage: busybox ash procd-standin.sh INIT_SCRIPT FUNCTION...
# Every procd_* / config_* call is appended to $STANDIN_LOG, each argument in [brackets].
# The UCI config seen by config_*: one section 'main' of type global; its 'enabled' option is
# $STANDIN_ENABLED (unset: the option is absent); any other option OPT is $STANDIN_OPT (upper case).
#
# With $STANDIN_PROCD (a state directory) it also behaves like procd for one instance, as procd's
# service/instance.c does (openwrt/procd): `start` hands the instance to procd, which
#  - starts it when it has no running process (instance_update, !running);
#  - compares it with the running one (instance_config_changed: command, env, file hashes, respawn,
#    reload_signal, term_timeout, pidfile, watchdog) and on a change calls instance_restart: the old
#    instance's reload_signal when it has one, else SIGTERM and a new process once the old one has exited;
#    an unchanged instance is left alone (no signal);
#  - stops it (SIGTERM) when start_service emitted none;
# `procd_send_signal` signals the running process; `standin_watchdog_expired` is instance_watchdog:
# instance_restart when respawn is set, else stop. The instance's process is $STANDIN_DAEMON (run by
# busybox sh in place of the command); procd writes its pid to the `pidfile` (under $STANDIN_ROOT).

record() {
	printf '%s' "$1" >> "$STANDIN_LOG"
	shift
	for a in "$@"; do printf ' [%s]' "$a" >> "$STANDIN_LOG"; done
	echo >> "$STANDIN_LOG"
}

procd_open_instance() {
	record procd_open_instance "$@"
	[ -n "$STANDIN_PROCD" ] && : > "$STANDIN_PROCD/new"
}
procd_set_param() {
	record procd_set_param "$@"
	[ -n "$STANDIN_PROCD" ] || return 0
	echo "$*" >> "$STANDIN_PROCD/new"
	local f
	# procd compares the md5 of every `file` when the service is updated.
	[ "$1" = file ] && { shift; for f in "$@"; do echo "md5 $(md5sum < "$f" 2>/dev/null)" >> "$STANDIN_PROCD/new"; done; }
	return 0
}
procd_close_instance() { record procd_close_instance "$@"; }
procd_add_reload_trigger() { record procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { record procd_add_interface_trigger "$@"; }
procd_send_signal() {
	record procd_send_signal "$@"
	[ -n "$STANDIN_PROCD" ] || return 0
	local pid
	pid=$(standin_pid) && kill -"${3:-HUP}" "$pid"
	return 0
}
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

# procd's side ------------------------------------------------------------------------------------

standin_param() { # TYPE: the values of that param of the running instance
	sed -n "s/^$1 //p" "$STANDIN_PROCD/current" 2>/dev/null
}

standin_pid() { # the running instance's pid
	local pid
	read -r pid 2>/dev/null < "$STANDIN_PROCD/pid" || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

standin_launch() { # instance_start: fork the process, write the pidfile
	local pidfile
	busybox sh "$STANDIN_DAEMON" </dev/null >/dev/null 2>&1 &
	echo $! > "$STANDIN_PROCD/pid"
	pidfile=$(standin_param pidfile)
	# (the init script's PIDFILE already points under $STANDIN_ROOT)
	[ -n "$pidfile" ] && echo $! > "$pidfile"
	echo "launch $!" >> "$STANDIN_PROCD/events"
}

standin_terminate() { # SIGTERM, then wait for the exit (procd: SIGKILL after term_timeout)
	local pid="$1" i=0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$pid" 2>/dev/null
	echo "exit $pid" >> "$STANDIN_PROCD/events"
}

standin_restart() { # instance_restart, with the running instance's reload_signal
	local pid sig
	pid=$(standin_pid) || return 0
	sig=$(standin_param reload_signal)
	if [ -n "$sig" ]; then
		kill -"$sig" "$pid"
		return 0
	fi
	standin_terminate "$pid"
	standin_launch
}

standin_close_service() { # service_update -> instance_update / start / stop
	local pid
	pid=$(standin_pid)
	if [ ! -f "$STANDIN_PROCD/new" ]; then
		[ -n "$pid" ] && standin_terminate "$pid"
		# procd removes the pidfile of an instance it halts.
		rm -f "$(standin_param pidfile)" "$STANDIN_PROCD/current" "$STANDIN_PROCD/pid"
		return 0
	fi
	if [ -z "$pid" ]; then
		mv "$STANDIN_PROCD/new" "$STANDIN_PROCD/current"
		standin_launch
	elif ! cmp -s "$STANDIN_PROCD/new" "$STANDIN_PROCD/current"; then
		standin_restart
		mv "$STANDIN_PROCD/new" "$STANDIN_PROCD/current"
	else
		rm -f "$STANDIN_PROCD/new"
	fi
}

standin_watchdog_expired() { # instance_watchdog
	if [ -n "$(standin_param respawn)" ]; then
		standin_restart
	else
		local pid
		pid=$(standin_pid) && standin_terminate "$pid"
	fi
}

# rc.common in procd mode: start runs start_service inside a service description.
start() {
	record start
	[ -n "$STANDIN_PROCD" ] && rm -f "$STANDIN_PROCD/new"
	start_service
	[ -n "$STANDIN_PROCD" ] && standin_close_service
	return 0
}

init_script=$1
shift
. "$init_script"
# The instance's files live under the test's root, not the host's /var/run.
[ -n "$STANDIN_ROOT" ] && [ -n "$PIDFILE" ] && PIDFILE="$STANDIN_ROOT$PIDFILE"
for fn in "$@"; do "$fn"; done
