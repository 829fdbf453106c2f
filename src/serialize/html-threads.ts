/**
 * Worker threads in the HTML report. Every thread's nodes go into the page's one table — the
 * main thread's first, then each worker's in the dump's order — so that the list, the details
 * and the graph treat a worker's node exactly as a main thread's one: a worker's chain is
 * walked within its thread, its box is found by its index. Besides, the page learns which
 * thread each node is in (the list's thread column), the waits between threads (a main
 * thread's leaf leads to the worker's chains), and each worker's findings, under its heading.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode, ThreadGraph, Verdict } from '../model.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { formatLocation } from '../text/paths.js';
import { shapeClasses } from './html-graph.js';
import { pageVerdicts, type PageVerdict } from './html-model.js';
import { threadCounts, threadDump, threadHeading, threadMissing } from './thread-graphs.js';

/** One thread's part of the page's node table. */
export interface ThreadPart {
  /** The thread's id; 0 for the main thread. */
  threadId: number;
  /** Its graph as a dump of its own (the main thread's: the dump itself). */
  graph: Dump;
  /** Where its nodes start in the table. */
  offset: number;
  /** `main thread`, `Worker thread 1 (fixtures/w.mjs)`. */
  heading: string;
  /** The worker, for a worker's part. */
  thread?: ThreadGraph;
}

/** A wait of a node on another thread, for the page: see {@link ThreadData.J}. */
export interface PageJoin {
  /** The waiting node (index into the table). */
  f: number;
  /** The thread it waits for (index into {@link ThreadData.TL}). */
  t: number;
  /** Where that thread's chains start: its roots (indexes into the table). */
  r: number[];
  /** Why that thread has no graph, when it has none. */
  m?: string;
}

/** What the page's data block says of threads; absent for a dump without workers. */
export interface ThreadData {
  /** Each node's thread, as an index into {@link ThreadData.TL}. */
  T: number[];
  /** Each thread's heading, the main thread's first. */
  TL: string[];
  /** The waits of a node on another thread. */
  J: PageJoin[];
}

/**
 * The dump with every id of every thread replaced by `x<index>`, its index in the page's
 * table: ids become unique across threads, and DOT names, SVG titles and the page's lookups
 * never carry the dump's own ids (free text in a hand-made dump).
 *
 * @param dump - a validated dump
 */
export function withSafeIds(dump: Dump): Dump {
  let offset = 0;
  const rename = <G extends { nodes: GraphNode[]; roots: string[]; cycles: Dump['cycles']; verdicts?: Verdict[] }>(graph: G): { graph: G; map: (id: string) => string } => {
    const safe = new Map(graph.nodes.map((node, i) => [node.id, `x${offset + i}`]));
    offset += graph.nodes.length;
    const map = (id: string): string => safe.get(id) ?? 'x-unknown';
    const nodes = graph.nodes.map((node) => {
      const mapped = { ...node, id: map(node.id), awaits: node.awaits.map(map), awaitedBy: node.awaitedBy.map(map) };
      const lock = node.leaf?.lock;
      if (lock && mapped.leaf) mapped.leaf = { ...mapped.leaf, lock: { ...lock, holders: lock.holders.map(map) } };
      return mapped as GraphNode;
    });
    // The verdicts name nodes too (a long wait's thick border, a never-settling leaf).
    const verdicts = graph.verdicts ? { verdicts: graph.verdicts.map((v) => ({ ...v, nodes: v.nodes.map(map) })) } : {};
    return { graph: { ...graph, nodes, roots: graph.roots.map(map), cycles: graph.cycles.map((c) => ({ nodes: c.nodes.map(map) })), ...verdicts }, map };
  };
  const main = rename(dump);
  const maps = new Map<number, (id: string) => string>([[0, main.map]]);
  const out: Dump = main.graph;
  if (dump.threads) {
    out.threads = dump.threads.map((thread) => {
      const renamed = rename(thread);
      maps.set(thread.threadId, renamed.map);
      return renamed.graph;
    });
  }
  if (dump.threadEdges) {
    out.threadEdges = dump.threadEdges.map((e) => ({ ...e, fromNode: (maps.get(e.fromThread) ?? main.map)(e.fromNode) }));
  }
  return out;
}

/**
 * The threads' parts of the table: the main thread's, then each worker's (one without a graph
 * has no node, but a heading).
 *
 * @param dump - a validated dump
 * @param cwd - scripts are shown relative to it
 */
export function threadParts(dump: Dump, cwd: string): ThreadPart[] {
  const parts: ThreadPart[] = [{ threadId: 0, graph: dump, offset: 0, heading: 'main thread' }];
  let offset = dump.nodes.length;
  for (const thread of dump.threads ?? []) {
    parts.push({ threadId: thread.threadId, graph: threadDump(dump, thread), offset, heading: threadHeading(thread, cwd), thread });
    offset += thread.nodes.length;
  }
  return parts;
}

/**
 * Every thread's nodes in one dump, in the table's order (ids must be unique across threads:
 * {@link withSafeIds}), with every thread's roots, cycles and verdicts: what the page's node
 * table, flags and the verdicts' buttons are built from.
 *
 * @param parts - {@link threadParts} of a dump with safe ids
 */
export function mergedGraph(parts: readonly ThreadPart[]): Dump {
  const main = (parts[0] as ThreadPart).graph;
  if (parts.length === 1) return main;
  const graphs = parts.map((p) => p.graph);
  const merged: Dump = {
    ...main,
    nodes: graphs.flatMap((g) => g.nodes),
    roots: graphs.flatMap((g) => g.roots),
    cycles: graphs.flatMap((g) => g.cycles),
  };
  if (graphs.some((g) => g.verdicts)) merged.verdicts = graphs.flatMap((g) => g.verdicts ?? []);
  return merged;
}

/**
 * The shape of each node of the table ({@link shapeClasses}), thread by thread: two threads'
 * chains are never one shape, so that a box of the grouped graph stays in one thread's frame.
 *
 * @param parts - {@link threadParts}
 */
export function threadClasses(parts: readonly ThreadPart[]): number[] {
  const out: number[] = [];
  let base = 0;
  for (const part of parts) {
    const classes = shapeClasses(part.graph);
    for (const c of classes) out.push(base + c);
    base += classes.reduce((a, b) => Math.max(a, b + 1), 0);
  }
  return out;
}

/**
 * The page's thread columns; `undefined` for a dump without workers.
 *
 * @param dump - the dump with safe ids ({@link withSafeIds})
 * @param parts - its {@link threadParts}
 */
export function threadData(dump: Dump, parts: readonly ThreadPart[]): ThreadData | undefined {
  if ((dump.threads?.length ?? 0) === 0) return undefined;
  const T = parts.flatMap((part, t) => part.graph.nodes.map(() => t));
  const TL = parts.map((part) => terminalSafe(part.heading));
  const J: PageJoin[] = [];
  for (const edge of dump.threadEdges ?? []) {
    const from = globalIndex(parts, edge.fromThread, edge.fromNode);
    const t = parts.findIndex((p) => p.threadId === edge.toThread);
    const to = parts[t];
    if (from === undefined || to === undefined) continue;
    const join: PageJoin = { f: from, t, r: rootIndexes(parts, to) };
    const missing = to.thread ? threadMissing(to.thread) : undefined;
    if (missing !== undefined) join.m = missing;
    J.push(join);
  }
  return { T, TL, J };
}

/**
 * The findings of the workers, after the main thread's: for each wait on a worker, the
 * waiting node and where the worker's chains start; then each worker's own findings, its
 * heading first; a worker without a graph says why.
 *
 * @param dump - the dump with safe ids
 * @param parts - its {@link threadParts}
 * @param cwd - paths are shown relative to it
 */
export function threadVerdicts(dump: Dump, parts: readonly ThreadPart[], cwd: string): PageVerdict[] {
  const out: PageVerdict[] = [];
  for (const edge of dump.threadEdges ?? []) {
    const fromPart = parts.find((p) => p.threadId === edge.fromThread);
    const to = parts.find((p) => p.threadId === edge.toThread);
    const from = globalIndex(parts, edge.fromThread, edge.fromNode);
    if (!fromPart || !to || from === undefined) continue;
    const node = fromPart.graph.nodes[from - fromPart.offset] as GraphNode;
    const place = nodePlace(node);
    const name = `${nodeTitle(node)}${place ? ` (${formatLocation(place.location, cwd)})` : ''}`;
    const missing = to.thread ? threadMissing(to.thread) : undefined;
    const where = fromPart.threadId === 0 ? 'the main thread' : fromPart.heading;
    const text = `${name} in ${where} waits for ${to.heading}${missing === undefined ? '; its chains start at' : ` (${missing})`}`;
    const roots = rootIndexes(parts, to);
    out.push({ kind: 'waits for a thread', severe: false, text: terminalSafe(text), nodes: [from, ...roots] });
  }
  for (const part of parts.slice(1)) {
    const missing = part.thread ? threadMissing(part.thread) : undefined;
    if (missing !== undefined) {
      out.push({ kind: 'worker thread', severe: false, text: terminalSafe(`${part.heading}: ${missing}`), nodes: [] });
      continue;
    }
    for (const v of pageVerdicts(part.graph)) {
      out.push({ ...v, text: `${terminalSafe(part.heading)}: ${v.text}`, nodes: v.nodes.map((i) => i + part.offset) });
    }
  }
  return out;
}

/** `1 worker thread: 1 answered`, for the page's header. */
export function threadsFact(dump: Dump): string | undefined {
  const threads = dump.threads ?? [];
  if (threads.length === 0) return undefined;
  const parts = threadCounts(threads);
  const nodes = threads.reduce((n, t) => n + t.nodes.length, 0);
  return `${threads.length} worker thread${threads.length === 1 ? '' : 's'}: ${parts.join(', ')}; ${nodes} node${nodes === 1 ? '' : 's'} of theirs listed with the main thread's, each thread framed in the graph`;
}

/**
 * The table index of node `id` of thread `threadId`: a safe id is `x<index>` ({@link withSafeIds}),
 * so it is read from the id, then checked to be in that thread's part of the table.
 */
function globalIndex(parts: readonly ThreadPart[], threadId: number, id: string): number | undefined {
  const part = parts.find((p) => p.threadId === threadId);
  const i = Number(id.slice(1));
  if (!part || id !== `x${i}` || i < part.offset || i >= part.offset + part.graph.nodes.length) return undefined;
  return i;
}

/** Where a thread's chains start in the table: its roots' indexes. */
function rootIndexes(parts: readonly ThreadPart[], part: ThreadPart): number[] {
  return part.graph.roots.flatMap((id) => globalIndex(parts, part.threadId, id) ?? []);
}
