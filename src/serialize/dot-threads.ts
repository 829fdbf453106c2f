/**
 * Worker threads in the DOT and SVG views. Each worker's graph is drawn in a frame of its own
 * (`subgraph cluster_t<threadId>`), labelled as the tree heads the worker's section, its boxes
 * drawn and grouped by the code that draws the main thread's (dot-boxes.ts); a worker that
 * sent no graph is one box saying why. Each wait of a thread on another (`threadEdges`) is a
 * bold blue edge from the waiting leaf's box to the awaited thread's frame (`lhead`), pointing
 * at its first chain.
 *
 * @packageDocumentation
 */

import type { Dump, ThreadGraph } from '../model.js';
import { graphStatements, type BoxMarks, type DotBox } from './dot-boxes.js';
import { LABEL_WIDTH, escapeDot, wrap } from './dot-labels.js';
import { threadDump, threadHeading, threadMissing } from './thread-graphs.js';

/** The colour of the frames and of the waits between threads. */
export const THREAD_COLOR = '"#1d4ed8"';

/** The boxes of each answered worker's graph, by thread id; names are the caller's. */
export type ThreadBoxes = ReadonlyMap<number, readonly DotBox[]>;

/** The statements that draw the workers, and what they mark. */
export interface ThreadStatements {
  /** The frames, then the edges between threads. */
  lines: string[];
  marked: BoxMarks;
  /** Every box name drawn (legend and notes must avoid them). */
  names: string[];
}

/**
 * The DOT name of worker `threadId`'s frame. Graphviz draws a subgraph as a frame only when
 * its name starts with `cluster`; subgraph names do not share the nodes' namespace.
 */
export function clusterName(threadId: number): string {
  return `cluster_t${threadId}`;
}

/**
 * Boxes for each answered worker, as `groups` partitions a graph (the main thread's grouping),
 * named `t<threadId>/<node id>` — never a name of `taken` (the main thread's boxes), nor of
 * another thread's box.
 *
 * @param dump - a validated dump
 * @param groups - how a graph's nodes are grouped into boxes (indexes into its nodes)
 * @param taken - names already used; the new names are added to it
 */
export function namedThreadBoxes(dump: Dump, groups: (graph: Dump) => number[][], taken: Set<string>): Map<number, DotBox[]> {
  const out = new Map<number, DotBox[]>();
  for (const thread of dump.threads ?? []) {
    if (thread.status !== 'answered') continue;
    const boxes = groups(threadDump(dump, thread)).map((members) => {
      const name = freeName(`t${thread.threadId}/${thread.nodes[members[0] as number]?.id ?? ''}`, taken);
      return { name, members };
    });
    out.set(thread.threadId, boxes);
  }
  return out;
}

/**
 * The frames of the dump's workers and the edges of `threadEdges`.
 *
 * @param dump - a validated dump
 * @param boxes - the boxes of each answered worker (a worker without boxes has none drawn)
 * @param mainBoxOf - the box each of the main thread's node ids is drawn in
 * @param cwd - paths are shown relative to it
 * @param taken - names already used (for the box of a worker without a graph); added to
 */
export function threadStatements(dump: Dump, boxes: ThreadBoxes, mainBoxOf: ReadonlyMap<string, string>, cwd: string, taken: Set<string>): ThreadStatements {
  const lines: string[] = [];
  const names: string[] = [];
  const marked: BoxMarks = { cycles: false, neverSettles: false, longWaits: false };
  const boxOf = new Map<number, ReadonlyMap<string, string>>([[0, mainBoxOf]]);
  /** Where an edge to a thread points: the box of its first chain. */
  const entry = new Map<number, string>();
  for (const thread of dump.threads ?? []) {
    const frame = [`    label="${escapeDot(threadHeading(thread, cwd))}";`, `    style="rounded,dashed"; color=${THREAD_COLOR}; fontcolor=${THREAD_COLOR};`];
    const own = boxes.get(thread.threadId) ?? [];
    const missing = threadMissing(thread) ?? (own.length === 0 ? 'nothing is waiting in this thread' : undefined);
    if (missing !== undefined) {
      const name = freeName(`t${thread.threadId}/${thread.status}`, taken);
      const label = wrap(missing, LABEL_WIDTH).join('\n');
      frame.push(`    "${escapeDot(name)}" [label="${escapeDot(label)}", shape=box, style="dashed", color=${THREAD_COLOR}];`);
      names.push(name);
      entry.set(thread.threadId, name);
    } else {
      const drawn = graphStatements(threadDump(dump, thread), own, cwd);
      frame.push(...drawn.lines.map((line) => `  ${line}`));
      marked.cycles ||= drawn.marked.cycles;
      marked.neverSettles ||= drawn.marked.neverSettles;
      marked.longWaits ||= drawn.marked.longWaits;
      names.push(...own.map((box) => box.name));
      boxOf.set(thread.threadId, drawn.boxOf);
      entry.set(thread.threadId, firstChain(thread, drawn.boxOf) ?? (own[0] as DotBox).name);
    }
    lines.push(`  subgraph "${clusterName(thread.threadId)}" {`, ...frame, '  }');
  }
  for (const edge of dump.threadEdges ?? []) {
    const from = boxOf.get(edge.fromThread)?.get(edge.fromNode);
    const to = entry.get(edge.toThread);
    if (from === undefined || to === undefined) continue;
    const attrs = [
      `lhead="${clusterName(edge.toThread)}"`,
      `label="waits for thread ${edge.toThread}"`,
      'style=bold',
      'penwidth=2',
      `color=${THREAD_COLOR}`,
      `fontcolor=${THREAD_COLOR}`,
    ];
    lines.push(`  "${escapeDot(from)}" -> "${escapeDot(to)}" [${attrs.join(', ')}];`);
  }
  return { lines, marked, names };
}

/** The box of the thread's first root (where its first chain starts), if drawn. */
function firstChain(thread: ThreadGraph, boxOf: ReadonlyMap<string, string>): string | undefined {
  for (const root of thread.roots) {
    const name = boxOf.get(root);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** `name`, or `_name`, `__name`… whichever is not taken yet; marked taken. */
function freeName(name: string, taken: Set<string>): string {
  let free = name;
  while (taken.has(free)) free = `_${free}`;
  taken.add(free);
  return free;
}
