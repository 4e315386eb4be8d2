'use strict';
'require baseclass';
'require uci';
'require ui';
'require dom';

// form: Map over one uci config; sections (TypedSection, NamedSection) hold options (Value, ListValue, Flag,
// DynamicList, Button) rendered as ui widgets. An option shows while one of its depends() holds; save() checks
// every shown option with its validate(section_id, value) and writes only when all are valid.

var Map = baseclass.extend({
	__init__: function(config, title, description) {
		this.config = config;
		this.title = title;
		this.description = description;
		this.children = [];
	},
	section: function(cls, type, title, description) {
		var s = new cls(this, type, title, description);
		this.children.push(s);
		return s;
	},
	lookupOption: function(name, section_id) {
		for (var i = 0; i < this.children.length; i++) {
			var s = this.children[i];
			for (var j = 0; j < s.children.length; j++)
				if (s.children[j].option == name && (section_id == null || s.sectionIds().indexOf(section_id) >= 0))
					return [ s.children[j], section_id ];
		}
		return null;
	},
	render: function() {
		var self = this;
		this.root = E('div', { 'class': 'cbi-map', 'id': 'cbi-' + this.config }, [
			this.title ? E('h2', {}, [ this.title ]) : '',
			this.description ? E('div', { 'class': 'cbi-map-descr' }, [ this.description ]) : '',
			E('div', { 'class': 'cbi-map-sections' }, this.children.map(function(s) { return s.render(); }))
		]);
		this.root.__map = this;
		this.root.addEventListener('widget-change', function() { self.updateDepends(); });
		this.updateDepends();
		return Promise.resolve(this.root);
	},
	updateDepends: function() {
		this.children.forEach(function(s) { s.updateDepends(); });
	},
	// Refuses (and says which fields) when a shown option is invalid; otherwise stages and saves through uci.
	save: function() {
		var invalid = [];
		this.children.forEach(function(s) {
			s.sectionIds().forEach(function(sid) {
				s.children.forEach(function(o) {
					if (o.isActive(sid) && o.widgets[sid] && !o.widgets[sid].isValid())
						invalid.push('%s.%s: %s'.format(sid, o.option, o.widgets[sid].error));
				});
			});
		});
		if (invalid.length) {
			ui.addNotification(null, E('p', { 'class': 'routerha-invalid' }, [ _('Some fields are invalid, cannot save values!') ]), 'danger');
			return Promise.reject(new Error(invalid.join('; ')));
		}
		this.children.forEach(function(s) { s.parse(); });
		return uci.save();
	}
});

var AbstractSection = baseclass.extend({
	__init__: function(map, type, title, description) {
		this.map = map;
		this.sectiontype = type;
		this.title = title;
		this.description = description;
		this.children = [];
		this.tabs = null;
	},
	tab: function(name, title) {
		(this.tabs = this.tabs || []).push({ name: name, title: title });
	},
	option: function(cls, name, title, description) {
		var o = new cls(this, name, title, description);
		this.children.push(o);
		return o;
	},
	taboption: function(tab, cls, name, title, description) {
		var o = this.option(cls, name, title, description);
		o.tab = tab;
		return o;
	},
	formvalue: function(section_id, name) {
		var o = this.children.filter(function(c) { return c.option == name; })[0];
		return o ? o.formvalue(section_id) : null;
	},
	renderSection: function(sid) {
		var self = this, groups;
		var rows = function(list) { return list.map(function(o) { return o.renderRow(sid); }); };
		if (this.tabs)
			groups = this.tabs.map(function(t) {
				return E('fieldset', { 'class': 'cbi-section-tab', 'data-tab': t.name }, [ E('legend', {}, [ t.title ]),
					rows(self.children.filter(function(o) { return o.tab == t.name; })) ]);
			});
		else
			groups = rows(this.children);
		return E('div', { 'class': 'cbi-section-node', 'id': 'cbi-%s-%s'.format(this.map.config, sid), 'data-section': sid }, [
			this.anonymous ? '' : E('h4', {}, [ sid ]),
			groups,
			this.addremove ? E('button', { 'class': 'cbi-button cbi-button-remove', 'click': function(ev) {
				ev.preventDefault();
				uci.remove(self.map.config, sid);
				ev.target.closest('.cbi-section-node').remove();
			} }, [ _('Delete') ]) : ''
		]);
	},
	render: function() {
		var self = this, nodes = this.sectionIds().map(function(sid) { return self.renderSection(sid); });
		var container = E('div', { 'class': 'cbi-section', 'id': 'cbi-%s-%s'.format(this.map.config, this.sectiontype) }, [
			this.title ? E('h3', {}, [ this.title ]) : '',
			this.description ? E('div', { 'class': 'cbi-section-descr' }, [ this.description ]) : '',
			E('div', { 'class': 'cbi-section-nodes' }, nodes)
		]);
		if (this.addremove) {
			var name = E('input', { 'type': 'text', 'class': 'cbi-section-create-name', 'placeholder': this.anonymous ? null : _('name') });
			container.appendChild(E('div', { 'class': 'cbi-section-create' }, [ this.anonymous ? '' : name,
				E('button', { 'class': 'cbi-button cbi-button-add', 'click': function(ev) {
					ev.preventDefault();
					var sid = uci.add(self.map.config, self.sectiontype, self.anonymous ? null : (name.value || null));
					container.querySelector('.cbi-section-nodes').appendChild(self.renderSection(sid));
					self.map.updateDepends();
				} }, [ _('Add') ]) ]));
		}
		return container;
	},
	updateDepends: function() {
		var self = this;
		this.sectionIds().forEach(function(sid) { self.children.forEach(function(o) { o.updateVisibility(sid); }); });
	},
	parse: function() {
		var self = this;
		this.sectionIds().forEach(function(sid) { self.children.forEach(function(o) { o.parse(sid); }); });
	}
});

var TypedSection = AbstractSection.extend({
	sectionIds: function() {
		return uci.sections(this.map.config, this.sectiontype).map(function(s) { return s['.name']; });
	}
});

var NamedSection = AbstractSection.extend({
	__init__: function(map, name, type, title, description) {
		AbstractSection.prototype.__init__.call(this, map, type, title, description);
		this.section = name;
	},
	sectionIds: function() {
		return uci.get(this.map.config, this.section) ? [ this.section ] : [];
	}
});

var AbstractValue = baseclass.extend({
	__init__: function(section, option, title, description) {
		this.section = section;
		this.map = section.map;
		this.option = option;
		this.title = title;
		this.description = description;
		this.deps = [];
		this.keylist = [];
		this.vallist = [];
		this.widgets = {};
		this.rmempty = true;
	},
	depends: function(field, value) {
		var d = {};
		if (typeof field == 'string') d[field] = value;
		else d = field;
		this.deps.push(d);
	},
	value: function(key, label) {
		this.keylist.push(key);
		this.vallist.push(label != null ? label : key);
	},
	cfgvalue: function(sid) {
		return uci.get(this.map.config, sid, this.option);
	},
	formvalue: function(sid) {
		var w = this.widgets[sid];
		return w ? w.getValue() : this.cfgvalue(sid);
	},
	getUIElement: function(sid) {
		return this.widgets[sid];
	},
	isActive: function(sid) {
		var self = this;
		if (!this.deps.length) return true;
		return this.deps.some(function(d) {
			return Object.keys(d).every(function(k) { return String(self.section.formvalue(sid, k)) === String(d[k]); });
		});
	},
	widgetOptions: function() {
		return { placeholder: this.placeholder, password: this.password, optional: this.rmempty !== false };
	},
	renderRow: function(sid) {
		var self = this, value = this.cfgvalue(sid);
		if (value == null && this.default != null) value = this.default;
		var w = this.widgets[sid] = this.makeWidget(value);
		w.validator(function(v) { return self.validate ? self.validate.call(self, sid, v) : true; });
		var row = E('div', { 'class': 'cbi-value', 'id': 'cbi-%s-%s-%s'.format(this.map.config, sid, this.option),
			'data-name': this.option, 'data-section': sid }, [
			E('label', { 'class': 'cbi-value-title' }, [ this.title || this.option ]),
			E('div', { 'class': 'cbi-value-field' }, [ w.render(),
				this.description ? E('div', { 'class': 'cbi-value-description' }, [ this.description ]) : '' ])
		]);
		this.rows = this.rows || {};
		this.rows[sid] = row;
		if (value != null && value !== '') window.setTimeout(function() { w.checkValid(); }, 0);
		return row;
	},
	updateVisibility: function(sid) {
		if (this.rows && this.rows[sid]) this.rows[sid].style.display = this.isActive(sid) ? '' : 'none';
	},
	// Writes the form value when it differs; an inactive or emptied option is removed, as LuCI does.
	parse: function(sid) {
		if (!this.widgets[sid]) return;
		var active = this.isActive(sid), fval = active ? this.formvalue(sid) : null, cval = this.cfgvalue(sid);
		if (JSON.stringify(fval) === JSON.stringify(cval)) return;
		if (fval == null || fval === '' || (Array.isArray(fval) && !fval.length)) {
			if (cval != null) uci.unset(this.map.config, sid, this.option);
		}
		else
			uci.set(this.map.config, sid, this.option, fval);
	}
});

var Value = AbstractValue.extend({
	makeWidget: function(v) { return new ui.Textfield(v, this.widgetOptions()); }
});

var ListValue = AbstractValue.extend({
	makeWidget: function(v) {
		var o = this.widgetOptions();
		o.choices = this.keylist.map(function(k, i) { return [ k, this.vallist[i] ]; }, this);
		return new ui.Select(v, o);
	}
});

var Flag = AbstractValue.extend({
	makeWidget: function(v) { return new ui.Checkbox(v, this.widgetOptions()); },
	// A flag at its default is not written (LuCI leaves the option out).
	formvalue: function(sid) {
		var w = this.widgets[sid], v = w ? w.getValue() : this.cfgvalue(sid);
		return (this.cfgvalue(sid) == null && v == (this.default || '0')) ? null : v;
	}
});

var DynamicList = AbstractValue.extend({
	makeWidget: function(v) { return new ui.DynamicList(v == null ? [] : L.toArray(v), this.widgetOptions()); },
	cfgvalue: function(sid) {
		var v = uci.get(this.map.config, sid, this.option);
		return v == null ? null : L.toArray(v);
	}
});

var Button = AbstractValue.extend({
	makeWidget: function() {
		var self = this;
		return {
			validator: function() {}, isValid: function() { return true; }, checkValid: function() { return true; },
			getValue: function() { return null; },
			render: function() {
				return E('button', { 'class': 'cbi-button cbi-button-' + (self.inputstyle || 'button'), 'click': function(ev) {
					ev.preventDefault();
					return self.onclick ? self.onclick(ev, this.sid) : null;
				}.bind({ sid: self.currentSid }) }, [ self.inputtitle || self.title ]);
			}
		};
	},
	renderRow: function(sid) {
		this.currentSid = sid;
		return AbstractValue.prototype.renderRow.call(this, sid);
	},
	parse: function() {}
});

return baseclass.extend({
	Map: Map,
	TypedSection: TypedSection,
	NamedSection: NamedSection,
	Value: Value,
	ListValue: ListValue,
	Flag: Flag,
	DynamicList: DynamicList,
	Button: Button
});
