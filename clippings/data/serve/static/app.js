// clippings serve: keyboard navigation of the results, the α control, and the review loop. Plain JavaScript, no
// dependencies, nothing fetched from anywhere but this server.
(function () {
  'use strict';
  const typing = (e) => ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName) && e.target.type !== 'range';

  // ---- search page
  const alpha = document.getElementById('alpha'), out = document.getElementById('alpha_out');
  if (alpha && out) alpha.addEventListener('input', () => { out.textContent = alpha.value; });
  const cards = () => Array.from(document.querySelectorAll('.result'));
  const grid = document.getElementById('results');
  if (document.getElementById('q')) document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/' && !typing(e)) { e.preventDefault(); const q = document.getElementById('q'); q.focus(); q.select(); return; }
    if (typing(e)) return;
    const all = cards(), at = all.indexOf(document.activeElement);
    const go = (i) => { if (all.length) all[Math.max(0, Math.min(all.length - 1, i))].focus(); };
    if (e.key === 'j' || e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); go(at + 1); }
    else if (e.key === 'k' || e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); go(at < 0 ? 0 : at - 1); }
    else if (e.key === 'Enter' && at >= 0) { window.location.href = all[at].dataset.similar; }
    else if (e.key === 'n') { const a = document.getElementById('next'); if (a) window.location.href = a.href; }
    else if (e.key === 'p') { const a = document.getElementById('prev'); if (a) window.location.href = a.href; }
  });
  if (grid && cards().length) cards()[0].focus();  // results shown: the keys move between them at once
  const box = document.getElementById('q');
  if (box) box.addEventListener('keydown', (e) => { if (e.key === 'Escape') box.blur(); });

  // ---- review page
  const review = document.getElementById('review');
  if (!review) return;
  let queue = [], at = 0, done = 0, busy = false;
  const history = [];  // pairs labelled in this browser, for undo
  const $ = (id) => document.getElementById(id);
  const state = (t) => { $('state').textContent = t; };
  function show() {
    const p = queue[at];
    $('done').textContent = done;
    if (!p) { $('pair').hidden = true; $('finished').hidden = false; state('done'); return; }
    $('pair').hidden = false; $('finished').hidden = true;
    for (const side of ['left', 'right']) {
      $(side + '_id').textContent = p[side];
      $(side + '_text').textContent = p[side + '_text'] || '';
      const img = $(side + '_img');
      if (p[side + '_image']) { img.hidden = false; img.src = p[side + '_image']; } else { img.hidden = true; img.removeAttribute('src'); }
    }
    $('score').textContent = p.score === null ? '—' : p.score.toFixed(4);
    $('rank').textContent = p.rank === null ? '—' : p.rank;
    state('');
  }
  async function post(pair, label) {
    const r = await fetch('/label', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                      body: JSON.stringify({ left: pair.left, right: pair.right, label: label }) });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }
  async function label(l) {
    if (busy) return;
    busy = true;
    try {
      if (l === 'undo') {
        const last = history.pop();
        if (!last) { state('nothing to undo'); return; }
        const b = await post(last, 'undo');
        done = b.labelled; queue.splice(at, 0, last);  // shown again, next
        show(); state('undone');
        return;
      }
      const p = queue[at];
      if (!p) return;
      const b = await post(p, l);
      history.push(p); done = b.labelled; at += 1; show(); state('saved: ' + l);
    } catch (err) { state('error: ' + err.message); }
    finally { busy = false; }
  }
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    const l = { s: 'same', d: 'different', u: 'unsure', z: 'undo' }[e.key];
    if (l) { e.preventDefault(); label(l); }
  });
  review.querySelectorAll('button[data-label]').forEach((b) => b.addEventListener('click', () => label(b.dataset.label)));
  fetch('/api/review').then((r) => r.json()).then((b) => { queue = b.pairs; done = b.labelled; $('total').textContent = b.total; show(); })
    .catch((err) => state('error: ' + err.message));
})();
