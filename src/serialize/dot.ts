/**
 * The wait-for graph as Graphviz DOT, saying as much as the terminal tree: a box at the top
 * with the verdicts, identical chains drawn once with a count (`×3`, the tree's grouping),
 * every leaf with what it finally waits on, long waits with a thick border, cycles red and
 * chains that can never settle amber; each worker thread's graph in a frame of its own, the
 * main thread's leaf that waits for it joined to it (dot-threads.ts). Feed it to `dot -Tsvg`
 * or to {@link renderSvg}.
 *
 * @packageDocumentation
 */

import type { Dump, GraphNode, OrphanedRequest } from '../model.js';
import { groupOrphans } from '../graph/findings.js';
import { requestOpenFor, requestTitle } from '../text/request-labels.js';
import { formatLocation } from '../text/paths.js';
import { chainGroups } from './chain-signatures.js';
import { FONT_SIZE, graphHeader, graphStatements, RED, type DotBox } from './dot-boxes.js';
import { labelMargin } from './dot-fonts.js';
import { escapeDot, wrap } from './dot-labels.js';
import { legendLines, type LegendMarks } from './dot-legend.js';
import { namedThreadBoxes, threadStatements, type ThreadBoxes } from './dot-threads.js';

export type { DotBox } from './dot-boxes.js';
export { escapeDot } from './dot-labels.js';

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Directory paths are shown relative to; defaults to the dumped process's `cwd`. */
  cwd?: string;
  /**
   * `chains` (the default): identical chains are one box with a count, as the tree groups
   * them (in every thread's graph alike); `none`: one box per node.
   */
  grouping?: 'chains' | 'none';
  /** Draw the orphaned requests as notes (default); the HTML report lists them as verdicts instead. */
  orphans?: boolean;
  /** Draw the box with the title, verdicts and key at the top (default `true`). */
  legend?: boolean;
}

const LEGEND_WIDTH = 110;

/**
 * Converts a dump to a Graphviz DOT digraph: the main thread's graph, then each worker
 * thread's in a frame of its own, grouped alike. Deterministic: boxes and edges come out in
 * the dump's order, threads in the dump's order.
 *
 * @param dump - a validated dump
 * @param options - path base, grouping, legend
 * @returns DOT source, ending with a newline
 */
export function toDot(dump: Dump, options: DotOptions = {}): string {
  const groups = (graph: Dump): number[][] => (options.grouping === 'none' ? graph.nodes.map((_, i) => [i]) : chainGroups(graph.nodes, graph.cycles));
  const boxes = groups(dump).map((members) => ({ name: (dump.nodes[members[0] as number] as GraphNode).id, members }));
  const threads = namedThreadBoxes(dump, groups, new Set(boxes.map((b) => b.name)));
  return boxesDot(dump, boxes, options, threads);
}

/**
 * DOT of a dump drawn as the given boxes, each standing for nodes of one shape (what the
 * first awaits stands for what all await). {@link toDot} draws the tree's groups; the HTML
 * report draws its own.
 *
 * @param dump - a validated dump
 * @param boxes - a partition of the dump's nodes
 * @param options - path base and legend (`grouping` is the caller's)
 * @param threads - the boxes of each answered worker thread's graph, by thread id (a worker
 *   without boxes is drawn as one box saying so)
 * @returns DOT source, ending with a newline
 */
export function boxesDot(dump: Dump, boxes: readonly DotBox[], options: DotOptions = {}, threads: ThreadBoxes = new Map()): string {
  const cwd = options.cwd ?? dump.process.cwd;
  const main = graphStatements(dump, boxes, cwd);
  const taken = new Set([...boxes, ...[...threads.values()].flat()].map((b) => b.name));
  const workers = threadStatements(dump, threads, main.boxOf, cwd, taken);
  const names = new Set([...boxes.map((b) => b.name), ...workers.names]);
  const hasThreads = (dump.threads?.length ?? 0) > 0;
  const out = graphHeader();
  // An edge that ends at a worker's frame (`lhead`) needs `compound`: set only when there are frames.
  if (hasThreads) out.push('  compound=true;');
  const notes = options.orphans === false ? [] : orphanNotes(dump, cwd, options.grouping === 'none', names);
  if (options.legend !== false) {
    const marks: LegendMarks = {
      cycles: main.marked.cycles || workers.marked.cycles,
      neverSettles: main.marked.neverSettles || workers.marked.neverSettles,
      longWaits: main.marked.longWaits || workers.marked.longWaits,
      grouped: [boxes, ...threads.values()].some((list) => list.some((b) => b.members.length > 1)),
      orphans: notes.length > 0,
    };
    if (hasThreads) marks.threads = true;
    out.push(...legend(dump, cwd, marks, new Set([...names, ...notes.map((n) => n.name)])));
  }
  out.push(...main.lines, ...workers.lines, ...notes.map((n) => n.line), '}');
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
