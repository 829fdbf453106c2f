/**
 * The HTML report's in-page script, as source text (inlined by html.ts; its hash goes into
 * the page's Content-Security-Policy). Plain ES2019 for any current browser; no library.
 *
 * It reads the data block (`<script type="application/json" id="awaitwhat-data">`, see
 * html-model.ts), wires the verdicts' node buttons and the SVG's boxes, and draws the task
 * list *virtually*: only the rows in view exist in the DOM, so ten thousand tasks cost as
 * much as thirty. Every string of the dump is set with `textContent`, never parsed as markup.
 *
 * Kept free of backticks and `${`, since it lives in a template literal.
 *
 * @packageDocumentation
 */

import { DETAILS_SCRIPT } from './html-client-details.js';

/** The in-page script (its details part in html-client-details.ts). */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var started = performance.now();
  var D = JSON.parse(document.getElementById('awaitwhat-data').textContent);
  var S = D.S, X = D.X, E = D.E, R = D.R, O = D.O, W = D.w, F = D.f, A = D.a;
  // Worker threads (html-threads.ts): each node's thread, the threads' headings, and for a
  // node that waits for another thread, where that thread's chains start.
  var T = D.T, TL = D.TL;
  var JOIN = new Map();
  (D.J || []).forEach(function (j) {
    if (!JOIN.has(j.f)) JOIN.set(j.f, []);
    JOIN.get(j.f).push(j);
  });
  var COUNT = D.id.length;
  // Who awaits each node: the reverse of the awaits column.
  var B = new Array(COUNT);
  for (var bi = 0; bi < COUNT; bi++) B[bi] = [];
  for (var ai = 0; ai < COUNT; ai++) for (var aj = 0; aj < A[ai].length; aj++) B[A[ai][aj]].push(ai);
  var FLAG = { cycle: 1, stuck: 2, root: 4, task: 8, leaf: 16, running: 32 };
  var ROW = 26;
  var MAX_CHAIN = 200;
  var MAX_LIST = 20;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function str(i) { return i === undefined ? '' : S[i]; }
  /** The shape record of node i (its own when it differs from its shape's). */
  function rec(i) { return O[i] || R[D.g[i]]; }
  /** Everything about node i, for the few places that show one node. */
  function node(i) {
    var r = rec(i);
    return {
      id: D.id[i], t: r.t, k: r.k, r: r.r, p: r.p, wa: r.wa, lk: r.lk, x: r.x, L: r.L, c: r.c, fl: r.fl, al: r.al,
      w: W[i] === null ? undefined : W[i], f: F[i], a: A[i], b: B[i], g: D.g[i]
    };
  }
  function duration(ms) {
    if (ms === undefined || !isFinite(ms) || ms < 0) return '';
    if (ms < 1000) return Math.round(ms) + 'ms';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + 's';
    var t = Math.floor(s);
    if (t < 3600) return Math.floor(t / 60) + 'm ' + String(t % 60).padStart(2, '0') + 's';
    var m = Math.floor(t / 60);
    return Math.floor(m / 60) + 'h ' + String(m % 60).padStart(2, '0') + 'm';
  }
  function ends(n) {
    var out = [];
    for (var b = 0; b < E.length; b++) if (n.lk & (1 << b)) out.push(E[b]);
    return out.join(', ');
  }
  function place(n) { return n.p === undefined ? '' : str(n.r) + ' ' + str(n.p); }
  /** The place cut from the left: the file name and line matter more than the directories. */
  function shortPlace(n) {
    var p = str(n.p);
    return n.p === undefined ? '' : str(n.r) + ' ' + (p.length > 30 ? '\u2026' + p.slice(p.length - 29) : p);
  }
  function label(i) {
    var n = rec(i);
    return str(n.t) + (n.p === undefined ? '' : ' (' + str(n.p) + ')');
  }
  function ref(i) {
    var b = el('button', 'ref', label(i));
    b.type = 'button';
    b.setAttribute('data-node', String(i));
    b.title = label(i);
    return b;
  }

  /* ------------------------------------------------------------------ the task list */
  var viewport = document.getElementById('viewport');
  var spacer = document.getElementById('spacer');
  var rowsBox = document.getElementById('rows');
  var search = document.getElementById('search');
  var show = document.getElementById('show');
  var count = document.getElementById('count');
  var heads = document.querySelectorAll('.row.head button[data-sort]');
  var hay = null;
  var order = [];
  var sortKey = 'w', sortDir = -1;
  var selected = -1;
  var onlyShape = -1;
  var shapeNote = document.getElementById('shape-filter');

  function haystack() {
    if (hay) return hay;
    // The text of a record is searched once per shape, not once per node.
    var perRecord = new Map();
    function text(r) {
      var t = perRecord.get(r);
      if (t !== undefined) return t;
      var parts = [str(r.t), str(r.p), ends(r)];
      if (r.L) parts.push(str(r.L.d), str(r.L.h));
      if (r.c) for (var c = 0; c < r.c.length; c++) parts.push(str(r.c[c]));
      t = parts.join('\n').toLowerCase();
      perRecord.set(r, t);
      return t;
    }
    hay = new Array(COUNT);
    for (var i = 0; i < COUNT; i++) hay[i] = text(rec(i)) + '\n#' + D.id[i].toLowerCase() + (T ? '\n' + TL[T[i]].toLowerCase() : '');
    return hay;
  }
  function keyOf(i) {
    if (sortKey === 'w') return W[i] === null ? -1 : W[i];
    var n = rec(i);
    if (sortKey === 't') return str(n.t).toLowerCase();
    if (sortKey === 'p') return str(n.p).toLowerCase();
    if (sortKey === 'h') return T ? T[i] : 0;
    return ends(n);
  }
  function recompute() {
    var q = search.value.trim().toLowerCase();
    var mode = show.value;
    var h = q ? haystack() : null;
    var keep = [];
    for (var i = 0; i < COUNT; i++) {
      var f = F[i];
      if (mode === 'tasks' && !(f & FLAG.task)) continue;
      if (mode === 'stuck' && !(f & FLAG.stuck)) continue;
      if (onlyShape >= 0 && D.g[i] !== onlyShape) continue;
      if (h && h[i].indexOf(q) < 0) continue;
      keep.push(i);
    }
    var keys = new Array(COUNT);
    for (var k = 0; k < keep.length; k++) keys[keep[k]] = keyOf(keep[k]);
    keep.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir || a - b;
    });
    order = keep;
    count.textContent = order.length === COUNT ? COUNT + ' nodes' : order.length + ' of ' + COUNT + ' nodes';
    spacer.style.height = order.length * ROW + 'px';
    shapeNote.hidden = onlyShape < 0;
    for (var j = 0; j < heads.length; j++) {
      var on = heads[j].getAttribute('data-sort') === sortKey;
      heads[j].setAttribute('aria-sort', on ? (sortDir < 0 ? 'descending' : 'ascending') : 'none');
    }
    draw(true);
  }
  var drawnFrom = -1, drawnTo = -1;
  function draw(force) {
    var top = viewport.scrollTop;
    var from = Math.max(0, Math.floor(top / ROW) - 10);
    var to = Math.min(order.length, Math.ceil((top + viewport.clientHeight) / ROW) + 10);
    if (!force && from === drawnFrom && to === drawnTo) return;
    rowsBox.style.transform = 'translateY(' + from * ROW + 'px)';
    var r;
    if (force || drawnFrom < 0 || from >= drawnTo || to <= drawnFrom) {
      var frag = document.createDocumentFragment();
      for (r = from; r < to; r++) frag.appendChild(row(order[r]));
      rowsBox.replaceChildren(frag);
    } else {
      // A scroll only trims and extends the ends: rows still in range stay the same elements,
      // so a click pressed on a row and released after the list redrew still lands on that row
      // (a click whose row was replaced in between goes to no row at all).
      for (r = drawnFrom; r < from; r++) rowsBox.firstChild.remove();
      for (r = to; r < drawnTo; r++) rowsBox.lastChild.remove();
      var head = document.createDocumentFragment();
      for (r = from; r < drawnFrom; r++) head.appendChild(row(order[r]));
      rowsBox.insertBefore(head, rowsBox.firstChild);
      for (r = drawnTo; r < to; r++) rowsBox.appendChild(row(order[r]));
    }
    drawnFrom = from;
    drawnTo = to;
  }
  function row(i) {
    var n = node(i);
    var cls = 'row item' + (n.f & FLAG.cycle ? ' cycle' : n.f & FLAG.stuck ? ' stuck' : '') + (i === selected ? ' sel' : '');
    var r = el('div', cls);
    r.setAttribute('role', 'row');
    r.setAttribute('data-node', String(i));
    var t = el('span', '', str(n.t));
    t.title = str(n.t) + ' #' + n.id;
    r.appendChild(t);
    var p = el('span', 'mono', shortPlace(n));
    p.title = place(n);
    r.appendChild(p);
    r.appendChild(el('span', 'wait', n.w === undefined ? '' : duration(n.w)));
    r.appendChild(el('span', '', ends(n)));
    if (T) {
      var th = el('span', '', TL[T[i]]);
      th.title = TL[T[i]];
      r.appendChild(th);
    }
    return r;
  }
  viewport.addEventListener('scroll', function () { draw(false); }, { passive: true });
  var timer = 0;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(recompute, COUNT > 2000 ? 120 : 30);
  });
  show.addEventListener('change', recompute);
  shapeNote.addEventListener('click', function () { onlyShape = -1; recompute(); });
  function listShape(g) {
    onlyShape = g;
    viewport.scrollTop = 0;
    recompute();
    viewport.scrollIntoView({ block: 'nearest' });
  }
  for (var h = 0; h < heads.length; h++) {
    heads[h].addEventListener('click', function (ev) {
      var key = ev.currentTarget.getAttribute('data-sort');
      if (key === sortKey) sortDir = -sortDir;
      else { sortKey = key; sortDir = key === 'w' ? -1 : 1; }
      recompute();
    });
  }

  /* ------------------------------------------------------------------------ the graph */
  /** A box stands for node i (the first of its shape, in a grouped graph): click target, colours. */
  function decorate(box, i) {
    box.setAttribute('data-node', String(i));
    if (F[i] & FLAG.cycle) box.classList.add('aw-cycle');
    else if (F[i] & FLAG.stuck) box.classList.add('aw-stuck');
  }
  var svgNodes = [];
  var boxOf = new Map();
  var box = document.getElementById('svgbox');
  var svg = box ? box.querySelector('svg') : null;
  if (svg) {
    var natural = svg.getAttribute('width');
    var gs = svg.querySelectorAll('g.node');
    // Full graph: box x<i> is node i. Grouped graph: box g<k> stands for every node of shape k.
    var byShape = new Map();
    for (var g = 0; g < gs.length; g++) {
      var title = gs[g].querySelector('title');
      var name = title ? title.textContent : '';
      if (!/^[xg]\d+$/.test(name)) continue;
      var num = Number(name.slice(1));
      if (name.charAt(0) === 'x') {
        if (num >= COUNT) continue;
        boxOf.set(num, gs[g]);
        decorate(gs[g], num);
      } else byShape.set(num, gs[g]);
      svgNodes.push(gs[g]);
    }
    if (byShape.size) {
      for (var s2 = 0; s2 < COUNT; s2++) {
        var boxed = byShape.get(D.g[s2]);
        if (!boxed) continue;
        if (!boxed.hasAttribute('data-node')) decorate(boxed, s2);
        boxOf.set(s2, boxed);
      }
    }
    var naturalPx = parseFloat(natural || '0') * 4 / 3;
    var fit = function () {
      svg.style.width = '100%';
      svg.style.maxWidth = naturalPx > 0 ? naturalPx + 'px' : '';
    };
    var zoomBy = function (factor) {
      var current = svg.getBoundingClientRect().width || naturalPx;
      svg.style.maxWidth = '';
      svg.style.width = Math.max(50, current * factor) + 'px';
    };
    // Fitted to the box, but never below 60 %: a wide grouped graph then scrolls sideways
    // rather than shrinking to unreadable labels.
    var initial = naturalPx > 0 ? Math.max(0.6, Math.min(1, box.clientWidth / naturalPx)) : 1;
    if (initial >= 1) fit();
    else { svg.style.maxWidth = ''; svg.style.width = naturalPx * initial + 'px'; }
    document.querySelectorAll('[data-zoom]').forEach(function (b) {
      b.addEventListener('click', function () {
        var z = b.getAttribute('data-zoom');
        if (z === 'fit') fit();
        else if (z === 'natural') { svg.style.maxWidth = ''; svg.style.width = naturalPx + 'px'; }
        else zoomBy(z === 'in' ? 1.25 : 0.8);
      });
    });
  }

` + DETAILS_SCRIPT + String.raw`
  document.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-node]') : null;
    if (!t) return;
    var i = Number(t.getAttribute('data-node'));
    if (i >= 0 && i < COUNT) show1(i);
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.target !== viewport && !viewport.contains(ev.target)) return;
    var pos = order.indexOf(selected);
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      var next = order[Math.max(0, Math.min(order.length - 1, pos + (ev.key === 'ArrowDown' ? 1 : -1)))];
      if (next !== undefined) {
        show1(next);
        var y = order.indexOf(next) * ROW;
        if (y < viewport.scrollTop) viewport.scrollTop = y;
        else if (y + ROW > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = y + ROW - viewport.clientHeight;
      }
    }
  });

  recompute();
  // For the benchmark and the browser test: ms since navigation began, and the script's own share.
  document.documentElement.setAttribute('data-script-ms', String(Math.round(performance.now() - started)));
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
  // The frame after the first one drawn with the list: the page is on screen.
  requestAnimationFrame(function () {
    requestAnimationFrame(function () {
      document.documentElement.setAttribute('data-painted', String(Math.round(performance.now())));
    });
  });
})();
`;
