/**
 * What the HTML report knows about a dump, prepared when the report is built: the verdicts
 * in the order a person reads them, and a compact table of nodes for the page's script
 * (strings interned, edges as indexes, flags and leaf kinds precomputed), so that a dump of
 * ten thousand tasks loads in one `JSON.parse` and sorts and filters without walking the
 * graph.
 *
 * Every string from the dump is shown with controls as visible escapes (`\u202e`, `\x1b`),
 * as the terminal formats do: a bidi override must not reorder what the reader sees.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode, SourceLocation } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { formatLocation } from '../text/paths.js';
import { isTask, LEAF_KINDS } from '../model.js';
import type { SourceReader } from './html-sources.js';
import type { ThreadData } from './html-threads.js';
import { awaitedByText, stuckOn } from './stuck-on.js';

/** Leaf kinds a chain can end in, as bits of {@link PageRecord.lk}; `cycle` and `unexplained` added. */
export const CHAIN_ENDS = [...LEAF_KINDS, 'cycle', 'unexplained'] as const;

/** Bits of {@link PageData.f}. */
export const FLAG = { cycle: 1, stuck: 2, root: 4, task: 8, leaf: 16, running: 32 } as const;

/**
 * What the page shows of a node beyond its id, wait, edges and flags. Nodes of one shape
 * (identical chains: html-graph.ts) share one record, so that ten thousand identical
 * waiters cost one record, not ten thousand. Numbers marked (S) index {@link PageData.S}.
 */
export interface PageRecord {
  /** Title, e.g. `async handleOrder` (S). */
  t: number;
  /** Kind (S). */
  k: number;
  /** Role of the place: `at`, `callback`, `created`, `defined` (S). */
  r?: number;
  /** The place, `path:line:col` (S). */
  p?: number;
  /** 1 when the node's wait is its age (`ageMs`) rather than a waiting time. */
  wa?: 1;
  /** Chain ends reachable from it, as bits over {@link CHAIN_ENDS}. */
  lk: number;
  /** Excerpt of the source around the place (index into {@link PageData.X}). */
  x?: number;
  /** Leaf: kind, description, held by, location, details (S each). */
  L?: { k: number; d: number; h?: number; l?: number; e?: number[] };
  /** Creation stack, top first, `function (path:line:col)` (S each). */
  c?: number[];
  /** Where the function (or `.then` callback) is defined (S). */
  fl?: number;
  /** The `await` line, when it is not already the place (S). */
  al?: number;
}

/** A finding, for the top of the page. */
export interface PageVerdict {
  /** `cycle`, `never-settles`, `stall`, `stuck-on`, `longest-wait`, … */
  kind: string;
  /** Drawn red (nothing will ever settle it) rather than amber. */
  severe: boolean;
  /** One line. */
  text: string;
  /** The nodes concerned (indexes). */
  nodes: number[];
  /** The nodes form a cycle: shown as `a → b → a`. */
  cycle?: boolean;
}

/**
 * The data block of the page: per-node columns (index `i` is `dump.nodes[i]`; with worker
 * threads, their nodes follow the main thread's: html-threads.ts), and records shared per shape.
 */
export interface PageData {
  /** Interned strings. */
  S: string[];
  /** Each node's id, as shown (`#n12`). */
  id: string[];
  /** Each node's shape (index into {@link R}). */
  g: number[];
  /** Each node's wait in ms, rounded (`waitingMs`, else `ageMs`); `null` when unknown. */
  w: Array<number | null>;
  /** Each node's flags, see {@link FLAG}. */
  f: number[];
  /** What each node awaits (node indexes); who awaits it is derived in the page. */
  a: number[][];
  /** Records per shape. */
  R: PageRecord[];
  /** Records of the nodes whose own record differs from their shape's (creation stacks, leaf details). */
  O: Record<string, PageRecord>;
  /** Source excerpts: first line number, the location's line, the lines. */
  X: Array<{ f: number; l: number; s: string[] }>;
  /** Chain ends, bit order of {@link PageRecord.lk}. */
  E: readonly string[];
  /** Graph mode: `full`, `grouped` or `none`. */
  M: string;
  /** Each node's thread, for a dump with worker threads (html-threads.ts). */
  T?: ThreadData['T'];
  /** Each thread's heading, the main thread's first. */
  TL?: ThreadData['TL'];
  /** The waits of a node on another thread. */
  J?: ThreadData['J'];
}

/** Tasks listed under "longest waits". */
const LONGEST = 5;
/** Creation frames kept per node. */
const MAX_FRAMES = 8;

/**
 * Builds the page's node table.
 *
 * @param dump - a validated dump
 * @param classes - shape class per node (html-graph.ts)
 * @param sources - reader of source excerpts, or `undefined` for none
 */
export function pageNodes(dump: Dump, classes: number[], sources: SourceReader | undefined): Omit<PageData, 'M'> {
  const cwd = dump.process.cwd;
  const strings = new Map<string, number>();
  const S: string[] = [];
  const s = (text: string): number => {
    const safe = terminalSafe(text);
    let n = strings.get(safe);
    if (n === undefined) {
      strings.set(safe, (n = S.length));
      S.push(safe);
    }
    return n;
  };
  // Ten thousand nodes share a handful of places: each is formatted (a URL parse) once.
  const places = new Map<string, number>();
  const loc = (l: SourceLocation): number => {
    const key = `${l.line}:${l.column}:${l.url}`;
    let n = places.get(key);
    if (n === undefined) places.set(key, (n = s(formatLocation(l, cwd))));
    return n;
  };
  const X: PageData['X'] = [];
  const excerptIndex = new Map<string, number>();
  const index = new Map(dump.nodes.map((n, i) => [n.id, i]));
  const flags = nodeFlags(dump, index);
  const ends = chainEnds(dump, index);
  const record = (node: GraphNode, i: number): PageRecord => {
    const out: PageRecord = { t: s(nodeTitle(node)), k: s(node.kind), lk: ends[i] ?? 0 };
    const place = nodePlace(node);
    if (place) {
      out.r = s(place.role);
      out.p = loc(place.location);
      const key = `${place.location.url}\u0000${place.location.line}`;
      let x = excerptIndex.get(key);
      if (x === undefined && sources) {
        const excerpt = sources.excerpt(place.location);
        if (excerpt) {
          excerptIndex.set(key, (x = X.length));
          X.push({ f: excerpt.first, l: excerpt.line, s: excerpt.lines.map(terminalSafe) });
        }
      }
      if (x !== undefined) out.x = x;
    }
    if (node.waitingMs === undefined && node.ageMs !== undefined) out.wa = 1;
    if (node.awaitLocation && place?.role !== 'at') out.al = loc(node.awaitLocation);
    if (node.functionLocation) out.fl = loc(node.functionLocation);
    if (node.creationStack && node.creationStack.length > 0) {
      out.c = node.creationStack.slice(0, MAX_FRAMES).map((f) => s(`${f.functionName || '<anonymous>'} (${formatLocation(f, cwd)})`));
    }
    if (node.leaf) {
      const leaf = node.leaf;
      out.L = { k: s(leaf.kind), d: s(leaf.description) };
      if (leaf.heldBy && leaf.heldBy.length > 0) out.L.h = s(leaf.heldBy.join(' › '));
      if (leaf.location) out.L.l = loc(leaf.location);
      const details = Object.entries(leaf.details ?? {});
      if (details.length > 0) out.L.e = details.map(([k, v]) => s(`${k}: ${String(v)}`));
    }
    return out;
  };
  // One record per shape; a node whose record differs from its shape's first (another
  // creation stack, other leaf details: not part of the shape) carries its own.
  const R: PageRecord[] = [];
  const shapeKey: string[] = [];
  const O: Record<string, PageRecord> = {};
  dump.nodes.forEach((node, i) => {
    const g = classes[i] as number;
    const own = record(node, i);
    const key = JSON.stringify(own);
    if (R[g] === undefined) {
      R[g] = own;
      shapeKey[g] = key;
    } else if (shapeKey[g] !== key) O[String(i)] = own;
  });
  const wait = (n: GraphNode): number | null => {
    const ms = n.waitingMs ?? n.ageMs;
    return ms === undefined ? null : Math.round(ms);
  };
  return {
    S,
    id: dump.nodes.map((n) => terminalSafe(n.id)),
    g: classes,
    w: dump.nodes.map(wait),
    f: flags,
    a: dump.nodes.map((n) => n.awaits.map((id) => index.get(id)).filter((i): i is number => i !== undefined)),
    R,
    O,
    X,
    E: CHAIN_ENDS,
  };
}

/** Cycle membership, "stuck" (its chain ends in a cycle or in a promise nothing can settle), root, task, leaf, running. */
function nodeFlags(dump: Dump, index: Map<string, number>): number[] {
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const never = new Set(dump.verdicts?.filter((v) => v.kind === 'never-settles').flatMap((v) => v.nodes) ?? []);
  const roots = new Set(dump.roots);
  const flags = dump.nodes.map((n) => {
    let f = 0;
    if (inCycle.has(n.id)) f |= FLAG.cycle;
    if (roots.has(n.id)) f |= FLAG.root;
    if (isTask(n)) f |= FLAG.task;
    if (n.awaits.length === 0) f |= FLAG.leaf;
    if (n.state === 'running') f |= FLAG.running;
    return f;
  });
  // Stuck: the end itself, and everyone above it (the same rule as `--only stuck`).
  const stack: number[] = [];
  dump.nodes.forEach((n, i) => {
    if (inCycle.has(n.id) || (n.awaits.length === 0 && (n.leaf?.kind === 'never' || never.has(n.id)))) {
      flags[i] = (flags[i] as number) | FLAG.stuck;
      stack.push(i);
    }
  });
  while (stack.length > 0) {
    const i = stack.pop() as number;
    for (const id of (dump.nodes[i] as GraphNode).awaitedBy) {
      const p = index.get(id);
      if (p === undefined || (flags[p] as number) & FLAG.stuck) continue;
      flags[p] = (flags[p] as number) | FLAG.stuck;
      stack.push(p);
    }
  }
  return flags;
}

/** For each node, the kinds of chain end it reaches, as bits over {@link CHAIN_ENDS}. Iterative post-order. */
function chainEnds(dump: Dump, index: Map<string, number>): number[] {
  const bit = (end: (typeof CHAIN_ENDS)[number]): number => 1 << CHAIN_ENDS.indexOf(end);
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const mask = new Array<number>(dump.nodes.length).fill(0);
  const state = new Uint8Array(dump.nodes.length); // 0 new, 1 open, 2 done
  for (let start = 0; start < dump.nodes.length; start++) {
    if (state[start]) continue;
    const stack = [start];
    while (stack.length > 0) {
      const i = stack[stack.length - 1] as number;
      const node = dump.nodes[i] as GraphNode;
      if (state[i] === 0) {
        state[i] = 1;
        for (const id of node.awaits) {
          const c = index.get(id);
          if (c !== undefined && state[c] === 0) stack.push(c);
        }
        continue;
      }
      stack.pop();
      if (state[i] === 2) continue;
      state[i] = 2;
      let m = inCycle.has(node.id) ? bit('cycle') : 0;
      if (node.awaits.length === 0) {
        const kind = node.leaf?.kind;
        m |= kind !== undefined && (CHAIN_ENDS as readonly string[]).includes(kind) ? 1 << CHAIN_ENDS.indexOf(kind) : bit('unexplained');
      }
      for (const id of node.awaits) {
        const c = index.get(id);
        if (c !== undefined) m |= mask[c] as number;
      }
      mask[i] = m;
    }
  }
  return mask;
}

/**
 * The findings, in the order a person reads them: cycles, promises that can never settle,
 * orphaned work (future verdict kinds naming it), stalls and a blocked loop, what each chain is
 * stuck on, long waits with the longest waiting tasks, fan-in, then anything else.
 *
 * @param dump - a validated dump
 */
export function pageVerdicts(dump: Dump): PageVerdict[] {
  const cwd = dump.process.cwd;
  const index = new Map(dump.nodes.map((n, i) => [n.id, i]));
  const ref = (id: string): string => {
    const node = dump.nodes[index.get(id) ?? -1];
    if (!node) return id;
    const place = nodePlace(node);
    return place ? `${nodeTitle(node)} (${formatLocation(place.location, cwd)})` : nodeTitle(node);
  };
  const listed = (ids: string[]): Pick<PageVerdict, 'nodes'> => ({
    nodes: ids.map((id) => index.get(id)).filter((i): i is number => i !== undefined),
  });
  const out: Array<PageVerdict & { rank: number }> = [];
  const add = (rank: number, v: PageVerdict): void => {
    out.push({ ...v, text: terminalSafe(v.text), rank });
  };
  for (const cycle of dump.cycles) {
    const text = `deadlock: ${cycle.nodes.length === 1 ? 'a node waits on itself' : `${cycle.nodes.length} nodes wait on each other`}; none can ever proceed`;
    add(0, { kind: 'cycle', severe: true, text, ...listed(cycle.nodes), cycle: true });
  }
  for (const v of dump.verdicts ?? []) {
    if (v.kind === 'cycle') continue;
    add(verdictRank(v.kind), { kind: v.kind, severe: SEVERE.has(v.kind), text: v.summary, ...listed(v.nodes) });
  }
  // What each chain ends in, counted as the tree's verdict counts it (stuck-on.ts).
  for (const { leaf, ids, waiters } of stuckOn(dump, ref)) {
    const what = leaf.leaf ? ` (${leaf.leaf.description})` : ' (nothing in the graph settles it)';
    const text = `${ids.length > 1 ? `${ids.length}× ` : ''}${ref(leaf.id)}${what}, ${awaitedByText(waiters)}`;
    add(leaf.leaf?.kind === 'never' ? 1.5 : 5, { kind: 'stuck on', severe: leaf.leaf?.kind === 'never', text, ...listed(ids) });
  }
  const waiting = dump.nodes
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => isTask(n) && n.waitingMs !== undefined)
    .sort((a, b) => (b.n.waitingMs as number) - (a.n.waitingMs as number) || a.i - b.i)
    .slice(0, LONGEST);
  const longest = waiting[0]?.n.waitingMs;
  if (longest !== undefined) {
    const shortest = waiting[waiting.length - 1]?.n.waitingMs as number;
    const range = formatDuration(longest) === formatDuration(shortest) ? formatDuration(longest) : `${formatDuration(longest)} to ${formatDuration(shortest)}`;
    const what = waiting.length === 1 ? 'the task waiting longest' : `the ${waiting.length} tasks waiting longest`;
    add(6.5, { kind: 'longest waits', severe: false, text: `${what}: ${range}`, nodes: waiting.map(({ i }) => i) });
  }
  return out.sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...v }) => v);
}

/** Kinds drawn red: nothing will settle what they name. */
const SEVERE = new Set(['cycle', 'never-settles', 'stall', 'blocked-loop', 'orphaned']);

/** Reading order of the dump's verdict kinds; a kind this version does not know goes after the stalls. */
function verdictRank(kind: string): number {
  switch (kind) {
    case 'never-settles':
      return 1;
    case 'stall':
      return 3;
    case 'blocked-loop':
      return 4;
    case 'long-wait':
      return 6;
    case 'fan-in':
      return 7;
    default:
      // Orphaned requests (issue 11) and whatever comes next: right after the certain findings.
      return kind.includes('orphan') ? 2 : 4.5;
  }
}
