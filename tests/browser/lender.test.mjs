// lender.test.mjs: the dashboard on a lender's own data, the credit-risk file through
// recipes/credit-risk.json (run.sh starts its API and dashboard: LENDER_API_URL,
// LENDER_DASH_URL). The client card shows the recipe's profile fields with their labels and
// units, in English and in French, and none of Home Credit's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const API = process.env.LENDER_API_URL;
const DASH = process.env.LENDER_DASH_URL;
let browser, page;
const pageErrors = [];

before(async () => {
  assert.ok(API && DASH, 'LENDER_API_URL and LENDER_DASH_URL must be set (tests/browser/run.sh does it)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => { if (browser) await browser.close(); });

// The card as pairs [label, value], in order.
async function card() {
  return page.$$eval('#client-info > div', (ds) => ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]));
}

test('the client card shows the recipe\'s profile fields with their units', async () => {
  const c = await (await fetch(`${API}/v1/clients/1`)).json();
  assert.equal(c.person_age, 22);
  await page.goto(`${DASH}/?client=1`, { waitUntil: 'load' });
  await page.waitForSelector('#client-view:not([hidden])');
  await page.waitForFunction(() => document.getElementById('client-id').textContent === '1');
  const got = await card();
  const m = Object.fromEntries(got);
  assert.deepEqual(got.map((p) => p[0]).slice(0, 10), c.profile.map((f) => f.label.en));
  assert.equal(m['Age'], '22 years');
  assert.equal(m['Yearly income'], new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(59000));
  assert.equal(m['Loan amount'], new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(35000));
  assert.equal(m['Interest rate'], '16.02 %');
  assert.equal(m['Loan as a share of income'], '59 %');      // 0.59 as a share
  assert.equal(m['Home ownership'], 'renting');          // RENT in the recipe's words
  assert.equal(m['Purpose of the loan'], 'personal');
  assert.equal(m['Length of credit history'], '3 years');
  assert.equal(m['Known outcome'], 'defaulted');
  for (const hc of ['Children', 'Annuity', 'Goods price', 'Contract type', 'Gender']) assert.ok(!(hc in m), `no ${hc}`);
  assert.deepEqual(pageErrors, []);
});

test('in French the card uses the recipe\'s French labels', async () => {
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  const m = Object.fromEntries(await card());
  assert.equal(m['Âge'], '22 ans');
  assert.equal(m['Taux d\'intérêt'], new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(16.02) + ' %');
  assert.ok('Objet du prêt' in m && 'Revenu annuel' in m, JSON.stringify(m));
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
});

test('the decision and its explanation are the API\'s for this loan', async () => {
  const want = await (await fetch(`${API}/v1/predict`, { method: 'POST', body: JSON.stringify({ client_id: 1 }) })).json();
  await page.waitForFunction(() => document.getElementById('decision-badge').dataset.decision);
  assert.equal(await page.getAttribute('#decision-badge', 'data-decision'), want.decision);
  const ex = await (await fetch(`${API}/v1/explain`, { method: 'POST', body: JSON.stringify({ client_id: 1 }) })).json();
  const opt = await page.evaluate(() => {
    const c = window.echarts.getInstanceByDom(document.getElementById('chart-local'));
    return c ? c.getOption().yAxis[0].data : null;
  });
  const top = ex.contributions[0];
  assert.ok(top.label, 'the API labels the contribution with the recipe');
  const labels = opt.slice().reverse();     // top to bottom: the starting point, then the largest factor
  assert.ok(labels[1].startsWith(top.label), `${labels[1]} is ${top.label}`);   // by its label
  assert.deepEqual(pageErrors, []);
});

test('the comparison tab lists features by label and shows the client\'s value in its unit', async () => {
  await page.click('#tab-compare');
  await page.waitForSelector('#panel-compare:not([hidden])');
  const m = await (await fetch(`${API}/v1/model`)).json();
  const i = m.features.indexOf('person_age');
  const text = await page.$eval('#feature-select', (s, v) => [...s.options].find((o) => o.value === v).textContent, 'person_age');
  assert.ok(text.startsWith(m.feature_labels[i].en), text);   // "(protected attribute)" may follow
  await page.selectOption('#feature-select', 'person_age');
  await page.waitForFunction(() => /years/.test(document.getElementById('compare-text').textContent));
  assert.match(await page.textContent('#compare-text'), /22 years/);
  assert.deepEqual(pageErrors, []);
});
