/**
 * Holders of locks released by a method call, found from the source and confirmed by the heap.
 *
 * A semaphore like async-sema's hands its holders nothing the heap could show (its tokens are
 * strings; `sema.release()` is a method), so `lock-owners.ts` finds no holder. But the source
 * shows the pattern such code follows: a function that begins with `await sema.acquire()` and
 * calls `sema.release()` after its every other suspension point (in a `finally`) holds `sema`
 * wherever else it is suspended (`SuspensionIndex.heldLock`). The heap then says whether the
 * name `sema`, in the scopes that function was defined in, is the very lock a waiter is queued
 * in. Tasks queued in that lock (suspended at the acquire) are not its holders.
 */
import type { HeapGraph } from './heap-graph.js';
import { lockChainOf } from './lock-owners.js';
import type { SuspensionIndex } from './suspension-points.js';
import type { RawNode } from './wait-edges.js';

const CONTEXT = 'system / Context';

/** Sets `leaf.lock` on `queue` leaves still without one whose lock a guarded task holds. */
export function findGuardedHolders(heap: HeapGraph, nodes: readonly RawNode[], suspensions: SuspensionIndex): void {
  const open = nodes.filter((n) => n.kind === 'promise' && n.leaf?.info.kind === 'queue' && n.leaf.owner !== undefined && !n.leaf.lock);
  if (open.length === 0) return;
  // Every task of a guarded function, by the lock object its guard names.
  const guarded = new Map<number, number[]>();
  const guardOf = new Map<number, number | undefined>();
  for (const node of nodes) {
    if (node.generator === undefined || node.kind !== 'async-function') continue;
    const fn = heap.edgeTo(node.generator, 'function');
    if (fn === undefined) continue;
    if (!guardOf.has(fn)) guardOf.set(fn, guardedLock(heap, fn, suspensions));
    const lock = guardOf.get(fn);
    if (lock === undefined) continue;
    let list = guarded.get(lock);
    if (!list) guarded.set(lock, (list = []));
    list.push(node.key);
  }
  if (guarded.size === 0) return;
  const waiters = waitersIndex(nodes);
  const isTask = new Set(nodes.filter((n) => n.generator !== undefined).map((n) => n.key));
  const chains = new Map<number, number[]>();
  for (const leaf of open) if (!chains.has(leaf.leaf!.owner!)) chains.set(leaf.leaf!.owner!, lockChainOf(heap, leaf.leaf!.owner!));
  for (const leaf of open) {
    const chain = chains.get(leaf.leaf!.owner!)!;
    for (const lock of chain) {
      const tasks = guarded.get(lock);
      if (!tasks) continue;
      const queued = queuedIn(chain, open, chains, waiters, isTask);
      const holders = tasks.filter((key) => !queued.has(key));
      if (holders.length === 0) continue;
      leaf.leaf!.lock = { object: heap.name(lock) || 'queue', state: 'held', holders };
      break;
    }
  }
}

/** The heap object the function's guard names, looked up in the scopes it was defined in. */
function guardedLock(heap: HeapGraph, fn: number, suspensions: SuspensionIndex): number | undefined {
  const location = heap.location(fn);
  if (!location) return undefined;
  const name = suspensions.heldLock(location.scriptId, location);
  if (name === undefined) return undefined;
  const seen = new Set<number>();
  for (let c = heap.edgeTo(fn, 'context'); c !== undefined && heap.name(c) === CONTEXT && !seen.has(c); c = heap.edgeTo(c, 'previous')) {
    seen.add(c);
    for (const edge of heap.edges(c)) if (edge.type === 'context' && edge.name === name) return edge.to;
  }
  return undefined;
}

/**
 * Nodes waiting on the leaves queued in this lock, through promises, up to the first task
 * (a task further up that holds the lock and awaits a waiter is a deadlock, not a waiter).
 */
function queuedIn(chain: readonly number[], leaves: readonly RawNode[], chains: Map<number, number[]>, waiters: Map<number, number[]>, isTask: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const leaf of leaves) {
    const other = chains.get(leaf.leaf!.owner!);
    if (!other || !other.some((n) => chain.includes(n))) continue;
    const queue = [leaf.key];
    for (let i = 0; i < queue.length; i++) {
      for (const by of waiters.get(queue[i]!) ?? []) {
        if (out.has(by)) continue;
        out.add(by);
        if (!isTask.has(by)) queue.push(by);
      }
    }
  }
  return out;
}

/** Node key → keys of the nodes awaiting it. */
function waitersIndex(nodes: readonly RawNode[]): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const node of nodes) {
    for (const to of node.awaits) {
      let list = map.get(to);
      if (!list) map.set(to, (list = []));
      list.push(node.key);
    }
  }
  return map;
}
