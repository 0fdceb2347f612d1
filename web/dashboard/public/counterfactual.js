/* counterfactual.js: "What would change the decision" under a refused client's decision: the
 * sentence of POST /v1/counterfactual (the smallest change of the amounts the applicant
 * controls that turns the refusal into an approval, or that none within the limits searched
 * does), asked in the page's language. Hidden for an approval, while it is computed and when
 * the model has nothing to search (the API's 400). Data go on screen with textContent only. */
'use strict';
window.CS_COUNTERFACTUAL = (function () {
  const S = {
    en: { lead: 'What would change the decision: ', failed: 'could not be computed ({m}).' },
    fr: { lead: 'Ce qui changerait la décision : ', failed: 'n’a pas pu être calculé ({m}).' }
  };
  let want = '';           /* the client and language of the latest request */
  const done = new Map();  /* "id|lang" -> the answer's sentence (a client's answer does not change) */

  function show(el, lang, sentence) {
    el.textContent = '';
    const b = document.createElement('strong');
    b.textContent = (S[lang] || S.en).lead;
    el.appendChild(b);
    el.appendChild(document.createTextNode(sentence));
    el.hidden = false;
  }

  /* x: the client's /v1/explain answer; id: the client; lang: 'en' or 'fr' */
  async function render(x, id, lang) {
    const el = document.getElementById('cf-text');
    if (!el) return;
    const key = id + '|' + lang;
    want = key;
    if (!x || x.decision !== 'refuse') { el.hidden = true; el.textContent = ''; return; }
    if (done.has(key)) { show(el, lang, done.get(key)); return; }
    el.hidden = true;
    el.textContent = '';
    let res, data = null;
    try {
      res = await fetch('/api/v1/counterfactual', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ client_id: id, lang: lang })
      });
      data = await res.json();
    } catch (e) {
      res = null;
    }
    if (want !== key) return;                       /* another client or language since */
    if (res && res.ok && data && typeof data.sentence === 'string') {
      done.set(key, data.sentence);
      show(el, lang, data.sentence);
    } else if (res && res.status === 400) {
      el.hidden = true;                             /* no actionable input for this model */
    } else {
      const m = (data && data.error && data.error.message) || (res ? 'HTTP ' + res.status : 'network');
      show(el, lang, (S[lang] || S.en).failed.replace('{m}', m));
    }
  }
  return { render: render };
})();
