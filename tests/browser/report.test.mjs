// report.test.mjs: the model report (creditscore report --html, made by run.sh with the
// tracking store and a fairness report) renders in a browser from a file: every section is
// there, the four charts are drawn with a size and marks, the metrics carry intervals, the
// lineage names the run, the fairness and sign-off tables are filled, nothing is fetched, no
// script runs and nothing fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const HTML = process.env.MODEL_REPORT_HTML;
let browser, page;
const pageErrors = [];
const requests = [];

before(async () => {
  assert.ok(HTML, 'MODEL_REPORT_HTML must be set (tests/browser/run.sh does it)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${HTML}`, { waitUntil: 'load' });
});

after(async () => { if (browser) await browser.close(); });

test('the report has its title and every section', async () => {
  assert.match(await page.title(), /^Model report: /);
  for (const id of ['purpose', 'data', 'lineage', 'performance', 'stability', 'fairness', 'importance',
    'limitations', 'signoff']) {
    assert.ok(await page.locator(`h2#${id}`).isVisible(), `section ${id}`);
  }
});

test('the four charts are drawn, with marks and a size', async () => {
  const charts = page.locator('svg.chart');
  assert.equal(await charts.count(), 4);
  const labels = [];
  for (let i = 0; i < 4; i++) {
    const c = charts.nth(i);
    const box = await c.boundingBox();
    assert.ok(box && box.width > 250 && box.height > 150, `chart ${i} has a size: ${JSON.stringify(box)}`);
    assert.ok(await c.locator('polyline.s1, rect.b1, rect.b2, circle.pt').count() >= 1, `chart ${i} draws something`);
    labels.push(await c.getAttribute('aria-label'));
  }
  assert.match(labels.join(' | '), /ROC.*Calibration.*defaulters and repayers.*threshold/);
  // the ROC curve has many points, the threshold line is drawn on the cost curve
  const roc = await charts.nth(0).locator('polyline.s1').getAttribute('points');
  assert.ok(roc.trim().split(/\s+/).length > 20);
  assert.equal(await charts.nth(3).locator('line.thr').count(), 1);
});

test('the metrics carry bootstrap intervals; lineage names the tracked run', async () => {
  const rows = page.locator('#metrics tr');
  assert.equal(await rows.count(), 6);
  const text = await page.textContent('#metrics');
  for (const m of ['AUC', 'Gini', 'KS', 'log loss', 'Brier']) assert.ok(text.includes(m), m);
  assert.equal((text.match(/\(\d\.\d{4}–\d\.\d{4}\)/g) || []).length, 5);
  const lineage = await page.textContent('#lineage + dl');
  assert.match(lineage, /run[0-9a-f]{32}/);
  assert.match(lineage, /FINISHED/);
});

test('stability, fairness, importance and sign-off tables are filled', async () => {
  assert.ok(await page.locator('#psi tr').count() >= 10);
  assert.ok(await page.locator('#fair tr').count() >= 3);
  assert.match(await page.textContent('#fair'), /CODE_GENDER/);
  assert.ok(await page.locator('#importance-table tr').count() >= 10);
  assert.equal(await page.locator('table.sign tr').count(), 4);
});

test('nothing is fetched, no script, nothing fails', async () => {
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  assert.equal(await page.locator('script').count(), 0);
  assert.deepEqual(pageErrors, []);
});
