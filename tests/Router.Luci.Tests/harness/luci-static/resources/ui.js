'use strict';
'require baseclass';
'require uci';

// ui: modal dialogs, notifications, the pending-changes apply, and the input widgets forms use
// (Textfield, Select, Checkbox, DynamicList), each with getValue / setValue / isValid.

var Widget = baseclass.extend({
	__init__: function(value, options) {
		this.value = value;
		this.options = options || {};
	},
	// validate(value) -> true or a message; the node shows the message beside the field.
	validator: function(fn) { this.validate = fn; },
	checkValid: function() {
		var values = L.toArray(this.getValue()), msg = true;
		for (var i = 0; i < values.length && msg === true; i++)
			msg = this.validate ? this.validate(values[i]) : true;
		if (msg === true && this.options.optional === false && !values.length && this.validate)
			msg = this.validate('');
		this.error = msg === true ? null : msg;
		if (this.errorNode) {
			this.errorNode.textContent = this.error || '';
			this.node.classList.toggle('cbi-input-invalid', !!this.error);
		}
		return !this.error;
	},
	isValid: function() { return this.checkValid(); },
	changed: function() {
		this.checkValid();
		this.node.dispatchEvent(new CustomEvent('widget-change', { bubbles: true }));
	},
	frame: function(input) {
		this.errorNode = E('div', { 'class': 'cbi-value-error', 'style': 'color:#c62828' });
		this.node = E('div', { 'class': 'cbi-widget' }, [ input, this.errorNode ]);
		return this.node;
	}
});

var Textfield = Widget.extend({
	render: function() {
		var self = this;
		this.input = E('input', { 'type': this.options.password ? 'password' : 'text', 'class': 'cbi-input-text',
			'placeholder': this.options.placeholder || null, 'value': this.value == null ? '' : this.value,
			'input': function() { self.changed(); } });
		return this.frame(this.input);
	},
	getValue: function() { return this.input.value; },
	setValue: function(v) { this.input.value = v == null ? '' : v; this.changed(); }
});

var Select = Widget.extend({
	render: function() {
		var self = this;
		this.input = E('select', { 'class': 'cbi-input-select', 'change': function() { self.changed(); } },
			(this.options.choices || []).map(function(c) {
				return E('option', { 'value': c[0], 'selected': String(c[0]) === String(self.value) ? '' : null }, [ c[1] ]);
			}));
		return this.frame(this.input);
	},
	getValue: function() { return this.input.value; },
	setValue: function(v) { this.input.value = v; this.changed(); }
});

var Checkbox = Widget.extend({
	render: function() {
		var self = this;
		this.input = E('input', { 'type': 'checkbox', 'class': 'cbi-input-checkbox', 'checked': this.value == '1' ? '' : null,
			'change': function() { self.changed(); } });
		return this.frame(this.input);
	},
	getValue: function() { return this.input.checked ? '1' : '0'; },
	setValue: function(v) { this.input.checked = (v == '1'); this.changed(); }
});

var DynamicList = Widget.extend({
	render: function() {
		var self = this;
		this.list = E('div', { 'class': 'cbi-dynlist' });
		L.toArray(this.value).forEach(function(v) { self.addItem(v); });
		this.input = E('input', { 'type': 'text', 'class': 'cbi-input-text', 'placeholder': this.options.placeholder || null });
		var add = E('button', { 'class': 'cbi-button cbi-button-add', 'click': function(ev) {
			ev.preventDefault();
			if (self.input.value !== '') {
				self.addItem(self.input.value);
				self.input.value = '';
				self.changed();
			}
		} }, [ '+' ]);
		return this.frame(E('div', {}, [ this.list, this.input, add ]));
	},
	addItem: function(v) {
		var self = this, item = E('div', { 'class': 'item', 'data-value': v }, [ E('span', {}, [ v ]), ' ',
			E('button', { 'class': 'cbi-button cbi-button-remove', 'click': function(ev) { ev.preventDefault(); item.remove(); self.changed(); } }, [ '×' ]) ]);
		this.list.appendChild(item);
	},
	getValue: function() {
		return Array.prototype.map.call(this.list.querySelectorAll('.item'), function(n) { return n.getAttribute('data-value'); });
	},
	setValue: function(v) {
		var self = this;
		this.list.replaceChildren();
		L.toArray(v).forEach(function(x) { self.addItem(x); });
		this.changed();
	}
});

function overlay() {
	var o = document.getElementById('modal_overlay');
	if (!o) {
		o = E('div', { 'id': 'modal_overlay', 'style': 'display:none;position:fixed;inset:0;background:rgba(0,0,0,.4)' }, [
			E('div', { 'class': 'modal', 'role': 'dialog', 'style': 'background:#fff;max-width:40em;margin:10% auto;padding:1em' }) ]);
		document.body.appendChild(o);
	}
	return o;
}

return baseclass.extend({
	Textfield: Textfield,
	Select: Select,
	Checkbox: Checkbox,
	DynamicList: DynamicList,

	showModal: function(title, children) {
		var o = overlay(), dlg = o.firstChild;
		dlg.replaceChildren();
		if (title) dlg.appendChild(E('h4', {}, [ title ]));
		L.dom.append(dlg, children);
		o.style.display = 'block';
		return dlg;
	},

	hideModal: function() {
		overlay().style.display = 'none';
	},

	addNotification: function(title, children, cls) {
		var mc = document.getElementById('maincontent');
		var n = E('div', { 'class': 'alert-message notice ' + (cls || '') }, [
			title ? E('h4', {}, [ title ]) : '', E('div', {}, L.toArray(children)),
			E('button', { 'class': 'btn', 'click': function() { n.remove(); } }, [ _('Dismiss') ]) ]);
		mc.insertBefore(n, mc.firstChild);
		return n;
	},

	// What LuCI's "Save & Apply" does once the maps are saved: commit the staged changes (rpcd then has the
	// services whose config changed reloaded).
	changes: {
		apply: function() {
			var ui = this;
			return uci.apply().then(function() {
				var mc = document.getElementById('maincontent');
				var n = E('div', { 'class': 'alert-message notice routerha-applied' }, [ _('Configuration changes applied.') ]);
				mc.insertBefore(n, mc.firstChild);
			});
		}
	}
});
