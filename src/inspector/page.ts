// The inspector's page, style and script, served as they are written here: no bundler, no framework, nothing
// for CI to build. Hand-written because the page is small (one list, one chart per binding) and a charting or UI
// library would be most of its weight; the chart is a polyline in inline SVG. The script is a file of its own
// (not inline) so the Content-Security-Policy can say script-src 'self' without 'unsafe-inline'.

export const BASE = '/_tributary/inspector';

/** Everything from the gateway itself, nothing inline, no framing, forms only back to the gateway. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(message?: string): string {
  const alert = message === undefined ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary inspector: sign in</title>
<link rel="stylesheet" href="${BASE}/style.css">
<link rel="icon" href="${BASE}/icon.svg" type="image/svg+xml">
</head>
<body>
<main class="login">
<h1>Tributary inspector</h1>
${alert}
<form method="post" action="${BASE}/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary inspector</title>
<link rel="stylesheet" href="${BASE}/style.css">
<link rel="icon" href="${BASE}/icon.svg" type="image/svg+xml">
<script src="${BASE}/app.js" defer></script>
</head>
<body>
<header>
<h1>Tributary inspector</h1>
<form method="post" action="${BASE}/logout"><button type="submit">Sign out</button></form>
</header>
<main>
<section aria-labelledby="bindings-title">
<h2 id="bindings-title">Bindings: documents per second, last 5 minutes</h2>
<p class="legend"><span class="key accepted">accepted</span> <span class="key rejected">rejected</span></p>
<div id="bindings"></div>
</section>
<section aria-labelledby="rejections-title">
<h2 id="rejections-title">Latest rejections</h2>
<form id="filters" class="filters">
<label for="binding">Binding</label>
<select id="binding" name="binding"><option value="">all</option></select>
<label for="code">Code</label>
<select id="code" name="code"><option value="">all</option></select>
</form>
<p id="status" class="status" aria-live="polite"></p>
<p id="tail" class="status"></p>
<ol id="rejections" aria-live="polite" aria-relevant="additions"></ol>
</section>
</main>
</body>
</html>
`;

/** Its own icon: else the browser asks for /favicon.ico, which the gateway does not serve. */
export const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M1 12 5 6l4 4 6-8" fill="none" stroke="#1a4fb0" stroke-width="2"/></svg>';

export const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
header { display: flex; justify-content: space-between; align-items: center; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 1.5rem; } h3 { font-size: 1rem; margin: 0; }
.binding { border: 1px solid #bbb; border-radius: 4px; padding: .5rem; margin: .5rem 0; }
.binding svg { width: 100%; height: 6rem; background: #fafafa; }
.accepted { stroke: #1a6b1a; color: #1a6b1a; } .rejected { stroke: #b00020; color: #b00020; }
polyline { fill: none; stroke-width: 1.5; }
.key::before { content: ""; display: inline-block; width: 1rem; height: .2rem; margin-right: .25rem;
  vertical-align: middle; background: currentColor; }
table { border-collapse: collapse; margin-top: .25rem; } th, td { text-align: left; padding: .1rem .5rem; }
.filters { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
#rejections { list-style: none; padding: 0; }
#rejections > li { border-left: 4px solid #b00020; padding: .25rem .75rem; margin: .75rem 0; background: #fdf6f6; }
pre { background: #fff; border: 1px solid #ddd; padding: .5rem; overflow: auto; }
mark.fail { background: #ffd54f; color: #000; outline: 2px solid #b00020; }
.note { color: #555; font-style: italic; }
.error { color: #b00020; }
.login { max-width: 24rem; } .login form { display: grid; gap: .5rem; }
button, select, input { font: inherit; padding: .25rem .5rem; }
:focus-visible { outline: 3px solid #1a4fb0; outline-offset: 2px; }
`;

// Plain ES2017 for any current browser. No template literals: this whole script is one.
export const SCRIPT = String.raw`'use strict';
(function () {
  var API = '${BASE}/api/state';
  var latest = -1;
  var timer = 0;
  var shownFilter = null;
  var bindingsEl = document.getElementById('bindings');
  var listEl = document.getElementById('rejections');
  var statusEl = document.getElementById('status');
  var tailEl = document.getElementById('tail');
  var bindingSel = document.getElementById('binding');
  var codeSel = document.getElementById('code');
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function sum(values, from) {
    var total = 0;
    for (var i = from; i < values.length; i++) total += values[i];
    return total;
  }

  function chart(b) {
    var svg = document.createElementNS(SVG, 'svg');
    var n = b.accepted.length;
    var max = 1;
    for (var i = 0; i < n; i++) max = Math.max(max, b.accepted[i], b.rejected[i]);
    svg.setAttribute('viewBox', '0 0 ' + n + ' 100');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', b.capture + '/' + b.binding + ': ' + sum(b.accepted, 0) + ' accepted and ' +
      sum(b.rejected, 0) + ' rejected documents in the last 5 minutes; peak ' + max + ' per second');
    ['accepted', 'rejected'].forEach(function (series) {
      var line = document.createElementNS(SVG, 'polyline');
      var points = [];
      for (var i = 0; i < n; i++) points.push(i + ',' + (98 - (b[series][i] / max) * 96).toFixed(1));
      line.setAttribute('points', points.join(' '));
      line.setAttribute('class', series);
      line.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(line);
    });
    return svg;
  }

  function renderBindings(bindings) {
    bindingsEl.textContent = '';
    bindings.forEach(function (b) {
      var box = el('section', { class: 'binding', 'aria-label': 'binding ' + b.capture + '/' + b.binding });
      box.appendChild(el('h3', {}, b.capture + '/' + b.binding +
        (b.deadLetter ? ' (dead letters: ' + b.deadLetter + ')' : '')));
      box.appendChild(chart(b));
      var last = b.accepted.length - 60;
      box.appendChild(el('p', {}, 'Last minute: ' + sum(b.accepted, last) + ' accepted, ' +
        sum(b.rejected, last) + ' rejected.'));
      var codes = Object.keys(b.codes).sort();
      if (codes.length > 0) {
        var table = el('table');
        table.appendChild(el('caption', {}, 'Rejections by code (since start)'));
        var head = el('tr');
        head.appendChild(el('th', { scope: 'col' }, 'Code'));
        head.appendChild(el('th', { scope: 'col' }, 'Documents'));
        table.appendChild(head);
        codes.forEach(function (code) {
          var row = el('tr');
          row.appendChild(el('th', { scope: 'row' }, code));
          row.appendChild(el('td', {}, String(b.codes[code])));
          table.appendChild(row);
        });
        box.appendChild(table);
      }
      bindingsEl.appendChild(box);
    });
  }

  function setOptions(select, values) {
    var chosen = select.value;
    var have = {};
    for (var i = 0; i < select.options.length; i++) have[select.options[i].value] = true;
    values.forEach(function (v) {
      if (!have[v]) select.appendChild(el('option', { value: v }, v));
    });
    select.value = chosen;
  }

  function unescapeToken(t) { return t.replace(/~1/g, '/').replace(/~0/g, '~'); }
  function escapeToken(t) { return String(t).replace(/~/g, '~0').replace(/\//g, '~1'); }

  // The deepest part of a failing pointer the document has: a missing property marks the object lacking it.
  function resolve(doc, pointer) {
    if (pointer === '') return '';
    var parts = pointer.split('/').slice(1).map(unescapeToken);
    var node = doc;
    var found = '';
    for (var i = 0; i < parts.length; i++) {
      if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, parts[i])) break;
      node = node[parts[i]];
      found += '/' + escapeToken(parts[i]);
    }
    return found;
  }

  function json(value, pointer, marks, indent) {
    var frag = document.createDocumentFragment();
    var inner = indent + '  ';
    if (value !== null && typeof value === 'object') {
      var isArray = Array.isArray(value);
      var keys = isArray ? value.map(function (_, i) { return i; }) : Object.keys(value);
      frag.appendChild(document.createTextNode(isArray ? '[' : '{'));
      keys.forEach(function (key, i) {
        frag.appendChild(document.createTextNode('\n' + inner + (isArray ? '' : JSON.stringify(String(key)) + ': ')));
        frag.appendChild(json(value[key], pointer + '/' + escapeToken(key), marks, inner));
        if (i < keys.length - 1) frag.appendChild(document.createTextNode(','));
      });
      frag.appendChild(document.createTextNode((keys.length ? '\n' + indent : '') + (isArray ? ']' : '}')));
    } else {
      frag.appendChild(document.createTextNode(JSON.stringify(value)));
    }
    if (marks[pointer] === undefined) return frag;
    var mark = el('mark', { class: 'fail', 'data-pointer': pointer, title: marks[pointer] });
    mark.appendChild(frag);
    return mark;
  }

  function renderRejection(r) {
    var item = el('li', { 'data-seq': String(r.seq), 'data-code': r.code });
    var article = el('article', { 'aria-label': 'rejection ' + r.code + ' on ' + r.capture + '/' + r.binding });
    article.appendChild(el('h3', {}, r.code + ' (' + r.status + ') on ' + r.capture + '/' + r.binding));
    var facts = el('p');
    facts.appendChild(el('time', { datetime: r.at }, r.at));
    facts.appendChild(document.createTextNode(' via ' + r.transport +
      (r.requestId ? ', request ' + r.requestId : '') + (r.deadLetter ? ', written to ' + r.deadLetter : '') +
      (r.source === 'topic' ? ' (read back from the topic: any replica)' : '')));
    article.appendChild(facts);
    article.appendChild(el('p', {}, r.detail));
    if (r.problems.length > 0) {
      var problems = el('ul', { class: 'problems' });
      r.problems.forEach(function (p) {
        problems.appendChild(el('li', {}, 'document ' + p.index + ' at ' + (p.pointer || '(root)') + ': ' + p.message));
      });
      article.appendChild(problems);
    }
    if (r.note) article.appendChild(el('p', { class: 'note' }, r.note));
    (r.documents || []).forEach(function (doc, index) {
      var marks = {};
      r.problems.forEach(function (p) {
        if (p.index !== index) return;
        var at = resolve(doc, p.pointer);
        marks[at] = (marks[at] ? marks[at] + '; ' : '') + p.pointer + ': ' + p.message;
      });
      var pre = el('pre', { 'aria-label': 'document ' + index });
      pre.appendChild(json(doc, '', marks, ''));
      article.appendChild(pre);
    });
    item.appendChild(article);
    return item;
  }

  function renderRejections(list) {
    listEl.textContent = '';
    list.forEach(function (r) { listEl.appendChild(renderRejection(r)); });
    statusEl.textContent = list.length === 0 ? 'No rejections yet.' : list.length + ' rejection(s) shown.';
  }

  // Behind a load balancer the rejections of other replicas come from the dead-letter topics: say how far.
  function renderTail(tail) {
    if (!tail) { tailEl.textContent = 'Rejections of this replica only (no dead-letter topic is followed).'; return; }
    var topics = tail.topics.join(', ');
    if (tail.state === 'unavailable') {
      tailEl.textContent = 'Dead-letter topics ' + topics + ' unavailable (' + tail.reason + '): showing this replica\'s rejections; retrying.';
    } else if (tail.state === 'starting') {
      tailEl.textContent = 'Reading dead-letter topics ' + topics + '...';
    } else {
      tailEl.textContent = 'Following ' + topics + ' (every replica)' + (tail.behind > 0 ? ', ' + tail.behind + ' entries behind' : '') +
        (tail.malformed > 0 ? ', ' + tail.malformed + ' malformed skipped' : '') +
        (tail.skipped > 0 ? ', ' + tail.skipped + ' over the parse budget skipped' : '') + '.';
    }
  }

  function refresh() {
    var filter = 'binding=' + encodeURIComponent(bindingSel.value) + '&code=' + encodeURIComponent(codeSel.value);
    fetch(API + '?' + filter, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) { window.location.reload(); throw new Error('signed out'); }
        return res.json();
      })
      .then(function (state) {
        renderBindings(state.bindings);
        renderTail(state.tail);
        var names = {};
        state.bindings.forEach(function (b) { names[b.capture + '/' + b.binding] = true; });
        state.rejections.forEach(function (r) { names[r.capture + '/' + r.binding] = true; });
        setOptions(bindingSel, Object.keys(names).sort());
        var codes = {};
        state.bindings.forEach(function (b) { Object.keys(b.codes).forEach(function (c) { codes[c] = true; }); });
        state.rejections.forEach(function (r) { codes[r.code] = true; });
        setOptions(codeSel, Object.keys(codes).sort());
        var top = state.rejections.length ? state.rejections[0].seq : 0;
        if (top !== latest || filter !== shownFilter) {
          latest = top;
          shownFilter = filter;
          renderRejections(state.rejections);
        }
      })
      .catch(function () {})
      .then(function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 1000);
      });
  }

  function now() { window.clearTimeout(timer); refresh(); }
  bindingSel.addEventListener('change', now);
  codeSel.addEventListener('change', now);
  refresh();
})();
`;
