/**
 * What V8 tells about single objects of the heap snapshot: a suspended generator's state and
 * location, a function's definition site. Read through the inspector, either synchronously in
 * the process itself ({@link InProcessFacts}) or fetched beforehand from another process and
 * served from memory ({@link PrefetchedFacts}), so that the graph builder is the same for both.
 */
import type { HeapGraph } from './heap-graph.js';
import type { InspectorClient } from './inspector-client.js';
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
}

/** The inspector's object group for every object a dump looks at; released afterwards. */
export const OBJECT_GROUP = 'awaitwhat-snapshot';

/**
 * Each lookup makes V8 walk the whole heap (`getObjectByHeapObjectId`: ~20 ms on a small heap,
 * seconds on a large one), so a dump asks for at most this many. See docs/limits.md.
 */
export const LOOKUP_LIMIT = 400;

/**
 * The heap objects whose facts a dump may need, most useful first: one closure per function
 * (closures of one function literal share their SharedFunctionInfo and location), `.then`
 * callbacks and leaf holders, then the task generators — which the graph builder asks about
 * only when a function has several suspension points.
 */
export function factLookups(heap: HeapGraph, nodes: Iterable<RawNode>): number[] {
  const functions = new Map<number, number>();
  const generators: number[] = [];
  const addFunction = (closure: number | undefined) => {
    if (closure === undefined) return;
    const shared = heap.edgeTo(closure, 'shared') ?? closure;
    if (!functions.has(shared)) functions.set(shared, closure);
  };
  for (const node of nodes) {
    if (node.kind === 'async-function' || node.kind === 'async-generator' || node.kind === 'module') {
      const gen = node.generator ?? node.key;
      generators.push(gen);
      addFunction(heap.edgeTo(gen, 'function'));
    } else {
      addFunction(node.callback);
    }
    addFunction(node.leaf?.closure);
  }
  return [...functions.values(), ...generators];
}

/** Parses a `Runtime.getProperties` answer. */
export function internalPropertyMap(answer: { internalProperties?: Array<{ name: string; value?: RemoteValue }> }): Map<string, RemoteValue> {
  return new Map((answer.internalProperties ?? []).map((p) => [p.name, p.value ?? {}] as const));
}

/** Facts read on demand through a same-thread inspector session. */
export class InProcessFacts implements ObjectFacts {
  readonly #client: InspectorClient;
  readonly #heap: HeapGraph;
  readonly #warnings: string[];
  readonly #cache = new Map<number, Map<string, RemoteValue> | undefined>();

  constructor(client: InspectorClient, heap: HeapGraph, warnings: string[]) {
    this.#client = client;
    this.#heap = heap;
    this.#warnings = warnings;
  }

  internalProperties(heapIndex: number): Map<string, RemoteValue> | undefined {
    if (this.#cache.has(heapIndex)) return this.#cache.get(heapIndex);
    if (this.#cache.size === LOOKUP_LIMIT) {
      this.#warnings.push(`more than ${LOOKUP_LIMIT} objects to locate: only the first ${LOOKUP_LIMIT} were`);
    }
    const props = this.#cache.size >= LOOKUP_LIMIT ? undefined : this.#fetch(heapIndex);
    this.#cache.set(heapIndex, props);
    return props;
  }

  #fetch(heapIndex: number): Map<string, RemoteValue> | undefined {
    try {
      const { result } = this.#client.call<{ result: RemoteValue }>('HeapProfiler.getObjectByHeapObjectId', {
        objectId: String(this.#heap.heapId(heapIndex)),
        objectGroup: OBJECT_GROUP,
      });
      if (result.objectId === undefined) return undefined;
      return internalPropertyMap(this.#client.call('Runtime.getProperties', { objectId: result.objectId, ownProperties: true }));
    } catch {
      return undefined; // collected since the snapshot, or not an object
    }
  }
}

/** Facts fetched beforehand (e.g. from another process), keyed by heap index. */
export class PrefetchedFacts implements ObjectFacts {
  readonly #facts: Map<number, Map<string, RemoteValue>>;

  constructor(facts: Map<number, Map<string, RemoteValue>>) {
    this.#facts = facts;
  }

  internalProperties(heapIndex: number): Map<string, RemoteValue> | undefined {
    return this.#facts.get(heapIndex);
  }
}
