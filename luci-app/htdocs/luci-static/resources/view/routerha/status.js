'use strict';
'require view';
'require ui';
'require poll';
'require routerha.api as api';

// Status -> Router HA: what the daemon reports (`routerha status --json` through ubus), refreshed by polling,
// with the two actions a user takes on a pair: Switchover and Maintenance.

function table(headers, rows, empty) {
	return E('table', { 'class': 'table' }, [
		E('tr', { 'class': 'tr table-titles' }, headers.map(function(h) { return E('th', { 'class': 'th' }, [ h ]); }))
	].concat(rows.length ? rows.map(function(cells) {
		return E('tr', { 'class': 'tr' }, cells.map(function(c) { return E('td', { 'class': 'td' }, [ c ]); }));
	}) : [ E('tr', { 'class': 'tr placeholder' }, [ E('td', { 'class': 'td' }, [ empty ]) ]) ]));
}

function answer(title, res) {
	// The daemon's own words, success or refusal.
	if (res && res.ok)
		ui.addNotification(null, E('p', { 'class': 'routerha-answer' }, [ title + ': ' + (res.message || _('done')) ]), 'info');
	else
		ui.addNotification(null, E('p', { 'class': 'routerha-answer' }, [ title + ': ' + ((res && res.error) || _('no answer from routerha')) ]), 'danger');
}

return view.extend({
	load: function() {
		return api.status();
	},

	confirm: function(title, text, action) {
		ui.showModal(title, [
			E('p', {}, [ text ]),
			E('div', { 'class': 'right' }, [
				E('button', { 'class': 'btn', 'click': ui.hideModal }, [ _('Cancel') ]),
				' ',
				E('button', {
					'class': 'btn cbi-button-action important routerha-confirm',
					'click': function() {
						ui.hideModal();
						return action().then(function(res) { answer(title, res); }, function(err) {
							answer(title, { ok: false, error: String(err) });
						}).then(L.bind(this.refresh, this));
					}.bind(this)
				}, [ _('Confirm') ])
			])
		]);
	},

	switchoverButton: function(inst) {
		var name = inst ? inst.name : null;
		var master = inst ? inst.is_master : this.anyMaster;
		return E('button', {
			'class': 'btn cbi-button-action routerha-switchover',
			'data-instance': name || '',
			'disabled': master ? null : '',
			'title': master ? _('Hand mastership to the peer; this router stays BACKUP') : _('Only a MASTER can hand over'),
			'click': L.bind(function() {
				this.confirm(_('Switchover'), name
					? _('Hand instance %s over to the peer? Its VIPs, WAN and tunnel move to the other router.').format(name)
					: _('Hand every instance over to the peer? The VIPs, WAN and tunnel move to the other router.'),
					function() { return api.switchover(name); });
			}, this)
		}, [ name ? _('Switchover') : _('Switchover all') ]);
	},

	maintenanceButton: function(on) {
		return E('button', {
			'class': 'btn cbi-button-action routerha-maintenance',
			'data-on': on ? '1' : '0',
			'click': L.bind(function() {
				this.confirm(on ? _('Maintenance on') : _('Maintenance off'), on
					? _('Put this router in maintenance? It hands over and stays BACKUP until maintenance is turned off.')
					: _('End maintenance? This router takes part in elections again (and takes over if it preempts).'),
					function() { return api.maintenance(on); });
			}, this)
		}, [ on ? _('Maintenance on') : _('Maintenance off') ]);
	},

	renderInstances: function(st) {
		return table([ _('Instance'), _('State'), _('Priority (effective / configured)'), _('Master'), _('VIPs'),
			_('Timers'), _('Counters'), _('Last transitions'), _('Action') ], st.instances.map(L.bind(function(i) {
			var c = i.counters || {};
			return [
				E('span', { 'class': 'routerha-instance-name' }, [ '%s (VRID %d, v%d, %s)'.format(i.name, i.vrid, i.version, i.interface) ]),
				E('span', { 'class': 'routerha-instance-state', 'data-instance': i.name }, [ api.stateBadge(i.state),
					i.maintenance ? ' ' + _('maintenance') : '', i.last_error ? E('div', {}, [ i.last_error ]) : '' ]),
				'%d / %d'.format(i.effective_priority, i.priority),
				i.is_master ? _('this router') : (i.master ? '%s (%d)'.format(i.master, i.master_priority) : _('unknown')),
				E('span', { 'class': 'routerha-vips', 'data-present': i.vips_present ? '1' : '0' }, [
					(i.vips || []).join(', '), ' ', i.vips_present ? _('(present)') : _('(not here)') ]),
				_('advert %s, master down %s').format(api.seconds(i.advert_interval_ms), api.seconds(i.master_down_interval_ms)),
				_('sent %d, received %d, became master %d').format(c.adverts_sent, c.adverts_received, c.became_master),
				E('div', {}, (i.transitions || []).slice(-3).reverse().map(function(t) {
					return E('div', {}, [ '%s %s → %s (%s)'.format(new Date(t.at).toLocaleTimeString(), t.from, t.to, t.reason) ]);
				})),
				this.switchoverButton(i)
			];
		}, this)), _('No instance configured'));
	},

	renderPeers: function(st) {
		var fence = st.fence;
		return E('div', {}, [
			table([ _('Path'), _('State'), _('Peer'), _('Last heard'), _('Last error') ], (st.peers || []).map(function(p) {
				return [ p.path, E('span', { 'class': 'routerha-path', 'data-up': p.up ? '1' : '0' }, [ p.up ? _('up') : _('down') ]),
					p.peer_node || p.remote || '-', api.ago(p.last_heard_ago_ms), p.last_error || '' ];
			}), _('No peer channel configured')),
			E('p', { 'class': 'routerha-fence' }, [ E('strong', {}, [ _('Fence') + ': ' ]), api.fenceWords(fence) ])
		]);
	},

	renderRole: function(st) {
		var role = st.role;
		if (!role)
			return E('p', {}, [ _('No role actions configured') ]);
		return E('div', {}, [
			E('p', { 'class': 'routerha-role' }, [ _('Target %s: %s; tunnel %s%s').format(role.target || '-', role.finished ? _('finished') : _('running ') + (role.current_step || ''),
				role.tunnel, role.fence_demoted ? _(', demoted by the fence') : '') + ' (' + role.reason + ')' ]),
			table([ _('Step'), _('Phase'), _('Direction'), _('Outcome'), _('Attempts'), _('Last error') ], role.steps.map(function(s) {
				return [ s.name, s.phase, s.direction, E('span', { 'class': 'routerha-step', 'data-outcome': s.outcome }, [ s.outcome ]), String(s.attempts), s.error || '' ];
			}), _('No steps'))
		]);
	},

	renderService: function(st) {
		var l = st.leases, sync = l && l.sync;
		var mqtt = (st.integrations || []).filter(function(s) { return s.indexOf('mqtt') == 0; });
		return table([ _('What'), _('State') ], [
			[ _('Router'), _('%s, routerha %s, pid %d, up %d s').format(st.node, st.version, st.pid, st.uptime_s) ],
			[ _('Maintenance'), st.maintenance ? _('on: this router stays BACKUP') : _('off') ],
			[ _('DHCP leases'), l ? _('%d active, %d pending').format(l.active, l.pending) + (l.write_error ? ' — ' + l.write_error : '') : _('lease store off') ],
			[ _('Lease replication'), sync ? _('%s: %s, %d of %d acknowledged, last ack %s').format(sync.peer || '-', sync.connected ? (sync.caught_up ? _('caught up') : _('catching up')) : _('not connected'),
				sync.acked_seq, sync.last_seq, api.ago(sync.last_ack_ago_ms)) : _('no peer channel') ],
			[ _('MQTT'), mqtt.length ? mqtt.join('; ') : _('not configured') ],
			[ _('Notify scripts'), _('%d run, %d failed, %d timed out').format(st.notify.started, st.notify.failed, st.notify.timed_out) ]
		], '');
	},

	renderBody: function(st) {
		if (api.daemonDown(st))
			return E('div', { 'class': 'alert-message warning routerha-down' }, [ _('routerha does not answer: %s').format((st && st.error) || _('no status')) ]);
		this.anyMaster = st.instances.some(function(i) { return i.is_master; });
		return E('div', {}, [
			E('h3', {}, [ _('Instances') ]),
			this.renderInstances(st),
			E('div', { 'class': 'cbi-page-actions' }, [ this.switchoverButton(null), ' ',
				this.maintenanceButton(!st.maintenance) ]),
			E('h3', {}, [ _('Peer channel and fence') ]),
			this.renderPeers(st),
			E('h3', {}, [ _('Role plan') ]),
			this.renderRole(st),
			E('h3', {}, [ _('Service') ]),
			this.renderService(st)
		]);
	},

	refresh: function() {
		return api.status().then(L.bind(function(st) {
			var body = document.getElementById('routerha-status');
			if (body)
				body.replaceChildren(this.renderBody(st));
		}, this));
	},

	render: function(st) {
		poll.add(L.bind(this.refresh, this), 2);
		return E('div', {}, [
			E('h2', {}, [ _('Router HA') ]),
			E('div', { 'class': 'cbi-map-descr' }, [ _('VRRP state of this router, its peer channel and the role actions that follow MASTER.') ]),
			E('div', { 'id': 'routerha-status' }, [ this.renderBody(st) ])
		]);
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
