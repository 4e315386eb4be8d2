# The process the procd stand-in runs in place of /usr/sbin/routerha: it says when its handlers exist and
# which signals reached it, one line each in $STANDIN_DAEMON_LOG as "PID started|HUP|TERM".
trap 'echo "$$ HUP" >> "$STANDIN_DAEMON_LOG"' HUP
trap 'echo "$$ TERM" >> "$STANDIN_DAEMON_LOG"; exit 0' TERM
echo "$$ started" >> "$STANDIN_DAEMON_LOG"
while :; do
	sleep 1 &
	wait $!
done
