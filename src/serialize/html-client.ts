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

/** The in-page script. */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var started = performance.now();
  var D = JSON.parse(document.getElementById('awaitwhat-data').textContent);
  var S = D.S, N = D.N, X = D.X, E = D.E, G = D.G;
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
    return n.p === undefined ? '' : str(n.r) + ' ' + (p.length > 44 ? '\u2026' + p.slice(p.length - 43) : p);
  }
  function label(i) {
    var n = N[i];
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

  function haystack() {
    if (hay) return hay;
    hay = new Array(N.length);
    for (var i = 0; i < N.length; i++) {
      var n = N[i];
      var parts = [str(n.i), str(n.t), str(n.p), ends(n)];
      if (n.L) parts.push(str(n.L.d), str(n.L.h));
      if (n.c) for (var c = 0; c < n.c.length; c++) parts.push(str(n.c[c]));
      hay[i] = parts.join('\n').toLowerCase();
    }
    return hay;
  }
  function keyOf(i) {
    var n = N[i];
    if (sortKey === 'w') return n.w === undefined ? -1 : n.w;
    if (sortKey === 't') return str(n.t).toLowerCase();
    if (sortKey === 'p') return str(n.p).toLowerCase();
    return ends(n);
  }
  function recompute() {
    var q = search.value.trim().toLowerCase();
    var mode = show.value;
    var h = q ? haystack() : null;
    var keep = [];
    for (var i = 0; i < N.length; i++) {
      var f = N[i].f;
      if (mode === 'tasks' && !(f & FLAG.task)) continue;
      if (mode === 'stuck' && !(f & FLAG.stuck)) continue;
      if (h && h[i].indexOf(q) < 0) continue;
      keep.push(i);
    }
    var keys = new Array(N.length);
    for (var k = 0; k < keep.length; k++) keys[keep[k]] = keyOf(keep[k]);
    keep.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir || a - b;
    });
    order = keep;
    count.textContent = order.length === N.length ? N.length + ' nodes' : order.length + ' of ' + N.length + ' nodes';
    spacer.style.height = order.length * ROW + 'px';
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
    drawnFrom = from;
    drawnTo = to;
    rowsBox.style.transform = 'translateY(' + from * ROW + 'px)';
    var frag = document.createDocumentFragment();
    for (var r = from; r < to; r++) frag.appendChild(row(order[r]));
    rowsBox.replaceChildren(frag);
  }
  function row(i) {
    var n = N[i];
    var cls = 'row item' + (n.f & FLAG.cycle ? ' cycle' : n.f & FLAG.stuck ? ' stuck' : '') + (i === selected ? ' sel' : '');
    var r = el('div', cls);
    r.setAttribute('role', 'row');
    r.setAttribute('data-node', String(i));
    var t = el('span', '', str(n.t));
    t.title = str(n.t) + ' #' + str(n.i);
    r.appendChild(t);
    var p = el('span', 'mono', shortPlace(n));
    p.title = place(n);
    r.appendChild(p);
    r.appendChild(el('span', 'wait', n.w === undefined ? '' : duration(n.w)));
    r.appendChild(el('span', '', ends(n)));
    return r;
  }
  viewport.addEventListener('scroll', function () { draw(false); }, { passive: true });
  var timer = 0;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(recompute, N.length > 2000 ? 120 : 30);
  });
  show.addEventListener('change', recompute);
  for (var h = 0; h < heads.length; h++) {
    heads[h].addEventListener('click', function (ev) {
      var key = ev.currentTarget.getAttribute('data-sort');
      if (key === sortKey) sortDir = -sortDir;
      else { sortKey = key; sortDir = key === 'w' ? -1 : 1; }
      recompute();
    });
  }

  /* ------------------------------------------------------------------------ the graph */
  var svgNodes = [];
  var boxOf = new Map();
  var box = document.getElementById('svgbox');
  var svg = box ? box.querySelector('svg') : null;
  if (svg) {
    var natural = svg.getAttribute('width');
    var gs = svg.querySelectorAll('g.node');
    for (var g = 0; g < gs.length; g++) {
      var title = gs[g].querySelector('title');
      var name = title ? title.textContent : '';
      var members = D.M === 'grouped' ? G[Number(name.slice(1))] : [Number(name.slice(1))];
      if (!members || !/^[xg]\d+$/.test(name)) continue;
      var first = N[members[0]];
      if (!first) continue;
      gs[g].setAttribute('data-node', String(members[0]));
      if (first.f & FLAG.cycle) gs[g].classList.add('aw-cycle');
      else if (first.f & FLAG.stuck) gs[g].classList.add('aw-stuck');
      svgNodes.push(gs[g]);
      for (var m = 0; m < members.length; m++) boxOf.set(members[m], gs[g]);
    }
    var zoom = 1;
    var naturalPx = parseFloat(natural || '0') * 4 / 3;
    var fit = function () {
      svg.style.width = '100%';
      svg.style.maxWidth = naturalPx > 0 ? naturalPx + 'px' : '';
      zoom = 0;
    };
    var zoomBy = function (factor) {
      var current = svg.getBoundingClientRect().width || naturalPx;
      svg.style.maxWidth = '';
      svg.style.width = Math.max(50, current * factor) + 'px';
      zoom = 1;
    };
    fit();
    document.querySelectorAll('[data-zoom]').forEach(function (b) {
      b.addEventListener('click', function () {
        var z = b.getAttribute('data-zoom');
        if (z === 'fit') fit();
        else if (z === 'natural') { svg.style.maxWidth = ''; svg.style.width = naturalPx + 'px'; }
        else zoomBy(z === 'in' ? 1.25 : 0.8);
      });
    });
  }

  /* ---------------------------------------------------------------------- the details */
  var details = document.getElementById('details');
  function section(parent, title) {
    parent.appendChild(el('h4', '', title));
  }
  /** Buttons for nodes; the same title and place once, counted (a thousand identical waiters). */
  function nodeList(parent, ids) {
    var byLabel = new Map();
    for (var i = 0; i < ids.length; i++) {
      var key = label(ids[i]);
      var entry = byLabel.get(key);
      if (entry) entry.n++;
      else byLabel.set(key, { i: ids[i], n: 1 });
    }
    var ul = el('ul', 'plain');
    var shown = 0;
    byLabel.forEach(function (entry) {
      if (shown++ >= MAX_LIST) return;
      var li = el('li');
      li.appendChild(ref(entry.i));
      if (entry.n > 1) li.appendChild(el('span', 'muted', ' \u00d7' + entry.n));
      ul.appendChild(li);
    });
    parent.appendChild(ul);
    if (byLabel.size > MAX_LIST) parent.appendChild(el('div', 'more', 'and ' + (byLabel.size - MAX_LIST) + ' more'));
  }
  function excerpt(parent, x) {
    var pre = el('pre', 'excerpt');
    for (var k = 0; k < x.s.length; k++) {
      var line = el('span', x.f + k === x.l ? 'hit' : '');
      line.appendChild(el('i', '', x.f + k));
      line.appendChild(document.createTextNode(x.s[k]));
      pre.appendChild(line);
    }
    parent.appendChild(pre);
    parent.appendChild(el('div', 'more', 'source as it was on disk when this report was built'));
  }
  /** The chain from i down to what it ends in: nested lists, bounded. */
  function chain(i) {
    var budget = { left: MAX_CHAIN };
    var onPath = new Set();
    var seen = new Set();
    var inChain = new Set();
    function walk(j, depth) {
      var li = el('li');
      inChain.add(j);
      li.appendChild(ref(j));
      var n = N[j];
      var what = [];
      if (n.w !== undefined) what.push((n.wa ? 'pending for ' : 'waiting ') + duration(n.w));
      if (n.L) what.push('\u2190 ' + str(n.L.d));
      else if (!n.a.length) what.push('leaf: nothing in the graph settles it');
      if (n.f & FLAG.cycle) what.push('\u27f2 in cycle');
      if (what.length) li.appendChild(el('span', 'muted', ' ' + what.join('  ')));
      if (!n.a.length) return li;
      if (onPath.has(j)) return li;
      onPath.add(j);
      seen.add(j);
      var ol = el('ol', 'chain');
      for (var k = 0; k < n.a.length; k++) {
        var c = n.a[k];
        if (budget.left-- <= 0) { ol.appendChild(el('li', 'more', '\u2026 (cut: more than ' + MAX_CHAIN + ' nodes)')); break; }
        if (onPath.has(c)) {
          var back = el('li', 'muted', '\u21ba back to ');
          back.appendChild(ref(c));
          back.appendChild(document.createTextNode(' (cycle)'));
          ol.appendChild(back);
          inChain.add(c);
        } else if (seen.has(c)) {
          var above = el('li', 'muted', '\u2191 ');
          above.appendChild(ref(c));
          above.appendChild(document.createTextNode(' (see above)'));
          ol.appendChild(above);
        } else if (depth >= 64) {
          ol.appendChild(el('li', 'more', '\u2026 chain continues deeper (cut at 64 levels)'));
          break;
        } else ol.appendChild(walk(c, depth + 1));
      }
      onPath.delete(j);
      li.appendChild(ol);
      return li;
    }
    var root = el('ol', 'chain');
    root.appendChild(walk(i, 0));
    return { list: root, nodes: inChain };
  }
  function show1(i) {
    var n = N[i];
    selected = i;
    var out = document.createDocumentFragment();
    out.appendChild(el('h3', '', str(n.t)));
    var badges = el('div');
    badges.appendChild(el('span', 'badge', str(n.k)));
    badges.appendChild(el('span', 'badge mono', '#' + str(n.i)));
    if (n.f & FLAG.cycle) badges.appendChild(el('span', 'badge red', 'in a cycle (deadlock)'));
    else if (n.f & FLAG.stuck) badges.appendChild(el('span', 'badge amber', 'never settles'));
    if (n.f & FLAG.running) badges.appendChild(el('span', 'badge', 'running (took the dump)'));
    var same = sameShape(n.g);
    if (same > 1) badges.appendChild(el('span', 'badge', 'one of ' + same + ' identical'));
    out.appendChild(badges);
    if (n.w !== undefined) out.appendChild(el('p', '', (n.wa ? 'Pending for ' : 'Waiting ') + duration(n.w)));
    var roleNames = { at: 'Await line', callback: 'Callback', created: 'Created at', defined: 'Defined at' };
    if (n.p !== undefined) {
      section(out, roleNames[str(n.r)] || str(n.r));
      out.appendChild(el('code', '', str(n.p)));
      if (n.x !== undefined) excerpt(out, X[n.x]);
    }
    if (n.al !== undefined) { section(out, 'Await line'); out.appendChild(el('code', '', str(n.al))); }
    if (n.c) {
      section(out, 'Creation site');
      var frames = el('ol', 'chain mono');
      for (var f = 0; f < n.c.length; f++) frames.appendChild(el('li', '', str(n.c[f])));
      out.appendChild(frames);
    }
    if (n.fl !== undefined && str(n.r) !== 'defined' && !(str(n.r) === 'callback')) {
      section(out, 'Function defined at');
      out.appendChild(el('code', '', str(n.fl)));
    }
    if (n.L) {
      section(out, 'Waits on');
      out.appendChild(el('div', '', str(n.L.k) + ': ' + str(n.L.d)));
      if (n.L.h !== undefined) out.appendChild(el('div', 'muted', 'resolve held by ' + str(n.L.h)));
      if (n.L.l !== undefined) out.appendChild(el('div', 'muted mono', 'holder defined at ' + str(n.L.l)));
      if (n.L.e) for (var e = 0; e < n.L.e.length; e++) out.appendChild(el('div', 'muted mono', str(n.L.e[e])));
    }
    var ch = chain(i);
    section(out, n.a.length ? 'Chain to the leaf' : 'Chain');
    out.appendChild(ch.list);
    if (n.b.length) {
      section(out, 'Awaited by (' + n.b.length + ')');
      nodeList(out, n.b);
    }
    for (var a = 0; a < n.a.length && a < 5; a++) {
      var target = n.a[a];
      var others = N[target].b.filter(function (w) { return w !== i; });
      section(out, 'Also waiting on ' + str(N[target].t) + ' (' + others.length + ')');
      if (others.length) nodeList(out, others);
      else out.appendChild(el('div', 'muted', 'nobody else'));
    }
    var leaves = Array.from(ch.nodes).filter(function (j) { return !N[j].a.length && j !== i; });
    for (var l = 0; l < leaves.length && l < 3; l++) {
      var waiting = tasksAbove(leaves[l]);
      section(out, 'Tasks ending at ' + str(N[leaves[l]].t) + (N[leaves[l]].p !== undefined ? ' (' + str(N[leaves[l]].p) + ')' : ''));
      out.appendChild(el('div', 'muted', waiting.length + ' task' + (waiting.length === 1 ? '' : 's') + ' in all wait on it, directly or through others'));
      nodeList(out, waiting.filter(function (w) { return w !== i; }));
    }
    details.replaceChildren(out);
    details.hidden = false;
    mark(ch.nodes, i);
    draw(true);
  }
  var shapeCount = null;
  function sameShape(g) {
    if (!shapeCount) {
      shapeCount = new Map();
      for (var i = 0; i < N.length; i++) shapeCount.set(N[i].g, (shapeCount.get(N[i].g) || 0) + 1);
    }
    return shapeCount.get(g) || 1;
  }
  function tasksAbove(leaf) {
    var seen = new Set([leaf]);
    var stack = [leaf];
    var tasks = [];
    while (stack.length) {
      var j = stack.pop();
      var b = N[j].b;
      for (var k = 0; k < b.length; k++) {
        if (seen.has(b[k])) continue;
        seen.add(b[k]);
        stack.push(b[k]);
        if (N[b[k]].f & FLAG.task) tasks.push(b[k]);
      }
    }
    return tasks;
  }
  function mark(nodes, i) {
    for (var k = 0; k < svgNodes.length; k++) svgNodes[k].classList.remove('aw-sel', 'aw-chain');
    nodes.forEach(function (j) { var b = boxOf.get(j); if (b) b.classList.add('aw-chain'); });
    var own = boxOf.get(i);
    if (own) own.classList.add('aw-sel');
  }

  document.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-node]') : null;
    if (!t) return;
    var i = Number(t.getAttribute('data-node'));
    if (i >= 0 && i < N.length) show1(i);
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
})();
`;
