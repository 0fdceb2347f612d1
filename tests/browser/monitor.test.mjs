// monitor.test.mjs: the monitoring report (creditscore monitor --html, made by run.sh from
// a replayed stream) renders in a browser from a file: every chart is drawn with a size,
// the summary, CSI, bands, vintages and periods tables are there, nothing is fetched and
// nothing fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const HTML = process.env.MONITOR_HTML;
let browser, page;
const pageErrors = [];
const requests = [];

before(async () => {
  assert.ok(HTML, 'MONITOR_HTML must be set (tests/browser/run.sh does it)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${HTML}`, { waitUntil: 'load' });
});

after(async () => { if (browser) await browser.close(); });

test('the report loads with its title and summary cards', async () => {
  assert.match(await page.title(), /^Model monitoring: /);
  assert.ok(await page.locator('.card').count() >= 4);
  const psi = await page.textContent('#card-psi');
  assert.match(psi, /score PSI/);
});

test('every chart is drawn, with marks and a size', async () => {
  const charts = page.locator('svg.chart');
  const n = await charts.count();
  assert.ok(n >= 8, `charts: ${n}`);
  for (let i = 0; i < n; i++) {
    const box = await charts.nth(i).boundingBox();
    assert.ok(box && box.width > 300 && box.height > 80, `chart ${i} has a size: ${JSON.stringify(box)}`);
    const marks = await charts.nth(i).locator('polyline, rect, circle').count();
    assert.ok(marks > 0, `chart ${i} draws something`);
  }
});

test('the tables are filled', async () => {
  assert.ok(await page.locator('#periods tr').count() >= 15);
  assert.ok(await page.locator('#csi tr').count() >= 5);
  assert.ok(await page.locator('#bands tr').count() >= 3);
  assert.ok(await page.locator('#vintages tr').count() >= 15);
  // the shock puts some period's PSI in the "act" band, coloured as such
  assert.ok(await page.locator('#periods td.act').count() > 0);
});

test('nothing is fetched and nothing fails', async () => {
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  assert.deepEqual(pageErrors, []);
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/monitor.png`, fullPage: true });
});
