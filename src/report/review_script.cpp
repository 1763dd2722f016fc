// The style and the script of the review pages. The script reads the page's data (one JSON
// element), draws every card in one pass, keeps the reviewer's marks in the browser's local
// storage under the content's hash, tallies them live and exports them as CSV. It marks
// <html data-review> "ready" once the cards are drawn, for the browser tests and the benchmark.

#include "report/review_page.hpp"

namespace mlstrat::report::detail {

const char* const kReviewStyle = R"css(
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#dfe4ea; --accent:#1c7ed6; --done:#2f9e6e; --bad:#c92a2a; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: var(--ink);
  font: 14px/1.45 Inter, 'Segoe UI', 'Helvetica Neue', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; }
header.top { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
  padding: 10px 20px; }
header.top h1 { font-size: 18px; margin: 0; }
header.top .meta { color: var(--muted); margin: 2px 0 6px; font-size: 13px; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; }
#progress { font-weight: 700; min-width: 150px; }
.bar input[type=text] { width: 150px; }
.keys { color: var(--muted); font-size: 12px; }
kbd { display: inline-block; min-width: 16px; padding: 0 4px; border: 1px solid var(--line); border-radius: 3px;
  background: #f8f9fb; font: 11px/16px monospace; text-align: center; color: var(--muted); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 16px; padding: 16px 20px 40px; }
@media (max-width: 1100px) { .layout { grid-template-columns: minmax(0, 1fr); } }
#cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; align-content: start; }
.card { display: flex; gap: 12px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px;
  min-width: 0; content-visibility: auto; contain-intrinsic-size: auto 230px; }
.card.current { outline: 2px solid var(--accent); outline-offset: 1px; }
.card.reviewed { border-color: #b2dfc9; background: #fbfefc; }
.card .media { flex: 0 0 auto; width: 112px; }
.card .media img { display: block; width: 112px; height: 112px; object-fit: contain; image-rendering: pixelated;
  background: #eef1f4; border-radius: 4px; }
.card .text { font-size: 13px; max-height: 140px; overflow: auto; white-space: pre-wrap; background: #f8f9fb;
  padding: 6px; border-radius: 4px; width: 100%; }
.card.textual { flex-direction: column; }
.card.textual .media { width: auto; }
.card .body { flex: 1 1 auto; min-width: 0; }
.card .head { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.card .pair { font-weight: 700; margin: 2px 0; overflow-wrap: anywhere; }
.card .pair .pred { color: var(--bad); }
.card .pair.correct .pred { color: var(--done); }
.probs { margin: 2px 0 4px; padding: 0; list-style: none; font-size: 12px; color: var(--muted); }
.probs li { display: flex; justify-content: space-between; gap: 8px; }
.kept { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 0 8px; margin: 2px 0 6px; font-size: 12px; }
.kept dt { color: var(--muted); } .kept dd { margin: 0; overflow-wrap: anywhere; }
.marks { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 13px; }
.marks label { display: inline-flex; align-items: center; gap: 3px; cursor: pointer; overflow-wrap: anywhere; }
.marks label.mis { color: var(--bad); }
.verdict { display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
.verdict label { display: flex; align-items: center; gap: 4px; flex-wrap: wrap; }
.verdict select { max-width: 140px; }
textarea.comment { width: 100%; margin-top: 6px; min-height: 28px; height: 28px; resize: vertical;
  font: inherit; font-size: 12px; }
aside { position: sticky; top: 110px; align-self: start; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; padding: 12px 14px; min-width: 0; }
aside h2 { font-size: 15px; margin: 0 0 6px; }
aside table { border-collapse: collapse; width: 100%; font-size: 13px; }
aside th, aside td { padding: 3px 4px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
aside th:first-child, aside td:first-child { text-align: left; white-space: normal; overflow-wrap: break-word; }
aside p { margin: 6px 0; font-size: 13px; color: #3d4753; }
aside .note { color: var(--muted); font-size: 12px; }
aside input { width: 80px; }
.worth { color: var(--done); font-weight: 700; } .notworth { color: var(--muted); font-weight: 700; }
)css";

const char* const kReviewScript = R"js(
(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('review-data').textContent);
  var errorsPage = data.kind === 'errors';
  var storeKey = 'mlstrat-review:' + data.key;
  var cardsEl = document.getElementById('cards');
  var current = 0;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function pct(x) { return isFinite(x) ? (100 * x).toFixed(2) + '%' : '-'; }

  // The marks: the sheet's own, replaced by what this browser stored for the same content.
  function initialState() {
    return {
      extra: errorsPage ? data.new_tags.slice() : [],
      cards: data.cards.map(function (c) {
        if (!errorsPage) return { v: '', fix: c.suggested, c: '' };
        var t = {};
        data.tags.forEach(function (tag, k) { if (c.marks[k]) t[tag] = true; });
        return { t: t, m: !!c.mis, n: false, c: c.comment || '' };
      })
    };
  }
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || 'null');
      if (saved && saved.cards && saved.cards.length === data.cards.length) return saved;
    } catch (e) { /* no storage (private mode): marks last as long as the page */ }
    return initialState();
  }
  var state = load();
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* see load */ }
  }
  function tags() { return data.tags.concat(state.extra); }

  function reviewed(k) {
    var s = state.cards[k];
    if (!errorsPage) return s.v !== '';
    if (s.m || s.n || s.c.trim() !== '') return true;
    for (var t in s.t) if (s.t[t]) return true;
    return false;
  }

  // ----- drawing
  function tagBox(tag, k, i) {
    var on = state.cards[k].t[tag] ? ' checked' : '';
    return '<label><input type="checkbox" data-tag="' + esc(tag) + '"' + on + '>' +
      (i < 9 ? '<kbd>' + (i + 1) + '</kbd>' : '') + esc(tag) + '</label>';
  }
  function media(c) {
    if (c.img) return '<div class="media"><img alt="example ' + esc(c.index) + '" src="' + c.img + '"></div>';
    if (c.text !== undefined) return '<div class="media"><div class="text">' + esc(c.text) + '</div></div>';
    return '';
  }
  function details(c) {
    var h = '';
    if (c.probs && c.probs.length) {
      h += '<ol class="probs">' + c.probs.map(function (p) {
        return '<li><span>' + esc(p[0]) + '</span><span>' + pct(p[1]) + '</span></li>';
      }).join('') + '</ol>';
    }
    if (c.kept && c.kept.length) {
      h += '<dl class="kept">' + c.kept.map(function (kv) {
        return '<dt>' + esc(kv[0]) + '</dt><dd>' + esc(kv[1]) + '</dd>';
      }).join('') + '</dl>';
    }
    return h;
  }
  function errorCard(c, k) {
    var s = state.cards[k];
    return '<div class="head">#' + esc(c.index) + (c.correct ? ' · correct' : '') + '</div>' +
      '<div class="pair' + (c.correct ? ' correct' : '') + '"><span class="true">' + esc(c.label) +
      '</span> → <span class="pred">' + esc(c.pred) + '</span></div>' + details(c) +
      '<div class="marks">' + tags().map(function (t, i) { return tagBox(t, k, i); }).join('') +
      '<label class="mis"><input type="checkbox" data-mis' + (s.m ? ' checked' : '') + '><kbd>m</kbd>mislabeled</label>' +
      '<label class="none"><input type="checkbox" data-none' + (s.n ? ' checked' : '') + '><kbd>0</kbd>nothing applies</label>' +
      '</div>';
  }
  function labelCard(c, k) {
    var s = state.cards[k];
    var name = 'v' + k;
    var options = data.classes.filter(function (x) { return x !== c.given; }).map(function (x) {
      return '<option' + (x === s.fix ? ' selected' : '') + '>' + esc(x) + '</option>';
    }).join('');
    function radio(v, key, text) {
      return '<label><input type="radio" name="' + name + '" value="' + v + '"' +
        (s.v === v ? ' checked' : '') + '><kbd>' + key + '</kbd>' + text + '</label>';
    }
    return '<div class="head">#' + esc(c.index) + (c.id ? ' · ' + esc(c.id) : '') + ' · rank ' + (k + 1) +
      ' · self-confidence ' + pct(c.confidence) + '</div>' +
      '<div class="pair"><span class="true">' + esc(c.given) + '</span> → <span class="pred">' +
      esc(c.suggested) + '</span>?</div>' + details(c) +
      '<div class="verdict">' + radio('wrong', 'w', 'wrong label, fix to <select class="fix">' + options + '</select>') +
      radio('right', 'r', 'label is right') + radio('unsure', 'u', 'unsure') + '</div>';
  }
  function cardHtml(c, k) {
    var body = errorsPage ? errorCard(c, k) : labelCard(c, k);
    var textual = !c.img && c.text !== undefined;
    return '<article class="card' + (textual ? ' textual' : '') + (reviewed(k) ? ' reviewed' : '') +
      '" id="card-' + k + '" data-k="' + k + '">' + media(c) + '<div class="body">' + body +
      '<textarea class="comment" rows="1" placeholder="comment (c)">' + esc(state.cards[k].c) +
      '</textarea></div></article>';
  }
  function card(k) { return document.getElementById('card-' + k); }

  // ----- counting
  function progress() {
    var n = 0;
    for (var k = 0; k < data.cards.length; ++k) if (reviewed(k)) ++n;
    document.getElementById('progress').textContent = n + ' of ' + data.cards.length + ' reviewed';
    root.setAttribute('data-reviewed', String(n));
    tally();
  }
  function devError() {
    var text = document.getElementById('dev-error').value.trim();
    var percent = /%$/.test(text);
    var x = parseFloat(percent ? text.slice(0, -1) : text);
    if (!isFinite(x)) return NaN;
    return percent ? x / 100 : x;
  }
  function errorTally() {
    var err = devError();
    var ks = [];
    for (var k = 0; k < data.cards.length; ++k) if (!data.cards[k].correct && reviewed(k)) ks.push(k);
    var n = ks.length, all = data.cards.filter(function (c) { return !c.correct; }).length;
    var rows = tags().map(function (t, i) {
      var count = ks.filter(function (k) { return state.cards[k].t[t]; }).length;
      return { tag: t, count: count, order: i };
    }).sort(function (a, b) { return b.count - a.count || a.order - b.order; });
    var mis = ks.filter(function (k) { return state.cards[k].m; }).length;
    var h = '<p>' + n + ' of ' + all + ' sampled errors reviewed.</p><table><tr><th>tag</th><th>errors</th>' +
      '<th>share</th><th>error if fixed</th></tr>';
    rows.forEach(function (r) {
      var share = n ? r.count / n : NaN;
      h += '<tr data-tag="' + esc(r.tag) + '"><td>' + esc(r.tag) + '</td><td>' + r.count + '</td><td>' +
        pct(share) + '</td><td>' + pct(err * (1 - share)) + '</td></tr>';
    });
    var misShare = n ? mis / n : NaN;
    h += '<tr data-tag="(mislabeled)"><td>(mislabeled)</td><td>' + mis + '</td><td>' + pct(misShare) +
      '</td><td>' + pct(err * (1 - misShare)) + '</td></tr></table>';
    if (n) {
      var worth = misShare >= data.worth_fixing_share;
      h += '<p>Incorrect labels cause ' + pct(err * misShare) + ' of the ' + pct(err) + ' dev error: ' +
        '<span class="' + (worth ? 'worth">worth fixing' : 'notworth">not worth fixing yet') + '</span> (' +
        (worth ? 'at least ' : 'less than ') + pct(data.worth_fixing_share) + ' of the errors).</p>';
    }
    h += '<p class="note">The ceiling of a tag is the dev error × (1 − its share): the best fixing all ' +
      'of them can do. A card can carry several tags. errors tally on the exported sheet counts every ' +
      'error on it, reviewed or not, and adds intervals.</p>';
    return h;
  }
  function labelTally() {
    var count = { wrong: 0, right: 0, unsure: 0 };
    state.cards.forEach(function (s) { if (s.v) count[s.v] += 1; });
    var n = count.wrong + count.right + count.unsure;
    var h = '<p>' + n + ' of ' + data.cards.length + ' flagged examples reviewed.</p><table>' +
      '<tr><th>verdict</th><th>examples</th><th>share</th></tr>';
    ['wrong', 'right', 'unsure'].forEach(function (v) {
      h += '<tr data-verdict="' + v + '"><td>' + v + '</td><td>' + count[v] + '</td><td>' +
        pct(n ? count[v] / n : NaN) + '</td></tr>';
    });
    h += '</table>';
    var decided = count.wrong + count.right;
    if (decided) {
      var wrong = count.wrong / decided;
      h += '<p>If the rest are like these, about ' + Math.round(data.flagged * wrong) + ' of the ' +
        data.flagged + ' flagged labels are wrong: ' + pct(data.flagged * wrong / data.rows) +
        ' of the ' + data.rows + ' examples.</p>';
    }
    h += '<p class="note">Export writes the verdicts as a corrections file; mlstrat labels apply ' +
      'changes the wrong labels in the data. Fix dev and test the same way, so they keep coming from ' +
      'the same distribution (1.2.1); errors tally\'s mislabeled column says whether fixing pays ' +
      '(at least ' + pct(data.worth_fixing_share) + ' of the errors).</p>';
    return h;
  }
  function tally() {
    document.getElementById('tally-body').innerHTML = errorsPage ? errorTally() : labelTally();
  }

  // ----- changing marks
  function changed(k) {
    card(k).classList.toggle('reviewed', reviewed(k));
    save();
    progress();
  }
  function setCurrent(k, scroll) {
    if (k < 0 || k >= data.cards.length) return;
    var old = card(current);
    if (old) old.classList.remove('current');
    current = k;
    var el = card(k);
    el.classList.add('current');
    if (scroll) el.scrollIntoView({ block: 'nearest' });
  }
  function toggle(k, input) {
    if (!input) return;
    input.checked = !input.checked;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }
  function setVerdict(k, v) {
    var input = card(k).querySelector('input[value="' + v + '"]');
    input.checked = true;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }
  cardsEl.addEventListener('change', function (e) {
    var el = e.target, cardEl = el.closest('.card');
    if (!cardEl) return;
    var k = +cardEl.getAttribute('data-k'), s = state.cards[k];
    if (el.hasAttribute('data-tag')) s.t[el.getAttribute('data-tag')] = el.checked;
    else if (el.hasAttribute('data-mis')) s.m = el.checked;
    else if (el.hasAttribute('data-none')) s.n = el.checked;
    else if (el.type === 'radio') s.v = el.value;
    else if (el.classList.contains('fix')) { s.fix = el.value; setVerdict(k, 'wrong'); return; }
    setCurrent(k, false);
    changed(k);
  });
  cardsEl.addEventListener('input', function (e) {
    if (!e.target.classList.contains('comment')) return;
    var k = +e.target.closest('.card').getAttribute('data-k');
    state.cards[k].c = e.target.value;
    changed(k);
  });
  cardsEl.addEventListener('click', function (e) {
    var cardEl = e.target.closest('.card');
    if (cardEl) setCurrent(+cardEl.getAttribute('data-k'), false);
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    var typing = t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||
      (t.tagName === 'INPUT' && (t.type === 'text' || t.type === 'search'));
    if (typing) { if (e.key === 'Escape') t.blur(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var k = current, el = card(k), key = e.key;
    if (key === 'j' || key === 'ArrowDown' || key === 'ArrowRight') setCurrent(k + 1, true);
    else if (key === 'k' || key === 'ArrowUp' || key === 'ArrowLeft') setCurrent(k - 1, true);
    else if (key === 'c') el.querySelector('.comment').focus();
    else if (errorsPage && /^[1-9]$/.test(key)) {
      var tag = tags()[+key - 1];
      if (tag === undefined) return;
      toggle(k, el.querySelector('input[data-tag="' + CSS.escape(tag) + '"]'));
    } else if (errorsPage && key === 'm') toggle(k, el.querySelector('input[data-mis]'));
    else if (errorsPage && key === '0') toggle(k, el.querySelector('input[data-none]'));
    else if (!errorsPage && (key === 'w' || key === '1')) setVerdict(k, 'wrong');
    else if (!errorsPage && (key === 'r' || key === '2')) setVerdict(k, 'right');
    else if (!errorsPage && (key === 'u' || key === '3')) setVerdict(k, 'unsure');
    else return;
    e.preventDefault();
  });

  // ----- a new tag, on every card
  function addTag() {
    var field = document.getElementById('new-tag'), name = field.value.trim();
    var message = document.getElementById('tag-message');
    message.textContent = '';
    if (!name) return;
    if (name.indexOf(',') >= 0 || data.columns.indexOf(name) >= 0 || tags().indexOf(name) >= 0) {
      message.textContent = "'" + name + "' is taken or holds a comma";
      return;
    }
    state.extra.push(name);
    state.cards.forEach(function (s) { s.t[name] = false; });
    var i = tags().length - 1;
    for (var k = 0; k < data.cards.length; ++k) {
      card(k).querySelector('.mis').insertAdjacentHTML('beforebegin', tagBox(name, k, i));
    }
    field.value = '';
    save();
    progress();
  }

  // ----- export
  function field(v) {
    v = String(v);
    return /[",\n\r]/.test(v) || v.indexOf(data.delimiter) >= 0 ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function line(fields) { return fields.map(field).join(data.delimiter) + '\n'; }
  function errorsCsv() {
    var cols = data.columns, at = data.mislabeled_col;
    var header = cols.slice(0, at).concat(state.extra, cols.slice(at));
    var out = line(header);
    data.cards.forEach(function (c, k) {
      var s = state.cards[k], cells = c.cells.slice();
      data.tags.forEach(function (t, i) { cells[data.tag_cols[i]] = s.t[t] ? 'x' : ''; });
      cells[data.mislabeled_col] = s.m ? 'x' : '';
      cells[data.comments_col] = s.c;
      var extra = state.extra.map(function (t) { return s.t[t] ? 'x' : ''; });
      out += line(cells.slice(0, at).concat(extra, cells.slice(at)));
    });
    return out;
  }
  function labelsCsv() {
    var out = line(['index', 'id', 'given', 'suggested', 'decision', 'label', 'comment']);
    data.cards.forEach(function (c, k) {
      var s = state.cards[k];
      if (!s.v) return;
      out += line([c.index, c.id || '', c.given, c.suggested, s.v, s.v === 'wrong' ? s.fix : c.given, s.c]);
    });
    return out;
  }
  function exportCsv() {
    var text = errorsPage ? errorsCsv() : labelsCsv();
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    a.download = data.export_name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // ----- start
  cardsEl.innerHTML = data.cards.map(cardHtml).join('');
  if (errorsPage) {
    document.getElementById('add-tag').addEventListener('click', addTag);
    document.getElementById('new-tag').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') addTag();
    });
    document.getElementById('dev-error').addEventListener('input', tally);
  }
  document.getElementById('export').addEventListener('click', exportCsv);
  var first = 0;
  while (first < data.cards.length - 1 && reviewed(first)) ++first;
  if (data.cards.length) setCurrent(first, false);
  progress();
  root.setAttribute('data-review', 'ready');
  root.setAttribute('data-ready-ms', String(Math.round(performance.now())));
})();
)js";

}  // namespace mlstrat::report::detail
