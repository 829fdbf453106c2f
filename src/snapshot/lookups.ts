/**
 * What the heap snapshot cannot tell, asked of V8 object by object: where a task of a function
 * with several awaits is suspended (`[[GeneratorLocation]]`), where a function is defined when
 * the snapshot does not say (`[[FunctionLocation]]`), the live state of the sockets and streams
 * that leaves wait on; and the sources of the scripts defining the tasks' functions, which
 * place every task of a single-await function without asking (`suspension-points.ts`).
 *
 * Written once as protocol steps (`session.ts`), for every kind of dump. Two rounds, so that
 * lookups (each `getObjectByHeapObjectId` walks the dumped process's whole heap on its main
 * thread: about a second on a 100 MB heap) are made only where nothing cheaper answers: first
 * the functions the snapshot does not locate and the sources; then only the tasks the sources
 * could not place, and the leaves' resources. Async generators are found in bulk when there
 * are several. Lookups are bounded by one {@link LookupBudget}.
 */
import type { HeapGraph } from './heap-graph.js';
import { describeNodes } from './graph-builder.js';
import type { HookInfo } from '../model.js';
import { factLookups, internalPropertyMap, OBJECT_GROUP, PrefetchedFacts, type RemoteValue } from './object-facts.js';
import { readResourceState } from './resource-state.js';
import { all, call, sessionLost, type Steps } from './session.js';
import { SuspensionIndex } from './suspension-points.js';
import type { RawNode } from './wait-edges.js';

/**
 * The time per-object lookups may take in one dump (`AWAITWHAT_LOOKUP_BUDGET_MS`), shared by
 * every round of it, and at most how many objects one round may look up; counts what was spent
 * (the dumped process's main thread was busy for that long) and what was skipped.
 */
export class LookupBudget {
  readonly budgetMs: number;
  /** At most this many lookups per round (attach mode: see docs/limits.md). */
  readonly perRound: number;
  /** Time during which at least one lookup was outstanding (pipelined lookups overlap). */
  spentMs = 0;
  lookups = 0;
  skipped = 0;
  #outstanding = 0;
  #since = 0;

  constructor(budgetMs: number, perRound = Infinity) {
    this.budgetMs = budgetMs;
    this.perRound = perRound;
  }

  /** A lookup starts. */
  begin(): void {
    if (this.#outstanding++ === 0) this.#since = performance.now();
    this.lookups++;
  }

  /** A lookup ended (answered or failed). */
  end(): void {
    if (--this.#outstanding === 0) this.spentMs += performance.now() - this.#since;
  }

  /** Whether another lookup may start. */
  get open(): boolean {
    return this.spentMs < this.budgetMs;
  }

  /** The warning to give when lookups were cut short, if they were. */
  warning(): string | undefined {
    return this.skipped > 0
      ? `${this.skipped} objects were not located: per-object lookups walk the whole heap and stopped after ${this.budgetMs} ms (AWAITWHAT_LOOKUP_BUDGET_MS)`
      : undefined;
  }
}

/** What {@link gatherFacts} needs besides the heap and its wait graph. */
export interface LookupContext {
  /** Script id → URL. */
  scripts: Map<string, string>;
  /** The dumped process's `performance.now()` at the snapshot. */
  now: number;
  hooks: HookInfo;
  budget: LookupBudget;
  /** Sentences for the dump's warnings are appended here. */
  warnings: string[];
  /** More sockets whose live state to read, after the leaves' (the orphaned requests'). */
  sockets?: readonly number[];
}

/** The answers of {@link gatherFacts}, for the final build. */
export interface GatheredFacts {
  facts: PrefetchedFacts;
  suspensions: SuspensionIndex;
}

/** Asks V8 everything the nodes need that the snapshot does not hold. */
export function* gatherFacts(heap: HeapGraph, nodes: readonly RawNode[], context: LookupContext): Steps<GatheredFacts> {
  const { budget, warnings } = context;
  const lookup = new ObjectLookup(heap, budget);
  let asyncGenerators = 0;
  for (const node of nodes) if (node.kind === 'async-generator') asyncGenerators++;
  if (asyncGenerators >= BULK_THRESHOLD) yield* lookup.findGeneratorsInBulk();
  const facts = new PrefetchedFacts();
  yield* lookup.fetchFacts(factLookups(heap, nodes), facts, warnings);
  const sources = yield* fetchSources(heap, nodes, facts);
  const suspensions = new SuspensionIndex((scriptId) => sources.get(scriptId));
  // The tasks described alone (not ordered: ids are the final build's), to learn which of them
  // the sources could not place.
  const tasks = nodes.filter((n) => n.kind === 'async-function' || n.kind === 'async-generator' || n.kind === 'module');
  describeNodes(tasks, { heap, facts, scripts: context.scripts, now: context.now, hooks: context.hooks, suspensions, graph: nodes });
  if (facts.missing.size > 0) yield* lookup.fetchFacts([...facts.missing], facts, warnings);
  const resources = [...nodes.flatMap((n) => (n.leaf?.resource === undefined ? [] : [n.leaf.resource])), ...(context.sockets ?? [])];
  yield* lookup.fetchResourceStates(resources, facts);
  const cut = budget.warning();
  if (cut) warnings.push(cut);
  return { facts, suspensions };
}

/**
 * The prototype of async generator objects (%AsyncGeneratorPrototype%) is reached from a fresh
 * async generator function through the inspector (its `prototype`, then that object's
 * `[[Prototype]]`), not through `Object.getPrototypeOf`: the program may have replaced that
 * global, and a dump must not run the program's code.
 */
const BULK_FUNCTION = '(async function* () {})';

/** From this many async generators to locate, one bulk query is cheaper than a walk each. */
const BULK_THRESHOLD = 2;

type Properties = { result: Array<{ name: string; value?: RemoteValue }> };

/** Inspector ids of heap objects, found in bulk or one heap walk each, within the budget. */
class ObjectLookup {
  readonly #heap: HeapGraph;
  readonly #budget: LookupBudget;
  /** Heap id → inspector object id, for objects found in bulk. */
  readonly #known = new Map<number, string>();

  constructor(heap: HeapGraph, budget: LookupBudget) {
    this.#heap = heap;
    this.#budget = budget;
  }

  /**
   * Async generator objects, found in bulk: `Runtime.queryObjects` on their prototype returns
   * every instance in one heap walk, and `HeapProfiler.getHeapObjectId` maps each to its heap
   * id in constant time. Async *function* invocations have no prototype and cannot be found
   * this way. An optimisation only: on any failure, one by one still works.
   */
  *findGeneratorsInBulk(): Steps<void> {
    try {
      const fn = yield* call<{ result: RemoteValue }>('Runtime.evaluate', { expression: BULK_FUNCTION, objectGroup: OBJECT_GROUP, silent: true });
      if (fn.result.objectId === undefined) return;
      const own = yield* call<Properties>('Runtime.getProperties', { objectId: fn.result.objectId, ownProperties: true });
      const instanceProto = own.result.find((p) => p.name === 'prototype')?.value?.objectId;
      if (instanceProto === undefined) return;
      const protoId = internalPropertyMap(yield* call('Runtime.getProperties', { objectId: instanceProto, ownProperties: true })).get('[[Prototype]]')?.objectId;
      if (protoId === undefined) return;
      const found = yield* call<{ objects: RemoteValue }>('Runtime.queryObjects', { prototypeObjectId: protoId, objectGroup: OBJECT_GROUP });
      if (found.objects.objectId === undefined) return;
      const items = yield* call<Properties>('Runtime.getProperties', { objectId: found.objects.objectId, ownProperties: true });
      for (const item of items.result) {
        const objectId = item.value?.objectId;
        if (objectId === undefined || !/^\d+$/.test(item.name)) continue;
        const { heapSnapshotObjectId } = yield* call<{ heapSnapshotObjectId: string }>('HeapProfiler.getHeapObjectId', { objectId });
        this.#known.set(Number(heapSnapshotObjectId), objectId);
      }
    } catch (error) {
      if (sessionLost(error)) throw error;
    }
  }

  /** Fetches the internal properties of `indexes` (heap node indexes) into `facts`. */
  *fetchFacts(indexes: readonly number[], facts: PrefetchedFacts, warnings: string[]): Steps<void> {
    const wanted = this.#limit(indexes, warnings);
    const answers = yield* all(wanted.map((index) => this.#properties(index)));
    answers.forEach((props, i) => props && facts.set(wanted[i]!, props));
  }

  /** Reads the live state of the sockets and streams `resources` into `facts`. */
  *fetchResourceStates(resources: readonly number[], facts: PrefetchedFacts): Steps<void> {
    for (const index of resources.slice(0, this.#budget.perRound)) {
      try {
        const objectId = yield* this.#objectIdOf(index);
        if (objectId === undefined) continue;
        const state = yield* readResourceState(objectId);
        if (state) facts.addResourceState(index, state);
      } catch (error) {
        if (sessionLost(error)) throw error;
      }
    }
  }

  #limit(indexes: readonly number[], warnings: string[]): readonly number[] {
    if (indexes.length <= this.#budget.perRound) return indexes;
    warnings.push(`more than ${this.#budget.perRound} objects to locate: only the first ${this.#budget.perRound} were`);
    return indexes.slice(0, this.#budget.perRound);
  }

  *#properties(index: number): Steps<Map<string, RemoteValue> | undefined> {
    try {
      const objectId = yield* this.#objectIdOf(index);
      if (objectId === undefined) return undefined;
      return internalPropertyMap(yield* call('Runtime.getProperties', { objectId, ownProperties: true }));
    } catch (error) {
      if (sessionLost(error)) throw error;
      return undefined; // collected since the snapshot, or not an object
    }
  }

  /** The inspector's id for a heap object: from the bulk query, else one heap walk. */
  *#objectIdOf(index: number): Steps<string | undefined> {
    const heapId = this.#heap.heapId(index);
    const known = this.#known.get(heapId);
    if (known !== undefined) return known;
    if (!this.#budget.open) {
      this.#budget.skipped++;
      return undefined;
    }
    this.#budget.begin();
    try {
      const { result } = yield* call<{ result: RemoteValue }>('HeapProfiler.getObjectByHeapObjectId', { objectId: String(heapId), objectGroup: OBJECT_GROUP });
      return result.objectId;
    } finally {
      this.#budget.end();
    }
  }
}

/** The sources of the scripts that define the tasks' functions (for single-await locations). */
function* fetchSources(heap: HeapGraph, nodes: readonly RawNode[], facts: PrefetchedFacts): Steps<Map<string, string>> {
  const scriptIds = new Set<string>();
  for (const node of nodes) {
    const fn = heap.edgeTo(node.generator ?? node.key, 'function');
    const at = fn === undefined ? undefined : (heap.location(fn) ?? (facts.internalProperties(fn)?.get('[[FunctionLocation]]')?.value as { scriptId?: string } | undefined));
    if (at?.scriptId) scriptIds.add(at.scriptId);
  }
  const sources = new Map<string, string>();
  for (const scriptId of scriptIds) {
    try {
      const { scriptSource } = yield* call<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId });
      sources.set(scriptId, scriptSource);
    } catch (error) {
      if (sessionLost(error)) throw error;
      // that script is then located by V8 object by object
    }
  }
  return sources;
}
