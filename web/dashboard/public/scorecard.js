/* scorecard.js: the points table of a client scored by a scorecard model (the "scorecard"
 * member of a /v1/explain answer): each characteristic's bin, its points, the maximum it
 * could give and the shortfall, the total against the cut-off. Hidden for other models.
 * Data go on screen with textContent only. */
'use strict';
window.CS_SCORECARD = (function () {
  const S = {
    en: {
      title: 'Points table', characteristic: 'Characteristic', bin: 'Bin', points: 'Points',
      max: 'Maximum', shortfall: 'Shortfall', total: 'Total',
      summary: '{p} points against a cut-off of {c} (approve at or above); {s} points to double the odds.'
    },
    fr: {
      title: 'Grille de points', characteristic: 'Caractéristique', bin: 'Classe', points: 'Points',
      max: 'Maximum', shortfall: 'Écart', total: 'Total',
      summary: '{p} points pour un seuil de {c} (accord à partir de ce seuil) ; {s} points doublent la cote.'
    }
  };
  function fill(s, vars) { return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)); }
  function cell(tr, text, tag) {
    const td = document.createElement(tag || 'td');
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function render(x, lang) {
    const sec = document.getElementById('scorecard-card');
    if (!sec) return;
    const s = x && x.scorecard;
    sec.hidden = !(s && Array.isArray(s.characteristics));
    if (sec.hidden) return;
    const L = S[lang] || S.en;
    document.getElementById('scorecard-title').textContent = L.title;
    document.getElementById('scorecard-summary').textContent =
      fill(L.summary, { p: s.points, c: s.cutoff, s: s.scaling ? s.scaling.pdo : '' });
    const head = document.getElementById('scorecard-head');
    head.textContent = '';
    const hr = document.createElement('tr');
    for (const k of ['characteristic', 'bin', 'points', 'max', 'shortfall']) cell(hr, L[k], 'th').scope = 'col';
    head.appendChild(hr);
    const body = document.getElementById('scorecard-body');
    body.textContent = '';
    let max = 0;
    for (const c of s.characteristics) {
      const tr = document.createElement('tr');
      tr.dataset.feature = c.feature;
      cell(tr, c.label || c.feature);
      cell(tr, c.bin);
      cell(tr, String(c.points)).className = 'num';
      cell(tr, String(c.max_points)).className = 'num';
      const sf = cell(tr, c.shortfall > 0 ? '−' + c.shortfall : '0');
      sf.className = 'num' + (c.shortfall > 0 ? ' shortfall' : '');
      body.appendChild(tr);
      max += c.max_points;
    }
    const foot = document.getElementById('scorecard-foot');
    foot.textContent = '';
    const tr = document.createElement('tr');
    cell(tr, L.total, 'th').scope = 'row';
    cell(tr, '');
    cell(tr, String(s.points)).className = 'num';
    cell(tr, String(max)).className = 'num';
    cell(tr, '−' + (max - s.points)).className = 'num';
    foot.appendChild(tr);
  }
  return { render };
})();
