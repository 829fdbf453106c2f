/**
 * The canonical order of a wait-for graph's nodes: the order its ids follow, independent of
 * the order V8 happened to lay the heap out in.
 *
 * Nodes are first ranked by what they are by themselves (source place, kind, name, leaf…).
 * Alike nodes (two inputs of one `Promise.all` running the same function, two tasks awaiting
 * one promise, the two slots of a lock) are then told apart by what they are connected to:
 * colour refinement, each node's colour refined by the colours of what it waits for and of
 * what waits for it, until nothing more splits. What still ties after that is symmetric as far
 * as structure goes: one node of the first tied class (within one connected part of the graph)
 * is picked (earliest wait first, the heap's order only as a last resort) and the refinement
 * runs again, so that the choice carries over consistently to everything connected to it.
 * Parts of the graph that are alike (a thousand requests stuck the same way) are ordered as
 * wholes. Either choice between symmetric nodes gives the same graph up to the names of the
 * ids, so two dumps of one stuck program number and draw it the same way.
 */

import { compareText } from '../internal/text-order.js';

/** A graph to order: nodes `0 … n-1`. */
export interface OrderGraph {
  /** Per node, its rank by what it is by itself: lower first, equal for nodes alike by themselves. */
  readonly rank: ArrayLike<number>;
  /** Per node, the nodes it awaits (any order: it is read as a set). */
  readonly awaits: ReadonlyArray<readonly number[]>;
  /** Per node, the holders of the lock it is queued in (the `held-by` edges). */
  readonly holders: ReadonlyArray<readonly number[]>;
  /**
   * Orders two nodes alike in every structural way (the first waits longer, say): a total order
   * that only picks which of two symmetric nodes comes first.
   */
  readonly lastResort: (a: number, b: number) => number;
}

/**
 * One-at-a-time picks within one connected part, and the largest tied class picked that way,
 * before a tied class is picked in one go: bounds the work on a part with thousands of alike
 * members (each pick refines the whole part again). Picking alike members together gives the
 * same result anyway unless they are linked to one another in some order (a ring of alike
 * tasks): small classes are picked one at a time for that.
 */
const PICKS_PER_PART = 16;
const PICK_ONE_UP_TO = 16;

/** The nodes of `graph` in canonical order (node indexes). */
export function canonicalOrder(graph: OrderGraph): number[] {
  const n = graph.rank.length;
  const edges = withReverse(graph);
  const all = Array.from({ length: n }, (_, i) => i);
  const colour = new Int32Array(n);
  denseRanks(all, (v) => [graph.rank[v]!], colour);
  refine(all, colour, edges);
  const order = all.slice();
  if (distinct(all, colour) === n) return order.sort((a, b) => colour[a]! - colour[b]!);
  // Ties left: settled within each connected part, then between alike parts.
  const parts = connectedParts(n, edges);
  const local = new Int32Array(n);
  const scratch = new Int32Array(n);
  const certificates: string[] = [];
  const firsts: number[] = [];
  for (const part of parts) {
    const inPart = settle(part, colour, scratch, edges, graph.lastResort);
    inPart.forEach((v, i) => (local[v] = i));
    certificates.push(certificate(inPart, colour, local, graph));
    firsts.push(inPart[0]!);
  }
  const partRank = new Int32Array(parts.length);
  parts
    .map((_, i) => i)
    .sort((a, b) => compareText(certificates[a]!, certificates[b]!) || graph.lastResort(firsts[a]!, firsts[b]!))
    .forEach((p, i) => (partRank[p] = i));
  const partOf = new Int32Array(n);
  parts.forEach((part, p) => part.forEach((v) => (partOf[v] = p)));
  return order.sort((a, b) => colour[a]! - colour[b]! || partRank[partOf[a]!]! - partRank[partOf[b]!]! || local[a]! - local[b]!);
}

/** Edges both ways: what a node waits for and what waits for it, by kind. */
interface Edges {
  awaits: ReadonlyArray<readonly number[]>;
  awaitedBy: number[][];
  holders: ReadonlyArray<readonly number[]>;
  heldBy: number[][];
}

function withReverse(graph: OrderGraph): Edges {
  const n = graph.rank.length;
  const awaitedBy: number[][] = Array.from({ length: n }, () => []);
  const heldBy: number[][] = Array.from({ length: n }, () => []);
  graph.awaits.forEach((targets, v) => targets.forEach((t) => awaitedBy[t]!.push(v)));
  graph.holders.forEach((targets, v) => targets.forEach((t) => heldBy[t]!.push(v)));
  return { awaits: graph.awaits, awaitedBy, holders: graph.holders, heldBy };
}

/**
 * Refines `colour` on `nodes` (closed under edges) until no class splits: a node's new colour
 * ranks its old colour, then the sorted colours of its neighbours of each kind. Classes only
 * split, never merge or swap, so the order of the initial colours is kept.
 */
function refine(nodes: readonly number[], colour: Int32Array, edges: Edges): void {
  let classes = distinct(nodes, colour);
  for (;;) {
    const next = denseRanks(nodes, (v) => signature(v, colour, edges), colour);
    if (next === classes) return;
    classes = next;
  }
}

function signature(v: number, colour: Int32Array, edges: Edges): number[] {
  const sig = [colour[v]!];
  for (const list of [edges.awaits[v]!, edges.awaitedBy[v]!, edges.holders[v]!, edges.heldBy[v]!]) {
    sig.push(-1);
    if (list.length === 1) sig.push(colour[list[0]!]!);
    // Not spread into `push`: a promise awaited by 100k tasks has 100k entries.
    else if (list.length > 1) for (const c of list.map((u) => colour[u]!).sort((a, b) => a - b)) sig.push(c);
  }
  return sig;
}

/**
 * Writes into `out` the dense rank of each node's key (equal keys, equal ranks), keys compared
 * element by element; returns the number of distinct keys.
 */
function denseRanks(nodes: readonly number[], key: (v: number) => number[], out: Int32Array): number {
  const keys = nodes.map(key);
  const order = nodes.map((_, i) => i).sort((a, b) => compareNumbers(keys[a]!, keys[b]!));
  let rank = -1;
  order.forEach((i, position) => {
    if (position === 0 || compareNumbers(keys[order[position - 1]!]!, keys[i]!) !== 0) rank++;
    out[nodes[i]!] = rank;
  });
  return rank + 1;
}

/**
 * Breaks the ties left inside one connected part: picks a node of the first tied class,
 * refines, and again, until every node of the part has a colour of its own. Returns the
 * part's nodes in order. Uses `scratch` for the part's colours (other entries untouched).
 */
function settle(part: readonly number[], colour: Int32Array, scratch: Int32Array, edges: Edges, lastResort: (a: number, b: number) => number): number[] {
  for (const v of part) scratch[v] = colour[v]!;
  let picks = 0;
  for (;;) {
    const tied = firstTiedClass(part, scratch);
    if (!tied) break;
    tied.sort(lastResort);
    const position = new Map<number, number>();
    // One node first (its neighbours then follow it); past the budget the whole class at once.
    if (picks < PICKS_PER_PART && tied.length <= PICK_ONE_UP_TO) position.set(tied[0]!, 0);
    else tied.forEach((v, i) => position.set(v, i));
    picks++;
    // The picked nodes go first in their class, in their pick order (ranks need not be dense).
    const key = (v: number): number => position.get(v) ?? tied.length;
    const sorted = part.slice().sort((a, b) => scratch[a]! - scratch[b]! || key(a) - key(b));
    const ranks = sorted.map((v, i) => [v, i] as const);
    for (let i = 1; i < sorted.length; i++) {
      const [u, v] = [sorted[i - 1]!, sorted[i]!];
      if (scratch[u] === scratch[v] && key(u) === key(v)) ranks[i] = [v, ranks[i - 1]![1]];
    }
    for (const [v, rank] of ranks) scratch[v] = rank;
    refine(part, scratch, edges);
  }
  return part.slice().sort((a, b) => scratch[a]! - scratch[b]!);
}

/** The members of the lowest colour that more than one node of `nodes` has, if any. */
function firstTiedClass(nodes: readonly number[], colour: Int32Array): number[] | undefined {
  const members = new Map<number, number[]>();
  for (const v of nodes) {
    const list = members.get(colour[v]!);
    if (list) list.push(v);
    else members.set(colour[v]!, [v]);
  }
  let best: number | undefined;
  for (const [c, list] of members) if (list.length > 1 && (best === undefined || c < best)) best = c;
  return best === undefined ? undefined : members.get(best);
}

/** A part's shape in its own order: equal for alike parts, which may then go in either order. */
function certificate(ordered: readonly number[], colour: Int32Array, local: Int32Array, graph: OrderGraph): string {
  const at = (list: readonly number[]) => list.map((u) => local[u]!).sort((a, b) => a - b).join(' ');
  return ordered.map((v) => `${colour[v]}>${at(graph.awaits[v]!)}/${at(graph.holders[v]!)}`).join(';');
}

/** The weakly connected parts of the graph, each in node-index order. */
function connectedParts(n: number, edges: Edges): number[][] {
  const part = new Int32Array(n).fill(-1);
  const parts: number[][] = [];
  for (let start = 0; start < n; start++) {
    if (part[start] !== -1) continue;
    const members = [start];
    part[start] = parts.length;
    for (let i = 0; i < members.length; i++) {
      const v = members[i]!;
      for (const list of [edges.awaits[v]!, edges.awaitedBy[v]!, edges.holders[v]!, edges.heldBy[v]!]) {
        for (const u of list) {
          if (part[u] !== -1) continue;
          part[u] = parts.length;
          members.push(u);
        }
      }
    }
    parts.push(members.sort((a, b) => a - b));
  }
  return parts;
}

function distinct(nodes: readonly number[], colour: Int32Array): number {
  const seen = new Set<number>();
  for (const v of nodes) seen.add(colour[v]!);
  return seen.size;
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
