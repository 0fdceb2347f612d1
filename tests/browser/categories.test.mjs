// categories.test.mjs: a client whose category strings hold markup (run.sh writes
// "<script>window.__xss=1</script>" as its education and '"><img src=x onerror=...>' as its
// family status into the generated data before features and clients import; it runs
// before dashboard.test.mjs, whose last test stops the API): the page
// shows both as text, builds no element from them and runs no script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const API = process.env.API_URL;
const DASH = process.env.DASH_URL;
const ID = process.env.XSS_CLIENT;
let browser, page;
const pageErrors = [];
const dialogs = [];

before(async () => {
  assert.ok(API && DASH && ID, 'API_URL, DASH_URL and XSS_CLIENT must be set (tests/browser/run.sh does it)');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
});

after(async () => { if (browser) await browser.close(); });

test('the API returns the hostile categories as data', async () => {
  const res = await fetch(`${API}/v1/clients/${ID}`);
  assert.equal(res.status, 200);
  const c = await res.json();
  assert.equal(c.NAME_EDUCATION_TYPE, '<script>window.__xss=1</script>');
  assert.equal(c.NAME_FAMILY_STATUS, '"><img src=x onerror="window.__xss=2">');
});

test('the page shows markup in categories as text and runs none of it', async () => {
  await page.goto(`${DASH}/?client=${ID}`, { waitUntil: 'load' });
  await page.waitForSelector('#client-view:not([hidden])');
  await page.waitForFunction((id) => document.getElementById('client-id').textContent === id, ID);
  const text = await page.textContent('#client-info');
  assert.ok(text.includes('<script>window.__xss=1</script>'), `education shown as text: ${text}`);
  assert.ok(text.includes('"><img src=x onerror="window.__xss=2">'), `family status shown as text: ${text}`);
  assert.equal(await page.locator('#client-info script, #client-info img').count(), 0);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  await page.waitForTimeout(300);   // an onerror would have fired by now
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});
