/**
 * What V8 tells about single objects of the heap snapshot: a suspended generator's state and
 * location, a function's definition site. Read through the inspector, either synchronously in
 * the process itself ({@link InProcessFacts}) or fetched beforehand from another process and
 * served from memory ({@link PrefetchedFacts}), so that the graph builder is the same for both.
 */
import type { HeapGraph } from './heap-graph.js';
import type { InspectorClient } from './inspector-client.js';
import { resourceStateSync } from './resource-state.js';
import type { RawNode } from './wait-edges.js';

/** A property value as the inspector returns it. */
export interface RemoteValue {
  objectId?: string;
  value?: unknown;
}

/** Internal properties (`[[GeneratorLocation]]`, `[[FunctionLocation]]`, …) of heap objects. */
export interface ObjectFacts {
  /** The internal properties of the object at `heapIndex`, or `undefined` if unavailable. */
  internalProperties(heapIndex: number): Map<string, RemoteValue> | undefined;
  /**
   * The live state of a socket or stream (addresses, connecting, paused, ended, bytes queued),
   * read without running the program's code (`resource-state.ts`); `undefined` where that is
   * not possible.
   */
  resourceState?(heapIndex: number): Record<string, string | number | boolean> | undefined;
}

/** The inspector's object group for every object a dump looks at; released afterwards. */
export const OBJECT_GROUP = 'awaitwhat-snapshot';

/**
 * For dumps fetched from another process: at most this many per-object lookups (each walks
 * the target's whole heap). See docs/limits.md.
 */
export const LOOKUP_LIMIT = 400;

/**
 * The functions whose definition site a dump must ask V8 for: those the snapshot does not
 * locate itself, one closure per function (closures of one function literal share their
 * SharedFunctionInfo and location) — the tasks' functions, `.then` callbacks, leaf holders.
 * Task generators are asked about later, only where the sources cannot place them.
 */
export function factLookups(heap: HeapGraph, nodes: Iterable<RawNode>): number[] {
  const functions = new Map<number, number>();
  const addFunction = (closure: number | undefined) => {
    // Located by the snapshot itself: nothing to ask.
    if (closure === undefined || heap.location(closure)) return;
    const shared = heap.edgeTo(closure, 'shared') ?? closure;
    if (!functions.has(shared)) functions.set(shared, closure);
  };
  for (const node of nodes) {
    if (node.kind === 'async-function' || node.kind === 'async-generator' || node.kind === 'module') {
      addFunction(heap.edgeTo(node.generator ?? node.key, 'function'));
    } else {
      addFunction(node.callback);
    }
    addFunction(node.leaf?.closure);
  }
  return [...functions.values()];
}

/** Parses a `Runtime.getProperties` answer. */
export function internalPropertyMap(answer: { internalProperties?: Array<{ name: string; value?: RemoteValue }> }): Map<string, RemoteValue> {
  return new Map((answer.internalProperties ?? []).map((p) => [p.name, p.value ?? {}] as const));
}

/**
 * How long a dump may spend on per-object heap walks (`getObjectByHeapObjectId`, one whole-heap
 * walk each) before giving up on the remaining objects, ms. `AWAITWHAT_LOOKUP_BUDGET_MS`.
 */
export const LOOKUP_BUDGET_MS = 3000;

/**
 * Async generator objects are found in bulk: `Runtime.queryObjects` on their prototype returns
 * every instance in one heap walk, and `HeapProfiler.getHeapObjectId` maps each to its heap id
 * in constant time. Async *function* invocations have no prototype and cannot be found this
 * way; functions need no lookup (the snapshot's `locations` section places them).
 *
 * The prototype (%AsyncGeneratorPrototype%) is reached from a fresh async generator function
 * through the inspector (its `prototype`, then that object's `[[Prototype]]`), not through
 * `Object.getPrototypeOf`: the program may have replaced that global, and a dump must not run
 * the program's code.
 */
const BULK_FUNCTION = '(async function* () {})';

/** From this many async generators to locate, one bulk query is cheaper than a walk each. */
const BULK_THRESHOLD = 2;

/** Facts read through a same-thread inspector session: in bulk where possible, else one by one. */
export class InProcessFacts implements ObjectFacts {
  readonly #client: InspectorClient;
  readonly #heap: HeapGraph;
  readonly #warnings: string[];
  readonly #cache = new Map<number, Map<string, RemoteValue> | undefined>();
  /** Heap id → inspector object id, for objects found in bulk. */
  readonly #known = new Map<number, string>();
  readonly #budgetMs: number;
  #spentMs = 0;
  #walks = 0;
  #skipped = 0;

  constructor(client: InspectorClient, heap: HeapGraph, warnings: string[], budgetMs = LOOKUP_BUDGET_MS) {
    this.#client = client;
    this.#heap = heap;
    this.#warnings = warnings;
    this.#budgetMs = budgetMs;
  }

  /**
   * Finds async generator objects in bulk when a dump needs several: a bulk query costs about
   * one single lookup (a garbage collection and a heap walk). Call before the lookups, with
   * the number of async generators to locate.
   */
  prepare(asyncGenerators: number): void {
    if (asyncGenerators >= BULK_THRESHOLD) this.#findInBulk();
  }

  internalProperties(heapIndex: number): Map<string, RemoteValue> | undefined {
    if (this.#cache.has(heapIndex)) return this.#cache.get(heapIndex);
    const props = this.#fetch(heapIndex);
    this.#cache.set(heapIndex, props);
    return props;
  }

  resourceState(heapIndex: number): Record<string, string | number | boolean> | undefined {
    const objectId = this.#objectIdOf(heapIndex);
    if (objectId === undefined) return undefined;
    return resourceStateSync(objectId, (method, params) => this.#client.call(method, params));
  }

  /** Per-object heap walks done so far, and their time (ms). */
  get walks(): { count: number; ms: number } {
    return { count: this.#walks, ms: this.#spentMs };
  }

  /** Adds a warning if the budget cut lookups short; call once, after the last lookup. */
  finish(): void {
    if (this.#skipped > 0) {
      this.#warnings.push(
        `${this.#skipped} objects were not located: per-object lookups walk the whole heap and stopped after ${this.#budgetMs} ms (AWAITWHAT_LOOKUP_BUDGET_MS)`,
      );
    }
  }

  #findInBulk(): void {
    try {
      const fn = this.#client.call<{ result: RemoteValue }>('Runtime.evaluate', { expression: BULK_FUNCTION, objectGroup: OBJECT_GROUP, silent: true });
      if (fn.result.objectId === undefined) return;
      const own = this.#client.call<{ result: Array<{ name: string; value?: RemoteValue }> }>('Runtime.getProperties', { objectId: fn.result.objectId, ownProperties: true });
      const instanceProto = own.result.find((p) => p.name === 'prototype')?.value?.objectId;
      if (instanceProto === undefined) return;
      const protoId = internalPropertyMap(this.#client.call('Runtime.getProperties', { objectId: instanceProto, ownProperties: true })).get('[[Prototype]]')?.objectId;
      if (protoId === undefined) return;
      const proto = { result: { objectId: protoId } };
      const found = this.#client.call<{ objects: RemoteValue }>('Runtime.queryObjects', {
        prototypeObjectId: proto.result.objectId,
        objectGroup: OBJECT_GROUP,
      });
      if (found.objects.objectId === undefined) return;
      const items = this.#client.call<{ result: Array<{ name: string; value?: RemoteValue }> }>('Runtime.getProperties', {
        objectId: found.objects.objectId,
        ownProperties: true,
      });
      for (const item of items.result) {
        const objectId = item.value?.objectId;
        if (objectId === undefined || !/^\d+$/.test(item.name)) continue;
        const { heapSnapshotObjectId } = this.#client.call<{ heapSnapshotObjectId: string }>('HeapProfiler.getHeapObjectId', { objectId });
        this.#known.set(Number(heapSnapshotObjectId), objectId);
      }
    } catch {
      // Bulk lookup is an optimisation: one by one still works.
    }
  }

  #fetch(heapIndex: number): Map<string, RemoteValue> | undefined {
    try {
      const objectId = this.#objectIdOf(heapIndex);
      if (objectId === undefined) return undefined;
      return internalPropertyMap(this.#client.call('Runtime.getProperties', { objectId, ownProperties: true }));
    } catch {
      return undefined; // collected since the snapshot, or not an object
    }
  }

  /** The inspector's id for a heap object: from the bulk queries, else one heap walk. */
  #objectIdOf(heapIndex: number): string | undefined {
    try {
      let objectId = this.#known.get(this.#heap.heapId(heapIndex));

      if (objectId === undefined) {
        if (this.#spentMs >= this.#budgetMs) {
          this.#skipped++;
          return undefined;
        }
        const started = performance.now();
        const { result } = this.#client.call<{ result: RemoteValue }>('HeapProfiler.getObjectByHeapObjectId', {
          objectId: String(this.#heap.heapId(heapIndex)),
          objectGroup: OBJECT_GROUP,
        });
        this.#spentMs += performance.now() - started;
        this.#walks++;
        objectId = result.objectId;
      }
      return objectId;
    } catch {
      return undefined; // collected since the snapshot, or not an object
    }
  }
}

/** Facts fetched beforehand (e.g. from another process), keyed by heap index. */
export class PrefetchedFacts implements ObjectFacts {
  readonly #facts: Map<number, Map<string, RemoteValue>>;
  /** Heap indexes asked for but not fetched: what a second round should fetch. */
  readonly missing = new Set<number>();

  constructor(facts: Map<number, Map<string, RemoteValue>>) {
    this.#facts = facts;
  }

  /** Adds facts fetched in a later round. */
  add(more: PrefetchedFacts): void {
    for (const [index, props] of more.#facts) this.#facts.set(index, props);
  }

  readonly #states = new Map<number, Record<string, string | number | boolean>>();

  /** Records the live state of a socket or stream fetched beforehand. */
  addResourceState(heapIndex: number, state: Record<string, string | number | boolean>): void {
    this.#states.set(heapIndex, state);
  }

  resourceState(heapIndex: number): Record<string, string | number | boolean> | undefined {
    return this.#states.get(heapIndex);
  }

  internalProperties(heapIndex: number): Map<string, RemoteValue> | undefined {
    const props = this.#facts.get(heapIndex);
    if (props === undefined) this.missing.add(heapIndex);
    return props;
  }
}
