/**
 * The wait-for graph of a fast dump, from V8's async stack walks (`async-walk.ts`).
 *
 * A walk started at a promise `p` lists who awaits `p` alone, then who awaits that one's
 * promise, and so on: `[a1, a2, …]`, each frame an async function at the exact position it is
 * suspended at, or a combinator element (`Promise.all` index i). Each non-empty walk whose first
 * frame is a function is one task: the one awaiting `p` (a function awaits one thing at a time,
 * so two promises never have the same first awaiter, once `.then`-derived starts are left out:
 * see `fast-dump.ts`). Its awaiter is the task whose own walk is the rest, `[a2, …]`: walked from
 * the promise `a1` returned. Walks carry no object identity, so tasks with the same walk are
 * told apart by count only; they have the same lines and the same chain above them, so pairing
 * each with any one of the awaiters that share that walk gives the same graph up to renaming.
 * A cycle walks round until the depth limit: keys are cut to half of it (`KEY_FRAMES`).
 */
import type { CombinatorKind, GraphNode, NodeFields } from '../model.js';
import { shapeNode } from '../model.js';
import { WALK_DEPTH, type WalkFrame } from './async-walk.js';

/**
 * Frames a key keeps. A cycle walks round until the stack trace limit (a little under
 * {@link WALK_DEPTH}: V8 counts our own frames too), so keys are cut well below it: a walk's rest
 * and the walk of its awaiter then have the same key.
 */
const KEY_FRAMES = Math.floor(WALK_DEPTH / 2);

function frameKey(f: WalkFrame): string {
  return f[4] !== '' ? `@${f[4]}` : `${f[0]}\u0000${f[1]}\u0000${f[2]}\u0000${f[3]}`;
}

function walkKey(walk: readonly WalkFrame[], from: number): string {
  return walk.slice(from, from + KEY_FRAMES).map(frameKey).join('\u0001');
}

interface Pool {
  nodes: NodeFields[];
  /** How many of `nodes` already have their one awaited node. */
  taken: number;
}

interface CombinatorGroup {
  node: NodeFields;
  indexes: Set<number>;
}

/** Builds the nodes of a fast dump from its walks; ids in source order. */
export function walksToNodes(walks: readonly WalkFrame[][]): GraphNode[] {
  const tasks = walks.filter((w) => w[0]![4] === '');
  // Source order, so that ids and output do not depend on heap order.
  tasks.sort((a, b) => compareFrames(a[0]!, b[0]!));
  const all: NodeFields[] = [];
  const make = (fields: Omit<NodeFields, 'id' | 'awaits' | 'awaitedBy'>): NodeFields => {
    const node = { id: `n${all.length + 1}`, ...fields, awaits: [], awaitedBy: [] } as NodeFields;
    all.push(node);
    return node;
  };
  const link = (awaiter: NodeFields, awaited: NodeFields): void => {
    awaiter.awaits.push(awaited.id);
    awaited.awaitedBy.push(awaiter.id);
  };
  const pools = new Map<string, Pool>();
  const taskNodes = tasks.map((walk) => {
    const [name, url, line, column] = walk[0]!;
    const node = make({ kind: 'async-function', name: name || '<anonymous>', state: 'suspended', awaitLocation: { url, line, column } });
    const key = walkKey(walk, 0);
    const pool = pools.get(key) ?? { nodes: [], taken: 0 };
    pool.nodes.push(node);
    pools.set(key, pool);
    return node;
  });
  /** A task walked as `walk` from `from` that has no awaited node yet (each awaits one). */
  const awaiterOf = (walk: readonly WalkFrame[], from: number): NodeFields | undefined => {
    if (walk.length <= from) return undefined;
    const pool = pools.get(walkKey(walk, from));
    if (pool === undefined || pool.taken >= pool.nodes.length) return undefined;
    return pool.nodes[pool.taken++];
  };
  // Combinators: every pending element of one is walked from itself, so the walks that start
  // at a combinator frame are its elements, one per index; a repeated index is another one.
  const combinators = new Map<string, CombinatorGroup[]>();
  for (const walk of walks) {
    const frame = walk[0]!;
    if (frame[4] === '') continue;
    const key = walkKey(walk, 0);
    const groups = combinators.get(key) ?? [];
    combinators.set(key, groups);
    let group = groups.find((g) => !g.indexes.has(frame[5]));
    if (group === undefined) {
      const kind = frame[4] as CombinatorKind;
      group = { node: make({ kind: 'combinator', name: `Promise.${kind}`, combinator: kind, state: 'pending' }), indexes: new Set() };
      groups.push(group);
      const above = awaiterOf(walk, 1);
      if (above) link(above, group.node);
    }
    group.indexes.add(frame[5]);
  }
  const used = new Map<string, number>();
  tasks.forEach((walk, i) => {
    if (walk.length < 2) return;
    const node = taskNodes[i]!;
    const next = walk[1]!;
    if (next[4] === '') {
      const above = awaiterOf(walk, 1);
      if (above) link(above, node);
      return;
    }
    // The task's promise is element `next[5]` of a combinator walked as the rest.
    const key = walkKey(walk, 1);
    const slot = `${key}\u0002${next[5]}`;
    const nth = used.get(slot) ?? 0;
    used.set(slot, nth + 1);
    const group = (combinators.get(key) ?? []).filter((g) => g.indexes.has(next[5]))[nth];
    if (group) link(group.node, node);
  });
  return all.map(shapeNode);
}

function compareFrames(a: WalkFrame, b: WalkFrame): number {
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2] || a[3] - b[3] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}
