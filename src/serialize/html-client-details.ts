/**
 * The HTML report's in-page script, its second part: the details of a node (its await line
 * with the source around it, creation site, its chain down to what it ends in, who else waits
 * there, the chains of a worker thread it waits for) and the marks on the graph. Spliced into
 * {@link CLIENT_SCRIPT} (html-client.ts): it uses that part's variables and functions.
 *
 * Kept free of backticks and `${`, since it lives in a template literal.
 *
 * @packageDocumentation
 */

/** The details part of the in-page script. */
export const DETAILS_SCRIPT = String.raw`
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
      var n = node(j);
      var what = [];
      if (n.w !== undefined) what.push((n.wa ? 'pending for ' : 'waiting ') + duration(n.w));
      if (n.L) what.push('\u2190 ' + str(n.L.d));
      else if (!n.a.length) what.push('leaf: nothing in the graph settles it');
      if (n.f & FLAG.cycle) what.push('\u27f2 in cycle');
      if (what.length) li.appendChild(el('span', 'muted', ' ' + what.join('  ')));
      // A leaf that waits for another thread: where that thread's chains start.
      (JOIN.get(j) || []).forEach(function (w) {
        li.appendChild(el('span', 'muted', ' \u2192 waits for ' + TL[w.t] + (w.m ? ' (' + w.m + ')' : '') + ' '));
        for (var r = 0; r < w.r.length; r++) li.appendChild(ref(w.r[r]));
      });
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
    var n = node(i);
    selected = i;
    var out = document.createDocumentFragment();
    out.appendChild(el('h3', '', str(n.t)));
    var badges = el('div');
    badges.appendChild(el('span', 'badge', str(n.k)));
    badges.appendChild(el('span', 'badge mono', '#' + n.id));
    if (n.f & FLAG.cycle) badges.appendChild(el('span', 'badge red', 'in a cycle (deadlock)'));
    else if (n.f & FLAG.stuck) badges.appendChild(el('span', 'badge amber', 'never settles'));
    if (n.f & FLAG.running) badges.appendChild(el('span', 'badge', 'running (took the dump)'));
    if (T) badges.appendChild(el('span', 'badge thread', TL[T[i]]));
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
    if (same > 1) {
      section(out, 'Same shape');
      var like = el('div', 'muted', (same - 1) + ' other node' + (same === 2 ? ' waits' : 's wait') + ' exactly this way (same chain, places and leaf). ');
      var listIt = el('button', 'ref', 'List them');
      listIt.type = 'button';
      listIt.addEventListener('click', function () { listShape(n.g); });
      like.appendChild(listIt);
      out.appendChild(like);
    }
    var ch = chain(i);
    section(out, n.a.length ? 'Chain to the leaf' : 'Chain');
    out.appendChild(ch.list);
    // Waits for another thread: that thread's chains, drawn here and marked in its frame.
    var joined = new Set();
    (JOIN.get(i) || []).forEach(function (w) {
      section(out, 'Waits for ' + TL[w.t]);
      if (w.m) out.appendChild(el('div', 'muted', w.m));
      else if (!w.r.length) out.appendChild(el('div', 'muted', 'nothing is waiting in that thread'));
      for (var r = 0; r < w.r.length && r < 5; r++) {
        var theirs = chain(w.r[r]);
        out.appendChild(theirs.list);
        theirs.nodes.forEach(function (j) { joined.add(j); });
      }
      if (w.r.length > 5) out.appendChild(el('div', 'more', 'and ' + (w.r.length - 5) + ' more chains'));
    });
    if (n.b.length) {
      section(out, 'Awaited by (' + n.b.length + ')');
      nodeList(out, n.b);
    }
    for (var a = 0; a < n.a.length && a < 5; a++) {
      var target = n.a[a];
      var others = B[target].filter(function (w) { return w !== i; });
      section(out, 'Also waiting on ' + label(target) + ' (' + others.length + ')');
      if (others.length) nodeList(out, others);
      else out.appendChild(el('div', 'muted', 'nobody else'));
    }
    var leaves = Array.from(ch.nodes).filter(function (j) { return !A[j].length && j !== i; });
    for (var l = 0; l < leaves.length && l < 3; l++) {
      var waiting = tasksAbove(leaves[l]);
      section(out, 'Tasks ending at ' + label(leaves[l]));
      out.appendChild(el('div', 'muted', waiting.length + ' task' + (waiting.length === 1 ? '' : 's') + ' in all wait on it, directly or through others'));
      nodeList(out, waiting.filter(function (w) { return w !== i; }));
    }
    details.replaceChildren(out);
    details.hidden = false;
    ch.nodes.forEach(function (j) { joined.add(j); });
    mark(joined, i);
    draw(true);
  }
  var shapeCount = null;
  function sameShape(g) {
    if (!shapeCount) {
      shapeCount = new Map();
      for (var i = 0; i < COUNT; i++) shapeCount.set(D.g[i], (shapeCount.get(D.g[i]) || 0) + 1);
    }
    return shapeCount.get(g) || 1;
  }
  function tasksAbove(leaf) {
    var seen = new Set([leaf]);
    var stack = [leaf];
    var tasks = [];
    while (stack.length) {
      var j = stack.pop();
      var b = B[j];
      for (var k = 0; k < b.length; k++) {
        if (seen.has(b[k])) continue;
        seen.add(b[k]);
        stack.push(b[k]);
        if (F[b[k]] & FLAG.task) tasks.push(b[k]);
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

`;
