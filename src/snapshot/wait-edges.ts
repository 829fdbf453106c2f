/**
 * Derives the wait-for graph from a heap snapshot.
 *
 * The rule, from V8's object layout (Node 20, V8 11.3; checked by test/constructs.test.ts):
 *
 * - A pending promise `P` holds its reactions (`reactions_or_result` → `PromiseReaction`,
 *   linked by a further `PromiseReaction` edge). Each reaction holds up to two handler
 *   closures and, for `.then`, the derived promise (or a `PromiseCapability` holding it).
 * - The builtin that a handler runs (its `code` edge) says who waits on `P`:
 *   - `AsyncFunctionAwait*Closure`: an `await`. The closure's context `extension` is the
 *     suspended async function object; its hidden `Promise` edge is the promise the call
 *     returned. The reaction's promise is V8's throwaway promise for this await (present
 *     while promise hooks are on): its stamp is the time the await began.
 *   - `AsyncGeneratorAwait*Closure`, `AsyncGeneratorYieldWithAwait*`, `AsyncGeneratorReturn*`:
 *     the same for an async generator (its object is named after the generator function).
 *   - `PromiseAll*ElementClosure`, `PromiseAllSettled*ElementClosure`,
 *     `PromiseAnyRejectElementClosure`: an input of a combinator; the closure's context holds
 *     the combinator's `PromiseCapability`, whose promise is the combinator's result.
 *   - `PromiseCapabilityDefaultResolve/Reject`: a promise's own resolving functions, passed as
 *     handlers by `Promise.race` or when a promise is resolved with another one (`resolve(p)`,
 *     returning `p` from a `.then` callback or from an async function). The context holds the
 *     promise being resolved.
 *   - `CallAsyncModuleFulfilled/Rejected`: a module's top-level `await` completing; the context
 *     holds the `SourceTextModule`, whose evaluation promise is what importers wait on.
 *   - `PromiseThenFinally` / `PromiseCatchFinally`: `.finally(f)`; anything else with a derived
 *     promise: `.then` / `.catch` with user callbacks.
 * - An async generator's pending `next()` promises hang off its `AsyncGeneratorRequest`
 *   queue: whoever awaits them waits on the generator.
 *
 * A task and the promise it returns are one node; so are an async generator and its queued
 * `next()` promises, and a module and its evaluation promise.
 */
import type { CombinatorKind, NodeKind } from '../model.js';
import type { HeapGraph } from './heap-graph.js';
import type { RawLeaf } from './leaves.js';

/** A node of the raw graph, keyed by the heap node index that stands for it. */
export interface RawNode {
  /** Heap node index of the object standing for this node (generator, or promise). */
  key: number;
  kind: NodeKind;
  combinator?: CombinatorKind;
  /** `.then` / `.finally` for derived promises. */
  thenName?: string;
  /** Heap index of the generator object, for tasks. */
  generator?: number;
  /** Heap index of the promise this node settles (the task's result promise, the promise). */
  promise?: number | undefined;
  /** Heap index of a closure whose definition site locates this node (a `.then` callback). */
  callback?: number | undefined;
  /** Heap index of the throwaway promise of the task's current await (stamped on creation). */
  waitPromise?: number | undefined;
  /** Keys of the nodes this node waits on, in discovery order. */
  awaits: number[];
  /** For `promise` leaves: what settles it (set by `describeLeaves`). */
  leaf?: RawLeaf;
}

/** The wait-for graph in heap terms. */
export interface RawWaitGraph {
  nodes: Map<number, RawNode>;
}

const AWAIT_FN = /^\(AsyncFunctionAwait(Resolve|Reject)Closure /;
const AWAIT_GEN = /^\(AsyncGenerator(Await|YieldWithAwait|Return\w*)(Resolve|Reject)Closure /;
const COMBINATORS: ReadonlyArray<[RegExp, CombinatorKind]> = [
  [/^\(PromiseAllResolveElementClosure /, 'all'],
  [/^\(PromiseAllSettled(Resolve|Reject)ElementClosure /, 'allSettled'],
  [/^\(PromiseAnyRejectElementClosure /, 'any'],
];
const RESOLVING = /^\(PromiseCapabilityDefault(Resolve|Reject) /;
const MODULE = /^\(CallAsyncModule(Fulfilled|Rejected) /;
/** Handlers that are V8 builtins rather than the program's callbacks. */
const BUILTIN_HANDLER = /^\((Promise|AsyncFunction|AsyncGenerator|CallAsyncModule|AsyncFromSyncIterator)\w* builtin/;
const FINALLY = /^\(Promise(Then|Catch)Finally /;

/** Builds the raw wait-for graph of every pending promise that something waits on. */
export function deriveWaitEdges(heap: HeapGraph): RawWaitGraph {
  return new WaitEdgeBuilder(heap).build();
}

class WaitEdgeBuilder {
  readonly #heap: HeapGraph;
  readonly #nodes = new Map<number, RawNode>();
  /** Promise heap index → key of the node it is merged into. */
  readonly #alias = new Map<number, number>();
  /** Generator heap index → its result promise, for async function objects. */
  readonly #resultOf = new Map<number, number>();

  constructor(heap: HeapGraph) {
    this.#heap = heap;
  }

  build(): RawWaitGraph {
    const heap = this.#heap;
    const pending: number[] = [];
    const modules: Array<{ promise: number; module: number }> = [];
    for (let i = 0; i < heap.nodeCount; i++) {
      const type = heap.type(i);
      if (type === 'object' && heap.edgeTo(i, 'function') !== undefined && heap.edgeTo(i, 'parameters_and_registers') !== undefined) {
        this.#indexGenerator(i);
      } else if (type === 'object' && heap.name(i) === 'Promise') {
        const reactions = heap.edgeTo(i, 'reactions_or_result');
        if (reactions !== undefined && heap.name(reactions) === 'system / PromiseReaction') pending.push(i);
      }
    }
    for (const promise of pending) {
      for (const reaction of this.#reactions(promise)) this.#classify(promise, reaction, modules);
    }
    // A module's evaluation promise stands for the module itself.
    for (const { promise, module } of modules) {
      for (const edge of heap.edges(module)) {
        if (heap.name(edge.to) === 'Promise' && edge.to !== promise) this.#alias.set(edge.to, this.#keyOf(promise));
      }
    }
    return { nodes: this.#canonical() };
  }

  /** Records what a generator-like object stands for. */
  #indexGenerator(gen: number): void {
    const heap = this.#heap;
    for (const edge of heap.edges(gen)) {
      if (edge.type !== 'hidden') continue;
      const target = heap.name(edge.to);
      if (target === 'Promise') {
        this.#resultOf.set(gen, edge.to);
        this.#alias.set(edge.to, gen);
      } else if (target === 'system / AsyncGeneratorRequest') {
        // Queued next() calls: each request holds the promise its caller awaits.
        for (let request: number | undefined = edge.to; request !== undefined; ) {
          let next: number | undefined;
          for (const e of heap.edges(request)) {
            const name = heap.name(e.to);
            if (name === 'Promise') this.#alias.set(e.to, gen);
            else if (name === 'system / AsyncGeneratorRequest') next = e.to;
          }
          request = next;
        }
      }
    }
  }

  *#reactions(promise: number): IterableIterator<number> {
    const heap = this.#heap;
    let reaction = heap.edgeTo(promise, 'reactions_or_result');
    const seen = new Set<number>();
    while (reaction !== undefined && !seen.has(reaction)) {
      seen.add(reaction);
      yield reaction;
      let next: number | undefined;
      for (const e of heap.edges(reaction)) if (heap.name(e.to) === 'system / PromiseReaction') next = e.to;
      reaction = next;
    }
  }

  #classify(awaited: number, reaction: number, modules: Array<{ promise: number; module: number }>): void {
    const heap = this.#heap;
    const handlers: Array<{ closure: number; code: string }> = [];
    let derived: number | undefined;
    for (const e of heap.edges(reaction)) {
      const type = heap.type(e.to);
      const name = heap.name(e.to);
      if (type === 'closure') {
        const code = heap.edgeTo(e.to, 'code');
        handlers.push({ closure: e.to, code: code === undefined ? '' : heap.name(code) });
      } else if (name === 'Promise') {
        derived = e.to;
      } else if (name === 'system / PromiseCapability') {
        derived = this.#promiseIn(e.to);
      }
    }
    for (const { closure, code } of handlers) {
      if (AWAIT_FN.test(code) || AWAIT_GEN.test(code)) {
        const gen = this.#extension(closure);
        if (gen === undefined) return;
        const kind: NodeKind = AWAIT_GEN.test(code) ? 'async-generator' : 'async-function';
        const node = this.#node(gen, kind);
        node.generator = gen;
        node.promise = this.#resultOf.get(gen);
        node.waitPromise = derived;
        this.#edge(node, awaited);
        return;
      }
      for (const [pattern, combinator] of COMBINATORS) {
        if (!pattern.test(code)) continue;
        const result = this.#promiseInContext(closure);
        if (result === undefined) return;
        const node = this.#node(result, 'combinator');
        node.combinator = combinator;
        node.promise = result;
        this.#edge(node, awaited);
        return;
      }
      if (MODULE.test(code)) {
        const context = heap.edgeTo(closure, 'context');
        if (context === undefined) return;
        for (const e of heap.edges(context)) {
          if (heap.name(e.to) === 'system / SourceTextModule') modules.push({ promise: awaited, module: e.to });
        }
        // The generator awaited here is the module body: mark it.
        const gen = this.#alias.get(awaited);
        if (gen !== undefined) this.#node(gen, 'module').generator = gen;
        return;
      }
    }
    // Handlers that resolve another promise (race, adoption) — unless a combinator claimed it.
    for (const { closure, code } of handlers) {
      if (!RESOLVING.test(code)) continue;
      const result = this.#promiseInContext(closure);
      if (result === undefined) return;
      const node = this.#node(result, 'resolve');
      node.promise = result;
      this.#edge(node, awaited);
      return;
    }
    if (derived === undefined) return;
    const node = this.#node(derived, 'then');
    node.promise = derived;
    node.waitPromise = derived;
    const isFinally = handlers.some((h) => FINALLY.test(h.code));
    node.thenName = isFinally ? '.finally' : '.then';
    node.callback = isFinally ? this.#finallyCallback(handlers[0]?.closure) : handlers.find((h) => !BUILTIN_HANDLER.test(h.code))?.closure;
    this.#edge(node, awaited);
  }

  /** The user callback of `.finally(f)`: the first non-builtin closure in its context. */
  #finallyCallback(closure: number | undefined): number | undefined {
    if (closure === undefined) return undefined;
    const context = this.#heap.edgeTo(closure, 'context');
    if (context === undefined) return undefined;
    for (const e of this.#heap.edges(context)) {
      if (this.#heap.type(e.to) === 'closure' && this.#heap.name(e.to) !== 'Promise') return e.to;
    }
    return undefined;
  }

  #extension(closure: number): number | undefined {
    const context = this.#heap.edgeTo(closure, 'context');
    return context === undefined ? undefined : this.#heap.edgeTo(context, 'extension');
  }

  /** The promise a builtin closure's context refers to, directly or through a capability. */
  #promiseInContext(closure: number): number | undefined {
    const context = this.#heap.edgeTo(closure, 'context');
    if (context === undefined) return undefined;
    for (const e of this.#heap.edges(context)) {
      const name = this.#heap.name(e.to);
      if (name === 'Promise') return e.to;
      if (name === 'system / PromiseCapability') return this.#promiseIn(e.to);
    }
    return undefined;
  }

  #promiseIn(capability: number): number | undefined {
    for (const e of this.#heap.edges(capability)) if (this.#heap.name(e.to) === 'Promise') return e.to;
    return undefined;
  }

  #node(key: number, kind: NodeKind): RawNode {
    let node = this.#nodes.get(key);
    if (!node) {
      node = { key, kind, awaits: [] };
      this.#nodes.set(key, node);
    } else if (node.kind === 'promise' || node.kind === 'resolve' || (kind === 'module' && node.kind === 'async-function')) {
      node.kind = kind;
    }
    return node;
  }

  #edge(node: RawNode, awaited: number): void {
    node.awaits.push(awaited);
  }

  #keyOf(promise: number): number {
    let key = promise;
    const seen = new Set<number>();
    while (this.#alias.has(key) && !seen.has(key)) {
      seen.add(key);
      key = this.#alias.get(key)!;
    }
    return key;
  }

  /** Rewrites every edge to the node that stands for its promise; adds leaf promises. */
  #canonical(): Map<number, RawNode> {
    const out = new Map<number, RawNode>();
    const get = (key: number): RawNode => {
      let node = out.get(key);
      if (!node) {
        const own = this.#nodes.get(key);
        node = own ? { ...own, awaits: [] } : { key, kind: 'promise', promise: key, awaits: [] };
        if (!own && this.#resultOf.has(key)) {
          // A task awaited by someone but whose own await we did not see (e.g. it is running).
          node.kind = 'async-function';
          node.generator = key;
          node.promise = this.#resultOf.get(key);
        }
        out.set(key, node);
      }
      return node;
    };
    for (const [key, raw] of this.#nodes) {
      const node = get(this.#keyOf(key));
      if (raw.kind !== node.kind && node.kind === 'promise') node.kind = raw.kind;
      for (const awaited of raw.awaits) {
        const target = this.#keyOf(awaited);
        if (!node.awaits.includes(target)) node.awaits.push(target);
        get(target);
      }
    }
    for (const node of out.values()) {
      if (node.kind === 'resolve' && node.awaits.length > 1) {
        node.kind = 'combinator';
        node.combinator = 'race';
      }
    }
    return out;
  }
}
