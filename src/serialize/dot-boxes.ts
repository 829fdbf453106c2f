/**
 * The boxes and edges of one thread's graph in DOT: a box per group of nodes (shape by kind,
 * red for a cycle, amber for what can never settle, a thick border for a long wait, leaves
 * filled), an edge per wait between boxes, a dashed `held by` edge from a lock's waiter to
 * its holder. dot.ts draws the main thread's graph with it, dot-threads.ts each worker's.
 *
 * @packageDocumentation
 */

import type { Dump, GraphNode, NodeKind } from '../model.js';
import { DOT_FONT, labelMargin } from './dot-fonts.js';
import { boxLines, escapeDot } from './dot-labels.js';
import { dumpVerdicts } from './dot-legend.js';

/** One box of the picture: the nodes it stands for (all of one shape), and its DOT name. */
export interface DotBox {
  /** The DOT node name (escaped where it is written). */
  name: string;
  /** Indexes into the graph's nodes; the first stands for all. */
  members: number[];
}

/** What a graph's boxes mark, for the legend's key. */
export interface BoxMarks {
  cycles: boolean;
  neverSettles: boolean;
  longWaits: boolean;
}

/** The statements of one graph, and what they mark. */
export interface GraphStatements {
  /** Box and edge statements, each on a line indented by two spaces. */
  lines: string[];
  marked: BoxMarks;
  /** The name of the box each node id is drawn in. */
  boxOf: Map<string, string>;
}

/**
 * Node attributes per kind. Tasks are boxes (code that runs), plain promises are ellipses
 * (values that settle), combinators diamonds (a fork in the graph), leaves octagons so the
 * eye finds where chains end. A kind this version does not know is a plain box.
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

/** Colours: red for a cycle, amber for what can never settle (as the HTML report). */
export const RED = 'red';
const AMBER = '"#b45309"';
/** Font size of the boxes' labels. */
export const FONT_SIZE = 10;

/** The graph's opening lines: direction and fonts. */
export function graphHeader(): string[] {
  return [
    'digraph awaitwhat {',
    `  graph [rankdir=TB, fontname="${DOT_FONT}", fontsize=11];`,
    `  node [fontname="${DOT_FONT}", fontsize=${FONT_SIZE}];`,
    `  edge [fontname="${DOT_FONT}", fontsize=9];`,
  ];
}

/**
 * The boxes and edges of a graph (the main thread's dump, or a worker's as a dump of its own).
 * Deterministic: boxes and edges come out in the graph's order.
 *
 * @param dump - a validated dump, or a thread's graph as one (thread-graphs.ts)
 * @param boxes - a partition of its nodes, named
 * @param cwd - paths are shown relative to it
 */
export function graphStatements(dump: Dump, boxes: readonly DotBox[], cwd: string): GraphStatements {
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const cycleEdges = new Set<string>();
  for (const cycle of dump.cycles) {
    cycle.nodes.forEach((id, i) => cycleEdges.add(edgeKey(id, cycle.nodes[(i + 1) % cycle.nodes.length] as string)));
  }
  const verdicts = dumpVerdicts(dump);
  const long = new Set(verdicts.filter((v) => v.kind === 'long-wait').flatMap((v) => v.nodes));
  const stuck = neverSettling(dump, inCycle, new Set(verdicts.filter((v) => v.kind === 'never-settles').flatMap((v) => v.nodes)));
  const boxOf = new Map<string, string>();
  for (const box of boxes) for (const i of box.members) boxOf.set((dump.nodes[i] as GraphNode).id, box.name);

  const marked: BoxMarks = { cycles: false, neverSettles: false, longWaits: false };
  const lines: string[] = [];
  for (const box of boxes) {
    const node = dump.nodes[box.members[0] as number] as GraphNode;
    const cyclic = inCycle.has(node.id);
    const label = boxLines(dump, box.members, cwd, cyclic);
    // A dump from a newer awaitwhat may hold kinds this version does not know.
    const look = (SHAPES as Partial<Record<string, (typeof SHAPES)[NodeKind]>>)[node.kind] ?? { shape: 'box' };
    // Graphviz keeps only the last `style=`, so the kind's style and "filled" go in one list.
    const styles = look.style ? [look.style] : [];
    const attrs = [`label="${escapeDot(label.join('\n'))}"`, `shape=${look.shape}`];
    if (look.extra) attrs.push(look.extra);
    const margin = labelMargin(label, FONT_SIZE);
    if (margin) attrs.push(`margin="${margin}"`);
    const isLong = box.members.some((i) => long.has((dump.nodes[i] as GraphNode).id));
    if (cyclic) attrs.push(`color=${RED}`, `fontcolor=${RED}`);
    else if (stuck.has(node.id)) attrs.push(`color=${AMBER}`, `fontcolor=${AMBER}`);
    if (isLong) attrs.push('penwidth=3');
    else if (cyclic || stuck.has(node.id)) attrs.push('penwidth=2');
    if (node.awaits.length === 0) {
      styles.push('filled');
      attrs.push(`fillcolor="${node.leaf?.kind === 'never' ? '#fde2dd' : '#fff3c4'}"`);
    }
    if (styles.length > 0) attrs.push(`style="${styles.join(',')}"`);
    marked.cycles ||= cyclic;
    marked.neverSettles ||= !cyclic && stuck.has(node.id);
    marked.longWaits ||= isLong;
    lines.push(`  "${escapeDot(box.name)}" [${attrs.join(', ')}];`);
  }
  const drawn = new Set<string>();
  for (const box of boxes) {
    for (const i of box.members) {
      const node = dump.nodes[i] as GraphNode;
      for (const target of node.awaits) {
        const name = boxOf.get(target);
        if (name === undefined) continue;
        const key = edgeKey(box.name, name);
        if (drawn.has(key)) continue;
        drawn.add(key);
        let look = '';
        if (cycleEdges.has(edgeKey(node.id, target))) look = ` [color=${RED}, penwidth=2]`;
        else if (stuck.has(node.id) && stuck.has(target)) look = ` [color=${AMBER}, penwidth=2]`;
        lines.push(`  "${escapeDot(box.name)}" -> "${escapeDot(name)}"${look};`);
      }
      // `held-by`: a leaf queued in a lock waits for the lock's holders (dashed).
      for (const holder of node.leaf?.lock?.holders ?? []) {
        const name = boxOf.get(holder);
        if (name === undefined) continue;
        const key = `${edgeKey(box.name, name)} held-by`;
        if (drawn.has(key)) continue;
        drawn.add(key);
        const red = cycleEdges.has(edgeKey(node.id, holder)) ? `, color=${RED}, fontcolor=${RED}, penwidth=2` : '';
        lines.push(`  "${escapeDot(box.name)}" -> "${escapeDot(name)}" [style=dashed, label="${escapeDot(`${node.leaf!.lock!.object} held by`)}"${red}];`);
      }
    }
  }
  return { lines, marked, boxOf };
}

/**
 * What can never settle: the members of a cycle, a leaf nothing can settle (its resolve and
 * reject unreachable, or named by a `never-settles` verdict), and everything waiting on them
 * (the same rule as `--only stuck` and the HTML report).
 */
function neverSettling(dump: Dump, inCycle: ReadonlySet<string>, never: ReadonlySet<string>): Set<string> {
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const stuck = new Set<string>();
  const stack: GraphNode[] = [];
  for (const node of dump.nodes) {
    if (inCycle.has(node.id) || (node.awaits.length === 0 && (node.leaf?.kind === 'never' || never.has(node.id)))) {
      stuck.add(node.id);
      stack.push(node);
    }
  }
  while (stack.length > 0) {
    for (const id of (stack.pop() as GraphNode).awaitedBy) {
      const parent = byId.get(id);
      if (!parent || stuck.has(id)) continue;
      stuck.add(id);
      stack.push(parent);
    }
  }
  return stuck;
}

function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
