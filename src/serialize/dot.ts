/**
 * The wait-for graph as Graphviz DOT: one node per task or promise, an edge from each waiter
 * to what it waits for, cycles in red. Feed it to `dot -Tsvg` or to {@link renderSvg}.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode, NodeKind } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { requestOpenFor, requestTitle } from '../text/request-labels.js';
import { formatLocation } from '../text/paths.js';

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Directory paths are shown relative to; defaults to the dumped process's `cwd`. */
  cwd?: string;
  /** Draw the orphaned requests as notes (default); the HTML report lists them as verdicts instead. */
  orphans?: boolean;
}

/**
 * Node attributes per kind. Tasks are boxes (code that runs), plain promises are ellipses
 * (values that settle), combinators diamonds (a fork in the graph), leaves octagons so the
 * eye finds where chains end.
 */
const SHAPES: Record<NodeKind, { shape: string; style?: string; extra?: string }> = {
  'async-function': { shape: 'box', style: 'rounded' },
  'async-generator': { shape: 'box', style: 'rounded', extra: 'peripheries=2' },
  module: { shape: 'tab' },
  combinator: { shape: 'diamond' },
  then: { shape: 'ellipse' },
  resolve: { shape: 'ellipse', style: 'dashed' },
  promise: { shape: 'octagon' },
};

/**
 * Escapes text for a double-quoted DOT string. Each line is made terminal-safe first (a
 * control from the program becomes a visible `\x1b`: DOT is printed to terminals and Graphviz
 * chokes on some controls); then backslashes are doubled (DOT gives `\n`, `\l`, `\N`…
 * meaning inside labels, so a literal backslash — from a Windows path or from a visible escape —
 * must be doubled), then quotes are escaped (the only escape of DOT's quoted strings); real
 * line breaks become DOT's centred line break `\n`.
 *
 * @param text - arbitrary text
 * @returns the text, safe between double quotes
 */
export function escapeDot(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => terminalSafe(line).replace(/\\/g, '\\\\').replace(/"/g, '\\"'))
    .join('\\n');
}

/**
 * Converts a dump to a Graphviz DOT digraph. Deterministic: nodes and edges come out in the
 * dump's order.
 *
 * @param dump - a validated dump
 * @param options - path base
 * @returns DOT source, ending with a newline
 */
export function toDot(dump: Dump, options: DotOptions = {}): string {
  const cwd = options.cwd ?? dump.process.cwd;
  const cycleEdges = new Set<string>();
  const inCycle = new Set<string>();
  for (const cycle of dump.cycles) {
    cycle.nodes.forEach((id, i) => {
      inCycle.add(id);
      const next = cycle.nodes[(i + 1) % cycle.nodes.length] as string;
      cycleEdges.add(edgeKey(id, next));
    });
  }
  const title =
    `awaitwhat: pid ${dump.process.pid}, ${dump.createdAt}, ` +
    `${dump.nodes.length} nodes, ${dump.cycles.length} cycle${dump.cycles.length === 1 ? '' : 's'}`;
  const out: string[] = [
    'digraph awaitwhat {',
    `  graph [rankdir=TB, fontname="Helvetica", fontsize=11, labelloc=t, label="${escapeDot(title)}"];`,
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const node of dump.nodes) {
    const look = SHAPES[node.kind];
    // Graphviz keeps only the last `style=`, so the kind's style and "filled" go in one list.
    const styles = look.style ? [look.style] : [];
    const attrs = [`label="${escapeDot(label(node, cwd))}"`, `shape=${look.shape}`];
    if (look.extra) attrs.push(look.extra);
    if (inCycle.has(node.id)) attrs.push('color=red', 'fontcolor=red', 'penwidth=2');
    else if (node.awaits.length === 0) {
      styles.push('filled');
      attrs.push('fillcolor="#fff3c4"');
    }
    if (styles.length > 0) attrs.push(`style="${styles.join(',')}"`);
    out.push(`  "${escapeDot(node.id)}" [${attrs.join(', ')}];`);
  }
  for (const node of dump.nodes) {
    for (const target of node.awaits) {
      const red = cycleEdges.has(edgeKey(node.id, target)) ? ' [color=red, penwidth=2]' : '';
      out.push(`  "${escapeDot(node.id)}" -> "${escapeDot(target)}"${red};`);
    }
  }
  // Orphaned requests: no chain leads to them, so they stand alone (ids outside the nodes' `n…`).
  (options.orphans === false ? [] : (dump.orphans ?? [])).forEach((orphan, i) => {
    const lines = [requestTitle(orphan), requestOpenFor(orphan)];
    if (orphan.handler?.location) lines.push(`handler ${formatLocation(orphan.handler.location, cwd)}`);
    out.push(`  "orphan:${i}" [label="${escapeDot(lines.join('\n'))}", shape=note, color=red, fontcolor=red, style=dashed];`);
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}

function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/** Title, location and wait time on separate lines; escaping happens at the caller. */
function label(node: GraphNode, cwd: string): string {
  const lines = [nodeTitle(node)];
  if (node.kind === 'combinator') lines[0] += ` (${node.awaits.length} pending)`;
  const place = nodePlace(node);
  if (place) lines.push(`${place.role} ${formatLocation(place.location, cwd)}`);
  if (node.waitingMs !== undefined) lines.push(`waiting ${formatDuration(node.waitingMs)}`);
  else if (node.ageMs !== undefined) lines.push(`pending for ${formatDuration(node.ageMs)}`);
  if (node.state === 'running') lines.push('running');
  return lines.join('\n');
}
