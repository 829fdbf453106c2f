/**
 * Which open requests no task waits for: the orphans of a dump.
 *
 * A request is waited for when the wait-for graph reaches it, one of two ways:
 *
 * - a **task refers to it from its frame**: walking up the heap from the request's objects
 *   (the response, the request) through the program's data, closures and scopes reaches a
 *   suspended async function (a handler awaiting a query, with `req` and `res` in its
 *   registers or scope; a Koa `ctx` holding them);
 * - a **leaf of the graph is settled through it**: the resource or emitter holding a pending
 *   promise's resolver (`leaves.ts`) is the request, its response or its socket (a task
 *   awaiting `once(req, 'end')`, a client awaiting a response in a `new Promise`).
 *
 * The walk does not pass through Node's own resources (sockets, parsers, servers, agents,
 * timers), which hold every request alike: a `main()` awaiting `once(server, 'close')` holds
 * the server, not each request. Nor does it follow a generator's `function` edge (every
 * invocation of a handler refers to the handler's closure) or prototypes and maps.
 *
 * An orphan keeps the first of the program's functions met on the way, if any: what still
 * refers to it (a timer's callback, a listener, a function whose scope holds it).
 */
import type { HeapGraph } from './heap-graph.js';
import type { OpenRequest } from './open-requests.js';
import type { RawNode } from './wait-edges.js';

/** An open request no task waits for, with the program's function that still holds it, if any. */
export interface RawOrphan {
  request: OpenRequest;
  /** The program's closure nearest to the request, and the path from it down to the request. */
  heldBy?: { closure: number; path: string[] };
}

/** Node's own objects: holders of every request alike, so not walked through. */
const NODE_RESOURCES = /^(Socket|TLSSocket|HTTPParser|Server|Agent|ClientRequest|IncomingMessage|ServerResponse|HTTPClientAsyncResource|TCP|TLSWrap|Timeout|Immediate|Client|Pool|BalancedPool)$/;
/** Edges that say nothing of who holds an object. */
const NOT_HOLDING = new Set(['function', '__proto__', 'map', 'prototype', 'constructor', 'shared', 'feedback_cell', 'code']);
const MAX_DEPTH = 12;
const MAX_VISITS = 4000;

/**
 * The open requests that no task of the graph waits for.
 *
 * @param heap - the snapshot
 * @param nodes - the raw wait-for graph, leaves described
 * @param requests - the open requests (`open-requests.ts`)
 * @param isProgramScript - whether a script id is the program's (not Node's own `node:` code)
 */
export function findOrphans(heap: HeapGraph, nodes: Iterable<RawNode>, requests: readonly OpenRequest[], isProgramScript: (scriptId: string) => boolean): RawOrphan[] {
  if (requests.length === 0) return [];
  const tasks = new Set<number>();
  const settledThrough = new Set<number>();
  for (const node of nodes) {
    if (node.kind === 'async-function' || node.kind === 'async-generator' || node.kind === 'module') tasks.add(node.generator ?? node.key);
    if (node.leaf?.holder !== undefined) settledThrough.add(node.leaf.holder);
    if (node.leaf?.resource !== undefined) settledThrough.add(node.leaf.resource);
  }
  const orphans: RawOrphan[] = [];
  for (const request of requests) {
    const own = request.socket === undefined ? request.parts : [...request.parts, request.socket];
    if (own.some((part) => settledThrough.has(part))) continue;
    const walk = walkUp(heap, request.parts, tasks, isProgramScript);
    if (walk.task) continue;
    orphans.push(walk.heldBy ? { request, heldBy: walk.heldBy } : { request });
  }
  return orphans;
}

interface Step {
  node: number;
  from?: Step;
  /** Name of the edge from `node` down to `from.node`. */
  edge?: string;
  depth: number;
}

/** Breadth first up the retainers of `parts`: a task holding them, else the nearest program function. */
function walkUp(heap: HeapGraph, parts: readonly number[], tasks: ReadonlySet<number>, isProgramScript: (scriptId: string) => boolean): { task: boolean; heldBy?: RawOrphan['heldBy'] } {
  const seen = new Set<number>(parts);
  const queue: Step[] = parts.map((node) => ({ node, depth: 0 }));
  let heldBy: RawOrphan['heldBy'];
  for (let i = 0; i < queue.length && seen.size < MAX_VISITS; i++) {
    const step = queue[i]!;
    for (const { from, edge } of heap.retainers(step.node)) {
      if (edge.type === 'weak' || seen.has(from) || NOT_HOLDING.has(edge.name)) continue;
      const type = heap.type(from);
      const name = heap.name(from);
      if (type === 'synthetic' || name.startsWith('(') || type === 'code') continue;
      seen.add(from);
      // A waiting task's frame: its registers, or its scope (`context`). Only the graph's tasks:
      // an ES module's body is a generator too, which holds the module's scope long after it ran.
      if (tasks.has(from)) return { task: true };
      if (type === 'object' && NODE_RESOURCES.test(name)) continue;
      const next: Step = { node: from, from: step, edge: edge.name, depth: step.depth + 1 };
      if (!heldBy && type === 'closure') {
        const at = heap.location(from);
        if (at && isProgramScript(at.scriptId)) heldBy = { closure: from, path: pathFrom(heap, next) };
      }
      if (next.depth < MAX_DEPTH) queue.push(next);
    }
  }
  return heldBy ? { task: false, heldBy } : { task: false };
}

/** Readable names from the holder down to the request: `fn()`, variables, properties, `[i]`. */
function pathFrom(heap: HeapGraph, holder: Step): string[] {
  const names = [`${heap.name(holder.node) || '<anonymous>'}()`];
  for (let s: Step | undefined = holder; s?.from; s = s.from) {
    const edge = s.edge ?? '';
    if (['context', 'elements', 'properties', 'table', 'previous', 'extension', 'bound_this', 'bound_function'].includes(edge)) continue;
    if (/^bound_argument_\d+$/.test(edge)) names.push('(bound argument)');
    else names.push(/^\d+$/.test(edge) ? `[${edge}]` : edge);
  }
  return names;
}
