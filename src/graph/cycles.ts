/**
 * Finding wait cycles (deadlocks) and roots in a wait-for graph. A cycle follows both edge
 * kinds: `awaits`, and `held-by` (a leaf queued in a lock → the lock's holders).
 */
import type { Cycle, GraphNode } from '../model.js';

/**
 * Every cycle of the graph, one per strongly connected component that loops (Tarjan's
 * algorithm, iterative so that long chains cannot overflow the stack). Each cycle is reported
 * as one simple loop through its component, starting at its first node in `nodes` order.
 */
export function findCycles(nodes: readonly GraphNode[]): Cycle[] {
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start.id)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: start.id, next: 0 }];
    index.set(start.id, counter);
    low.set(start.id, counter++);
    stack.push(start.id);
    onStack.add(start.id);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const awaits = waitsFor(byId.get(frame.id));
      if (frame.next < awaits.length) {
        const to = awaits[frame.next++]!;
        if (!byId.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        const self = component.length === 1 && waitsFor(byId.get(frame.id)).includes(frame.id);
        if (component.length > 1 || self) components.push(component);
      }
    }
  }
  const order = new Map(nodes.map((n, i) => [n.id, i] as const));
  return components
    .map((component) => ({ nodes: loopThrough(component, byId, order) }))
    .sort((a, b) => order.get(a.nodes[0]!)! - order.get(b.nodes[0]!)!);
}

/** One simple loop inside a strongly connected component, found by breadth-first search. */
function loopThrough(component: string[], byId: Map<string, GraphNode>, order: Map<string, number>): string[] {
  const members = new Set(component);
  const start = [...component].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const to of waitsFor(byId.get(id))) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [id];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, id);
        queue.push(to);
      }
    }
  }
  return [start];
}

/**
 * What a node waits for: what it awaits and, for a leaf queued in a lock, the lock's holders
 * (the `held-by` edges), so that a lock-order deadlock is a cycle.
 */
export function waitsFor(node: GraphNode | undefined): readonly string[] {
  if (!node) return [];
  const holders = node.leaf?.lock?.holders;
  return holders && holders.length > 0 ? [...node.awaits, ...holders] : node.awaits;
}

/** Ids of the nodes nobody waits for, in `nodes` order. */
export function findRoots(nodes: readonly GraphNode[]): string[] {
  return nodes.filter((n) => n.awaitedBy.length === 0).map((n) => n.id);
}
