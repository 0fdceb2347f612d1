// scorecard.test.mjs: the dashboard's points table for a client of a scorecard model
// (run.sh serves one: SC_API_URL, SC_DASH_URL): every characteristic's bin, points, maximum
// and shortfall as the API's /v1/explain gives them, the total against the cut-off, in
// English and French; and no points table for an answer without one (other models).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const API = process.env.SC_API_URL, DASH = process.env.SC_DASH_URL;
const SHOTS = process.env.SCREENSHOT_DIR || '';
let browser, page;
const pageErrors = [];

async function api(path, body) {
  const res = await fetch(API + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  assert.ok(API && DASH, 'SC_API_URL and SC_DASH_URL must be set (tests/browser/run.sh)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text()); });
});

after(async () => { if (browser) await browser.close(); });

async function rows() {
  return page.$$eval('#scorecard-body tr', (trs) => trs.map((tr) => ({
    feature: tr.dataset.feature, cells: [...tr.children].map((td) => td.textContent)
  })));
}

test('a scorecard client shows its points table as the API gives it', async () => {
  const list = await api('/v1/clients?offset=0&limit=40');
  // a refused client: its reasons are the largest shortfalls
  let chosen = null, ex = null;
  for (const c of list.body.clients) {
    const e = (await api('/v1/explain', { client_id: c.id })).body;
    if (!chosen || e.decision === 'refuse') { chosen = c.id; ex = e; }
    if (e.decision === 'refuse') break;
  }
  assert.ok(ex.scorecard && ex.scorecard.characteristics.length >= 1, 'the API answers a points table');
  await page.goto(DASH + '/?client=' + chosen, { waitUntil: 'load' });
  await page.waitForSelector('#scorecard-card:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#scorecard-body tr').length > 0);
  const got = await rows();
  const want = ex.scorecard.characteristics;
  assert.equal(got.length, want.length);
  let sumPts = 0, sumMax = 0;
  for (let i = 0; i < want.length; i++) {
    assert.equal(got[i].feature, want[i].feature);
    assert.equal(got[i].cells[0], want[i].label);
    assert.equal(got[i].cells[1], want[i].bin);
    assert.equal(Number(got[i].cells[2]), want[i].points);
    assert.equal(Number(got[i].cells[3]), want[i].max_points);
    assert.equal(got[i].cells[4], want[i].shortfall > 0 ? '−' + want[i].shortfall : '0');
    assert.equal(want[i].max_points - want[i].points, want[i].shortfall);
    sumPts += want[i].points; sumMax += want[i].max_points;
  }
  assert.equal(sumPts, ex.scorecard.points, 'the points add up to the total');
  const total = await page.$$eval('#scorecard-foot tr > *', (c) => c.map((x) => x.textContent));
  assert.equal(Number(total[2]), ex.scorecard.points);
  assert.equal(Number(total[3]), sumMax);
  const summary = await page.textContent('#scorecard-summary');
  assert.ok(summary.includes(`${ex.scorecard.points} points against a cut-off of ${ex.scorecard.cutoff}`), summary);
  // the score beside the decision is the scorecard's total, the decision the cut-off's
  assert.equal(Number((await page.textContent('#score')).replace(/[^0-9-]/g, '')), ex.scorecard.points);
  assert.equal(ex.decision, ex.scorecard.points >= ex.scorecard.cutoff ? 'approve' : 'refuse');
  // reason codes: by shortfall, largest first
  const sf = ex.scorecard.reason_codes.map((r) => r.shortfall);
  assert.deepEqual(sf, [...sf].sort((a, b) => b - a));
  if (ex.decision === 'refuse') assert.ok(sf.length >= 1);
  if (SHOTS) { mkdirSync(SHOTS, { recursive: true }); await page.screenshot({ path: `${SHOTS}/scorecard.png`, fullPage: true }); }
  await page.click('#lang');
  await page.waitForFunction(() => document.getElementById('scorecard-title').textContent === 'Grille de points');
  assert.match(await page.textContent('#scorecard-summary'), /pour un seuil de/);
  await page.click('#lang');
  assert.deepEqual(pageErrors, []);
});

test('an answer without a points table (any other model) hides it', async () => {
  // the gbdt API of dashboard.test.mjs is stopped by then: the page's own renderer, given an
  // explain answer of a tree model (no "scorecard" member), must hide the card
  assert.equal(await page.getAttribute('#scorecard-card', 'hidden'), null);
  await page.evaluate(() => window.CS_SCORECARD.render({ decision: 'approve', contributions: [] }, 'en'));
  assert.equal(await page.getAttribute('#scorecard-card', 'hidden'), '');
  assert.deepEqual(pageErrors, []);
});
