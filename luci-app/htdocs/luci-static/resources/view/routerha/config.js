'use strict';
'require view';
'require form';
'require uci';
'require ui';
'require routerha.api as api';
'require routerha.validate as validate';

// Services -> Router HA: /etc/config/routerha through uci. Save & Apply commits, and the apply makes procd send the
// daemon a reload (HUP): instances keep their state, a priority change is taken by the running election.

function checked(type) {
	return function(section_id, value) {
		var version = this.section.formvalue ? this.section.formvalue(section_id, 'version') : null;
		return validate.check(type, this.option, value, { version: version });
	};
}

function opt(s, cls, type, name, title, descr, tab) {
	var o = tab ? s.taboption(tab, cls, name, title, descr) : s.option(cls, name, title, descr);
	if (cls !== form.Flag && cls !== form.ListValue && cls !== form.Button)
		o.validate = checked(type);
	return o;
}

var actionKinds = {
	openwrt_wan: _('OpenWrt WAN interface (netifd up/down, persisted auto)'),
	omr_vpn: _('OMR VPN: the tunnel named by openmptcprouter.settings.vpn'),
	omr_proxy: _('OMR proxy: the proxy named by openmptcprouter.settings.proxy'),
	omr_vps_api: _('OMR VPS API client (openmptcprouter server sections)'),
	openwrt_glorytun: _('Glorytun init script (older kind; prefer omr_vpn)'),
	openwrt_dnsmasq: _('DHCP on the MASTER only (dnsmasq keeps running, dhcp ignore switched)'),
	link: _('Kernel link up/down'),
	systemd: _('systemd unit start/stop'),
	command: _('Commands to run'),
	conntrackd: _('conntrackd state sync')
};

var trackKinds = { link: _('Link carrier'), ping: _('Ping a host'), tcp: _('TCP connect'), process: _('Process running'), script: _('Script exit code') };

return view.extend({
	load: function() {
		return uci.load('routerha');
	},

	genkey: function(section_id) {
		var found = this.map.lookupOption('secret_file', section_id), field = found ? found[0].getUIElement(section_id) : null;
		var file = (field && field.getValue()) || '/etc/routerha/peer.key';
		return api.genkey(file).then(function(res) {
			if (res && res.ok) {
				if (field)
					field.setValue(res.file);
				ui.addNotification(null, E('p', { 'class': 'routerha-answer' }, [
					_('New secret in %s (root only). Copy it to the other router and set the same secret_file there.').format(res.file) ]), 'info');
			}
			else
				ui.addNotification(null, E('p', { 'class': 'routerha-answer' }, [ _('Generate secret: %s').format((res && res.error) || _('no answer from routerha')) ]), 'danger');
		});
	},

	render: function() {
		var m, s, o;
		m = this.map = new form.Map('routerha', _('Router HA'),
			_('VRRP failover for a router pair: which router is MASTER, and what follows it (VIPs, WAN, tunnel, DHCP). The same file configures both routers; only priority and the peer paths differ.'));

		// Global
		s = m.section(form.TypedSection, 'global', _('Global'));
		s.anonymous = true;
		s.addremove = false;
		opt(s, form.Flag, 'global', 'enabled', _('Enabled'), _('Off: the service does not start.')).default = '1';
		opt(s, form.Value, 'global', 'node_name', _('Node name'), _('This router\'s name in status, MQTT and the peer channel (default: hostname).'));
		opt(s, form.Value, 'global', 'control_socket', _('Control socket'), _('Unix socket of the CLI and LuCI (default /var/run/routerha.sock).'));
		opt(s, form.Value, 'global', 'startup_delay', _('Startup delay'), _('Seconds to wait before the first election (0..3600).'));
		o = opt(s, form.ListValue, 'global', 'log_level', _('Log level'), _('How much goes to syslog.'));
		[ 'debug', 'info', 'warning', 'error' ].forEach(function(l) { o.value(l); });
		o.default = 'info';
		opt(s, form.Flag, 'global', 'syslog', _('Syslog'), _('Log to syslog (logread).')).default = '1';
		o = opt(s, form.ListValue, 'global', 'syslog_facility', _('Syslog facility'), _('Facility of the log lines.'));
		[ 'daemon', 'user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7' ].forEach(function(f) { o.value(f); });
		opt(s, form.Value, 'global', 'notify_timeout', _('Notify timeout'), _('Seconds a notify script may run (0.1..3600).'));
		opt(s, form.Value, 'global', 'watchdog', _('Watchdog'), _('procd watchdog in whole seconds (0 = off, ..3600).'));
		opt(s, form.Value, 'global', 'respawn_delay', _('Respawn delay'), _('Seconds procd waits before restarting a crashed daemon (0..3600).'));
		opt(s, form.Value, 'global', 'term_timeout', _('Stop timeout'), _('Seconds between SIGTERM and SIGKILL (1..3600).'));
		o = opt(s, form.ListValue, 'global', 'dbus', _('D-Bus'), _('Publish state on the system bus.'));
		o.value('auto', _('auto (when a system bus exists)'));
		o.value('1', _('on'));
		o.value('0', _('off'));

		// Instances
		s = m.section(form.TypedSection, 'instance', _('VRRP instances'),
			_('One virtual router: its VRID and VIPs must be the same on both routers; the higher priority wins.'));
		s.addremove = true;
		s.anonymous = false;
		s.tab('basic', _('Basic'));
		s.tab('advanced', _('Advanced'));
		s.tab('scripts', _('Notify scripts'));
		o = opt(s, form.Value, 'instance', 'interface', _('Interface'), _('Kernel device carrying the VIPs, e.g. br-lan.'), 'basic');
		o.validate = function(section_id, value) {
			return value ? true : _("instance '%s': missing required option 'interface' (the kernel device, e.g. br-lan)").format(section_id);
		};
		o.rmempty = false;
		o = opt(s, form.Value, 'instance', 'vrid', _('VRID'), _('Virtual router ID, 1..255, the same on both routers.'), 'basic');
		o.validate = function(section_id, value) {
			return (value == null || value === '')
				? _("instance '%s': missing required option 'vrid' (1..255, the same on both routers)").format(section_id)
				: validate.check('instance', 'vrid', value);
		};
		o.rmempty = false;
		o = opt(s, form.ListValue, 'instance', 'version', _('VRRP version'), _('3 (RFC 5798, sub-second adverts, IPv6) or 2 (RFC 3768, whole seconds, password).'), 'basic');
		o.value('3', _('3'));
		o.value('2', _('2'));
		o.default = '3';
		opt(s, form.Value, 'instance', 'priority', _('Priority'), _('1..255; the higher one becomes MASTER (default 100).'), 'basic').placeholder = '100';
		o = opt(s, form.Value, 'instance', 'advert_interval', _('Advert interval'),
			_('Seconds between adverts: 0.01..40.95 in steps of 0.01 with version 3 (e.g. 0.1), whole 1..255 with version 2.'), 'basic');
		o.placeholder = '1';
		o = opt(s, form.Flag, 'instance', 'preempt', _('Preempt'), _('A higher priority router takes over from a lower priority MASTER.'), 'basic');
		o.default = '1';
		o = opt(s, form.Value, 'instance', 'preempt_delay', _('Preempt delay'), _('Seconds to wait before preempting after start (0..1000).'), 'basic');
		o.depends('preempt', '1');
		o = opt(s, form.DynamicList, 'instance', 'vip', _('Virtual IPs'), _('ADDR or ADDR/LEN inside the interface\'s subnet, e.g. 192.168.1.254/24; one family per instance.'), 'basic');
		opt(s, form.Value, 'instance', 'unicast_src', _('Unicast source'), _('Our address for unicast adverts (default: the interface\'s).'), 'advanced');
		o = opt(s, form.DynamicList, 'instance', 'unicast_peer', _('Unicast peers'), _('Send adverts to these addresses instead of multicast.'), 'advanced');
		o = opt(s, form.Value, 'instance', 'auth_pass', _('Password (v2)'), _('VRRPv2 simple password, 1..8 characters; version 3 has none.'), 'advanced');
		o.password = true;
		o.depends('version', '2');
		[ [ 'garp_repeat', _('GARP repeat'), _('Gratuitous ARPs / NAs sent on becoming MASTER (1..100).') ],
		  [ 'garp_interval', _('GARP interval'), _('Seconds between them (0..60).') ],
		  [ 'garp_master_delay', _('GARP second burst'), _('Seconds after MASTER to repeat the burst (0..3600).') ],
		  [ 'garp_refresh', _('GARP refresh'), _('Seconds between refreshes while MASTER (0 = off, ..86400).') ] ].forEach(function(g) {
			opt(s, form.Value, 'instance', g[0], g[1], g[2], 'advanced');
		});
		[ [ 'notify', _('Notify'), _('Called as SCRIPT INSTANCE NAME STATE PRIORITY on every change (absolute path).') ],
		  [ 'notify_master', _('On MASTER'), _('Absolute path run on becoming MASTER.') ],
		  [ 'notify_backup', _('On BACKUP'), _('Absolute path run on becoming BACKUP.') ],
		  [ 'notify_fault', _('On FAULT'), _('Absolute path run on FAULT.') ],
		  [ 'notify_stop', _('On stop'), _('Absolute path run when the daemon stops.') ] ].forEach(function(n) {
			opt(s, form.Value, 'instance', n[0], n[1], n[2], 'scripts');
		});

		// Sync groups
		s = m.section(form.TypedSection, 'sync_group', _('Sync groups'), _('Instances that change state together (e.g. LAN and WAN side).'));
		s.addremove = true;
		s.anonymous = false;
		o = opt(s, form.DynamicList, 'sync_group', 'instance', _('Instances'), _('Names of the instances in this group.'));
		uci.sections('routerha', 'instance').forEach(function(i) { o.value(i['.name']); });
		[ 'notify', 'notify_master', 'notify_backup', 'notify_fault' ].forEach(function(n) {
			opt(s, form.Value, 'sync_group', n, n, _('Absolute path of a script for the group.'));
		});

		// Peer channel
		s = m.section(form.TypedSection, 'peer', _('Peer channel'),
			_('An authenticated TCP channel to the other router over one or more paths: lease replication and the tunnel fence.'));
		s.addremove = true;
		s.anonymous = false;
		opt(s, form.DynamicList, 'peer', 'path', _('Paths'), _('NAME OUR_ADDRESS PEER_ADDRESS, e.g. lan 192.168.1.1 192.168.1.2.'));
		opt(s, form.Value, 'peer', 'port', _('Port'), _('TCP port on both routers (default 7405).')).placeholder = '7405';
		opt(s, form.Value, 'peer', 'secret_file', _('Secret file'), _('Root-only file with the shared key, the same on both routers.')).placeholder = '/etc/routerha/peer.key';
		o = opt(s, form.Button, 'peer', '_genkey', _('Generate secret'), _('Write a new key to the secret file (never over an existing one).'));
		o.inputtitle = _('Generate secret');
		o.inputstyle = 'action';
		o.onclick = L.bind(function(ev, section_id) { return this.genkey(section_id); }, this);
		opt(s, form.Value, 'peer', 'heartbeat_interval', _('Heartbeat'), _('Seconds between heartbeats (0.05..60).')).placeholder = '1';
		opt(s, form.Value, 'peer', 'dead_interval', _('Dead interval'), _('Silence in seconds that drops a path (0.1..600, at least twice the heartbeat).')).placeholder = '3';
		opt(s, form.Value, 'peer', 'fence_window', _('Fence window'), _('Seconds of silence on every path before the tunnel may start without the peer\'s word (0.1..3600, longer than dead interval).')).placeholder = '15';
		opt(s, form.Value, 'peer', 'fence_command', _('Fence command'), _('Optional agent that powers off or isolates the peer (absolute path and arguments).'));
		opt(s, form.Value, 'peer', 'fence_timeout', _('Fence timeout'), _('Seconds the agent may run (0.1..3600).'));

		// Role actions
		s = m.section(form.TypedSection, 'action', _('Role actions'),
			_('What becoming MASTER starts and leaving MASTER stops, in order. Fenced actions wait for the peer\'s confirmation.'));
		s.addremove = true;
		s.anonymous = false;
		o = opt(s, form.ListValue, 'action', 'kind', _('Kind'), _('What this action switches.'));
		Object.keys(actionKinds).forEach(function(k) { o.value(k, '%s — %s'.format(k, actionKinds[k])); });
		o.rmempty = false;
		opt(s, form.Value, 'action', 'order', _('Order'), _('Position in the MASTER plan (0..1000; defaults: wan 10, tunnel 30, proxy 32, VPS API 34, DHCP 40).'));
		opt(s, form.Value, 'action', 'timeout', _('Timeout'), _('Seconds a step may take (0.1..3600).'));
		opt(s, form.Value, 'action', 'retries', _('Retries'), _('Attempts after a failure (0..100).'));
		opt(s, form.Value, 'action', 'retry_delay', _('Retry delay'), _('Seconds between attempts (0..3600).'));
		opt(s, form.Flag, 'action', 'fenced', _('Fenced'), _('Only after the peer confirmed it stopped the same thing (default on for WAN, tunnel, proxy, VPS API).'));
		var kindOptions = [
			[ form.DynamicList, 'interface', _('Interfaces'), _('OpenWrt interface names (openwrt_wan) or kernel devices (link).'), [ 'openwrt_wan', 'link' ] ],
			[ form.ListValue, 'multipath_master', _('Multipath on MASTER'), _('network.IFACE.multipath while MASTER (one interface at most may be master).'), [ 'openwrt_wan' ] ],
			[ form.ListValue, 'multipath_backup', _('Multipath on BACKUP'), _('network.IFACE.multipath while BACKUP.'), [ 'openwrt_wan' ] ],
			[ form.DynamicList, 'service', _('Services'), _('Init scripts (OpenWrt) or unit names (systemd) to start and stop.'), [ 'openwrt_glorytun', 'openwrt_dnsmasq', 'systemd' ] ],
			[ form.DynamicList, 'section', _('DHCP sections'), _('dhcp sections switched by ignore/force (default lan).'), [ 'openwrt_dnsmasq' ] ],
			[ form.Value, 'vpn', _('VPN'), _('Pin the tunnel (default: openmptcprouter.settings.vpn at run time).'), [ 'omr_vpn' ] ],
			[ form.Value, 'proxy', _('Proxy'), _('Pin the proxy (default: openmptcprouter.settings.proxy at run time).'), [ 'omr_proxy' ] ],
			[ form.DynamicList, 'server', _('VPS servers'), _('openmptcprouter server sections (default: all).'), [ 'omr_vps_api' ] ],
			[ form.Value, 'start', _('Start command'), _('Run on becoming MASTER.'), [ 'command' ] ],
			[ form.Value, 'stop', _('Stop command'), _('Run on leaving MASTER.'), [ 'command' ] ],
			[ form.Flag, 'dhcp', _('Serves DHCP'), _('Starts only after the merged leases are written.'), [ 'systemd', 'command' ] ],
			[ form.Value, 'config', _('conntrackd config'), _('Absolute path of conntrackd.conf.'), [ 'conntrackd' ] ],
			[ form.Value, 'binary', _('conntrackd binary'), _('Absolute path of conntrackd.'), [ 'conntrackd' ] ]
		];
		kindOptions.forEach(function(k) {
			o = opt(s, k[0], 'action', k[1], k[2], k[3]);
			if (k[1].indexOf('multipath_') == 0) {
				o.value('', _('unchanged'));
				[ 'on', 'off', 'master', 'backup' ].forEach(function(v) { o.value(v); });
			}
			if (k[1] == 'vpn')
				[ 'glorytun_tcp', 'glorytun_udp', 'dsvpn', 'mlvpn', 'ubond', 'openvpn' ].forEach(function(v) { o.value(v); });
			if (k[1] == 'proxy')
				[ 'shadowsocks-libev', 'shadowsocks-rust', 'v2ray', 'xray', 'none' ].forEach(function(v) { o.value(v); });
			k[4].forEach(function(kind) { o.depends('kind', kind); });
		});

		// Health tracks
		s = m.section(form.TypedSection, 'track', _('Health tracks'), _('Checks that lower the priority (weight) or force FAULT (weight 0) while failing.'));
		s.addremove = true;
		s.anonymous = false;
		o = opt(s, form.ListValue, 'track', 'kind', _('Kind'), _('What is checked.'));
		Object.keys(trackKinds).forEach(function(k) { o.value(k, trackKinds[k]); });
		o.rmempty = false;
		o = opt(s, form.DynamicList, 'track', 'instance', _('Instances'), _('Instances this check affects (default: all).'));
		uci.sections('routerha', 'instance').forEach(function(i) { o.value(i['.name']); });
		opt(s, form.Value, 'track', 'interval', _('Interval'), _('Seconds between checks (0.01..3600).'));
		opt(s, form.Value, 'track', 'timeout', _('Timeout'), _('Seconds one check may take (0.01..3600, at most the interval).'));
		opt(s, form.Value, 'track', 'rise', _('Rise'), _('Successes before up (1..1000).'));
		opt(s, form.Value, 'track', 'fall', _('Fall'), _('Failures before down (1..1000).'));
		opt(s, form.Value, 'track', 'weight', _('Weight'), _('Priority change while down, -253..253; 0 = FAULT.'));
		opt(s, form.Flag, 'track', 'init_fail', _('Start failed'), _('Count as down until the first success.'));
		[ [ 'interface', _('Interface'), _('Kernel device.'), [ 'link', 'ping', 'tcp' ] ],
		  [ 'host', _('Host'), _('Address to ping or connect to.'), [ 'ping', 'tcp' ] ],
		  [ 'port', _('Port'), _('TCP port (1..65535).'), [ 'tcp' ] ],
		  [ 'source', _('Source'), _('Source address of the probe.'), [ 'ping', 'tcp' ] ],
		  [ 'pidfile', _('PID file'), _('Absolute path of the pid file.'), [ 'process' ] ],
		  [ 'name', _('Process name'), _('As in /proc/PID/comm (1..15 characters).'), [ 'process' ] ],
		  [ 'script', _('Script'), _('Absolute path and arguments; exit 0 = up.'), [ 'script' ] ] ].forEach(function(t) {
			o = opt(s, form.Value, 'track', t[0], t[1], t[2]);
			t[3].forEach(function(kind) { o.depends('kind', kind); });
		});

		// MQTT
		s = m.section(form.TypedSection, 'mqtt', _('MQTT'), _('Publish state and events to a broker (Home Assistant discovery).'));
		s.addremove = true;
		s.anonymous = true;
		opt(s, form.Flag, 'mqtt', 'enabled', _('Enabled'), _('Connect to the broker.')).default = '1';
		opt(s, form.Value, 'mqtt', 'host', _('Broker'), _('Address or name of the broker.'));
		opt(s, form.Value, 'mqtt', 'port', _('Port'), _('1..65535 (default 1883, 8883 with TLS).'));
		opt(s, form.Value, 'mqtt', 'username', _('Username'), _('Optional.'));
		opt(s, form.Value, 'mqtt', 'password', _('Password'), _('Needs a username.')).password = true;
		opt(s, form.Value, 'mqtt', 'node_id', _('Node id'), _('Topic level for this router (default: node name).'));
		opt(s, form.Value, 'mqtt', 'client_id', _('Client id'), _('MQTT client id (default derived from the node).'));
		opt(s, form.Value, 'mqtt', 'topic_prefix', _('Topic prefix'), _('Default routerha.'));
		opt(s, form.Value, 'mqtt', 'keepalive', _('Keepalive'), _('Seconds (5..3600).'));
		opt(s, form.Flag, 'mqtt', 'tls', _('TLS'), _('Encrypt the connection.'));
		[ 'ca_file', 'cert_file', 'key_file' ].forEach(function(f) {
			o = opt(s, form.Value, 'mqtt', f, f, _('Absolute path (TLS only).'));
			o.depends('tls', '1');
		});
		opt(s, form.Flag, 'mqtt', 'discovery', _('Discovery'), _('Home Assistant discovery messages.')).default = '1';
		opt(s, form.Value, 'mqtt', 'discovery_prefix', _('Discovery prefix'), _('Default homeassistant.'));
		opt(s, form.Flag, 'mqtt', 'commands', _('Commands'), _('Accept switchover/maintenance over MQTT.'));
		opt(s, form.Value, 'mqtt', 'max_packet_size', _('Max packet size'), _('Bytes (1024..16777216).'));
		o = opt(s, form.ListValue, 'mqtt', 'protocol', _('Protocol'), _('MQTT version.'));
		[ 'auto', '5', '3.1.1' ].forEach(function(p) { o.value(p); });
		opt(s, form.Value, 'mqtt', 'event_expiry', _('Event expiry'), _('Seconds an event is kept for late subscribers (0 = never expires, ..86400; MQTT 5).'));

		// Leases
		s = m.section(form.TypedSection, 'leases', _('DHCP leases'), _('The lease store replicated to the peer, handed to dnsmasq on becoming MASTER.'));
		s.addremove = true;
		s.anonymous = true;
		opt(s, form.Flag, 'leases', 'enabled', _('Enabled'), _('Keep and replicate leases.')).default = '1';
		opt(s, form.Value, 'leases', 'db_path', _('Database'), _('Absolute path of the SQLite store.'));
		opt(s, form.Value, 'leases', 'lease_file', _('Lease file'), _('dnsmasq\'s lease file (absolute path, default /tmp/dhcp.leases).'));
		opt(s, form.Value, 'leases', 'max_rows', _('Max leases'), _('64..1000000.'));
		opt(s, form.Value, 'leases', 'max_rows_per_mac', _('Max per MAC'), _('1..1024.'));
		opt(s, form.Value, 'leases', 'max_tombstones', _('Max deleted rows kept'), _('0..1000000.'));
		opt(s, form.Value, 'leases', 'commit_interval', _('Commit interval'), _('Milliseconds between batch commits (0..60000).'));

		return m.render();
	}
});
