'use strict';
'require baseclass';
'require rpc';

// The ubus object `routerha` (served by `routerha rpcd`) and the words the pages share.

var callStatus = rpc.declare({ object: 'routerha', method: 'status', expect: { '': {} } });
var callLeases = rpc.declare({ object: 'routerha', method: 'leases', expect: { '': {} } });
var callSwitchover = rpc.declare({ object: 'routerha', method: 'switchover', params: [ 'instance' ], expect: { '': {} } });
var callSwitchoverAll = rpc.declare({ object: 'routerha', method: 'switchover', expect: { '': {} } });
var callMaintenance = rpc.declare({ object: 'routerha', method: 'maintenance', params: [ 'on' ], expect: { '': {} } });
var callGenkey = rpc.declare({ object: 'routerha', method: 'genkey', params: [ 'file' ], expect: { '': {} } });

// A daemon that is down answers {ok:false,error}; a status object has instances.
function daemonDown(status) {
	return !status || !Array.isArray(status.instances);
}

function ago(ms) {
	if (ms == null)
		return _('never');
	if (ms < 1000)
		return _('%d ms ago').format(Math.round(ms));
	if (ms < 120000)
		return _('%.1f s ago').format(ms / 1000);
	return _('%d min ago').format(Math.round(ms / 60000));
}

function seconds(ms) {
	return (ms >= 1000 && ms % 1000 == 0) ? _('%d s').format(ms / 1000) : _('%d ms').format(Math.round(ms));
}

function stateBadge(state) {
	var colour = { MASTER: '#2e7d32', BACKUP: '#1565c0', FAULT: '#c62828', INIT: '#757575' }[state] || '#757575';
	return E('span', {
		'class': 'routerha-state',
		'data-state': state,
		'style': 'display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-weight:bold;background:' + colour
	}, [ state ]);
}

// The fence gate in words: what the tunnel step may do now, and why.
function fenceWords(fence) {
	if (!fence)
		return _('No peer channel: the tunnel follows VRRP alone');
	var gate = {
		Allowed: _('Tunnel allowed: the peer has released it or is silent past the fence window'),
		Wait: _('Tunnel held back: waiting for the peer to confirm it released the tunnel'),
		NotMaster: _('Not MASTER: this router keeps the tunnel down')
	}[fence.gate] || fence.gate;
	return gate + ' (' + fence.reason + ')';
}

return baseclass.extend({
	status: callStatus,
	leases: callLeases,
	switchover: function(instance) {
		return instance ? callSwitchover(instance) : callSwitchoverAll();
	},
	maintenance: callMaintenance,
	genkey: callGenkey,
	daemonDown: daemonDown,
	ago: ago,
	seconds: seconds,
	stateBadge: stateBadge,
	fenceWords: fenceWords
});
