/**
 * The dump's nodes: the kinds of task and promise in the wait-for graph, the fields each kind
 * has, and what a leaf promise waits on. `model.ts` re-exports all of it; import it from there.
 *
 * @packageDocumentation
 */

import type { SourceLocation, StackFrame } from './model-location.js';
import type { LockInfo } from './model-locks.js';

/**
 * Task kinds: code suspended somewhere (at an `await`, or a `yield` for generators).
 *
 * - `async-function`: one invocation of an `async function` (or async arrow / method),
 *   suspended at an `await`.
 * - `async-generator`: an async generator object, suspended at an `await` or `yield`, or
 *   waited on through its `next()` promises (`for await`).
 * - `module`: an ES module body suspended at a top-level `await`.
 */
export const TASK_KINDS = ['async-function', 'async-generator', 'module'] as const;

/**
 * Promise kinds: promises that wait, or are waited on, without running code of their own.
 *
 * - `combinator`: the promise returned by `Promise.all`, `allSettled`, `any` or `race`, waiting
 *   on several inputs.
 * - `then`: a promise derived by `.then` / `.catch` / `.finally`, waiting on the promise it
 *   was chained to.
 * - `resolve`: a promise resolved with another promise (`resolve(p)`, `return p` from a
 *   `.then` callback): it adopts that promise's fate.
 * - `promise`: a pending promise that nothing in the graph settles: the leaf of a chain.
 */
export const PROMISE_KINDS = ['combinator', 'then', 'resolve', 'promise'] as const;

/** Every node kind, in the order the docs list them: the tasks, then the promises. */
export const NODE_KINDS = [...TASK_KINDS, ...PROMISE_KINDS] as const;

/** What a task node is; see {@link TASK_KINDS}. */
export type TaskKind = (typeof TASK_KINDS)[number];
/** What a promise node is; see {@link PROMISE_KINDS}. */
export type PromiseKind = (typeof PROMISE_KINDS)[number];
/** What a node of the wait-for graph is; see {@link TASK_KINDS} and {@link PROMISE_KINDS}. */
export type NodeKind = (typeof NODE_KINDS)[number];

/** Which promise combinator a `combinator` node is. */
export const COMBINATOR_KINDS = ['all', 'allSettled', 'any', 'race'] as const;
/** Which promise combinator a `combinator` node is; see {@link COMBINATOR_KINDS}. */
export type CombinatorKind = (typeof COMBINATOR_KINDS)[number];

/**
 * States of a node. Tasks: `suspended` (at an await or yield), `running` (the task that
 * requested the dump), or `pending` (its generator closed, its promise not yet settled).
 * Promise kinds are always `pending`: settled promises are not in the graph.
 */
export const NODE_STATES = ['suspended', 'running', 'pending'] as const;
/** State of a node; see {@link NODE_STATES}. */
export type NodeState = (typeof NODE_STATES)[number];

/** Whether a kind is a task kind (code suspended somewhere) rather than a promise kind. */
export function isTaskKind(kind: NodeKind): kind is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(kind);
}

/** Whether a node is a task (code suspended somewhere) rather than a plain promise. */
export function isTask(node: GraphNode): node is TaskNode {
  return isTaskKind(node.kind);
}

/**
 * What every node has, whatever its kind.
 *
 * Edges are stored on both ends: `awaits` (what this node waits for) and `awaitedBy` (who waits
 * for this node). An `async-function` node stands for the invocation *and* the promise it
 * returns, so "A awaits B()" is a single edge A → B.
 */
interface NodeBase {
  /** Identifier unique within one dump (not stable across dumps), e.g. `"n12"`. */
  id: string;
  /**
   * Human name: the function's name for tasks (`"<anonymous>"` when it has none), the
   * combinator (`"Promise.all"`), `".then"` / `".finally"` for derived promises,
   * `"resolve(promise)"` for a promise resolved with another one, `"Promise"` for leaves, the
   * module's file name for modules.
   */
  name: string;
  /** Where the task's function, or a `.then` callback, is defined. */
  functionLocation?: SourceLocation;
  /** Creation stack, top frame first; only when creation stacks were enabled. */
  creationStack?: StackFrame[];
  /**
   * Index in `creationStack` of the program's own line: the first frame outside Node's
   * internals (`node:…`) and outside `node_modules`. Absent when every frame is Node's or a
   * dependency's (the views then show the innermost frame).
   */
  userFrame?: number;
  /**
   * How long this node has waited on what it awaits now, in milliseconds at the moment of the
   * dump. Known when the hook layer saw the wait begin (the register was loaded before it).
   */
  waitingMs?: number;
  /** Age of the promise in milliseconds, when the hook layer recorded its creation. */
  ageMs?: number;
  /** Ids of the nodes this node waits for (several for a combinator). */
  awaits: string[];
  /** Ids of the nodes waiting for this node. */
  awaitedBy: string[];
}

/**
 * A task: an async function invocation, an async generator or a module body. Only tasks have
 * an `awaitLocation`; they have no `combinator` and no `leaf`.
 */
export interface TaskNode extends NodeBase {
  kind: TaskKind;
  /** `suspended` at an await or yield, `running`, or `pending` (see {@link NODE_STATES}). */
  state: NodeState;
  /** Where the task is suspended: the exact `await` (or `yield`) expression. */
  awaitLocation?: SourceLocation;
  combinator?: never;
  leaf?: never;
}

/** The promise of `Promise.all`, `allSettled`, `any` or `race`: always names its combinator. */
export interface CombinatorNode extends NodeBase {
  kind: 'combinator';
  /** Which combinator. */
  combinator: CombinatorKind;
  state: 'pending';
  awaitLocation?: never;
  leaf?: never;
}

/** A promise derived by `.then` / `.catch` / `.finally`, or resolved with another promise. */
export interface ChainedNode extends NodeBase {
  kind: 'then' | 'resolve';
  state: 'pending';
  awaitLocation?: never;
  combinator?: never;
  leaf?: never;
}

/** A pending promise nothing in the graph settles: the leaf of a chain. */
export interface LeafNode extends NodeBase {
  kind: 'promise';
  state: 'pending';
  /**
   * What could still settle it (a timer, a socket, an event listener, a queue in the
   * program…) or that nothing can. Absent when the snapshotter found nothing.
   */
  leaf?: LeafInfo;
  awaitLocation?: never;
  combinator?: never;
}

/**
 * A task or promise in the wait-for graph: one of the kinds above, discriminated by `kind`.
 * Fields a kind cannot have are declared `never`, so that reading them needs no narrowing and
 * writing them does not compile.
 */
export type GraphNode = TaskNode | CombinatorNode | ChainedNode | LeafNode;

/**
 * The fields each kind of node has, in the order a dump writes them. The reader keeps exactly
 * these (any other field of a node is, for that kind, an unknown one: checked as the format
 * says, then dropped) and the schema test checks them against the node types above.
 */
export const NODE_FIELDS = {
  task: ['id', 'kind', 'name', 'state', 'awaitLocation', 'functionLocation', 'creationStack', 'userFrame', 'waitingMs', 'ageMs', 'awaits', 'awaitedBy'],
  combinator: ['id', 'kind', 'name', 'combinator', 'state', 'functionLocation', 'creationStack', 'userFrame', 'waitingMs', 'ageMs', 'awaits', 'awaitedBy'],
  chained: ['id', 'kind', 'name', 'state', 'functionLocation', 'creationStack', 'userFrame', 'waitingMs', 'ageMs', 'awaits', 'awaitedBy'],
  leaf: ['id', 'kind', 'name', 'state', 'functionLocation', 'creationStack', 'userFrame', 'waitingMs', 'ageMs', 'awaits', 'awaitedBy', 'leaf'],
} as const satisfies Record<string, ReadonlyArray<keyof GraphNode>>;

/** Which entry of {@link NODE_FIELDS} a kind uses. */
export function nodeShape(kind: NodeKind): keyof typeof NODE_FIELDS {
  if (kind === 'combinator') return 'combinator';
  if (kind === 'then' || kind === 'resolve') return 'chained';
  return kind === 'promise' ? 'leaf' : 'task';
}

/** Every field version 1 allows on a node of any kind: what a node is built or read from. */
export type NodeFields = Omit<TaskNode, 'kind' | 'state' | 'combinator' | 'leaf'> & {
  kind: NodeKind;
  state: NodeState;
  combinator?: CombinatorKind;
  leaf?: LeafInfo;
};

/**
 * The node of `fields.kind` holding the fields that kind has ({@link NODE_FIELDS}), in the
 * order `fields` has them (so that a dump re-serializes byte for byte); other fields are
 * dropped. The caller guarantees what the kind requires: a `combinator` on a combinator, state
 * `pending` on the promise kinds. `fields` itself is returned when it has no foreign field (as
 * every node the snapshotter builds): a dump of 100 000 tasks copies nothing.
 */
export function shapeNode(fields: NodeFields): GraphNode {
  const shape = nodeShape(fields.kind);
  const view = fields as unknown as Record<string, unknown>;
  const foreign = FOREIGN[shape];
  let clean = true;
  for (let i = 0; i < foreign.length && clean; i++) clean = view[foreign[i]!] === undefined;
  if (clean) return fields as GraphNode;
  const keep: ReadonlySet<string> = new Set(NODE_FIELDS[shape]);
  const node: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (keep.has(key) && value !== undefined) node[key] = value;
  return node as unknown as GraphNode;
}

/** Per shape, the node fields of other kinds that it lacks. */
const FOREIGN = (() => {
  const all = new Set<string>(Object.values(NODE_FIELDS).flat());
  const lacking = (keys: readonly string[]): readonly string[] => [...all].filter((k) => !keys.includes(k));
  return { task: lacking(NODE_FIELDS.task), combinator: lacking(NODE_FIELDS.combinator), chained: lacking(NODE_FIELDS.chained), leaf: lacking(NODE_FIELDS.leaf) };
})();

/**
 * What a leaf promise finally waits on.
 *
 * - `timer`: a `setTimeout` / `timers/promises` timer (details: `delayMs`, `remainingMs`);
 * - `socket`: a TCP/TLS socket or HTTP request (details: `localAddress`, `remoteAddress`, …);
 * - `server`: a listening server;
 * - `fs`: a pending file system request;
 * - `dns`: a pending DNS lookup;
 * - `child-process`: a child process (details: `pid`, `command`);
 * - `worker`: a worker thread;
 * - `event`: an `EventEmitter` listener, e.g. `events.once` (details: `emitter`, `event`);
 * - `stream`: a stream (details: its class and state);
 * - `queue`: the promise's `resolve` is parked in the program's own data structure (a pool's
 *   waiter queue, a map of pending requests): whoever drains it can settle the promise;
 * - `never`: nothing can settle it any more: its resolve and reject functions are unreachable;
 * - `unknown`: something holds its resolve function, but not a kind awaitwhat recognises.
 */
export const LEAF_KINDS = [
  'timer', 'socket', 'server', 'fs', 'dns', 'child-process', 'worker', 'event', 'stream', 'queue', 'never', 'unknown',
] as const;
/** What a leaf promise finally waits on; see {@link LEAF_KINDS}. */
export type LeafKind = (typeof LEAF_KINDS)[number];

/** What settles a leaf promise, as far as the heap shows. */
export interface LeafInfo {
  kind: LeafKind;
  /** One line for a person, e.g. `timer: 60s delay, 58.8s left`, `event 'connected' on Connection`. */
  description: string;
  /**
   * How the settling function is reached from the resource, outermost first, e.g.
   * `["Pool", "waiters", "[0]"]`: the path a person would follow in a debugger.
   */
  heldBy?: string[];
  /** Kind-specific facts: numbers, strings or booleans only. */
  details?: Record<string, string | number | boolean>;
  /** Where the program's function that holds the resolver is defined, when known. */
  location?: SourceLocation;
  /**
   * Creation stack of the resource the leaf waits on (its timer, socket, child process…),
   * top frame first; only when creation stacks were enabled and the resource was created
   * after the register loaded.
   */
  resourceStack?: StackFrame[];
  /**
   * For a `queue` leaf whose queue belongs to a lock (a mutex, a semaphore, a pool, a
   * concurrency limit): who holds that lock, or that nobody alive can release it.
   */
  lock?: LockInfo;
}
