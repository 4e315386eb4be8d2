// A small implementation of LuCI's client core (luci.js), written from LuCI's JavaScript API documentation, so
// the views of luci-app-routerha run in a browser without an OpenWrt router. It holds what the app uses: L
// (Class, require, bind, resolveDefault), E(), _(), String.prototype.format, and the built-in classes
// baseclass, view, poll and dom. rpc, uci, ui and form are modules beside this file, loaded like LuCI loads them.
'use strict';
(function(window) {
	var document = window.document;

	// String.prototype.format: the printf subset LuCI views use (%s %d %f %.Nf %x %%).
	String.prototype.format = function() {
		var args = arguments, i = 0;
		return this.replace(/%(%|(\.(\d+))?([sdfx]))/g, function(m, pct, p, prec, conv) {
			if (pct == '%') return '%';
			var v = args[i++];
			switch (conv) {
			case 's': return (v == null) ? '' : String(v);
			case 'd': return String(Math.trunc(Number(v)));
			case 'x': return Number(v).toString(16);
			case 'f': return prec != null ? Number(v).toFixed(+prec) : String(Number(v));
			}
		});
	};

	// Class: extend() builds a constructor whose __init__ runs on new; super(name, args) calls the parent's method.
	function Class() {}
	Class.extend = function(props) {
		var parent = this;
		function Sub() {
			if (typeof this.__init__ == 'function')
				return this.__init__.apply(this, arguments) || this;
		}
		Sub.prototype = Object.create(parent.prototype);
		Sub.prototype.constructor = Sub;
		Object.keys(props || {}).forEach(function(k) { Sub.prototype[k] = props[k]; });
		Sub.prototype.__base__ = parent.prototype;
		Sub.extend = Class.extend;
		Sub.isSubclass = true;
		return Sub;
	};
	Class.prototype.super = function(name, args) {
		// Walk up from the prototype that defines the calling method's owner.
		var proto = Object.getPrototypeOf(this), fn = this[name];
		while (proto && proto[name] === fn) proto = Object.getPrototypeOf(proto);
		return proto && typeof proto[name] == 'function' ? proto[name].apply(this, args || []) : undefined;
	};
	Class.isSubclass = true;

	function E(tag, attrs, children) {
		var node = document.createElement(tag);
		if (Array.isArray(attrs) || typeof attrs == 'string' || attrs instanceof window.Node) {
			children = attrs;
			attrs = null;
		}
		Object.keys(attrs || {}).forEach(function(k) {
			var v = attrs[k];
			if (v == null) return;
			if (typeof v == 'function') node.addEventListener(k, v);
			else if (typeof v == 'object') node.setAttribute(k, JSON.stringify(v));
			else node.setAttribute(k, v);
		});
		append(node, children);
		return node;
	}

	function append(node, children) {
		if (children == null) return;
		if (!Array.isArray(children)) children = [ children ];
		children.forEach(function(c) {
			if (c == null || c === '') return;
			if (Array.isArray(c)) append(node, c);
			else node.appendChild(c instanceof window.Node ? c : document.createTextNode(String(c)));
		});
	}

	var dom = {
		content: function(node, children) { node.replaceChildren(); append(node, children); return node; },
		append: function(node, children) { append(node, children); return node; },
		elem: function(x) { return x instanceof window.Node; }
	};

	// poll: functions run one after another every interval seconds while started.
	var poll = {
		queue: [],
		add: function(fn, interval) {
			var entry = { fn: fn, interval: (interval || 5) * 1000, next: 0 };
			this.queue.push(entry);
			this.start();
			return true;
		},
		remove: function(fn) { this.queue = this.queue.filter(function(e) { return e.fn !== fn; }); },
		start: function() {
			if (this.timer) return;
			var self = this;
			this.timer = window.setInterval(function() {
				var now = Date.now();
				self.queue.forEach(function(e) {
					if (e.running || now < e.next) return;
					e.running = true;
					Promise.resolve().then(e.fn).catch(function(err) { console.error(err); }).then(function() {
						e.running = false;
						e.next = Date.now() + e.interval;
					});
				});
			}, 100);
		},
		stop: function() { window.clearInterval(this.timer); this.timer = null; },
		active: function() { return this.timer != null; }
	};

	var classes = { baseclass: Class, dom: dom, poll: poll };
	var loading = {};

	var L = {
		Class: Class,
		dom: dom,
		poll: poll,
		env: { resource: '/luci-static/resources', sessionid: '00000000000000000000000000000000' },
		bind: function(fn, self) {
			var extra = Array.prototype.slice.call(arguments, 2);
			return function() { return fn.apply(self, extra.concat(Array.prototype.slice.call(arguments))); };
		},
		resolveDefault: function(p, def) { return Promise.resolve(p).catch(function() { return def; }); },
		isObject: function(x) { return x != null && typeof x == 'object'; },
		toArray: function(x) { return x == null ? [] : Array.isArray(x) ? x : [ x ]; },
		// require('a.b'): fetch /luci-static/resources/a/b.js, load its 'require' lines first, run it with them as
		// arguments, and instantiate what it returns when that is a class (as LuCI does).
		require: function(name) {
			if (classes[name]) return Promise.resolve(classes[name]);
			if (loading[name]) return loading[name];
			var url = L.env.resource + '/' + name.replace(/\./g, '/') + '.js';
			return loading[name] = window.fetch(url, { cache: 'no-store' }).then(function(res) {
				if (!res.ok) throw new Error('cannot load ' + url + ': HTTP ' + res.status);
				return res.text();
			}).then(function(source) {
				var deps = [], names = [], re = /^\s*'require\s+([\w.]+)(?:\s+as\s+(\w+))?'\s*;?\s*$/;
				source.split('\n').some(function(line) {
					var m = re.exec(line);
					if (m) {
						deps.push(m[1]);
						names.push(m[2] || m[1].replace(/.*\./, ''));
						return false;
					}
					return !/^\s*('use strict'\s*;?)?\s*(\/\/.*)?$/.test(line);
				});
				return Promise.all(deps.map(L.require)).then(function(mods) {
					var fn = new Function(names.join(','), source + '\n//# sourceURL=' + url);
					var res = fn.apply(L, mods);
					if (typeof res == 'function' && res.isSubclass) res = new res();
					return classes[name] = res;
				});
			});
		}
	};

	// View: load() then render(), shown in #view with LuCI's footer (Save & Apply, Save, Reset).
	var View = Class.extend({
		__init__: function() {
			var vp = document.getElementById('view'), self = this;
			dom.content(vp, E('div', { 'class': 'spinning' }, [ _('Loading view…') ]));
			this.ready = Promise.resolve(this.load()).then(function(data) { return self.render(data); }).then(function(nodes) {
				dom.content(vp, nodes);
				dom.append(vp, self.addFooter());
				vp.setAttribute('data-ready', '1');
			}).catch(function(err) {
				dom.content(vp, E('div', { 'class': 'alert-message error' }, [ String(err && err.stack || err) ]));
				vp.setAttribute('data-ready', 'error');
			});
		},
		load: function() {},
		render: function() {},
		handleSave: function() {
			var maps = Array.prototype.slice.call(document.querySelectorAll('#view .cbi-map')).map(function(n) { return n.__map; });
			return Promise.all(maps.map(function(m) { return m.save(); }));
		},
		handleSaveApply: function() {
			var self = this;
			return this.handleSave().then(function() { return L.require('ui'); }).then(function(ui) { return ui.changes.apply(); })
				.catch(function(err) { console.warn(err); });
		},
		handleReset: function() {
			window.location.reload();
		},
		addFooter: function() {
			var buttons = [];
			if (this.handleSaveApply)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-apply', 'click': L.bind(this.handleSaveApply, this) }, [ _('Save & Apply') ]));
			if (this.handleSave)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-save', 'click': L.bind(this.handleSave, this) }, [ _('Save') ]));
			if (this.handleReset)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-reset', 'click': L.bind(this.handleReset, this) }, [ _('Reset') ]));
			return buttons.length ? E('div', { 'class': 'cbi-page-actions' }, buttons) : E('div');
		}
	});
	classes.view = View;

	window.L = L;
	window.E = E;
	// No catalog is loaded: the source strings are the English text.
	window._ = function(s) { return s; };
	window.N_ = function(n, s, p) { return n == 1 ? s : p; };
})(window);
