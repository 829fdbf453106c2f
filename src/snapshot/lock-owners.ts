/**
 * Who holds the lock a waiter is queued in, read from the heap snapshot at dump time.
 *
 * A `queue` leaf's resolve function sits in the data of an object: a mutex's or semaphore's
 * waiter queue, a pool's pending requests, p-limit's queue. If that object is a lock, some
 * suspended task can release it: the heap shows which, because the task's frame keeps what
 * releasing takes. Three ways, in this order, for the queue's object or one of the few
 * objects above it (a `Mutex` above its `Semaphore`, a `Queue` above its linked nodes):
 *
 * 1. **a release capability**: a closure (or a token object, or a `[value, release]` tuple)
 *    in the task's own frame — its registers, or scopes it created — whose captured scope
 *    refers to the lock: a mutex's `release()`, async-mutex's releaser, a permit;
 * 2. **a lent resource**: an object in the task's own frame that the lock keeps in one of its
 *    collections: a pool's connection (generic-pool's `_resourceLoans`);
 * 3. **the lock's own worker**: a task whose function was defined in a scope that refers to
 *    the lock (p-limit's `run`, which frees its slot when the function it runs settles).
 *
 * Scopes every function of a module shares (the module's top level, the function's
 * definition scope) do not count: a module-level `mutex` variable is no capability. Tasks
 * that themselves wait in the same lock's queue are never its holders.
 *
 * A lock with no holder is **leaked** when nothing alive refers to it but module-level
 * variables, its own data and its waiters' frames: no live function can release it.
 *
 * Frames are tasks (async functions and generators) and `.then` nodes whose callback's scope
 * keeps a generator (TypeScript's `__awaiter`, which async-mutex's `runExclusive` is built on).
 */
import type { HeapGraph } from './heap-graph.js';
import type { RawNode } from './wait-edges.js';

const CONTEXT = 'system / Context';
/** How many objects above the queue's own object may be the lock. */
const ANCESTOR_DEPTH = 6;
/** How deep below a lock its lent resources may be kept. */
const LENT_DEPTH = 4;
const MAX_VISITS = 5000;

/** Sets `leaf.lock` on every `queue` leaf whose queue belongs to a lock held or leaked. */
export function findLockOwners(heap: HeapGraph, nodes: readonly RawNode[]): void {
  const queued = nodes.filter((n) => n.kind === 'promise' && n.leaf?.info.kind === 'queue' && n.leaf.owner !== undefined);
  if (queued.length === 0) return;
  const finder = new LockOwners(heap, nodes);
  // Many waiters share one queue's object (a mutex's thousand waiters): each is worked out once.
  const chainOf = new Map<number, number[]>();
  const leavesOf = new Map<number, RawNode[]>();
  for (const leaf of queued) {
    const owner = leaf.leaf!.owner!;
    let chain = chainOf.get(owner);
    if (!chain) {
      chainOf.set(owner, (chain = finder.lockChain(owner)));
      for (const lock of chain) {
        let list = leavesOf.get(lock);
        if (!list) leavesOf.set(lock, (list = []));
        list.push(leaf);
      }
    } else {
      for (const lock of chain) leavesOf.get(lock)!.push(leaf);
    }
  }
  const waitersOf = memo((lock: number) => finder.waitersOf(leavesOf.get(lock)!));
  const holdersOf = memo((lock: number) => finder.holdersOf(lock, waitersOf(lock)));
  const leaked = memo((owner: number) => finder.isLeaked(chainOf.get(owner)!, waitersOf(owner)));
  for (const leaf of queued) {
    const owner = leaf.leaf!.owner!;
    const chain = chainOf.get(owner)!;
    let found = false;
    const own = finder.waitersOf([leaf]);
    for (const lock of chain) {
      const holders = holdersOf(lock).filter((key) => !own.has(key));
      if (holders.length === 0) continue;
      leaf.leaf!.lock = { object: finder.lockName(lock, chain), state: 'held', holders };
      found = true;
      break;
    }
    if (!found && leaked(owner)) leaf.leaf!.lock = { object: finder.lockName(owner, chain), state: 'leaked', holders: [] };
  }
}

/** The queue's object, then the objects above it (not through scopes) that may be the lock. */
export function lockChainOf(heap: HeapGraph, owner: number): number[] {
  const chain = [owner];
  const seen = new Set(chain);
  let frontier: Array<{ node: number; depth: number }> = [{ node: owner, depth: 0 }];
  while (frontier.length > 0 && seen.size < 200) {
    const next: Array<{ node: number; depth: number }> = [];
    for (const { node, depth } of frontier) {
      for (const { from, edge } of heap.retainers(node)) {
        if (edge.type === 'weak' || seen.has(from) || !isData(heap, from)) continue;
        // A linked list's nodes (same class) are climbed through without counting.
        const sameClass = heap.name(from) === heap.name(node) && (heap.name(node) !== 'Object' || LINKS.has(edge.name));
        const cost = sameClass ? 0 : 1;
        if (depth + cost > ANCESTOR_DEPTH) continue;
        seen.add(from);
        chain.push(from);
        next.push({ node: from, depth: depth + cost });
      }
    }
    frontier = next;
  }
  return chain;
}

/** A one-argument function, computed once per argument. */
function memo<T>(fn: (key: number) => T): (key: number) => T {
  const cache = new Map<number, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key)!;
  };
}

class LockOwners {
  readonly #heap: HeapGraph;
  readonly #nodes: readonly RawNode[];
  readonly #byKey: Map<number, RawNode>;
  /** Object → frames (node keys) holding a closure or object whose own scope refers to it. */
  #capabilities: Map<number, Set<number>> | undefined;
  /** Object → frames holding it directly in their own registers or scopes. */
  #direct: Map<number, Set<number>> | undefined;
  /** Object → tasks whose function's definition scope refers to it. */
  #scopes: Map<number, Set<number>> | undefined;
  /** Frame objects (generators, their registers, their own scopes) → node key. */
  #frameParts: Map<number, number> | undefined;

  constructor(heap: HeapGraph, nodes: readonly RawNode[]) {
    this.#heap = heap;
    this.#nodes = nodes;
    this.#byKey = new Map(nodes.map((n) => [n.key, n] as const));
  }

  /** The queue's object, then the objects above it that may be the lock. */
  lockChain(owner: number): number[] {
    return lockChainOf(this.#heap, owner);
  }

  /** A person's name for the lock: its class, or the queue object's when it has none. */
  lockName(lock: number, chain: readonly number[]): string {
    for (const node of [lock, ...chain]) {
      const name = this.#heap.name(node);
      if (isNamedClass(name)) return name;
    }
    return 'queue';
  }

  /** Nodes waiting on these leaves, through promises, up to and including the first task. */
  waitersOf(leaves: readonly RawNode[]): Set<number> {
    const waitedBy = this.#waitedBy();
    const out = new Set<number>();
    const queue = leaves.map((l) => l.key);
    for (let i = 0; i < queue.length; i++) {
      for (const by of waitedBy.get(queue[i]!) ?? []) {
        if (out.has(by)) continue;
        out.add(by);
        const node = this.#byKey.get(by);
        if (node && node.generator === undefined) queue.push(by);
      }
    }
    return out;
  }

  #waitedByCache: Map<number, number[]> | undefined;
  #waitedBy(): Map<number, number[]> {
    if (this.#waitedByCache) return this.#waitedByCache;
    const map = new Map<number, number[]>();
    for (const node of this.#nodes) {
      for (const to of node.awaits) {
        let list = map.get(to);
        if (!list) map.set(to, (list = []));
        list.push(node.key);
      }
    }
    this.#waitedByCache = map;
    return map;
  }

  /**
   * Frames holding `lock`: by a capability, else by a lent resource, else as its worker. A
   * task queued in the lock may hold it too (it took one slot and waits for another), but
   * not as its worker: every waiter defined in the lock's scope would be one.
   */
  holdersOf(lock: number, waiters: ReadonlySet<number>): number[] {
    this.#indexFrames();
    const capable = this.#capabilities!.get(lock);
    if (capable && capable.size > 0) return [...capable];
    const lent = new Set<number>();
    for (const item of this.#keptBy(lock)) for (const key of this.#direct!.get(item) ?? []) lent.add(key);
    if (lent.size > 0) return [...lent];
    return [...(this.#scopes!.get(lock) ?? [])].filter((key) => !waiters.has(key));
  }

  /**
   * Whether nothing alive refers to the lock but module-level variables, its own data (its
   * queue, whose entries capture it) and its waiters' frames.
   */
  isLeaked(chain: readonly number[], waiters: ReadonlySet<number>): boolean {
    const heap = this.#heap;
    if (!chain.some((n) => isNamedClass(heap.name(n)))) return false;
    // A lock hands out what releases it: its class has an `acquire` and no `release` (one
    // with a release method can be released by anyone who can name it).
    if (!chain.some((n) => hasMethod(heap, n, ACQUIRE_METHOD)) || chain.some((n) => hasMethod(heap, n, RELEASE_METHOD))) return false;
    this.#indexFrames();
    const own = this.#reachableFrom(chain);
    const members = new Set(chain);
    for (const lock of chain) {
      for (const { from, edge } of heap.retainers(lock)) {
        if (edge.type === 'weak' || members.has(from) || heap.type(from) === 'synthetic' || heap.name(from).startsWith('(')) continue;
        if (isData(heap, from)) return false; // held by data above the chain: not seen whole
        if (own.has(from)) continue;
        if (heap.name(from) === CONTEXT && isTopLevel(heap, from)) continue;
        const frame = this.#frameParts!.get(from);
        if (frame !== undefined && waiters.has(frame)) continue;
        return false;
      }
    }
    return true;
  }

  /**
   * The lock's own data, a few steps down: its queue, the entries in it and the scopes they
   * captured (a queued `() => resolve(release)` keeps the `acquire` call's `this`). Neither
   * shared scopes nor promises are entered: what a promise's handlers keep is not the lock's.
   */
  #reachableFrom(chain: readonly number[]): Set<number> {
    const heap = this.#heap;
    const seen = new Set<number>(chain);
    let frontier = [...chain];
    for (let depth = 0; depth < 6 && frontier.length > 0 && seen.size < MAX_VISITS; depth++) {
      const next: number[] = [];
      for (const node of frontier) {
        for (const edge of heap.edges(node)) {
          if (edge.type === 'weak' || edge.type === 'shortcut' || seen.has(edge.to) || SKIPPED_EDGES.has(edge.name)) continue;
          const name = heap.name(edge.to);
          if (name === 'Promise' || name === 'system / NativeContext' || (name === CONTEXT && isTopLevel(heap, edge.to))) continue;
          seen.add(edge.to);
          next.push(edge.to);
        }
      }
      frontier = next;
    }
    return seen;
  }

  /** Objects a lock keeps in its collections (its lent resources), a few levels down. */
  #keptBy(lock: number): Set<number> {
    const heap = this.#heap;
    const kept = new Set<number>();
    const seen = new Set<number>([lock]);
    let frontier = [lock];
    for (let depth = 0; depth < LENT_DEPTH && frontier.length > 0 && seen.size < MAX_VISITS; depth++) {
      const next: number[] = [];
      for (const node of frontier) {
        for (const edge of heap.edges(node)) {
          if (seen.has(edge.to) || !isData(heap, edge.to) || SKIPPED_EDGES.has(edge.name)) continue;
          seen.add(edge.to);
          next.push(edge.to);
          if (depth > 0) kept.add(edge.to);
        }
      }
      frontier = next;
    }
    return kept;
  }

  /** Indexes what every frame holds, once per dump. */
  #indexFrames(): void {
    if (this.#capabilities) return;
    this.#capabilities = new Map();
    this.#direct = new Map();
    this.#scopes = new Map();
    this.#frameParts = new Map();
    for (const node of this.#nodes) {
      if (node.generator !== undefined) this.#indexFrame(node.key, node.generator);
      else if (node.kind === 'then' && node.callback !== undefined) {
        for (const gen of this.#generatorsInScope(node.callback)) this.#indexFrame(node.key, gen);
      }
    }
  }

  #indexFrame(key: number, gen: number): void {
    const heap = this.#heap;
    const add = (map: Map<number, Set<number>>, object: number) => {
      let set = map.get(object);
      if (!set) map.set(object, (set = new Set()));
      set.add(key);
    };
    const fn = heap.edgeTo(gen, 'function');
    const shared = new Set(contextChain(heap, fn === undefined ? undefined : heap.edgeTo(fn, 'context')));
    for (const context of shared) {
      if (isTopLevel(heap, context)) break;
      for (const v of variables(heap, context)) add(this.#scopes!, v);
    }
    this.#frameParts!.set(gen, key);
    const values: number[] = [];
    const ownScope = (context: number | undefined) => {
      for (const c of contextChain(heap, context)) {
        if (shared.has(c) || isTopLevel(heap, c) || this.#frameParts!.has(c)) break;
        this.#frameParts!.set(c, key);
        values.push(...variables(heap, c));
      }
    };
    ownScope(heap.edgeTo(gen, 'context'));
    const registers = heap.edgeTo(gen, 'parameters_and_registers');
    if (registers !== undefined) {
      this.#frameParts!.set(registers, key);
      for (const edge of heap.edges(registers)) {
        if (edge.type === 'weak' || edge.to === gen) continue;
        if (heap.name(edge.to) === CONTEXT) ownScope(edge.to);
        else values.push(edge.to);
      }
    }
    for (const value of values) {
      if (!isHeld(heap, value)) continue;
      add(this.#direct!, value);
      for (const object of this.#refersTo(value, shared, 2)) add(this.#capabilities!, object);
    }
  }

  /** What a held closure's own scopes, or a held object's slots, refer to. */
  #refersTo(value: number, shared: ReadonlySet<number>, depth: number): number[] {
    const heap = this.#heap;
    const out: number[] = [];
    if (heap.type(value) === 'closure') {
      for (const c of contextChain(heap, heap.edgeTo(value, 'context'))) {
        if (shared.has(c) || isTopLevel(heap, c)) break;
        out.push(...variables(heap, c));
      }
      for (const edge of heap.edges(value)) {
        if (edge.name === 'bound_this') out.push(edge.to);
        if ((edge.name === 'bound_function' || edge.name === 'bound_arguments') && depth > 0) {
          out.push(...this.#refersTo(edge.to, shared, depth - 1));
        }
      }
      return out;
    }
    for (const edge of heap.edges(value)) {
      if (edge.type !== 'property' && edge.type !== 'element' && !(edge.type === 'internal' && /^\d+$/.test(edge.name))) continue;
      if (SKIPPED_EDGES.has(edge.name)) continue;
      out.push(edge.to);
      if (depth > 0 && (heap.type(edge.to) === 'closure' || heap.type(edge.to) === 'array')) out.push(...this.#refersTo(edge.to, shared, depth - 1));
    }
    return out;
  }

  /** Generator objects in a callback's own scopes (`__awaiter`'s `generator` variable). */
  #generatorsInScope(callback: number): number[] {
    const heap = this.#heap;
    const found: number[] = [];
    for (const c of contextChain(heap, heap.edgeTo(callback, 'context'))) {
      if (isTopLevel(heap, c)) break;
      for (const v of variables(heap, c)) {
        if (heap.edgeTo(v, 'parameters_and_registers') !== undefined && heap.edgeTo(v, 'function') !== undefined) found.push(v);
      }
    }
    return found;
  }
}

/** The edges of a linked list's nodes. */
const LINKS = new Set(['next', 'prev', '_next', '_prev', 'previous']);

/** Edges that lead to V8's machinery rather than the program's data. */
const SKIPPED_EDGES = new Set(['map', '__proto__', 'code', 'shared', 'feedback_cell', 'scope_info', 'native_context', 'constructor', 'prototype']);

/** A context and its outer contexts, innermost first. */
function contextChain(heap: HeapGraph, context: number | undefined): number[] {
  const chain: number[] = [];
  for (let c = context; c !== undefined && heap.name(c) === CONTEXT && !chain.includes(c); c = heap.edgeTo(c, 'previous')) chain.push(c);
  return chain;
}

/** A module's or script's top-level scope: shared by every function defined in it. */
function isTopLevel(heap: HeapGraph, context: number): boolean {
  const previous = heap.edgeTo(context, 'previous');
  return previous === undefined || heap.name(previous) !== CONTEXT;
}

/** The values of a scope's variables (including a captured `this`). */
function variables(heap: HeapGraph, context: number): number[] {
  const out: number[] = [];
  for (const edge of heap.edges(context)) if (edge.type === 'context') out.push(edge.to);
  return out;
}

/** An object or array of the program's data (not code, scopes, promises or V8's own). */
function isData(heap: HeapGraph, node: number): boolean {
  const type = heap.type(node);
  if (type !== 'object' && type !== 'array') return false;
  const name = heap.name(node);
  if (name === CONTEXT || name === 'Promise' || name.startsWith('system /') || name.startsWith('(')) return false;
  return heap.edgeTo(node, 'parameters_and_registers') === undefined;
}

/** Whether a frame's value can be a capability or a lent resource. */
function isHeld(heap: HeapGraph, node: number): boolean {
  return heap.type(node) === 'closure' || isData(heap, node);
}

/** Whether an object's class (or a base class) has a method of such a name. */
function hasMethod(heap: HeapGraph, node: number, name: RegExp): boolean {
  let proto = heap.edgeTo(node, '__proto__');
  for (let i = 0; i < 3 && proto !== undefined; i++, proto = heap.edgeTo(proto, '__proto__')) {
    for (const edge of heap.edges(proto)) {
      if (edge.type === 'property' && name.test(edge.name) && heap.type(edge.to) === 'closure') return true;
    }
  }
  return false;
}

const ACQUIRE_METHOD = /^(acquire|lock|take|borrow|checkout|enter|wait)$/i;
const RELEASE_METHOD = /^(release|unlock|signal|free|put|give|leave|post|up|v)$/i;

/** A class a person named (not a plain object, an array or V8's own). */
function isNamedClass(name: string): boolean {
  return name !== '' && name !== 'Object' && name !== 'Array' && name !== 'Map' && name !== 'Set' && !name.startsWith('system /') && !name.startsWith('(');
}
