/**
 * The wait-for graph as Graphviz DOT, saying as much as the terminal tree: a box at the top
 * with the verdicts, identical chains drawn once with a count (`×3`, the tree's grouping),
 * every leaf with what it finally waits on, long waits with a thick border, cycles red and
 * chains that can never settle amber. Feed it to `dot -Tsvg` or to {@link renderSvg}.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode, NodeKind, OrphanedRequest } from '../model.js';
import { groupOrphans } from '../graph/findings.js';
import { requestOpenFor, requestTitle } from '../text/request-labels.js';
import { formatLocation } from '../text/paths.js';
import { chainGroups } from './chain-signatures.js';
import { DOT_FONT, labelMargin } from './dot-fonts.js';
import { boxLines, wrap } from './dot-labels.js';
import { dumpVerdicts, legendLines, type LegendMarks } from './dot-legend.js';

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Directory paths are shown relative to; defaults to the dumped process's `cwd`. */
  cwd?: string;
  /**
   * `chains` (the default): identical chains are one box with a count, as the tree groups
   * them; `none`: one box per node.
   */
  grouping?: 'chains' | 'none';
  /** Draw the orphaned requests as notes (default); the HTML report lists them as verdicts instead. */
  orphans?: boolean;
  /** Draw the box with the title, verdicts and key at the top (default `true`). */
  legend?: boolean;
}

/** One box of the picture: the nodes it stands for (all of one shape), and its DOT name. */
export interface DotBox {
  /** The DOT node name (escaped here). */
  name: string;
  /** Indexes into the dump's nodes; the first stands for all. */
  members: number[];
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
const RED = 'red';
const AMBER = '"#b45309"';
const FONT_SIZE = 10;
const LEGEND_WIDTH = 110;

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
 * Converts a dump to a Graphviz DOT digraph. Deterministic: boxes and edges come out in the
 * dump's order.
 *
 * @param dump - a validated dump
 * @param options - path base, grouping, legend
 * @returns DOT source, ending with a newline
 */
export function toDot(dump: Dump, options: DotOptions = {}): string {
  const groups = options.grouping === 'none' ? dump.nodes.map((_, i) => [i]) : chainGroups(dump.nodes, dump.cycles);
  const boxes = groups.map((members) => ({ name: (dump.nodes[members[0] as number] as GraphNode).id, members }));
  return boxesDot(dump, boxes, options);
}

/**
 * DOT of a dump drawn as the given boxes, each standing for nodes of one shape (what the
 * first awaits stands for what all await). {@link toDot} draws the tree's groups; the HTML
 * report draws its own.
 *
 * @param dump - a validated dump
 * @param boxes - a partition of the dump's nodes
 * @param options - path base and legend (`grouping` is the caller's)
 * @returns DOT source, ending with a newline
 */
export function boxesDot(dump: Dump, boxes: readonly DotBox[], options: DotOptions = {}): string {
  const cwd = options.cwd ?? dump.process.cwd;
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const cycleEdges = new Set<string>();
  for (const cycle of dump.cycles) {
    cycle.nodes.forEach((id, i) => cycleEdges.add(edgeKey(id, cycle.nodes[(i + 1) % cycle.nodes.length] as string)));
  }
  const verdicts = dumpVerdicts(dump);
  const long = new Set(verdicts.filter((v) => v.kind === 'long-wait').flatMap((v) => v.nodes));
  const stuck = neverSettling(dump, inCycle, new Set(verdicts.filter((v) => v.kind === 'never-settles').flatMap((v) => v.nodes)));
  const boxOf = new Map<string, number>();
  boxes.forEach((box, b) => box.members.forEach((i) => boxOf.set((dump.nodes[i] as GraphNode).id, b)));

  const out: string[] = [
    'digraph awaitwhat {',
    `  graph [rankdir=TB, fontname="${DOT_FONT}", fontsize=11];`,
    `  node [fontname="${DOT_FONT}", fontsize=${FONT_SIZE}];`,
    `  edge [fontname="${DOT_FONT}", fontsize=9];`,
  ];
  let marked = { cycles: false, neverSettles: false, longWaits: false };
  const body: string[] = [];
  for (const box of boxes) {
    const node = dump.nodes[box.members[0] as number] as GraphNode;
    const cyclic = inCycle.has(node.id);
    const lines = boxLines(dump, box.members, cwd, cyclic);
    // A dump from a newer awaitwhat may hold kinds this version does not know.
    const look = (SHAPES as Partial<Record<string, (typeof SHAPES)[NodeKind]>>)[node.kind] ?? { shape: 'box' };
    // Graphviz keeps only the last `style=`, so the kind's style and "filled" go in one list.
    const styles = look.style ? [look.style] : [];
    const attrs = [`label="${escapeDot(lines.join('\n'))}"`, `shape=${look.shape}`];
    if (look.extra) attrs.push(look.extra);
    const margin = labelMargin(lines, FONT_SIZE);
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
    marked = {
      cycles: marked.cycles || cyclic,
      neverSettles: marked.neverSettles || (!cyclic && stuck.has(node.id)),
      longWaits: marked.longWaits || isLong,
    };
    body.push(`  "${escapeDot(box.name)}" [${attrs.join(', ')}];`);
  }
  const drawn = new Set<string>();
  for (const box of boxes) {
    for (const i of box.members) {
      const node = dump.nodes[i] as GraphNode;
      for (const target of node.awaits) {
        const to = boxOf.get(target);
        if (to === undefined) continue;
        const name = (boxes[to] as DotBox).name;
        const key = edgeKey(box.name, name);
        if (drawn.has(key)) continue;
        drawn.add(key);
        let look = '';
        if (cycleEdges.has(edgeKey(node.id, target))) look = ` [color=${RED}, penwidth=2]`;
        else if (stuck.has(node.id) && stuck.has(target)) look = ` [color=${AMBER}, penwidth=2]`;
        body.push(`  "${escapeDot(box.name)}" -> "${escapeDot(name)}"${look};`);
      }
      // `held-by`: a leaf queued in a lock waits for the lock's holders (dashed).
      for (const holder of node.leaf?.lock?.holders ?? []) {
        const to = boxOf.get(holder);
        if (to === undefined) continue;
        const name = (boxes[to] as DotBox).name;
        const key = `${edgeKey(box.name, name)} held-by`;
        if (drawn.has(key)) continue;
        drawn.add(key);
        const red = cycleEdges.has(edgeKey(node.id, holder)) ? `, color=${RED}, fontcolor=${RED}, penwidth=2` : '';
        body.push(`  "${escapeDot(box.name)}" -> "${escapeDot(name)}" [style=dashed, label="${escapeDot(`${node.leaf!.lock!.object} held by`)}"${red}];`);
      }
    }
  }
  const notes = options.orphans === false ? [] : orphanNotes(dump, cwd, options.grouping === 'none', new Set(boxes.map((b) => b.name)));
  if (options.legend !== false) {
    const grouped = boxes.some((b) => b.members.length > 1);
    out.push(...legend(dump, cwd, { ...marked, grouped, orphans: notes.length > 0 }, new Set([...boxes.map((b) => b.name), ...notes.map((n) => n.name)])));
  }
  out.push(...body, ...notes.map((n) => n.line), '}');
  return `${out.join('\n')}\n`;
}

/**
 * Orphaned requests as red dashed notes: no chain leads to them, so they stand alone. Alike
 * ones (as their verdict groups them) are one note with a count, unless every node is drawn
 * alone; their names avoid the boxes' (a box is named by its node's id).
 */
function orphanNotes(dump: Dump, cwd: string, oneByOne: boolean, names: ReadonlySet<string>): { name: string; line: string }[] {
  const orphans = dump.orphans ?? [];
  const groups = oneByOne ? orphans.map((o) => [o]) : groupOrphans(orphans);
  return groups.map((group, i) => {
    const orphan = group[0] as OrphanedRequest;
    let name = `orphan:${i}`;
    while (names.has(name)) name = `_${name}`;
    const lines = [`${group.length > 1 ? `×${group.length} ` : ''}${requestTitle(orphan)}`, requestOpenFor(orphan)];
    if (orphan.handler?.location) lines.push(`handler ${formatLocation(orphan.handler.location, cwd)}`);
    const margin = labelMargin(lines, FONT_SIZE);
    const attrs = [`label="${escapeDot(lines.join('\n'))}"`, 'shape=note', `color=${RED}`, `fontcolor=${RED}`, 'style=dashed'];
    if (margin) attrs.push(`margin="${margin}"`);
    return { name, line: `  "${escapeDot(name)}" [${attrs.join(', ')}];` };
  });
}

/** The legend box, alone on the top rank, its lines left-justified. */
function legend(dump: Dump, cwd: string, marks: LegendMarks, names: Set<string>): string[] {
  let name = 'verdicts';
  while (names.has(name)) name = `_${name}`;
  // A wrapped finding goes on indented, so that each finding starts at the margin.
  // A line break inside a program's string would centre what follows it: each part is a line.
  const lines = legendLines(dump, cwd, marks)
    .flatMap((line) => line.split(/\r\n|\r|\n/))
    .flatMap((line) => wrap(line, LEGEND_WIDTH).map((part, i) => (i === 0 ? part : `    ${part}`)));
  const label = lines.map((line) => escapeDot(line)).join('\\l');
  const margin = labelMargin(lines, FONT_SIZE, true);
  return [
    `  "${name}" [shape=box, style="filled", fillcolor="#f4f4f4", color="#888888", label="${label}\\l"${margin ? `, margin="${margin}"` : ''}];`,
    `  { rank=source; "${name}"; }`,
  ];
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
