'use strict';
'require baseclass';

// rpc: ubus over JSON-RPC 2.0 at /ubus, as LuCI's rpc.js speaks to rpcd/uhttpd:
// {"method":"call","params":[session, object, method, args]} -> {"result":[status, data]}.

var seq = 0;

function call(object, method, args) {
	var req = { jsonrpc: '2.0', id: ++seq, method: 'call', params: [ L.env.sessionid, object, method, args || {} ] };
	return window.fetch('/ubus', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) })
		.then(function(res) { return res.json(); })
		.then(function(reply) {
			if (reply.error)
				throw new Error('RPC error: ' + reply.error.message);
			var status = reply.result[0];
			if (status != 0)
				throw new Error('ubus %s %s: status %d'.format(object, method, status));
			return reply.result[1];
		});
}

return baseclass.extend({
	// declare({object, method, params, expect, filter}): a function whose positional arguments are the named params.
	declare: function(d) {
		return function() {
			var args = {}, values = arguments;
			(d.params || []).forEach(function(p, i) {
				if (values[i] !== undefined) args[p] = values[i];
			});
			return call(d.object, d.method, args).then(function(data) {
				var key = d.expect ? Object.keys(d.expect)[0] : null, def = key != null ? d.expect[key] : null;
				var v = (key == null || key === '') ? data : (data != null ? data[key] : undefined);
				if (v == null && key != null) v = def;
				return d.filter ? d.filter(v, args) : v;
			});
		};
	}
});
