'use strict';
'require baseclass';
'require routerha.api as api';

// Status -> Overview: one compact row per VRRP instance.

return baseclass.extend({
	title: _('Router HA'),

	load: function() {
		return L.resolveDefault(api.status(), null);
	},

	render: function(st) {
		if (api.daemonDown(st))
			return E('p', { 'class': 'routerha-down' }, [ _('routerha does not answer: %s').format((st && st.error) || _('no status')) ]);
		var rows = st.instances.map(function(i) {
			var last = (i.transitions || [])[(i.transitions || []).length - 1];
			return E('tr', { 'class': 'tr routerha-overview-row', 'data-instance': i.name }, [
				E('td', { 'class': 'td' }, [ i.name ]),
				E('td', { 'class': 'td' }, [ i.interface ]),
				E('td', { 'class': 'td' }, [ api.stateBadge(i.state) ]),
				E('td', { 'class': 'td' }, [ '%d / %d'.format(i.effective_priority, i.priority) ]),
				E('td', { 'class': 'td' }, [ (i.vips || []).join(', ') + (i.vips_present ? '' : ' ' + _('(not here)')) ]),
				E('td', { 'class': 'td' }, [ last ? '%s → %s, %s'.format(last.from, last.to, new Date(last.at).toLocaleString()) : '-' ])
			]);
		});
		return E('table', { 'class': 'table' }, [
			E('tr', { 'class': 'tr table-titles' }, [
				E('th', { 'class': 'th' }, [ _('Instance') ]),
				E('th', { 'class': 'th' }, [ _('Interface') ]),
				E('th', { 'class': 'th' }, [ _('State') ]),
				E('th', { 'class': 'th' }, [ _('Priority') ]),
				E('th', { 'class': 'th' }, [ _('VIPs') ]),
				E('th', { 'class': 'th' }, [ _('Last transition') ])
			])
		].concat(rows));
	}
});
