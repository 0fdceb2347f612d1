// counterfactual.test.mjs: "What would change the decision" under a refused client's decision
// (issue #15): the sentence of POST /v1/counterfactual in the page's language, English and
// French, on the Home Credit model and on the credit-risk lender's model (where changes of the
// loan amount are found); none for an approval; nothing overflows at a phone's width. run.sh
// starts the APIs and dashboards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const SITES = [
  { name: 'Home Credit', api: process.env.MGR_API_URL, dash: process.env.MGR_DASH_URL },
  { name: 'credit-risk', api: process.env.LENDER_API_URL, dash: process.env.LENDER_DASH_URL }
];
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

// the first refused clients with a change found and without, and an approved one, by the API
async function clients(base) {
  const out = { found: [], none: [], approved: [] };
  for (let off = 0; off < 400 && (out.found.length < 2 || !out.none.length || !out.approved.length); off += 50) {
    const page = await api(base, `/v1/clients?offset=${off}&limit=50`);
    for (const c of page.clients) {
      const d = await api(base, '/v1/counterfactual', { client_id: c.id });
      if (d.decision === 'approve') { if (!out.approved.length) out.approved.push(c.id); }
      else if (d.found) { if (out.found.length < 2) out.found.push(c.id); }
      else if (!out.none.length) out.none.push(c.id);
    }
  }
  return out;
}

before(async () => {
  for (const s of SITES) assert.ok(s.api && s.dash, 'run.sh sets MGR_API_URL, MGR_DASH_URL, LENDER_API_URL and LENDER_DASH_URL');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  for (const s of SITES) s.clients = await clients(s.api);
});

after(async () => { if (browser) await browser.close(); });

test('a refusal says under its decision what would change it, in English and in French', async () => {
  let withChange = 0;
  for (const s of SITES) {
    const ids = [...s.clients.found, ...s.clients.none];
    assert.ok(ids.length >= 1, `${s.name}: the fixture has refusals`);
    withChange += s.clients.found.length;
    for (const lang of ['en', 'fr']) {
      const page = await newPage(undefined, lang);
      for (const id of ids) {
        const want = await api(s.api, '/v1/counterfactual', { client_id: id, lang });
        await openClient(page, s.dash, id);
        await page.waitForSelector('#cf-text:not([hidden])');
        const text = await page.textContent('#cf-text');
        const lead = lang === 'fr' ? 'Ce qui changerait la décision : ' : 'What would change the decision: ';
        assert.equal(text, lead + want.sentence, `${s.name} client ${id} (${lang})`);
        if (want.found) assert.match(want.sentence, lang === 'fr' ? /^Pour un accord, il faudrait : / : /^Approval would need /);
        else assert.match(want.sentence, lang === 'fr' ? /^Aucun changement / : /^No change /);
        // under the decision, inside its card
        const pos = await page.evaluate(() => {
          const r = (id) => document.getElementById(id).getBoundingClientRect();
          const card = document.getElementById('decision-badge').closest('section').getBoundingClientRect();
          return { badge: r('decision-badge').bottom, cf: r('cf-text').top, cfBottom: r('cf-text').bottom, card: card.bottom };
        });
        assert.ok(pos.cf >= pos.badge && pos.cfBottom <= pos.card, `${s.name} client ${id}: under the decision, in its card ${JSON.stringify(pos)}`);
      }
      await page.context().close();
    }
  }
  assert.ok(withChange >= 1, 'at least one refusal with a change found (the credit-risk loans)');
  assert.deepEqual(pageErrors, []);
});

test('the sentence follows the client and the language; an approval has none', async () => {
  const s = SITES[1];
  const id = s.clients.found[0], ok = s.clients.approved[0];
  assert.ok(id && ok, 'credit-risk: a refusal with a change and an approval');
  const page = await newPage();
  await openClient(page, s.dash, id);
  await page.waitForSelector('#cf-text:not([hidden])');
  assert.match(await page.textContent('#cf-text'), /Approval would need .* \(now [^)]+\)/);
  // the language button: the French sentence replaces the English one
  await page.click('#lang');
  await page.waitForFunction(() => /^Ce qui changerait la décision : Pour un accord/.test(document.getElementById('cf-text').textContent));
  await page.click('#lang');
  await page.waitForFunction(() => /^What would change the decision: Approval would need/.test(document.getElementById('cf-text').textContent));
  // an approved client: no sentence
  await openClient(page, s.dash, ok);
  assert.equal(await page.isHidden('#cf-text'), true, `client ${ok} is approved: no counterfactual sentence`);
  assert.equal(await page.textContent('#cf-text'), '');
  await page.context().close();
  assert.deepEqual(pageErrors, []);
});

test('at a phone\'s width (390 px) the sentence wraps inside the page', async () => {
  const s = SITES[1];
  const page = await newPage({ width: 390, height: 844 });
  await openClient(page, s.dash, s.clients.found[0]);
  await page.waitForSelector('#cf-text:not([hidden])');
  const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, cf: document.getElementById('cf-text').getBoundingClientRect().right }));
  assert.ok(w.doc <= 390 && w.cf <= 390, `nothing overflows: ${JSON.stringify(w)}`);
  await page.context().close();
  assert.deepEqual(pageErrors, []);
});
