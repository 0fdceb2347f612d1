/* app.js: the creditscore dashboard. It talks to the scoring API through the dashboard
 * server (/api/... is forwarded to the API), never to another origin. Data values are put
 * on the page with textContent only, so a category such as "<script>" shows as text.
 * Labels, units and category names come from the model's recipe (/v1/model "feature_labels"
 * and "inputs"); without a recipe the page falls back to the feature names. */
'use strict';
(function () {
  const PAGE = 20;
  const MAX_ID_DIGITS = 18;        /* a client id is a 64-bit integer: 18 digits always fit */
  const COLORS = { approve: '#1b6e35', refuse: '#a61b1b', accent: '#1f4fa3', muted: '#4a5263', toDefault: '#a61b1b', toRepay: '#1f4fa3', total: '#1d2330' };
  /* Risk bands, as multiples of the model's threshold (docs/dashboard.md): A-C are approvals,
   * D-E refusals. */
  const BANDS = [
    { band: 'A', lo: 0, hi: 0.5, color: '#1b6e35' },
    { band: 'B', lo: 0.5, hi: 0.8, color: '#3f7f2a' },
    { band: 'C', lo: 0.8, hi: 1, color: '#6f7a12' },
    { band: 'D', lo: 1, hi: 2, color: '#b35300' },
    { band: 'E', lo: 2, hi: Infinity, color: '#a61b1b' }
  ];
  const state = {
    lang: localStorage.getItem('cs-lang') || 'en',
    offset: 0, total: 0, q: '', selected: null, page: [],
    model: null, columns: {}, client: null, explain: null, importance: null, charts: {}, tab: 'local',
    history: null, similar: undefined
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
  function signed(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(v);
  }
  const pct = (v) => (v === null || v === undefined) ? '—' : num(100 * v, 1) + ' %';
  /* a label object {en, fr} or a string, in the page's language */
  const lbl = (l, fallback) => (l && typeof l === 'object' ? (l[state.lang] || l.en) : l) || fallback;

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    document.title = t('doc_title');
    /* the button says the language it switches to, in that language; its name is its text */
    const other = state.lang === 'en' ? 'fr' : 'en';
    $('lang').textContent = t('lang_' + other);
    $('lang').lang = other;
    $('search').setAttribute('aria-describedby', 'search-help');
    renderModelInfo();
    if (state.model) fillFeatureSelect();
    renderClientList();
    if (state.client) renderClient();
    if (state.client) {
      /* the reasons and labels come from the API in the page's language */
      const id = state.client.id;
      api('/v1/explain', { client_id: id, lang: state.lang, purpose: 'lookup' }).then((x) => {
        if (state.client && state.client.id === id) { state.explain = x; renderClient(); }
      }).catch((e) => report(e, { client: id }));
      renderHistory();
      loadSimilar(id);
    }
  }

  /* ---- errors ---------------------------------------------------------------------- */
  function showError(msg) { const e = $('error'); e.textContent = msg; e.hidden = false; state.errorFrom = null; }
  function clearError() { $('error').hidden = true; $('error').textContent = ''; }

  class ApiError extends Error {
    constructor(status, code, message, field) { super(message); this.status = status; this.code = code; this.field = field || ''; }
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
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, err.field);
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
      /* the recipe's columns by name: labels, units, category labels, protected flags */
      state.columns = {};
      for (const tb of (state.model.inputs && state.model.inputs.tables) || [])
        for (const c of tb.columns || []) if (!(c.name in state.columns)) state.columns[c.name] = c;
      try { state.importance = await api('/v1/importance'); } catch (e) { state.importance = null; }
      renderModelInfo();
      fillFeatureSelect();
      if (state.client) renderClient();
    } catch (e) { report(e); }
  }
  function featureLabel(name) {
    const m = state.model || {};
    const i = (m.features || []).indexOf(name);
    const l = i >= 0 && m.feature_labels ? m.feature_labels[i] : null;
    return lbl(l, name);
  }
  /* the features to compare, most important first; the first one that is not a protected
   * attribute is the default (a comparison opens on what the model weighs most) */
  function fillFeatureSelect() {
    const sel = $('feature-select'), m = state.model || {};
    const keep = sel.value;
    let order = (m.features || []).map((f) => ({ feature: f }));
    if (state.importance && state.importance.features) order = state.importance.features;
    sel.textContent = '';
    let first = '';
    for (const f of order) {
      const o = document.createElement('option');
      o.value = f.feature;
      o.textContent = featureLabel(f.feature) + (f.protected ? ' ' + t('protected_tag') : '');
      if (!first && !f.protected) first = f.feature;
      sel.appendChild(o);
    }
    sel.value = keep || first;
  }
  function renderModelInfo() {
    const m = state.model;
    $('model-info').textContent = m ? t('model', { n: m.name || '', v: m.version || '' }) : '';
  }

  /* ---- client picker ------------------------------------------------------------------ */
  /* What the search box holds: '' (all clients), digits (a prefix of ids) or something that
   * cannot be an id, which is refused with a message rather than guessed at. */
  function parseSearch(raw) {
    const v = raw.trim();
    if (v === '') return { q: '' };
    if (!/^[0-9]+$/.test(v)) return { error: t('search_not_id', { v: v.length > 30 ? v.slice(0, 30) + '…' : v }) };
    if (v.length > MAX_ID_DIGITS) return { error: t('search_too_long', { n: MAX_ID_DIGITS }) };
    return { q: v };
  }
  async function loadClients() {
    const qs = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
    if (state.q) qs.set('q', state.q);
    const want = qs.toString();
    try {
      const page = await api('/v1/clients?' + want);
      if (state.searchError) return;      /* the box changed to something refused meanwhile */
      state.total = page.total;
      state.page = page.clients || [];
      if (state.errorFrom === 'list') clearError();
      renderClientList();
    } catch (e) { report(e); state.errorFrom = 'list'; }
  }
  function renderClientList() {
    const ul = $('client-list');
    ul.textContent = '';
    const list = state.searchError ? [] : (state.page || []);
    for (const c of list) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.id = String(c.id);
      b.textContent = String(c.id);
      if (c.target === 1 || c.target === 0) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        const sep = document.createElement('span');
        sep.className = 'visually-hidden';
        sep.textContent = ', ' + t('known_outcome') + ' ';
        tag.appendChild(sep);
        tag.appendChild(document.createTextNode(c.target === 1 ? t('defaulted') : t('repaid')));
        b.appendChild(tag);
      }
      if (state.selected === c.id) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', () => selectClient(c.id));
      li.appendChild(b);
      ul.appendChild(li);
    }
    let count;
    if (state.searchError) count = state.searchError;
    else if (list.length) count = t('n_clients', { n: num(state.total) });
    else count = state.q ? t('no_match', { q: state.q }) : t('no_clients');
    $('client-count').textContent = count;
    $('client-count').dataset.state = state.searchError ? 'refused' : list.length ? 'list' : 'none';
    const pages = state.searchError ? 1 : Math.max(1, Math.ceil(state.total / PAGE));
    $('page').textContent = t('page', { p: Math.floor(state.offset / PAGE) + 1, n: num(pages) });
    $('page-jump').max = String(pages);
    $('prev').disabled = !!state.searchError || state.offset === 0;
    $('next').disabled = !!state.searchError || state.offset + PAGE >= state.total;
  }
  function onSearch() {
    const s = parseSearch($('search').value);
    state.offset = 0;
    if (s.error) {
      state.searchError = s.error;
      state.page = []; state.total = 0;
      renderClientList();
      return;
    }
    state.searchError = null;
    state.q = s.q;
    loadClients();
  }
  function jumpToPage() {
    const pages = Math.max(1, Math.ceil(state.total / PAGE));
    const p = Number($('page-jump').value);
    if (!Number.isInteger(p) || p < 1 || p > pages) {
      $('page-jump').setAttribute('aria-invalid', 'true');
      $('client-count').textContent = t('page_out', { n: num(pages) });
      return;
    }
    $('page-jump').removeAttribute('aria-invalid');
    state.offset = (p - 1) * PAGE;
    loadClients();
  }

  /* ---- one client -------------------------------------------------------------------- */
  async function selectClient(id) {
    state.selected = id;
    renderClientList();
    try {
      const [client, explain] = await Promise.all([
        api('/v1/clients/' + encodeURIComponent(id)),
        /* a view of the client's decision: logged as a lookup, not as a new decision */
        api('/v1/explain', { client_id: id, lang: state.lang, purpose: 'lookup' })
      ]);
      state.client = client;
      state.explain = explain;
      clearError();
      $('placeholder').hidden = true;
      $('client-view').hidden = false;
      renderClient();
      announce();
      $('main').focus();
      state.history = null;
      state.similar = undefined;
      renderHistory();
      renderSimilar();
      loadHistory(id);
      loadSimilar(id);
    } catch (e) { report(e, { client: id }); }
  }

  /* ---- the client's history (the audit log) and similar applicants ----------------------- */
  async function loadHistory(id) {
    try {
      const h = await api('/v1/clients/' + encodeURIComponent(id) + '/history?kind=decision,simulation&limit=10');
      if (state.client && state.client.id === id) { state.history = h.history; renderHistory(); }
    } catch (e) {
      if (state.client && state.client.id === id) { state.history = e.code === 'no_audit_log' ? 'off' : null; renderHistory(); }
    }
  }
  function renderHistory() {
    const ul = $('history-list'), h = state.history;
    ul.textContent = '';
    $('history-text').textContent = h === 'off' ? t('h_off') : !h ? '' : h.length ? t('h_shown', { n: h.length }) : t('h_none');
    for (const r of Array.isArray(h) ? h : []) {
      const li = document.createElement('li');
      li.dataset.kind = r.kind;
      const time = document.createElement('time');
      time.dateTime = r.time;
      time.textContent = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(r.time)) + ' UTC';
      const what = document.createElement('span');
      what.textContent = ' ' + t('h_row', { k: t(r.kind === 'simulation' ? 'h_simulation' : 'h_decision'),
        d: (r.decision === 'refuse' ? '✗ ' : '✓ ') + t(r.decision === 'refuse' ? 'refused' : 'approved'), p: pct(r.probability),
        m: r.model.name + ' v' + r.model.version });
      li.appendChild(time);
      li.appendChild(what);
      ul.appendChild(li);
    }
  }
  async function loadSimilar(id) {
    const lang = state.lang;
    try {
      const s = await api('/v1/clients/' + encodeURIComponent(id) + '/similar?k=3&lang=' + lang);
      if (state.client && state.client.id === id && state.lang === lang) { state.similar = s; renderSimilar(); }
    } catch (e) {
      if (state.client && state.client.id === id) { state.similar = null; renderSimilar(); }
    }
  }
  function renderSimilar() {
    const s = state.similar, ul = $('similar-list');
    ul.textContent = '';
    $('similar-help').textContent = '';
    if (!s || !s.band || !s.band.size) { $('similar-text').textContent = s === undefined ? '' : t('s_none'); return; }
    const b = s.band;
    $('similar-text').textContent = t(b.known_outcomes ? 's_band' : 's_band_nodefault', { n: num(b.size), a: num(b.approved),
      r: pct(b.acceptance_rate), d: pct(b.default_rate) });
    let i = 0;
    for (const n of [...s.approved, ...s.refused]) {
      const li = document.createElement('li');
      li.dataset.decision = n.decision;
      li.textContent = t('s_row', { who: t('s_applicant', { i: ++i }),
        d: (n.decision === 'refuse' ? '✗ ' : '✓ ') + t(n.decision === 'refuse' ? 'refused' : 'approved'),
        p: pct(n.probability), o: t('o_' + n.outcome) }) + ' — ' + n.values.map((v) => t('kv', { k: v.label, v: v.text })).join(t('list_sep'));
      ul.appendChild(li);
    }
    $('similar-help').textContent = t('s_help', { f: s.basis.features.map((f) => f.label).join(', ') });
  }
  /* the decision, said to a screen reader once per selection */
  function announce() {
    const x = state.explain;
    $('announce').textContent = t('announce', { id: state.client.id, d: t(x.decision === 'refuse' ? 'refused' : 'approved'), p: pct(x.probability) });
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
  /* a category value in the page's language, from the recipe's category_labels */
  function categoryLabel(column, value) {
    const c = state.columns[column];
    const l = c && c.category_labels && Object.prototype.hasOwnProperty.call(c.category_labels, value) ? c.category_labels[value] : null;
    return lbl(l, value);
  }

  function renderProfile(dl, fields) {
    for (const f of fields) {
      const label = lbl(f.label, f.name);
      /* the server's words for a category or flag (value_label: "RENT" -> "renting", "Y" -> "yes"),
       * else the model's category labels */
      const vl = f.value_label ? lbl(f.value_label, f.value) : null;
      info(dl, label, vl || (typeof f.value === 'string' ? categoryLabel(f.name, f.value) : withUnit(f.value, f.unit)));
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
    renderScore(x);
    const ol = $('reasons');
    ol.textContent = '';
    const prot = new Set();
    for (const r of x.reason_codes || []) {
      const li = document.createElement('li');
      li.textContent = r.text;
      if (r.protected) {
        prot.add(r.label || featureLabel(r.feature));
        const s = document.createElement('strong');
        s.className = 'protected';
        s.textContent = ' ' + t('protected_reason');
        li.appendChild(s);
      }
      ol.appendChild(li);
    }
    for (const r of x.contributions || []) if (r.protected) prot.add(r.label || featureLabel(r.feature));
    $('reasons-block').hidden = !(x.reason_codes && x.reason_codes.length);
    /* a model that uses protected attributes says so: a true reason is never hidden */
    $('protected-note').hidden = prot.size === 0;
    $('protected-note').textContent = prot.size ? t('protected_note', { f: [...prot].join(', ') }) : '';
    renderGauge(x.probability, x.threshold);
    renderPrintSummary();
    if (window.CS_SCORECARD) window.CS_SCORECARD.render(x, state.lang);   /* scorecard models: the points table */
    if (window.CS_COUNTERFACTUAL) window.CS_COUNTERFACTUAL.render(x, c.id, state.lang);   /* what would change a refusal */
    renderLocal();
    fillWhatIf();
    renderTab(state.tab);
  }

  /* The one-page summary handed to the client (printed with the page's print stylesheet):
   * decision, date, model and version, up to four reasons, how to contest. */
  function renderPrintSummary() {
    const c = state.client, x = state.explain, m = x.model || state.model || {};
    $('ps-title').textContent = t('ps_title');
    const dl = $('ps-facts');
    dl.textContent = '';
    const fact = (k, v) => { const dt = document.createElement('dt'); dt.textContent = t(k); const dd = document.createElement('dd'); dd.textContent = v; dl.appendChild(dt); dl.appendChild(dd); };
    fact('ps_client', String(c.id));
    fact('ps_date', new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date()));
    fact('ps_decision', t(x.decision === 'refuse' ? 'refused' : 'approved'));
    fact('ps_risk', t('prob_vs', { p: pct(x.probability), t: pct(x.threshold) }));
    fact('ps_model', (m.name || '') + ' ' + (m.version ? 'v' + m.version : ''));
    if (x.request_id) fact('ps_ref', x.request_id);
    $('ps-reasons-title').textContent = t('ps_reasons');
    const ol = $('ps-reasons');
    ol.textContent = '';
    for (const r of (x.reason_codes || []).slice(0, 4)) { const li = document.createElement('li'); li.textContent = r.text; ol.appendChild(li); }
    if (!ol.children.length) { const li = document.createElement('li'); li.textContent = t('ps_no_reasons'); ol.appendChild(li); }
    $('ps-contest-title').textContent = t('ps_contest_title');
    $('ps-contest').textContent = t('ps_contest');
  }

  function bandOf(p, th) {
    const r = p / th;
    for (const b of BANDS) if (r < b.hi) return b;
    return BANDS[BANDS.length - 1];
  }

  function renderDecision(x, badge, text, dist) {
    const refused = x.decision === 'refuse';
    badge.className = 'badge ' + (refused ? 'refuse' : 'approve');
    badge.textContent = (refused ? '✗ ' : '✓ ') + t(refused ? 'refused' : 'approved');
    badge.dataset.decision = x.decision;
    text.textContent = t('prob_vs', { p: pct(x.probability), t: pct(x.threshold) });
    const r = x.probability / x.threshold;
    const key = refused ? (r < 1.25 ? 'dist_close_above' : 'dist_far_above') : (r > 0.8 ? 'dist_close_below' : 'dist_far_below');
    const b = bandOf(x.probability, x.threshold);
    dist.textContent = t(key, { r: num(r, r < 10 ? 1 : 0) }) + ' ' + t('band_is', { b: b.band });
    dist.dataset.band = b.band;
  }

  /* "points" means the score only: 600 points at odds of 19 good to 1 bad, 50 more points
   * double the odds (the model's score_scale), or a scorecard's own points */
  function renderScore(x) {
    $('score').textContent = num(x.score, 0);
    const sc = (state.model && state.model.score_scale) || null;
    $('score-help').textContent = x.scorecard ? '' : sc ? t('score_help', { p: sc.points, o: sc.odds, d: sc.pdo }) : '';
  }

  /* ---- charts ------------------------------------------------------------------------ */
  function chart(id) {
    if (!window.echarts) return null;
    if (!state.charts[id]) state.charts[id] = window.echarts.init($(id), null, { renderer: 'canvas' });
    return state.charts[id];
  }

  /* The gauge is zoomed around the threshold: 0 to three times it (or 100 %), coloured by the
   * risk bands; a probability beyond the scale rests at its end and the figure says the truth. */
  function renderGauge(p, th) {
    const max = Math.min(1, 3 * th);
    const g = chart('gauge');
    const b = bandOf(p, th);
    $('gauge').setAttribute('aria-label', t('prob_vs', { p: pct(p), t: pct(th) }) + ' ' + t('band_is', { b: b.band }));
    renderBands(p, th);
    if (!g) return;
    const stops = [];
    for (const x of BANDS) {
      const hi = Math.min(x.hi * th, max) / max;
      if (x.lo * th < max) stops.push([Math.min(1, hi), x.color]);
    }
    stops[stops.length - 1][0] = 1;
    const shown = Math.min(p, max);
    g.setOption({
      series: [{
        /* ticks at 0, the threshold, twice and three times it: the band edges D and E */
        type: 'gauge', min: 0, max: +(100 * max).toFixed(4), startAngle: 200, endAngle: -20, splitNumber: max === 3 * th ? 3 : 5, radius: '92%',
        axisLine: { lineStyle: { width: 18, color: stops } },
        axisTick: { show: false }, splitLine: { length: 8 },
        axisLabel: { distance: 24, color: COLORS.muted, fontSize: 12, formatter: (v) => num(v, 1) + ' %' },
        pointer: { width: 6 }, itemStyle: { color: '#1d2330' },
        detail: { formatter: () => pct(p), fontSize: 20, offsetCenter: [0, '40%'], color: '#1d2330' },
        title: { show: true, offsetCenter: [0, '70%'], color: COLORS.muted, fontSize: 12 },
        data: [{ value: +(100 * shown).toFixed(2), name: t('threshold') + ' ' + pct(th) }]
      }, {
        /* the threshold, as a short marker on the dial */
        type: 'gauge', min: 0, max: +(100 * max).toFixed(4), startAngle: 200, endAngle: -20,
        axisLine: { show: false }, axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false },
        pointer: { icon: 'rect', width: 4, length: '100%', offsetCenter: [0, 0], itemStyle: { color: COLORS.accent } },
        detail: { show: false }, title: { show: false },
        data: [{ value: +(100 * th).toFixed(2) }]
      }]
    }, true);
  }
  /* the bands' legend beside the gauge, the client's band marked */
  function renderBands(p, th) {
    const ul = $('bands');
    ul.textContent = '';
    const mine = bandOf(p, th);
    for (const b of BANDS) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch'; sw.style.background = b.color;
      li.appendChild(sw);
      const range = b.hi === Infinity ? t('band_from', { a: pct(b.lo * th) }) : t('band_range', { a: pct(b.lo * th), b: pct(b.hi * th) });
      li.appendChild(document.createTextNode(b.band + ' ' + range + ' — ' + t(b.lo >= 1 ? 'refused' : 'approved')));
      li.dataset.band = b.band;
      if (b === mine) { li.setAttribute('aria-current', 'true'); li.className = 'mine'; }
      ul.appendChild(li);
    }
  }

  /* The contributions, measured so that they add up to the client's position against the
   * threshold: a first bar for where the average applicant stands against it, the largest
   * factors, the rest together, and the total (right of zero: refused). */
  function localRows(x) {
    const all = x.contributions || [];
    const top = all.slice(0, 12);
    const rows = [];
    const haveTh = Number.isFinite(x.threshold_raw_score);
    const totalContrib = (x.contributions_sum !== undefined ? x.contributions_sum : x.raw_score) - x.expected_value;
    const shown = top.reduce((a, r) => a + r.contribution, 0);
    if (haveTh) rows.push({ kind: 'start', label: t('start_bar'), value: x.expected_value - x.threshold_raw_score });
    for (const r of top) rows.push({ kind: 'factor', label: (r.label || featureLabel(r.feature)) + (r.protected ? ' ' + t('protected_tag') : ''), value: r.contribution, feature: r.feature });
    if (all.length > top.length || Math.abs(totalContrib - shown) > 1e-9) rows.push({ kind: 'rest', label: t('rest_bar'), value: totalContrib - shown });
    if (haveTh) rows.push({ kind: 'total', label: t('total_bar'), value: x.raw_score - x.threshold_raw_score });
    return rows;
  }

  function renderLocal() {
    const x = state.explain;
    const rows = localRows(x);
    const haveTh = Number.isFinite(x.threshold_raw_score);
    const totalContrib = (x.contributions_sum !== undefined ? x.contributions_sum : x.raw_score) - x.expected_value;
    let summary;
    if (haveTh) {
      const start = x.expected_value - x.threshold_raw_score, total = x.raw_score - x.threshold_raw_score;
      summary = t('local_summary', {
        b: pct(x.baseline_probability), t: pct(x.threshold),
        sp: t(start >= 0 ? 'above' : 'below'), s: signed(totalContrib, 2),
        p: pct(x.probability), tp: t(total >= 0 ? 'above' : 'below'),
        d: t(x.decision === 'refuse' ? 'refused' : 'approved').toLowerCase()
      });
    } else {
      summary = t('local_summary_nt', { b: pct(x.baseline_probability), s: signed(totalContrib, 2), p: pct(x.probability) });
    }
    $('local-summary').textContent = summary;
    const alt = rows.map((r) => r.label + ' ' + signed(r.value, 2)).join('; ');
    $('chart-local').setAttribute('aria-label', t('tab_local') + '. ' + summary + ' ' + alt);
    const c = chart('chart-local');
    if (!c) return;
    const w = $('chart-local').clientWidth || 800;
    const labelW = Math.max(90, Math.min(300, Math.round(w * 0.42)));
    const data = rows.slice().reverse();     /* ECharts draws the first category at the bottom */
    const color = (r) => r.kind === 'total' ? COLORS.total : r.value > 0 ? COLORS.toDefault : COLORS.toRepay;
    c.setOption({
      grid: { left: labelW + 10, right: 40, top: 10, bottom: 48 },
      tooltip: { trigger: 'item', formatter: (p) => p.name + '<br>' + t('effect') + ': ' + signed(p.value, 3) },
      xAxis: { type: 'value', name: t('axis_local'), nameLocation: 'middle', nameGap: 26, axisLabel: { formatter: (v) => signed(v, 1) } },
      yAxis: { type: 'category', data: data.map((r) => r.label), axisLabel: { width: labelW, overflow: 'truncate', fontWeight: 'normal' } },
      series: [{
        type: 'bar', data: data.map((r) => ({
          value: r.value, itemStyle: { color: color(r), decal: r.kind === 'total' || r.kind === 'start' ? { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: 0.8, color: 'rgba(255,255,255,0.35)' } : undefined },
          label: { show: true, position: r.value > 0 ? 'right' : 'left', formatter: r.value > 0 ? '▲' : '▼' }
        })),
        markLine: haveTh ? { symbol: 'none', silent: true, lineStyle: { color: COLORS.total, width: 2 },
          label: { show: false }, data: [{ xAxis: 0 }] } : undefined
      }]
    }, true);
  }

  async function renderGlobal() {
    if (!state.importance) {
      try { state.importance = await api('/v1/importance'); } catch (e) { report(e); return; }
    }
    const feats = (state.importance.features || []).filter((f) => f.mean_abs_shap != null).slice(0, 20).reverse();
    const name = (f) => lbl(f.label, f.feature) + (f.protected ? ' ' + t('protected_tag') : '');
    const c = chart('chart-global');
    $('chart-global').setAttribute('aria-label', t('tab_global') + ': ' + feats.slice().reverse().map((f) => name(f) + ' ' + num(f.mean_abs_shap, 3)).join('; '));
    if (!c) return;
    const w = $('chart-global').clientWidth || 800;
    const labelW = Math.max(90, Math.min(300, Math.round(w * 0.42)));
    c.setOption({
      grid: { left: labelW + 10, right: 40, top: 10, bottom: 48 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: t('importance'), nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'category', data: feats.map(name), axisLabel: { width: labelW, overflow: 'truncate' } },
      series: [{ type: 'bar', data: feats.map((f) => f.mean_abs_shap), itemStyle: { color: COLORS.accent } }]
    }, true);
  }

  function clientFeatureValue(name) {
    const c = state.client;
    if (c && c.features && Object.prototype.hasOwnProperty.call(c.features, name)) return c.features[name];
    for (const r of (state.explain && state.explain.contributions) || []) if (r.feature === name) return r.value;
    return undefined;
  }

  /* The histogram's bars: the first and last bins also hold the values beyond the range the
   * model kept (1 % and 99 % quantiles), so they are labelled "under" / "from"; a 0/1 feature
   * gets two bars. */
  function histogram(d) {
    const n = d.accepted.length;
    const edge = (x) => (d.unit && d.unit !== 'flag' ? withUnit(x, d.unit) : num(x, Math.abs(x) < 10 ? 3 : 0));
    const massIn = (arr) => arr.reduce((a, b) => a + b, 0);
    const middle = (arr) => massIn(arr.slice(1, n - 1));
    const binary = d.unit === 'flag' || (d.edges[0] >= 0 && d.edges[n] <= 1 && middle(d.accepted) === 0 && middle(d.refused) === 0);
    if (binary) {
      return { binary: true, labels: [t('no') + ' (0)', t('yes') + ' (1)'], accepted: [d.accepted[0], d.accepted[n - 1]], refused: [d.refused[0], d.refused[n - 1]],
        binOf: (v) => (v >= 0.5 ? 1 : 0) };
    }
    const labels = [];
    for (let i = 0; i < n; i++) {
      if (i === 0) labels.push(t('bin_under', { b: edge(d.edges[1]) }));
      else if (i === n - 1) labels.push(t('bin_from', { a: edge(d.edges[n - 1]) }));
      else labels.push(edge(d.edges[i]) + ' – ' + edge(d.edges[i + 1]));
    }
    return { binary: false, labels, accepted: d.accepted, refused: d.refused,
      binOf: (v) => { for (let i = 1; i < n; i++) if (v < d.edges[i]) return i - 1; return n - 1; } };
  }

  async function renderCompare() {
    const name = $('feature-select').value;
    if (!name) return;
    let d;
    try { d = await api('/v1/features/' + encodeURIComponent(name) + '/distribution'); } catch (e) { report(e); return; }
    if ($('feature-select').value !== name) return;
    const h = histogram(d);
    const sumA = d.accepted.reduce((a, b) => a + b, 0) || 1, sumR = d.refused.reduce((a, b) => a + b, 0) || 1;
    const v = clientFeatureValue(name);
    const bin = v === undefined || v === null ? -1 : h.binOf(v);
    const shownV = v === undefined || v === null ? t('missing') : h.binary ? (v >= 0.5 ? t('yes') : t('no')) : d.unit ? withUnit(v, d.unit) : num(v, 4);
    $('compare-text').textContent = t('client_value', { v: shownV }) + (bin >= 0 ? ' ' + t('client_bin', { b: h.labels[bin] }) : '');
    const label = lbl(d.label, featureLabel(name));
    const A = h.accepted.map((x) => 100 * x / sumA), R = h.refused.map((x) => 100 * x / sumR);
    const alt = h.labels.map((l, i) => l + ': ' + t('accepted') + ' ' + num(A[i], 1) + ' %, ' + t('refused_c') + ' ' + num(R[i], 1) + ' %').join('; ');
    const c = chart('chart-compare');
    $('chart-compare').dataset.feature = name;
    $('chart-compare').setAttribute('aria-label', label + ': ' + $('compare-text').textContent + ' ' + alt);
    if (!c) return;
    const w = $('chart-compare').clientWidth || 800;
    const mark = bin >= 0 ? { symbol: 'none', lineStyle: { color: '#1d2330', width: 3, type: 'dashed' },
      label: { formatter: t('this_client'), color: '#1d2330' }, data: [{ xAxis: h.labels[bin] }] } : undefined;
    c.setOption({
      grid: { left: 50, right: 16, top: 40, bottom: h.binary ? 40 : 100 },
      legend: { top: 0, data: [t('accepted'), t('refused_c')] },
      tooltip: { trigger: 'axis', valueFormatter: (x) => num(x, 1) + ' %' },
      xAxis: { type: 'category', data: h.labels, name: label, nameLocation: 'middle', nameGap: h.binary ? 26 : 86,
        axisLabel: { rotate: h.binary ? 0 : 45, interval: w < 500 ? 1 : 0, width: 80, overflow: 'truncate', hideOverlap: true } },
      yAxis: { type: 'value', name: t('share_axis'), axisLabel: { formatter: (x) => num(x, 0) + ' %' } },
      series: [
        { name: t('accepted'), type: 'bar', data: A, itemStyle: { color: COLORS.approve }, markLine: mark },
        { name: t('refused_c'), type: 'bar', data: R, itemStyle: { color: COLORS.refuse, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: 0.8 } } }
      ]
    }, true);
  }

  function renderCost() {
    const m = state.model || {};
    const cc = m.cost_curve || {};
    const th = cc.thresholds || [], cost = cc.costs || [];
    const c = chart('chart-cost');
    const best = cost.length ? Math.min(...cost) : null;
    $('chart-cost').setAttribute('aria-label', t('chosen', { t: pct(m.threshold) }) + (best !== null ? ' ' + t('cost_min', { c: num(best) }) : ''));
    if (!c) return;
    c.setOption({
      grid: { left: 70, right: 30, top: 30, bottom: 50 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: t('threshold'), nameLocation: 'middle', nameGap: 28, min: 0, max: 1, axisLabel: { formatter: (v) => num(100 * v, 0) + ' %' } },
      yAxis: { type: 'value', name: t('cost') },
      series: [{
        type: 'line', showSymbol: false, data: th.map((x, i) => [x, cost[i]]), lineStyle: { color: COLORS.accent, width: 2 },
        markLine: { symbol: 'none', lineStyle: { color: COLORS.refuse, type: 'dashed', width: 2 },
          label: { formatter: t('chosen', { t: pct(m.threshold) }) }, data: [{ xAxis: m.threshold }] }
      }]
    }, true);
  }

  /* ---- what if ------------------------------------------------------------------------ */
  const WHATIF = [
    { id: 'wi-income', feature: 'AMT_INCOME_TOTAL', legacy: 'income' },
    { id: 'wi-credit', feature: 'AMT_CREDIT', legacy: 'credit' },
    { id: 'wi-annuity', feature: 'AMT_ANNUITY', legacy: 'annuity' },
    { id: 'wi-goods', feature: 'AMT_GOODS_PRICE', legacy: 'goods_price' }
  ];
  function clientField(c, f) {
    if (c[f.legacy] != null) return c[f.legacy];
    if (c[f.feature] != null) return c[f.feature];
    if (c.features && c.features[f.feature] != null) return c.features[f.feature];
    return null;
  }
  function clearWhatIf() {
    const out = $('whatif-result');
    out.textContent = '';
    delete out.dataset.probability;
    delete out.dataset.decision;
    out.dataset.state = 'empty';
  }
  function fillWhatIf() {
    const c = state.client;
    for (const f of WHATIF) { const v = clientField(c, f); $(f.id).value = v == null ? '' : v; $(f.id).removeAttribute('aria-invalid'); }
    $('whatif-error').textContent = '';
    clearWhatIf();
  }
  /* The inputs are checked before the API is asked (the API checks them too): finite
   * positive amounts, an annuity no larger than the credit. */
  function whatIfInputs() {
    const v = {}, bad = [];
    for (const f of WHATIF) {
      const el = $(f.id), raw = el.value.trim(), x = Number(raw);
      el.removeAttribute('aria-invalid');
      if (f.id === 'wi-goods' && raw === '') { v[f.feature] = null; continue; }   /* the goods price may be unknown */
      if (raw === '' || !Number.isFinite(x) || x <= 0 || x > 1e12) {
        bad.push(t('wi_bad', { f: $(f.id).labels[0].textContent }));
        el.setAttribute('aria-invalid', 'true');
      }
      v[f.feature] = x;
    }
    if (!bad.length && v.AMT_ANNUITY > v.AMT_CREDIT) {
      bad.push(t('wi_annuity_credit'));
      $('wi-annuity').setAttribute('aria-invalid', 'true');
    }
    return { v, bad };
  }

  async function whatIf(ev) {
    ev.preventDefault();
    const c = state.client;
    clearWhatIf();
    $('whatif-error').textContent = '';
    if (!c.features) { $('whatif-error').textContent = t('wi_no_features'); return; }
    const { v, bad } = whatIfInputs();
    if (bad.length) { $('whatif-error').textContent = bad.join(' '); return; }
    /* the model's own features only (a model trained --exclude-protected reads fewer than
     * the store keeps) */
    const f = {};
    for (const k of (state.model && state.model.features) || Object.keys(c.features))
      if (Object.prototype.hasOwnProperty.call(c.features, k)) f[k] = c.features[k];
    const income = v.AMT_INCOME_TOTAL, credit = v.AMT_CREDIT, annuity = v.AMT_ANNUITY;
    /* the inputs and the kernel's ratios built from them */
    f.AMT_INCOME_TOTAL = income; f.AMT_CREDIT = credit; f.AMT_ANNUITY = annuity;
    if ('AMT_GOODS_PRICE' in f) f.AMT_GOODS_PRICE = v.AMT_GOODS_PRICE;
    const div = (a, b) => (a == null || b == null || b === 0) ? null : a / b;
    if ('INCOME_CREDIT_PERC' in f) f.INCOME_CREDIT_PERC = div(income, credit);
    if ('INCOME_PER_PERSON' in f) f.INCOME_PER_PERSON = div(income, f.CNT_FAM_MEMBERS);
    if ('ANNUITY_INCOME_PERC' in f) f.ANNUITY_INCOME_PERC = div(annuity, income);
    if ('PAYMENT_RATE' in f) f.PAYMENT_RATE = div(annuity, credit);
    for (const k of Object.keys(f)) if (typeof f[k] === 'number' && !Number.isFinite(f[k])) f[k] = null;
    const out = $('whatif-result');
    out.dataset.state = 'computing';
    out.textContent = t('wi_computing');
    const id = c.id;
    try {
      /* the client's inputs as edited: always a simulation, logged under the client */
      const r = await api('/v1/predict', { features: f, simulation_of: Number(id), purpose: 'simulation' });
      if (!state.client || state.client.id !== id) return;
      clearError();
      const words = (r.decision === 'refuse' ? '✗ ' : '✓ ') + t(r.decision === 'refuse' ? 'refused' : 'approved');
      out.textContent = t('whatif_result', { p: pct(r.probability), d: words, p0: pct(state.explain.probability) });
      out.dataset.probability = String(r.probability);
      out.dataset.decision = r.decision;
      out.dataset.state = 'done';
      loadHistory(id);
    } catch (e) {
      if (!state.client || state.client.id !== id) return;
      clearWhatIf();
      /* the API checks the inputs too (ranges of the training data): its refusal names the field */
      const input = e.status === 400 && WHATIF.find((w) => e.field === 'features.' + w.feature);
      if (input) {
        $(input.id).setAttribute('aria-invalid', 'true');
        $('whatif-error').textContent = t('wi_api_bad', { f: $(input.id).labels[0].textContent, m: e.message });
      } else $('whatif-error').textContent = t('err_generic', { m: e.message });
    }
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
    for (const id of Object.keys(state.charts)) state.charts[id].resize();
    if (!state.client) return;
    if (name === 'local') renderLocal();
    if (name === 'global') renderGlobal();
    if (name === 'compare') renderCompare();
    if (name === 'cost') renderCost();
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
      timer = setTimeout(onSearch, 200);
    });
    $('search').addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      const s = parseSearch($('search').value);
      if (s.q) selectClient(Number(s.q));
      else if (s.error) { clearTimeout(timer); onSearch(); }
    });
    $('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadClients(); });
    $('next').addEventListener('click', () => { state.offset += PAGE; loadClients(); });
    $('page-form').addEventListener('submit', (ev) => { ev.preventDefault(); jumpToPage(); });
    for (const n of TABS) $('tab-' + n).addEventListener('click', () => renderTab(n));
    $('tabs').addEventListener('keydown', tabKeys);
    $('feature-select').addEventListener('change', renderCompare);
    $('whatif-form').addEventListener('submit', whatIf);
    $('print').addEventListener('click', () => window.print());
    for (const f of WHATIF) $(f.id).addEventListener('input', () => { clearWhatIf(); $('whatif-error').textContent = ''; });
    let rt = null;
    window.addEventListener('resize', () => {
      clearTimeout(rt);
      rt = setTimeout(() => { for (const id of Object.keys(state.charts)) state.charts[id].resize(); if (state.client) renderTab(state.tab); }, 100);
    });
    applyLanguage();
    loadModel();
    loadClients();
    const m = /[?&]client=([0-9]+)/.exec(location.search);
    if (m) selectClient(Number(m[1]));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
