// a11y.test.mjs: axe-core (npm, from the lockfile) on the relationship manager's page, at a
// laptop's and a phone's size, in English and French, on the decision and on every tab:
// zero violations. run.sh starts the API and the dashboard (MGR_API_URL, MGR_DASH_URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const core = process.env.PLAYWRIGHT_CORE || 'playwright-core';
const { chromium } = require(core);
const AXE = readFileSync(join(dirname(core), 'axe-core', 'axe.min.js'), 'utf8');
const API = process.env.MGR_API_URL;
const DASH = process.env.MGR_DASH_URL;
let browser, refused;

async function axe(page) {
  await page.evaluate(AXE);        // evaluated by the test, outside the page's CSP
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
  });
}

before(async () => {
  assert.ok(API && DASH, 'run.sh sets MGR_API_URL and MGR_DASH_URL');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  const page = await (await fetch(`${API}/v1/clients?offset=0&limit=40`)).json();
  for (const c of page.clients) {
    const p = await (await fetch(`${API}/v1/predict`, { method: 'POST', body: JSON.stringify({ client_id: c.id }) })).json();
    if (p.decision === 'refuse') { refused = c.id; break; }
  }
  assert.ok(refused, 'a refused client in the first 40');
});

after(async () => { if (browser) await browser.close(); });

for (const [w, h] of [[1366, 768], [390, 844]]) {
  for (const lang of ['en', 'fr']) {
    test(`zero axe-core violations at ${w}x${h} in ${lang === 'en' ? 'English' : 'French'}`, async () => {
      const ctx = await browser.newContext({ viewport: { width: w, height: h } });
      await ctx.addInitScript((l) => localStorage.setItem('cs-lang', l), lang);
      const page = await ctx.newPage();
      await page.goto(`${DASH}/`, { waitUntil: 'load' });
      await page.waitForSelector('#client-list li button');
      const found = { list: await axe(page) };
      await page.goto(`${DASH}/?client=${refused}`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.getElementById('decision-badge').dataset.decision);
      for (const tab of ['local', 'global', 'compare', 'whatif', 'cost']) {
        await page.click(`#tab-${tab}`);
        await page.waitForTimeout(300);
        found[tab] = await axe(page);
      }
      const bad = Object.entries(found).filter(([, v]) => v.length);
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 1));
      await ctx.close();
    });
  }
}
