/**
 * What V8 tells about single objects of the heap snapshot: a suspended generator's state and
 * location, a function's definition site, a socket's live state. Fetched through the inspector
 * before the nodes are built (`lookups.ts`) and served from memory ({@link PrefetchedFacts}),
 * so that the graph builder never waits on a session.
 */
import type { HeapGraph } from './heap-graph.js';
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
 * For attached dumps: at most this many per-object lookups a round (each walks the target's
 * whole heap). See docs/limits.md.
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

/** Facts fetched beforehand, keyed by heap index. */
export class PrefetchedFacts implements ObjectFacts {
  readonly #facts = new Map<number, Map<string, RemoteValue>>();
  /** Heap indexes asked for but not fetched: what a second round should fetch. */
  readonly missing = new Set<number>();

  /** Records the internal properties of the object at `heapIndex`. */
  set(heapIndex: number, props: Map<string, RemoteValue>): void {
    this.#facts.set(heapIndex, props);
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
