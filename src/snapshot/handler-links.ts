/**
 * Leaves that are not leaves: a promise whose resolve function only a pending reaction's
 * handler holds is settled when that handler runs, so it waits on the promise the reaction
 * derives. The common case is TypeScript's (and tslib's) `__awaiter`: the promise of a
 * down-levelled `async` function is resolved by the `.then(fulfilled, rejected)` handlers it
 * attaches to each value it awaits. Without this link such a chain ends in "something holds
 * its resolve" and the wait it stands for (a lock's queue, in async-mutex) is cut off.
 */
import type { HeapGraph } from './heap-graph.js';
import type { RawNode } from './wait-edges.js';

/**
 * Rewrites every `unknown` leaf whose resolver is held by handlers of pending reactions into
 * a `resolve` node waiting on the nodes of those reactions' derived promises.
 */
export function linkHandlerLeaves(heap: HeapGraph, nodes: readonly RawNode[]): void {
  let byPromise: Map<number, number> | undefined;
  for (const node of nodes) {
    const reactions = node.kind === 'promise' && node.leaf?.info.kind === 'unknown' ? node.leaf.reactions : undefined;
    if (!reactions) continue;
    byPromise ??= promiseIndex(nodes);
    const targets: number[] = [];
    for (const reaction of reactions) {
      const derived = derivedPromise(heap, reaction);
      const key = derived === undefined ? undefined : byPromise.get(derived);
      if (key !== undefined && key !== node.key && !targets.includes(key)) targets.push(key);
    }
    if (targets.length === 0) continue;
    node.kind = 'resolve';
    node.awaits = targets;
    delete node.leaf;
  }
}

/** Heap index of each node's promise (and of the node itself) → its key. */
function promiseIndex(nodes: readonly RawNode[]): Map<number, number> {
  const index = new Map<number, number>();
  for (const node of nodes) {
    index.set(node.key, node.key);
    if (node.promise !== undefined) index.set(node.promise, node.key);
  }
  return index;
}

/** The promise a reaction derives: held directly or through its `PromiseCapability`. */
function derivedPromise(heap: HeapGraph, reaction: number): number | undefined {
  for (const edge of heap.edges(reaction)) {
    const name = heap.name(edge.to);
    if (name === 'Promise') return edge.to;
    if (name === 'system / PromiseCapability') {
      for (const inner of heap.edges(edge.to)) if (heap.name(inner.to) === 'Promise') return inner.to;
    }
  }
  return undefined;
}
