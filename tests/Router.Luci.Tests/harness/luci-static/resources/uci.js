'use strict';
'require baseclass';
'require rpc';

// uci: the loaded values of a config and the changes staged by forms, written through rpcd's uci object
// (add, set, delete) on save() and committed by apply().

var callGet = rpc.declare({ object: 'uci', method: 'get', params: [ 'config' ], expect: { values: {} } });
var callAdd = rpc.declare({ object: 'uci', method: 'add', params: [ 'config', 'type', 'name', 'values' ], expect: { section: '' } });
var callSet = rpc.declare({ object: 'uci', method: 'set', params: [ 'config', 'section', 'values' ] });
var callDelete = rpc.declare({ object: 'uci', method: 'delete', params: [ 'config', 'section', 'options' ] });
var callApply = rpc.declare({ object: 'uci', method: 'apply', params: [ 'rollback', 'timeout' ] });

return baseclass.extend({
	__init__: function() {
		this.state = { values: {}, creates: {}, changes: {}, deletes: {} };
		this.nextId = 0;
	},

	load: function(config) {
		var self = this;
		return callGet(config).then(function(values) {
			self.state.values[config] = values || {};
			return config;
		});
	},

	unload: function(config) {
		delete this.state.values[config];
	},

	sections: function(config, type, cb) {
		var all = Object.assign({}, this.state.values[config] || {}, this.state.creates[config] || {}), dels = this.state.deletes[config] || {};
		var list = Object.keys(all).map(function(k) { return all[k]; }).filter(function(s) {
			return !dels[s['.name']] && (!type || s['.type'] == type);
		}).sort(function(a, b) { return a['.index'] - b['.index']; });
		if (cb) list.forEach(function(s) { cb.call(this, s, s['.name']); });
		return list;
	},

	get: function(config, sid, opt) {
		var s = ((this.state.creates[config] || {})[sid]) || ((this.state.values[config] || {})[sid]);
		if (!s || (this.state.deletes[config] || {})[sid]) return null;
		var ch = ((this.state.changes[config] || {})[sid]) || {};
		if (opt == null) return Object.assign({}, s, ch);
		var v = opt in ch ? ch[opt] : s[opt];
		return v === undefined ? null : v;
	},

	set: function(config, sid, opt, value) {
		if (value === '' || value == null || (Array.isArray(value) && !value.length))
			return this.unset(config, sid, opt);
		var c = this.state.changes[config] = this.state.changes[config] || {};
		(c[sid] = c[sid] || {})[opt] = value;
	},

	unset: function(config, sid, opt) {
		if (this.get(config, sid, opt) == null) return;
		var c = this.state.changes[config] = this.state.changes[config] || {};
		(c[sid] = c[sid] || {})[opt] = null;
	},

	add: function(config, type, name) {
		var sid = name || 'new%d'.format(++this.nextId), cr = this.state.creates[config] = this.state.creates[config] || {};
		cr[sid] = { '.type': type, '.name': sid, '.anonymous': !name, '.index': 1000 + this.nextId, '.create': name || null };
		return sid;
	},

	remove: function(config, sid) {
		(this.state.deletes[config] = this.state.deletes[config] || {})[sid] = true;
	},

	// Writes the staged changes through rpcd's uci object (staged there until apply).
	save: function() {
		var self = this, calls = [];
		Object.keys(this.state.values).forEach(function(config) {
			var creates = self.state.creates[config] || {}, changes = self.state.changes[config] || {}, deletes = self.state.deletes[config] || {};
			Object.keys(deletes).forEach(function(sid) { if (!creates[sid]) calls.push(function() { return callDelete(config, sid); }); });
			Object.keys(creates).forEach(function(sid) {
				if (deletes[sid]) return;
				var values = {};
				Object.keys(changes[sid] || {}).forEach(function(o) { if (changes[sid][o] != null) values[o] = changes[sid][o]; });
				calls.push(function() { return callAdd(config, creates[sid]['.type'], creates[sid]['.create'], values); });
			});
			Object.keys(changes).forEach(function(sid) {
				if (creates[sid] || deletes[sid]) return;
				var set = {}, del = [];
				Object.keys(changes[sid]).forEach(function(o) { if (changes[sid][o] == null) del.push(o); else set[o] = changes[sid][o]; });
				if (Object.keys(set).length) calls.push(function() { return callSet(config, sid, set); });
				if (del.length) calls.push(function() { return callDelete(config, sid, del); });
			});
		});
		return calls.reduce(function(p, c) { return p.then(c); }, Promise.resolve()).then(function() {
			var configs = Object.keys(self.state.values);
			self.state.creates = {}; self.state.changes = {}; self.state.deletes = {};
			return Promise.all(configs.map(function(c) { return self.load(c); }));
		});
	},

	apply: function() {
		return callApply(false, 0);
	}
});
