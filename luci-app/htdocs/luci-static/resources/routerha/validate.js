'use strict';
'require baseclass';

// The form's checks, mirroring `routerha check-config` (src/Router.Core/Config/*Loader.cs, SectionReader.cs):
// the same ranges and the same message texts, so an admin reads one wording in LuCI and on the shell.
// tests/Router.Luci.Tests compares every rule below with check-config's answer for the same values.

function int(min, max) { return { kind: 'int', min: min, max: max }; }
function secs(min, max) { return { kind: 'seconds', min: min, max: max }; }
var abs = { kind: 'path' };
var addr = { kind: 'address' };

var rules = {
	global: {
		startup_delay: secs(0, 3600), notify_timeout: secs(0.1, 3600), watchdog: int(0, 3600), respawn_delay: int(0, 3600),
		term_timeout: int(1, 3600), control_socket: abs, node_name: { kind: 'node_name' }
	},
	instance: {
		vrid: int(1, 255), priority: int(1, 255), advert_interval: { kind: 'advert_interval' }, preempt_delay: secs(0, 1000),
		garp_repeat: int(1, 100), garp_interval: secs(0, 60), garp_master_delay: secs(0, 3600), garp_refresh: secs(0, 86400),
		vip: { kind: 'vip' }, unicast_peer: addr, unicast_src: addr, auth_pass: { kind: 'auth_pass' },
		notify: abs, notify_master: abs, notify_backup: abs, notify_fault: abs, notify_stop: abs
	},
	sync_group: { notify: abs, notify_master: abs, notify_backup: abs, notify_fault: abs },
	peer: {
		port: int(1, 65535), heartbeat_interval: secs(0.05, 60), dead_interval: secs(0.1, 600), fence_window: secs(0.1, 3600),
		fence_timeout: secs(0.1, 3600), secret_file: abs, path: { kind: 'path_triple' }
	},
	mqtt: {
		port: int(1, 65535), keepalive: secs(5, 3600), ca_file: abs, cert_file: abs, key_file: abs,
		max_packet_size: int(1024, 16777216), event_expiry: int(0, 86400)
	},
	action: { order: int(0, 1000), timeout: secs(0.1, 3600), retries: int(0, 100), retry_delay: secs(0, 3600), config: abs, binary: abs },
	track: {
		interval: secs(0.01, 3600), timeout: secs(0.01, 3600), rise: int(1, 1000), fall: int(1, 1000), weight: { kind: 'weight' },
		port: int(1, 65535), pidfile: abs, source: addr
	},
	leases: {
		max_rows: int(64, 1000000), max_rows_per_mac: int(1, 1024), max_tombstones: int(0, 1000000), commit_interval: int(0, 60000),
		db_path: abs, lease_file: abs
	}
};

// C#'s "0.##": at most two decimals, no trailing zeros.
function fmt(n) {
	return String(Math.round(n * 100) / 100);
}

function isSeconds(text) {
	return /^[0-9.]*$/.test(text) && /[0-9]/.test(text) && (text.match(/\./g) || []).length <= 1;
}

function parseV4(text) {
	var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (!m)
		return null;
	var b = m.slice(1).map(Number);
	return b.every(function(x) { return x <= 255; }) ? b : null;
}

function isV6(text) {
	if (!/^[0-9a-fA-F:.]+$/.test(text) || text.indexOf(':') < 0 || (text.match(/::/g) || []).length > 1)
		return false;
	var parts = text.split(':'), groups = 0;
	for (var i = 0; i < parts.length; i++) {
		var p = parts[i];
		if (p == '')
			continue;
		if (i == parts.length - 1 && p.indexOf('.') >= 0) {
			if (!parseV4(p)) return false;
			groups += 2;
		}
		else if (/^[0-9a-fA-F]{1,4}$/.test(p))
			groups++;
		else
			return false;
	}
	return text.indexOf('::') >= 0 ? groups < 8 : groups == 8;
}

function family(text) {
	return parseV4(text) ? 4 : isV6(text) ? 6 : 0;
}

function usableUnicast(text) {
	var v4 = parseV4(text);
	if (v4)
		return v4[0] != 127 && text != '0.0.0.0' && text != '255.255.255.255' && (v4[0] < 224 || v4[0] > 239);
	var t = text.toLowerCase();
	return t != '::1' && !/^(0*:)*:?0*$/.test(t) && !/^ff/.test(t);
}

function check(rule, name, value, section) {
	switch (rule.kind) {
	case 'int':
		if (!/^[0-9]+$/.test(value))
			return "%s '%s' is not a whole number (%d..%d)".format(name, value, rule.min, rule.max);
		if (+value < rule.min || +value > rule.max)
			return '%s %s out of range %d..%d'.format(name, value, rule.min, rule.max);
		return true;
	case 'seconds':
		if (!isSeconds(value))
			return "%s '%s' is not a number of seconds (e.g. 1 or 2.5)".format(name, value);
		if (+value < rule.min || +value > rule.max)
			return '%s %s out of range %s..%s seconds'.format(name, value, fmt(rule.min), fmt(rule.max));
		return true;
	case 'path':
		return value.charAt(0) == '/' ? true : "%s '%s' must be an absolute path (starting with /)".format(name, value);
	case 'address':
		if (!family(value))
			return "%s '%s' is not an IP address".format(name, value);
		if (name != 'source' && !usableUnicast(value))
			return "%s '%s' is not a usable unicast address".format(name, value);
		return true;
	case 'node_name':
		return (value.length > 0 && !/\s/.test(value)) ? true : 'node_name must not be empty or contain spaces';
	case 'weight':
		return (/^[-+]?[0-9]+$/.test(value) && +value >= -253 && +value <= 253) ? true
			: "weight '%s' must be a whole number in -253..253 (0 = FAULT while the check is down)".format(value);
	case 'vip':
		var slash = value.indexOf('/'), a = slash < 0 ? value : value.substring(0, slash), f = family(a);
		var len = slash < 0 ? null : value.substring(slash + 1);
		if (!f || (len != null && (!/^[0-9]+$/.test(len) || +len > (f == 4 ? 32 : 128))))
			return "vip '%s' is not an address (ADDR or ADDR/LEN, e.g. 192.168.1.254/24)".format(value);
		return usableUnicast(a) ? true : "vip '%s' is not a usable unicast address".format(value);
	case 'auth_pass':
		var bytes = unescape(encodeURIComponent(value)).length;
		return (bytes >= 1 && bytes <= 8) ? true : 'auth_pass must be 1..8 characters (got %d)'.format(bytes);
	case 'path_triple':
		var w = value.split(' ').filter(function(x) { return x != ''; });
		if (w.length != 3)
			return "path '%s' must be 'NAME OUR_ADDRESS PEER_ADDRESS', e.g. 'lan 192.168.1.1 192.168.1.2'".format(value);
		if (!/^[A-Za-z0-9_]+$/.test(w[0]))
			return "path name '%s' may contain only letters, digits and _".format(w[0]);
		if (!family(w[1]) || !family(w[2]))
			return "path '%s': '%s' is not an IP address".format(w[0], family(w[1]) ? w[2] : w[1]);
		if (family(w[1]) != family(w[2]))
			return "path '%s': %s and %s are of different address families".format(w[0], w[1], w[2]);
		return true;
	case 'advert_interval':
		if (!isSeconds(value))
			return "advert_interval '%s' is not a number of seconds (e.g. 1 or 2.5)".format(value);
		var v = +value;
		if ((section && section.version) == '2') {
			if (v != Math.floor(v))
				return 'advert_interval %s: version 2 only supports whole seconds (1..255)'.format(value);
			if (v < 1 || v > 255)
				return 'advert_interval %s out of range 1..255 seconds (version 2)'.format(value);
			return true;
		}
		if (v < 0.01 || v > 40.95)
			return 'advert_interval %s out of range 0.01..40.95 seconds'.format(value);
		if (Math.abs(v * 100 - Math.round(v * 100)) > 1e-9)
			return 'advert_interval %s is not a multiple of 0.01 seconds (VRRPv3 counts hundredths)'.format(value);
		return true;
	}
	return true;
}

return baseclass.extend({
	rules: rules,

	// true, or check-config's message for this value. An empty value is "not set": the daemon's default applies.
	// `section` holds sibling values a rule depends on (advert_interval reads version).
	check: function(type, name, value, section) {
		var rule = (rules[type] || {})[name];
		if (!rule || value == null || value === '')
			return true;
		return check(rule, name, String(value), section);
	}
});
