// weight.test.mjs: what the relationship manager's page costs to load, measured in the
// browser (bytes transferred: headers and encoded bodies, the API calls included): under
// 300 KB with an empty cache, under 20 KB on a reload; and a /favicon.ico.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const API = process.env.MGR_API_URL;
const DASH = process.env.MGR_DASH_URL;
let browser;

before(async () => {
  assert.ok(API && DASH, 'run.sh sets MGR_API_URL and MGR_DASH_URL');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
});
after(async () => { if (browser) await browser.close(); });

async function load(page, how) {
  const seen = [];
  const on = async (req) => {
    const s = await req.sizes();
    const r = await req.response();
    seen.push({ url: req.url().replace(DASH, ''), status: r ? r.status() : 0, bytes: s.responseHeadersSize + s.responseBodySize + s.requestHeadersSize + s.requestBodySize });
  };
  const pending = [];
  const listener = (req) => pending.push(on(req));
  page.on('requestfinished', listener);
  await how();
  await page.waitForFunction(() => document.getElementById('decision-badge').dataset.decision);
  await page.waitForFunction(() => document.querySelectorAll('#client-list li button').length > 0);
  await page.waitForLoadState('networkidle');
  page.off('requestfinished', listener);
  await Promise.all(pending);
  return { total: seen.reduce((a, x) => a + x.bytes, 0), seen };
}

test('first load under 300 KB, a reload under 20 KB, a favicon', async () => {
  const id = (await (await fetch(`${API}/v1/clients?offset=0&limit=1`)).json()).clients[0].id;
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const first = await load(page, () => page.goto(`${DASH}/?client=${id}`, { waitUntil: 'load' }));
  const again = await load(page, () => page.reload({ waitUntil: 'load' }));
  const kb = (x) => (x / 1024).toFixed(1) + ' KB';
  console.log(`# first load ${kb(first.total)} in ${first.seen.length} requests; reload ${kb(again.total)} in ${again.seen.length} requests`);
  for (const s of first.seen) console.log(`#   ${s.status} ${kb(s.bytes)} ${s.url}`);
  assert.ok(first.total < 300 * 1024, `first load ${kb(first.total)}: ${JSON.stringify(first.seen)}`);
  assert.ok(again.total < 20 * 1024, `reload ${kb(again.total)}: ${JSON.stringify(again.seen)}`);
  const fav = await fetch(`${DASH}/favicon.ico`);
  assert.equal(fav.status, 200);
  assert.equal(fav.headers.get('content-type'), 'image/x-icon');
  // the page's files: versioned names cached for a year, the page itself revalidated
  const html = await (await fetch(`${DASH}/`)).text();
  const js = /src="(app\.js\?v=[0-9a-f]{16})"/.exec(html);
  assert.ok(js, 'app.js is versioned in index.html');
  const r = await fetch(`${DASH}/${js[1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.match(r.headers.get('cache-control'), /max-age=31536000, immutable/);
  assert.ok(r.headers.get('etag'));
  const r304 = await fetch(`${DASH}/${js[1]}`, { headers: { 'If-None-Match': r.headers.get('etag') } });
  assert.equal(r304.status, 304);
  await ctx.close();
});
