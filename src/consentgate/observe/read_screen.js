// Reads what a person sees on the current screen: visible controls and form fields, with the text
// around them, their on-screen size and text contrast. Each control and field is tagged with
// data-cg-control / data-cg-field (its index in the result) so the walker can act on it afterwards.
(captchaSelectors) => {
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) !== 0;
  };
  const parseColor = (c) => {
    const m = (c || '').match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parseColor(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const contrast = (el) => {
    const fg = parseColor(getComputedStyle(el).color);
    if (!fg) return null;
    const a = lum(fg), b = lum(background(el));
    return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
  };
  const labelOf = (el) => {
    if (el.id) {
      const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (l) return clean(l.innerText);
    }
    const wrap = el.closest('label');
    if (wrap) return clean(wrap.innerText);
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const t = by.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((n) => n.innerText).join(' ');
      if (clean(t)) return clean(t);
    }
    return '';
  };
  const nearby = (el) => {
    // The text of the smallest ancestor that has text besides the element itself: what sits next to it.
    for (let n = el.parentElement, i = 0; n && i < 3; n = n.parentElement, i++) {
      const t = clean(n.innerText);
      if (t && t !== clean(el.innerText || el.value || '')) return t.slice(0, 300);
    }
    return '';
  };
  const described = (el) => {
    const by = el.getAttribute('aria-describedby');
    if (!by) return '';
    return clean(by.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((n) => n.innerText).join(' '));
  };
  // Which form an element belongs to (index in document.forms, -1 for none): the walker submits the
  // form it filled, not a search box or a login form beside it.
  const forms = [...document.forms];
  const formOf = (el) => { const f = el.form || el.closest('form'); return f ? forms.indexOf(f) : -1; };
  // A field marked required by style rather than attribute (`class="required"` on its label or on the
  // row it sits in, as Roundup and Django's admin do, with a note that highlighted fields are required).
  const requiredClass = (n) => /(^|[\s_-])required($|[\s_-])/i.test(n.getAttribute('class') || '');
  const styledRequired = (el) => {
    const label = (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) || el.closest('label');
    if (label && requiredClass(label)) return true;
    for (let n = el.parentElement, i = 0; n && i < 3; n = n.parentElement, i++) {
      if (n.querySelectorAll('input:not([type=hidden]), select, textarea').length > 1) return false;
      if (clean(n.innerText)) return requiredClass(n) || [...n.querySelectorAll('[class]')].some(requiredClass);
    }
    return false;
  };
  document.querySelectorAll('[data-cg-control],[data-cg-field]').forEach((n) => {
    n.removeAttribute('data-cg-control'); n.removeAttribute('data-cg-field');
  });
  const controls = [];
  const seen = new Set();
  const clickable = 'button, a[href], a[onclick], [role=button], [role=link], [role=switch], [role=checkbox], summary, input[type=submit], input[type=button], input[type=checkbox], [onclick]';
  // A toggle drawn with ARIA (role=switch or checkbox on a div or button) is a tick box as a person reads it.
  const aria = (el) => el.tagName !== 'INPUT' && ['switch', 'checkbox'].includes(el.getAttribute('role'));
  for (const el of document.querySelectorAll(clickable)) {
    if (seen.has(el) || !visible(el) && el.type !== 'checkbox') continue;
    if (el.matches('[onclick]') && !el.matches(clickable.replace(', [onclick]', '')) && el.querySelector(clickable)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    const box = el.type === 'checkbox' || aria(el);
    let text = box ? (labelOf(el) || clean(el.getAttribute('aria-label')) || nearby(el)) : clean(el.innerText || el.value || el.getAttribute('aria-label') || el.title);
    const shown = box ? (visible(el) || (el.closest('label') && visible(el.closest('label')))) : true;
    if (!text && !box) continue;
    el.setAttribute('data-cg-control', String(controls.length));
    controls.push({
      text, tag: el.tagName.toLowerCase(), type: box ? 'checkbox' : (el.type || '').toLowerCase(),
      href: el.getAttribute('href') || '', checked: box ? (aria(el) ? el.getAttribute('aria-checked') === 'true' : el.checked) : null,
      required: box ? !!el.required || el.getAttribute('aria-required') === 'true' : false,
      visible: !!shown, area: Math.round(r.width * r.height), contrast: box ? null : contrast(el),
      form: formOf(el),
    });
  }
  const fields = [];
  const skip = new Set(['hidden', 'submit', 'button', 'checkbox', 'radio', 'image', 'reset']);
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || (el.tagName === 'INPUT' ? 'text' : el.tagName.toLowerCase())).toLowerCase();
    if (skip.has(type) || !visible(el)) continue;
    el.setAttribute('data-cg-field', String(fields.length));
    const label = labelOf(el);
    fields.push({
      name: el.name || el.id || '', type, label, aria: clean(el.getAttribute('aria-label')),
      placeholder: clean(el.getAttribute('placeholder')), near: nearby(el), described: described(el),
      required: el.required || el.getAttribute('aria-required') === 'true', value: el.value ? 1 : 0,
      styledRequired: styledRequired(el), form: formOf(el),
    });
  }
  const dialog = [...document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog], [aria-modal=true]')].find(visible);
  const captcha = (sel) => { try { return !!document.querySelector(sel); } catch (e) { return false; } };
  return {
    title: document.title, url: location.href, text: clean(document.body ? document.body.innerText : ''),
    dialog: dialog ? clean(dialog.innerText) : null, controls, fields,
    captchaSelectors: (captchaSelectors || []).filter(captcha),
  };
}
