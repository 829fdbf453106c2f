/**
 * The canonical order on its own: the same graph, its nodes numbered in any order (as the heap
 * lays them out differently in each run), comes out numbered the same way.
 */
import { describe, expect, it } from 'vitest';
import { canonicalOrder } from '../src/snapshot/canonical-order.js';

interface Shape {
  /** Rank of each node by itself. */
  rank: number[];
  awaits: number[][];
  holders: number[][];
}

/** The graph renumbered by its canonical order: each node's rank and edges, in new numbers. */
function canonicalShape(shape: Shape, permutation: number[]): string {
  // Node i of the shape is node permutation[i] of the graph handed over.
  const n = shape.rank.length;
  const at = new Array<number>(n);
  permutation.forEach((to, from) => (at[to] = from));
  const graph = {
    rank: at.map((from) => shape.rank[from]!),
    awaits: at.map((from) => shape.awaits[from]!.map((t) => permutation[t]!)),
    holders: at.map((from) => shape.holders[from]!.map((t) => permutation[t]!)),
    lastResort: (a: number, b: number) => a - b,
  };
  const order = canonicalOrder(graph);
  const id = new Map(order.map((v, i) => [v, i] as const));
  return order.map((v) => `${graph.rank[v]}>${graph.awaits[v]!.map((t) => id.get(t)!).sort((a, b) => a - b)}/${graph.holders[v]!.map((t) => id.get(t)!).sort((a, b) => a - b)}`).join(' ');
}

function permutations(n: number, count: number): number[][] {
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: count }, () => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  });
}

describe('canonical order', () => {
  it('p-limit nested in itself (two alike branches, a lock held by both runs): one numbering for every heap order', () => {
    // 0 .then → 1 Promise.all → 2, 3 resolve → 4, 5 resolve → 6, 7 importPhoto → 8, 9 leaf
    // queued in the lock held by 10, 11 run, each awaiting 4 / 5; 12, 13 resolve → 10, 11.
    const shape: Shape = {
      rank: [0, 1, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 2, 2],
      awaits: [[1], [2, 3], [4], [5], [6], [7], [8], [9], [], [], [4], [5], [10], [11]],
      holders: [[], [], [], [], [], [], [], [], [10, 11], [10, 11], [], [], [], []],
    };
    const expected = canonicalShape(shape, shape.rank.map((_, i) => i));
    for (const p of permutations(shape.rank.length, 50)) expect(canonicalShape(shape, p)).toBe(expected);
  });

  it('a ring of three alike tasks and a thousand alike chains: one numbering for every order', () => {
    const rank: number[] = [0, 0, 0];
    const awaits: number[][] = [[1], [2], [0]];
    for (let i = 0; i < 1000; i++) {
      rank.push(1, 2, 3);
      const base = awaits.length;
      awaits.push([base + 1], [base + 2], []);
    }
    const shape: Shape = { rank, awaits, holders: awaits.map(() => []) };
    const expected = canonicalShape(shape, rank.map((_, i) => i));
    for (const p of permutations(rank.length, 5)) expect(canonicalShape(shape, p)).toBe(expected);
  });
});
