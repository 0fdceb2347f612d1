// manager.test.mjs: the relationship manager's page as a manager reads it (issue #15): the
// words and units of the recipe, the chart's baseline and the client's position against the
// threshold, the French page, the zoomed gauge with its risk bands, protected attributes, a
// phone's width, the histograms and the search box; what the page records in the audit log
// (a view is a lookup, a what-if a simulation). run.sh starts the APIs and dashboards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const API = process.env.MGR_API_URL;
const DASH = process.env.MGR_DASH_URL;
const PROT_API = process.env.PROT_API_URL;
const PROT_DASH = process.env.PROT_DASH_URL;
const AUDIT = process.env.MGR_AUDIT_DB;
const CS = process.env.CS;
let browser;
const pageErrors = [];

async function api(base, path, body) {
  const res = await fetch(base + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
  });
  return res.json();
}

async function newPage(viewport, lang) {
  const ctx = await browser.newContext({ viewport: viewport || { width: 1366, height: 768 } });
  if (lang) await ctx.addInitScript((l) => localStorage.setItem('cs-lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text()); });
  return page;
}

async function openClient(page, base, id) {
  await page.goto(`${base}/?client=${id}`, { waitUntil: 'load' });
  await page.waitForFunction((i) => document.getElementById('client-id').textContent === String(i)
    && document.getElementById('decision-badge').dataset.decision, id);
}

async function yLabels(page, id) {
  return page.evaluate((el) => {
    const c = window.echarts.getInstanceByDom(document.getElementById(el));
    return c ? c.getOption().yAxis[0].data.slice().reverse() : null;
  }, id);
}

// refused clients of the first pages, by the API
async function refusedClients(base, want) {
  const out = [];
  for (let off = 0; off < 400 && out.length < want; off += 50) {
    const page = await api(base, `/v1/clients?offset=${off}&limit=50`);
    for (const c of page.clients) {
      const p = await api(base, '/v1/predict', { client_id: c.id });
      if (p.decision === 'refuse') out.push(c.id);
      if (out.length >= want) break;
    }
  }
  return out;
}

// the audit log's rows of one client (creditscore audit --csv), every kind unless plain
function auditRows(id, plain) {
  const csv = execFileSync(CS, ['audit', '--db', AUDIT, ...(plain ? [] : ['--kind', 'all']), '--client', String(id), '--csv'],
    { encoding: 'utf8' });
  const [head, ...lines] = csv.trim().split('\n');
  const cols = head.split(',');
  return lines.filter(Boolean).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

before(async () => {
  assert.ok(API && DASH && PROT_API && PROT_DASH && AUDIT && CS,
    'run.sh sets MGR_API_URL, MGR_DASH_URL, PROT_API_URL, PROT_DASH_URL, MGR_AUDIT_DB and CS');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
});

after(async () => { if (browser) await browser.close(); });

let refused;
test('a refusal is explained in words against the threshold, never looking like an approval', async () => {
  refused = await refusedClients(API, 3);
  assert.ok(refused.length >= 1, 'the fixture has refusals');
  const page = await newPage();
  for (const id of refused) {
    await openClient(page, DASH, id);
    const ex = await api(API, '/v1/explain', { client_id: id });
    // the chart's bars end on the total against the threshold: right of zero for a refusal
    const total = await page.evaluate(() => {
      const o = window.echarts.getInstanceByDom(document.getElementById('chart-local')).getOption();
      return o.series[0].data[0].value;     // the bottom bar
    });
    assert.ok(total > 0, `client ${id}: the total bar (${total}) lies on the refusal side`);
    assert.ok(Math.abs(total - (ex.raw_score - ex.threshold_raw_score)) < 1e-9);
    const summary = await page.textContent('#local-summary');
    assert.match(summary, /average applicant/);
    assert.match(summary, /total bar ends above the threshold, hence refused/);
    // the axis says what it measures in words, not a bare "log-odds"
    const axis = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('chart-local')).getOption().xAxis[0].name);
    assert.match(axis, /toward approval.*toward refusal/);
    // labels, never raw feature names
    const labels = await yLabels(page, 'chart-local');
    for (const l of labels) assert.doesNotMatch(l, /^[A-Z0-9_]+$/, `"${l}" is a raw name`);
    // the chart's text alternative carries the numbers
    assert.match(await page.getAttribute('#chart-local', 'aria-label'), /Starting point[^;]*[+−-]\d/);
  }
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});

test('the gauge is zoomed around the threshold with risk bands A-E; "points" is the score only', async () => {
  const page = await newPage();
  const id = refused[0];
  await openClient(page, DASH, id);
  const x = await api(API, '/v1/explain', { client_id: id });
  const g = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('gauge')).getOption().series[0]);
  assert.ok(Math.abs(g.max - 100 * Math.min(1, 3 * x.threshold)) < 1e-3, `gauge max ${g.max}`);
  assert.ok(g.max < 100 || x.threshold > 1 / 3, 'the scale is not 0-100 %');
  const bands = await page.$$eval('#bands li', (l) => l.map((e) => [e.dataset.band, e.getAttribute('aria-current')]));
  assert.deepEqual(bands.map((b) => b[0]), ['A', 'B', 'C', 'D', 'E']);
  const r = x.probability / x.threshold;
  const want = r < 0.5 ? 'A' : r < 0.8 ? 'B' : r < 1 ? 'C' : r < 2 ? 'D' : 'E';
  assert.deepEqual(bands.filter((b) => b[1] === 'true').map((b) => b[0]), [want]);
  assert.ok(want === 'D' || want === 'E', 'a refusal is in band D or E');
  assert.match(await page.textContent('#distance-text'), new RegExp(`Risk band ${want}`));
  // "points" is the score's unit and nothing else's
  for (const sel of ['#distance-text', '#decision-text', '#bands', '#reasons', '#local-summary'])
    assert.doesNotMatch(await page.textContent(sel), /points/, sel);
  assert.match(await page.textContent('#score-help'), /600 points mean odds of 19 to 1/);
  await page.context().close();
});

test('the French page: title, reasons from the API in French, category values translated', async () => {
  const page = await newPage(undefined, 'fr');
  const id = refused[0];
  await openClient(page, DASH, id);
  assert.equal(await page.title(), 'creditscore — décision client');
  const fr = await api(API, '/v1/explain', { client_id: id, lang: 'fr' });
  const reasons = await page.$$eval('#reasons li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(reasons, fr.reason_codes.map((r) => r.text));
  assert.match(reasons[0], /risque de défaut/);
  const c = await api(API, `/v1/clients/${id}`);
  const card = await page.textContent('#client-info');
  const contract = { 'Cash loans': 'Prêt personnel', 'Revolving loans': 'Crédit renouvelable' }[c.NAME_CONTRACT_TYPE];
  assert.ok(card.includes(contract), `contract type in French: ${card}`);
  assert.ok(!card.includes(c.NAME_CONTRACT_TYPE), 'no English category left');
  assert.match(await page.textContent('#local-summary'), /demandeur moyen/);
  // the values inside feature labels too (the recipe's category_labels of the child tables)
  const opts = await page.$$eval('#feature-select option', (o) => Object.fromEntries(o.map((e) => [e.value, e.textContent])));
  assert.equal(opts.PREV_NAME_CONTRACT_STATUS_Refused_MEAN, 'Demandes précédentes : part avec statut refusée');
  assert.equal(opts.BURO_CREDIT_ACTIVE_Active_MEAN, 'Crédits au bureau : part avec statut du crédit en cours');
  // the language button's visible text is its accessible name
  assert.equal(await page.textContent('#lang'), 'English');
  assert.equal(await page.getAttribute('#lang', 'aria-label'), null);
  await page.context().close();
});

test('protected attributes: kept out by default, and shown plainly when a model uses them', async () => {
  // the default model (trained --exclude-protected): no reason, no default comparison is protected
  const page = await newPage();
  for (const id of refused) {
    const ex = await api(API, '/v1/explain', { client_id: id });
    assert.ok(ex.reason_codes.every((r) => !r.protected) && ex.contributions.every((r) => !r.protected));
  }
  await openClient(page, DASH, refused[0]);
  assert.equal(await page.isHidden('#protected-note'), true);
  await page.click('#tab-compare');
  const imp = await api(API, '/v1/importance');
  const first = imp.features.find((f) => !f.protected).feature;
  assert.equal(await page.inputValue('#feature-select'), first);
  await page.context().close();
  // a model trained with them: the page names them as reasons it uses
  const prot = await newPage();
  let shown = 0;
  for (const id of await refusedClients(PROT_API, 12)) {
    const ex = await api(PROT_API, '/v1/explain', { client_id: id });
    const used = ex.contributions.filter((r) => r.protected);
    if (!used.length) continue;
    await openClient(prot, PROT_DASH, id);
    const note = await prot.textContent('#protected-note');
    assert.equal(await prot.isVisible('#protected-note'), true);
    assert.match(note, /uses protected attributes/);
    for (const r of used) assert.ok(note.includes(r.label), `${r.label} named in "${note}"`);
    for (const r of ex.reason_codes.filter((q) => q.protected)) {
      const li = await prot.$$eval('#reasons li', (l) => l.map((e) => e.textContent));
      assert.ok(li.some((t) => t.startsWith(r.text) && /protected attribute, which this model uses/.test(t)));
    }
    // the comparison does not open on it
    await prot.click('#tab-compare');
    const sel = await prot.inputValue('#feature-select');
    const imp2 = await api(PROT_API, '/v1/importance');
    assert.ok(!imp2.features.find((f) => f.feature === sel).protected, `default comparison ${sel}`);
    shown++;
    break;
  }
  assert.ok(shown >= 1, 'a refusal of the model with protected attributes names one');
  await prot.context().close();
});

test('at a phone\'s width (390 px) nothing overflows, in every tab', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await openClient(page, DASH, refused[0]);
  for (const tab of ['local', 'global', 'compare', 'whatif', 'cost']) {
    await page.click(`#tab-${tab}`);
    await page.waitForTimeout(250);
    const o = await page.evaluate(() => {
      const wide = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > window.innerWidth + 0.5 && !el.closest('.visually-hidden')) wide.push(el.id || el.tagName);
      }
      return { sw: document.documentElement.scrollWidth, iw: window.innerWidth, wide: wide.slice(0, 5) };
    });
    assert.ok(o.sw <= o.iw, `tab ${tab}: page ${o.sw} px wide at ${o.iw} px (${o.wide})`);
    assert.deepEqual(o.wide, [], `tab ${tab}`);
  }
  // the contribution chart keeps room for its bars
  await page.click('#tab-local');
  await page.waitForTimeout(250);
  const grid = await page.evaluate(() => {
    const el = document.getElementById('chart-local');
    return { w: el.clientWidth, left: window.echarts.getInstanceByDom(el).getOption().grid[0].left };
  });
  assert.ok(grid.w - grid.left - 40 >= 0.4 * grid.w, `bars get ${grid.w - grid.left - 40} of ${grid.w} px`);
  await page.context().close();
});

test('histograms: clipped ends said as such, a 0/1 feature in two bars', async () => {
  const page = await newPage();
  await openClient(page, DASH, refused[0]);
  await page.click('#tab-compare');
  const m = await api(API, '/v1/model');
  const flag = m.features.find((f) => f === 'FLAG_OWN_CAR') || m.features.find((f) => /^FLAG_/.test(f));
  const numeric = 'AMT_CREDIT';
  const bars = async (f) => {
    await page.selectOption('#feature-select', f);
    await page.waitForFunction((x) => document.getElementById('chart-compare').dataset.feature === x, f);
    return page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('chart-compare')).getOption().xAxis[0].data);
  };
  const b = await bars(flag);
  assert.deepEqual(b, ['no (0)', 'yes (1)']);
  const n = await bars(numeric);
  const d = await api(API, `/v1/features/${numeric}/distribution`);
  assert.equal(n.length, d.accepted.length);
  assert.match(n[0], /^under /);
  assert.match(n[n.length - 1], / and over$/);
  assert.match(await page.textContent('#compare-text'), /This client's value: .*\(bar ".*"\)/);
  await page.context().close();
});

test('search: what cannot be an id is refused with "no match"; pages can be jumped to', async () => {
  const page = await newPage();
  await page.goto(DASH + '/', { waitUntil: 'load' });
  await page.waitForSelector('#client-list li button');
  for (const [q, re] of [['abc', /No match: "abc" is not a client id/], ['-1', /No match: "-1" is not a client id/],
    ['10000a2', /No match: "10000a2" is not a client id/], ['1'.repeat(23), /No match: a client id has at most 18 digits/],
    ['999999', /No match: no client id starts with 999999/]]) {
    await page.fill('#search', q);
    await page.waitForFunction((want) => new RegExp(want).test(document.getElementById('client-count').textContent), re.source);
    assert.equal(await page.locator('#client-list li button').count(), 0, `"${q}" lists nothing`);
  }
  await page.fill('#search', '');
  await page.waitForFunction(() => document.querySelectorAll('#client-list li button').length === 20);
  const total = (await api(API, '/v1/clients?offset=0&limit=1')).total;
  await page.fill('#page-jump', '3');
  await page.click('#page-form button');
  const want = (await api(API, '/v1/clients?offset=40&limit=20')).clients[0].id;
  await page.waitForFunction((w) => document.querySelector('#client-list li button').dataset.id === String(w), want);
  assert.match(await page.textContent('#page'), new RegExp(`page 3 of ${Math.ceil(total / 20)}`));
  await page.fill('#page-jump', '100000');
  await page.click('#page-form button');
  await page.waitForFunction(() => /There are \d+ pages/.test(document.getElementById('client-count').textContent));
  // list items read as "100001, known outcome repaid", not "100001repaid"
  const name = await page.$eval('#client-list li button', (b) => b.innerText.replace(/\s+/g, ' '));
  assert.doesNotMatch(name, /^\d+(repaid|defaulted)/);
  await page.context().close();
});

test('what-if: a bad input clears the result and says why', async () => {
  const page = await newPage();
  await openClient(page, DASH, refused[0]);
  await page.click('#tab-whatif');
  await page.click('#whatif-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('whatif-result').dataset.decision);
  for (const [field, value, re] of [['#wi-income', '-5', /Income: enter a positive amount/],
    ['#wi-income', '1e308', /Income: enter a positive amount/],
    ['#wi-annuity', '99999999', /annuity cannot be larger than the credit/]]) {
    await openClient(page, DASH, refused[0]);
    await page.click('#tab-whatif');
    await page.click('#whatif-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('whatif-result').dataset.decision);
    await page.fill(field, value);
    assert.equal(await page.getAttribute('#whatif-result', 'data-decision'), null, 'an edited input clears the old result');
    await page.click('#whatif-form button[type=submit]');
    await page.waitForFunction((r) => new RegExp(r).test(document.getElementById('whatif-error').textContent), re.source);
    assert.equal(await page.textContent('#whatif-result'), '');
    assert.equal(await page.getAttribute(field, 'aria-invalid'), 'true');
  }
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});

test('a printable one-page summary in the client\'s language', async () => {
  const page = await newPage(undefined, 'fr');
  const id = refused[0];
  await openClient(page, DASH, id);
  const fr = await api(API, '/v1/explain', { client_id: id, lang: 'fr' });
  const m = await api(API, '/v1/model');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#print-summary'), true);
  assert.equal(await page.isVisible('.layout'), false);
  const text = await page.textContent('#print-summary');
  assert.match(text, /Votre demande de crédit : la décision/);
  assert.match(text, /DécisionRefusé/);
  assert.ok(text.includes(`${m.name} v${m.version}`), text);
  const reasons = await page.$$eval('#ps-reasons li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(reasons, fr.reason_codes.slice(0, 4).map((r) => r.text));
  assert.match(text, /Comment contester cette décision/);
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, 'the summary fits one page');
  await page.context().close();
});

test('viewing a client is a lookup and a what-if a simulation, never a decision', async () => {
  const list = await api(API, '/v1/clients?offset=0&limit=5');
  const id = list.clients[3].id;
  const before = auditRows(id).length;
  const page = await newPage();
  await openClient(page, DASH, id);
  await page.click('#tab-whatif');
  const credit = Number(await page.inputValue('#wi-credit'));
  await page.fill('#wi-credit', String(Math.round(credit * 0.8)));
  await page.click('#whatif-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('whatif-result').dataset.decision);
  const rows = auditRows(id).slice(before);
  const kinds = rows.map((r) => r.kind);
  assert.ok(kinds.includes('lookup'), `the view is logged as a lookup: ${kinds}`);
  assert.ok(kinds.includes('simulation'), `the what-if is logged under the client as a simulation: ${kinds}`);
  assert.deepEqual(kinds.filter((k) => k === 'decision'), [], 'no decision was logged by the page');
  assert.equal(rows.find((r) => r.kind === 'simulation').input_kind, 'features');
  // `creditscore audit` without --kind lists the decisions only: none of the page's rows
  const plain = auditRows(id, true);
  assert.ok(plain.every((r) => r.kind === 'decision'));
  assert.equal(plain.length, auditRows(id).filter((r) => r.kind === 'decision').length);
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});

test('what-if: the API checks the inputs against the training data and the page names the field', async () => {
  const page = await newPage();
  const id = refused[0];
  await openClient(page, DASH, id);
  await page.click('#tab-whatif');
  await page.click('#whatif-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('whatif-result').dataset.decision);
  // a positive finite amount passes the page's own check; the API refuses it: beyond any
  // income the model was trained on
  await page.fill('#wi-income', '500000000000');
  await page.click('#whatif-form button[type=submit]');
  await page.waitForFunction(() => /Income: not accepted by the model/.test(document.getElementById('whatif-error').textContent));
  const msg = await page.textContent('#whatif-error');
  assert.match(msg, /AMT_INCOME_TOTAL = 5e\+11 is outside the values the model was trained on \(/);
  assert.equal(await page.textContent('#whatif-result'), '', 'no stale result');
  assert.equal(await page.getAttribute('#whatif-result', 'data-decision'), null);
  assert.equal(await page.getAttribute('#wi-income', 'aria-invalid'), 'true');
  // the API says the same to anyone: 400, the field named
  const c = await api(API, `/v1/clients/${id}`);
  const features = {};
  for (const k of (await api(API, '/v1/model')).features) features[k] = c.features[k];
  features.AMT_INCOME_TOTAL = -1;
  const res = await fetch(API + '/v1/predict', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ features, simulation_of: id })
  });
  const body = await res.json();
  assert.equal(res.status, 400);
  assert.equal(body.error.field, 'features.AMT_INCOME_TOTAL');
  // and the recipe's relation: the annuity at most the credit amount
  features.AMT_INCOME_TOTAL = c.features.AMT_INCOME_TOTAL;
  features.AMT_ANNUITY = c.features.AMT_CREDIT + 1;
  const rel = await fetch(API + '/v1/predict', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ features, simulation_of: id })
  });
  const relBody = await rel.json();
  assert.equal(rel.status, 400);
  assert.equal(relBody.error.code, 'inconsistent_inputs');
  assert.equal(relBody.error.field, 'features.AMT_ANNUITY');
  assert.match(relBody.error.message, /is larger than AMT_CREDIT = .* \(the recipe: at most AMT_CREDIT\)/);
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});

test('the client\'s history from the audit log, what-if runs marked as simulations', async () => {
  const list = await api(API, '/v1/clients?offset=0&limit=8');
  const id = list.clients[6].id;
  await api(API, '/v1/predict', { client_id: id });   // a decision on the application, by another system
  const page = await newPage();
  await openClient(page, DASH, id);
  await page.waitForFunction(() => document.querySelectorAll('#history-list li').length >= 1);
  let items = await page.$$eval('#history-list li', (l) => l.map((e) => ({ kind: e.dataset.kind, text: e.textContent })));
  assert.equal(items[0].kind, 'decision');
  assert.match(items[0].text, /Decision: [✓✗] (Approved|Refused), estimated risk [0-9.,]+ %, model gbdt v/);
  assert.ok(!items.some((i) => i.kind === 'lookup'), 'page views are not listed');
  await page.click('#tab-whatif');
  const credit = Number(await page.inputValue('#wi-credit'));
  await page.fill('#wi-credit', String(Math.round(credit * 0.7)));
  await page.click('#whatif-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#history-list li[data-kind="simulation"]'));
  items = await page.$$eval('#history-list li', (l) => l.map((e) => ({ kind: e.dataset.kind, text: e.textContent, style: getComputedStyle(e).fontStyle })));
  assert.equal(items[0].kind, 'simulation', 'the newest entry is the what-if');
  assert.match(items[0].text, /Simulation \(what-if, not a decision\)/);
  assert.equal(items[0].style, 'italic');
  // the page shows what the API's history holds, newest first
  const h = await api(API, `/v1/clients/${id}/history?kind=decision,simulation&limit=10`);
  assert.deepEqual(items.map((i) => i.kind), h.history.map((r) => r.kind));
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});

test('similar applicants: the acceptance rate in the client\'s band and the nearest accepted and refused, identities hidden', async () => {
  const id = refused[0];
  const s = await api(API, `/v1/clients/${id}/similar?k=3&lang=en`);
  assert.equal(s.band.size, 100);
  assert.ok(s.approved.length >= 1 && s.refused.length >= 1, 'the fixture has both');
  assert.ok(s.approved.every((n) => n.decision === 'approve') && s.refused.every((n) => n.decision === 'refuse'));
  const json = JSON.stringify(s);
  assert.ok(!/"(id|client_id|SK_ID_CURR)":/.test(json.replace(`"client_id":${id}`, '')), 'no applicant is identified');
  const page = await newPage();
  await openClient(page, DASH, id);
  await page.waitForFunction(() => document.querySelectorAll('#similar-list li').length >= 2);
  const text = await page.textContent('#similar-text');
  assert.ok(text.includes(`Among the 100 applicants most like this client, ${s.band.approved} were approved`), text);
  const items = await page.$$eval('#similar-list li', (l) => l.map((e) => ({ d: e.dataset.decision, text: e.textContent })));
  assert.deepEqual(items.map((i) => i.d), [...s.approved, ...s.refused].map((n) => n.decision));
  assert.match(items[0].text, /^Applicant 1: ✓ Approved, estimated risk [0-9.]+ %, (repaid|defaulted|outcome unknown) — /);
  assert.ok(items[0].text.includes(s.approved[0].values[0].label + ': ' + s.approved[0].values[0].text));
  assert.match(await page.textContent('#similar-help'), /^Compared on: .*who they are is never shown\./);
  // in French: the API's labels and values in French, the page's words too
  await page.click('#lang');
  await page.waitForFunction(() => /Parmi les 100 demandeurs/.test(document.getElementById('similar-text').textContent));
  const fr = await api(API, `/v1/clients/${id}/similar?k=3&lang=fr`);
  const frItems = await page.$$eval('#similar-list li', (l) => l.map((e) => e.textContent));
  assert.ok(frItems[0].startsWith('Demandeur 1 : ✓ Accordé'), frItems[0]);
  assert.ok(frItems[0].includes(fr.approved[0].values[0].label + ' : ' + fr.approved[0].values[0].text), frItems[0]);
  await page.click('#lang');
  await page.waitForFunction(() => /Among the 100/.test(document.getElementById('similar-text').textContent));
  if (process.env.SCREENSHOT_DIR) {   // make screenshots: the history and similar applicants, for the README
    await page.locator('#history-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/record.png`, fullPage: true });
  }
  assert.deepEqual(pageErrors, []);
  await page.context().close();
});
