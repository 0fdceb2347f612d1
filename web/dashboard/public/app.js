/* app.js: the creditscore dashboard. It talks to the scoring API through the dashboard
 * server (/api/... is forwarded to the API), never to another origin. Data values are put
 * on the page with textContent only, so a category such as "<script>" shows as text. */
'use strict';
(function () {
  const PAGE = 20;
  const COLORS = { approve: '#1b6e35', refuse: '#a61b1b', accent: '#1f4fa3', muted: '#4a5263', toDefault: '#a61b1b', toRepay: '#1f4fa3' };
  const state = {
    lang: localStorage.getItem('cs-lang') || 'en',
    offset: 0, total: 0, q: '', selected: null,
    model: null, client: null, explain: null, importance: null, charts: {}, tab: 'local'
  };
  const $ = (id) => document.getElementById(id);

  /* ---- text ------------------------------------------------------------------------ */
  function t(key, vars) {
    const dict = window.CS_I18N[state.lang] || window.CS_I18N.en;
    let s = dict[key] !== undefined ? dict[key] : (window.CS_I18N.en[key] || key);
    if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }
  const locale = () => (state.lang === 'fr' ? 'fr-FR' : 'en-GB');
  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits === undefined ? 0 : digits }).format(v);
  }
  const pct = (v) => (v === null || v === undefined) ? '—' : num(100 * v, 1) + ' %';

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    $('lang').textContent = state.lang === 'en' ? 'FR' : 'EN';
    $('lang').setAttribute('aria-label', state.lang === 'en' ? 'Passer en français' : 'Switch to English');
    renderModelInfo();
    if (state.model && state.model.feature_labels) fillFeatureSelect();
    renderClientList();
    if (state.client) renderClient();
    if (state.client && state.model && state.model.recipe) {
      /* a recipe's labels and reason codes come from the API in the page's language */
      const id = state.client.id;
      api('/v1/explain', { client_id: id, lang: state.lang }).then((x) => {
        if (state.client && state.client.id === id) { state.explain = x; renderClient(); }
      }).catch((e) => report(e, { client: id }));
    }
  }

  /* ---- errors ---------------------------------------------------------------------- */
  function showError(msg) { const e = $('error'); e.textContent = msg; e.hidden = false; }
  function clearError() { $('error').hidden = true; $('error').textContent = ''; }

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(path, body) {
    let res;
    try {
      res = await fetch('/api' + path, body === undefined ? {} : {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
      });
    } catch (e) {
      throw new ApiError(0, 'network', e.message);
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText);
    }
    return data;
  }

  function report(e, context) {
    if (e.status === 0 || e.status === 502 || e.status === 503 || e.code === 'api_unavailable') {
      showError(t('err_api', { m: e.message }));
    } else if (e.status === 404 && context && context.client !== undefined) {
      showError(t('err_client', { id: context.client }));
    } else {
      showError(t('err_generic', { m: e.message }));
    }
  }

  /* ---- model ----------------------------------------------------------------------- */
  async function loadModel() {
    try {
      state.model = await api('/v1/model');
      renderModelInfo();
      const sel = $('feature-select');
      sel.textContent = '';
      fillFeatureSelect();
    } catch (e) { report(e); }
  }
  /* the features to compare, by the recipe's label when the model has one */
  function fillFeatureSelect() {
    const sel = $('feature-select'), m = state.model || {};
    const labels = m.feature_labels || [], keep = sel.value;
    sel.textContent = '';
    (m.features || []).forEach((f, i) => {
      const o = document.createElement('option');
      const l = labels[i];
      o.value = f; o.textContent = l ? (l[state.lang] || l.en) : f;
      sel.appendChild(o);
    });
    if (keep) sel.value = keep;
  }
  function renderModelInfo() {
    const m = state.model;
    $('model-info').textContent = m ? t('model', { n: m.name || '', v: m.version || '' }) : '';
  }

  /* ---- client picker ------------------------------------------------------------------ */
  async function loadClients() {
    const qs = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
    if (state.q) qs.set('q', state.q);
    try {
      const page = await api('/v1/clients?' + qs.toString());
      state.total = page.total;
      state.page = page.clients || [];
      clearError();
      renderClientList();
    } catch (e) { report(e); }
  }
  function renderClientList() {
    const ul = $('client-list');
    ul.textContent = '';
    const list = state.page || [];
    for (const c of list) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.id = String(c.id);
      b.textContent = String(c.id);
      if (c.target === 1 || c.target === 0) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = c.target === 1 ? t('defaulted') : t('repaid');
        b.appendChild(tag);
      }
      if (state.selected === c.id) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', () => selectClient(c.id));
      li.appendChild(b);
      ul.appendChild(li);
    }
    $('client-count').textContent = list.length ? t('n_clients', { n: num(state.total) }) : t('no_clients');
    const pages = Math.max(1, Math.ceil(state.total / PAGE));
    $('page').textContent = t('page', { p: Math.floor(state.offset / PAGE) + 1, n: pages });
    $('prev').disabled = state.offset === 0;
    $('next').disabled = state.offset + PAGE >= state.total;
  }

  /* ---- one client -------------------------------------------------------------------- */
  async function selectClient(id) {
    state.selected = id;
    renderClientList();
    try {
      const [client, explain] = await Promise.all([
        api('/v1/clients/' + encodeURIComponent(id)),
        api('/v1/explain', { client_id: id, lang: state.lang })
      ]);
      state.client = client;
      state.explain = explain;
      clearError();
      $('placeholder').hidden = true;
      $('client-view').hidden = false;
      renderClient();
      $('main').focus();
    } catch (e) { report(e, { client: id }); }
  }

  function info(dl, label, value) {
    const d = document.createElement('div');
    const dt = document.createElement('dt'); dt.textContent = label;
    const dd = document.createElement('dd'); dd.textContent = value;
    d.appendChild(dt); d.appendChild(dd); dl.appendChild(d);
  }

  /* A value with its display unit (the units of docs/recipes.md as the clients store keeps
   * them: days before the application are already years there): years, months, days, a
   * count, a ratio, a 0/1 flag, an amount ("currency" or a currency code such as USD), a
   * percentage, or a share shown as one. */
  function withUnit(v, unit) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'string') return v;
    switch (unit) {
      case 'years': return num(v, v < 10 ? 1 : 0) + ' ' + t('years');
      case 'age_days': return num(Math.floor(-v / 365.25), 0) + ' ' + t('years');      /* days before: age */
      case 'duration_days': return num(-v / 365.25, 1) + ' ' + t('years');
      case 'months': return num(v, 0) + ' ' + t('months');
      case 'days': return num(v, 0) + ' ' + t('days');
      case '%': case 'percent': return num(v, 2) + ' %';
      case 'share': return num(100 * v, 1) + ' %';
      case 'count': return num(v, 0);
      case 'ratio': return num(v, 3);
      case 'flag': return v ? t('yes') : t('no');
      case 'currency': case null: case undefined: case '': return num(v, Math.abs(v) < 10 ? 3 : 0);
      default:
        if (/^[A-Z]{3}$/.test(unit)) {
          return new Intl.NumberFormat(locale(), { style: 'currency', currency: unit, maximumFractionDigits: 0 }).format(v);
        }
        return num(v, Math.abs(v) < 10 ? 3 : 0) + ' ' + unit;
    }
  }

  function renderProfile(dl, fields) {
    for (const f of fields) {
      const label = (f.label && (f.label[state.lang] || f.label.en)) || f.name;
      info(dl, label, withUnit(f.value, f.unit));
    }
  }

  function renderHomeCredit(dl, c) {
    info(dl, t('age'), c.age_years == null ? '—' : num(c.age_years, 0) + ' ' + t('years'));
    info(dl, t('children'), num(c.children));
    info(dl, t('income_f'), num(c.income));
    info(dl, t('employed'), c.employment_years == null ? t('not_employed') : num(c.employment_years, 1));
    info(dl, t('credit_f'), num(c.credit));
    info(dl, t('annuity_f'), num(c.annuity));
    info(dl, t('goods'), num(c.goods_price));
    info(dl, t('contract'), c.contract_type || '—');
    info(dl, t('education'), c.education || '—');
    info(dl, t('family'), c.family_status || '—');
    info(dl, t('gender'), c.gender || '—');
  }

  function renderClient() {
    const c = state.client, x = state.explain;
    $('client-id').textContent = String(c.id);
    const dl = $('client-info');
    dl.textContent = '';
    if (c.profile && !('age_years' in c)) renderProfile(dl, c.profile);   /* a recipe's profile fields */
    else renderHomeCredit(dl, c);
    if (c.target === 0 || c.target === 1) info(dl, t('target'), c.target === 1 ? t('defaulted') : t('repaid'));
    renderDecision(x, $('decision-badge'), $('decision-text'), $('distance-text'));
    $('score').textContent = num(x.score, 0);
    const ol = $('reasons');
    ol.textContent = '';
    for (const r of x.reason_codes || []) {
      const li = document.createElement('li');
      li.textContent = r.text;
      ol.appendChild(li);
    }
    $('reasons-block').hidden = !(x.reason_codes && x.reason_codes.length);
    renderGauge(x.probability, x.threshold);
    if (window.CS_SCORECARD) window.CS_SCORECARD.render(x, state.lang);   /* scorecard models: the points table */
    renderLocal();
    fillWhatIf();
    renderTab(state.tab);
  }

  function distanceWords(d) {
    const pts = num(Math.abs(100 * d), 1);
    if (d >= 0) return t(d < 0.05 ? 'dist_close_above' : 'dist_far_above', { d: pts });
    return t(d > -0.05 ? 'dist_close_below' : 'dist_far_below', { d: pts });
  }

  function renderDecision(x, badge, text, dist) {
    const refused = x.decision === 'refuse';
    badge.className = 'badge ' + (refused ? 'refuse' : 'approve');
    badge.textContent = (refused ? '✗ ' : '✓ ') + t(refused ? 'refused' : 'approved');
    badge.dataset.decision = x.decision;
    text.textContent = t('prob_vs', { p: pct(x.probability), t: pct(x.threshold) });
    dist.textContent = distanceWords(x.probability - x.threshold);
  }

  /* ---- charts ------------------------------------------------------------------------ */
  function chart(id) {
    if (!window.echarts) return null;
    if (!state.charts[id]) state.charts[id] = window.echarts.init($(id), null, { renderer: 'canvas' });
    return state.charts[id];
  }

  function renderGauge(p, th) {
    const g = chart('gauge');
    $('gauge').setAttribute('aria-label', t('prob_vs', { p: pct(p), t: pct(th) }));
    if (!g) return;
    g.setOption({
      series: [{
        type: 'gauge', min: 0, max: 100, startAngle: 200, endAngle: -20, splitNumber: 5,
        axisLine: { lineStyle: { width: 18, color: [[th, COLORS.approve], [1, COLORS.refuse]] } },
        axisTick: { show: false }, splitLine: { length: 8 }, axisLabel: { distance: 22, color: COLORS.muted },
        pointer: { width: 6 }, itemStyle: { color: '#1d2330' },
        detail: { formatter: (v) => num(v, 1) + ' %', fontSize: 20, offsetCenter: [0, '40%'], color: '#1d2330' },
        title: { show: true, offsetCenter: [0, '70%'], color: COLORS.muted, fontSize: 12 },
        data: [{ value: +(100 * p).toFixed(2), name: t('threshold') + ' ' + pct(th) }]
      }, {
        /* the threshold, as a short marker on the dial */
        type: 'gauge', min: 0, max: 100, startAngle: 200, endAngle: -20,
        axisLine: { show: false }, axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false },
        pointer: { icon: 'rect', width: 4, length: '100%', offsetCenter: [0, 0], itemStyle: { color: COLORS.accent } },
        detail: { show: false }, title: { show: false },
        data: [{ value: +(100 * th).toFixed(2) }]
      }]
    }, true);
  }

  function renderLocal() {
    const x = state.explain;
    const contribs = (x.contributions || []).slice(0, 15).reverse();
    const c = chart('chart-local');
    const name = (r) => r.label || r.feature;   /* the recipe's label when the model has one */
    const top = contribs.slice().reverse().slice(0, 3).map((r) => name(r) + ' ' + num(r.contribution, 3)).join(', ');
    $('chart-local').setAttribute('aria-label', t('tab_local') + ': ' + top);
    if (!c) return;
    c.setOption({
      grid: { left: 260, right: 40, top: 10, bottom: 30 },
      tooltip: { trigger: 'item', formatter: (p) => p.name + '<br>' + t('contribution') + ': ' + num(p.value, 4) },
      xAxis: { type: 'value', name: t('contribution'), nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'category', data: contribs.map(name), axisLabel: { width: 250, overflow: 'truncate' } },
      series: [{
        type: 'bar', data: contribs.map((r) => ({
          value: r.contribution, itemStyle: { color: r.contribution > 0 ? COLORS.toDefault : COLORS.toRepay },
          label: { show: true, position: r.contribution > 0 ? 'right' : 'left', formatter: r.contribution > 0 ? '▲' : '▼' }
        }))
      }]
    }, true);
  }

  async function renderGlobal() {
    if (!state.importance) {
      try { state.importance = await api('/v1/importance'); } catch (e) { report(e); return; }
    }
    const feats = (state.importance.features || []).filter((f) => f.mean_abs_shap != null).slice(0, 20).reverse();
    const c = chart('chart-global');
    $('chart-global').setAttribute('aria-label', t('tab_global') + ': ' + feats.slice().reverse().slice(0, 3).map((f) => f.label || f.feature).join(', '));
    if (!c) return;
    c.setOption({
      grid: { left: 260, right: 40, top: 10, bottom: 30 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: t('importance'), nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'category', data: feats.map((f) => f.label || f.feature), axisLabel: { width: 250, overflow: 'truncate' } },
      series: [{ type: 'bar', data: feats.map((f) => f.mean_abs_shap), itemStyle: { color: COLORS.accent } }]
    }, true);
  }

  function clientFeatureValue(name) {
    const c = state.client;
    if (c && c.features && Object.prototype.hasOwnProperty.call(c.features, name)) return c.features[name];
    for (const r of (state.explain && state.explain.contributions) || []) if (r.feature === name) return r.value;
    return undefined;
  }

  async function renderCompare() {
    const name = $('feature-select').value;
    if (!name) return;
    let d;
    try { d = await api('/v1/features/' + encodeURIComponent(name) + '/distribution'); } catch (e) { report(e); return; }
    const n = d.accepted.length;
    const sumA = d.accepted.reduce((a, b) => a + b, 0) || 1, sumR = d.refused.reduce((a, b) => a + b, 0) || 1;
    const labels = [];
    /* a recipe's feature: bins and the client's value in its unit (the API sends unit) */
    const edge = (x) => (d.unit ? withUnit(x, d.unit) : num(x, 3));
    for (let i = 0; i < n; i++) labels.push(edge(d.edges[i]) + ' – ' + edge(d.edges[i + 1]));
    const v = clientFeatureValue(name);
    let bin = -1;
    if (v !== undefined && v !== null) {
      for (let i = 0; i < n; i++) if (v >= d.edges[i] && (v < d.edges[i + 1] || i === n - 1)) { bin = i; break; }
      if (v < d.edges[0]) bin = 0;
      if (v > d.edges[n]) bin = n - 1;
    }
    $('compare-text').textContent = t('client_value', { v: v === undefined || v === null ? t('missing') : d.unit ? withUnit(v, d.unit) : num(v, 4) });
    const c = chart('chart-compare');
    $('chart-compare').setAttribute('aria-label', name + ': ' + $('compare-text').textContent);
    if (!c) return;
    const mark = bin >= 0 ? { symbol: 'none', lineStyle: { color: '#1d2330', width: 3, type: 'dashed' },
      label: { formatter: t('this_client'), color: '#1d2330' }, data: [{ xAxis: labels[bin] }] } : undefined;
    c.setOption({
      grid: { left: 60, right: 20, top: 40, bottom: 80 },
      legend: { top: 0, data: [t('accepted'), t('refused_c')] },
      tooltip: { trigger: 'axis', valueFormatter: (x) => num(x, 1) + ' %' },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', name: '%' },
      series: [
        { name: t('accepted'), type: 'bar', data: d.accepted.map((x) => 100 * x / sumA), itemStyle: { color: COLORS.approve }, markLine: mark },
        { name: t('refused_c'), type: 'bar', data: d.refused.map((x) => 100 * x / sumR), itemStyle: { color: COLORS.refuse, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: 0.8 } } }
      ]
    }, true);
    /* after setOption: the page's own description, not a generated one */
    $('chart-compare').setAttribute('aria-label', name + ': ' + $('compare-text').textContent);
  }

  function renderCost() {
    const m = state.model || {};
    const cc = m.cost_curve || {};
    const th = cc.thresholds || [], cost = cc.costs || [];
    const c = chart('chart-cost');
    $('chart-cost').setAttribute('aria-label', t('chosen', { t: pct(m.threshold) }));
    if (!c) return;
    c.setOption({
      grid: { left: 70, right: 30, top: 30, bottom: 50 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: t('threshold'), nameLocation: 'middle', nameGap: 28, min: 0, max: 1 },
      yAxis: { type: 'value', name: t('cost') },
      series: [{
        type: 'line', showSymbol: false, data: th.map((x, i) => [x, cost[i]]), lineStyle: { color: COLORS.accent, width: 2 },
        markLine: { symbol: 'none', lineStyle: { color: COLORS.refuse, type: 'dashed', width: 2 },
          label: { formatter: t('chosen', { t: pct(m.threshold) }) }, data: [{ xAxis: m.threshold }] }
      }]
    }, true);
  }

  /* ---- what if ------------------------------------------------------------------------ */
  function fillWhatIf() {
    const c = state.client;
    $('wi-income').value = c.income == null ? '' : c.income;
    $('wi-credit').value = c.credit == null ? '' : c.credit;
    $('wi-annuity').value = c.annuity == null ? '' : c.annuity;
    const out = $('whatif-result');
    out.textContent = '';
    delete out.dataset.probability;
    delete out.dataset.decision;
  }

  async function whatIf(ev) {
    ev.preventDefault();
    const c = state.client;
    if (!c.features) { showError(t('err_generic', { m: 'no feature vector for this client' })); return; }
    const f = Object.assign({}, c.features);
    const income = Number($('wi-income').value), credit = Number($('wi-credit').value), annuity = Number($('wi-annuity').value);
    /* the inputs and the kernel's ratios built from them */
    f.AMT_INCOME_TOTAL = income; f.AMT_CREDIT = credit; f.AMT_ANNUITY = annuity;
    const div = (a, b) => (a == null || b == null || b === 0) ? null : a / b;
    if ('INCOME_CREDIT_PERC' in f) f.INCOME_CREDIT_PERC = div(income, credit);
    if ('INCOME_PER_PERSON' in f) f.INCOME_PER_PERSON = div(income, f.CNT_FAM_MEMBERS);
    if ('ANNUITY_INCOME_PERC' in f) f.ANNUITY_INCOME_PERC = div(annuity, income);
    if ('PAYMENT_RATE' in f) f.PAYMENT_RATE = div(annuity, credit);
    for (const k of Object.keys(f)) if (typeof f[k] === 'number' && !Number.isFinite(f[k])) f[k] = null;
    try {
      const r = await api('/v1/predict', { features: f });
      clearError();
      const words = (r.decision === 'refuse' ? '✗ ' : '✓ ') + t(r.decision === 'refuse' ? 'refused' : 'approved');
      const out = $('whatif-result');
      out.textContent = t('whatif_result', { p: pct(r.probability), d: words, p0: pct(state.explain.probability) });
      out.dataset.probability = String(r.probability);
      out.dataset.decision = r.decision;
    } catch (e) { report(e); }
  }

  /* ---- tabs (WAI-ARIA tabs pattern: arrows move, Home/End jump) ------------------------ */
  const TABS = ['local', 'global', 'compare', 'whatif', 'cost'];
  function renderTab(name) {
    state.tab = name;
    for (const n of TABS) {
      const tab = $('tab-' + n), panel = $('panel-' + n), on = n === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    }
    if (!state.client) return;
    if (name === 'local') renderLocal();
    if (name === 'global') renderGlobal();
    if (name === 'compare') renderCompare();
    if (name === 'cost') renderCost();
    for (const id of Object.keys(state.charts)) state.charts[id].resize();
  }
  function tabKeys(ev) {
    const i = TABS.indexOf(state.tab);
    let j = -1;
    if (ev.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (ev.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = TABS.length - 1;
    if (j < 0) return;
    ev.preventDefault();
    renderTab(TABS[j]);
    $('tab-' + TABS[j]).focus();
  }

  /* ---- start -------------------------------------------------------------------------- */
  function start() {
    $('lang').addEventListener('click', () => {
      state.lang = state.lang === 'en' ? 'fr' : 'en';
      localStorage.setItem('cs-lang', state.lang);
      applyLanguage();
    });
    let timer = null;
    $('search').addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        state.q = $('search').value.replace(/[^0-9]/g, '');
        state.offset = 0;
        loadClients();
      }, 200);
    });
    $('search').addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && /^[0-9]+$/.test($('search').value)) selectClient(Number($('search').value));
    });
    $('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadClients(); });
    $('next').addEventListener('click', () => { state.offset += PAGE; loadClients(); });
    for (const n of TABS) $('tab-' + n).addEventListener('click', () => renderTab(n));
    $('tabs').addEventListener('keydown', tabKeys);
    $('feature-select').addEventListener('change', renderCompare);
    $('whatif-form').addEventListener('submit', whatIf);
    window.addEventListener('resize', () => { for (const id of Object.keys(state.charts)) state.charts[id].resize(); });
    applyLanguage();
    loadModel();
    loadClients();
    const m = /[?&]client=([0-9]+)/.exec(location.search);
    if (m) selectClient(Number(m[1]));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
