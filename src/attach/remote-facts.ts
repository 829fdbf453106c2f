/**
 * Internal properties (`[[GeneratorLocation]]`, `[[GeneratorState]]`, `[[FunctionLocation]]`)
 * of the heap objects a dump needs, fetched through an asynchronous CDP session before the
 * graph is built: `HeapProfiler.getObjectByHeapObjectId` (in awaitwhat's object group) then
 * `Runtime.getProperties`. Used by attach mode (another process) and by background dumps (a
 * worker thread asking its own main thread). Requests are pipelined a few at a time (the
 * target answers them one by one on its main thread; pipelining saves the round trips).
 *
 * Each lookup walks the target's whole heap *on its main thread* (about a second on a 100 MB
 * heap), so lookups are bounded twice: by count ({@link LOOKUP_LIMIT}) and by the time they
 * took ({@link LookupBudget}, the same `AWAITWHAT_LOOKUP_BUDGET_MS` as an in-process dump).
 */
import type { HeapGraph } from '../snapshot/heap-graph.js';
import {
  internalPropertyMap,
  LOOKUP_BUDGET_MS,
  LOOKUP_LIMIT,
  OBJECT_GROUP,
  PrefetchedFacts,
  type RemoteValue,
} from '../snapshot/object-facts.js';
import { resourceStateAsync } from '../snapshot/resource-state.js';
import type { RawNode } from '../snapshot/wait-edges.js';
import type { CdpSession } from './cdp-client.js';

/** Requests in flight at once. */
const IN_FLIGHT = 4;

/**
 * The time per-object lookups may take in one dump, shared by every round of it; counts what
 * was spent (the target's main thread was busy for that long) and what was skipped.
 */
export class LookupBudget {
  readonly budgetMs: number;
  /** Time during which at least one lookup was outstanding (pipelined lookups overlap). */
  spentMs = 0;
  lookups = 0;
  skipped = 0;
  #outstanding = 0;
  #since = 0;

  constructor(budgetMs = LOOKUP_BUDGET_MS) {
    this.budgetMs = budgetMs;
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

/** Fetches the facts of `indexes` (heap node indexes) into a {@link PrefetchedFacts}. */
export async function prefetchFacts(
  client: CdpSession,
  heap: HeapGraph,
  indexes: readonly number[],
  warnings: string[],
  timeoutMs: number,
  budget: LookupBudget = new LookupBudget(),
): Promise<PrefetchedFacts> {
  const facts = new Map<number, Map<string, RemoteValue>>();
  const wanted = indexes.slice(0, LOOKUP_LIMIT);
  if (indexes.length > LOOKUP_LIMIT) {
    warnings.push(`more than ${LOOKUP_LIMIT} objects to locate: only the first ${LOOKUP_LIMIT} were`);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      if (!budget.open) {
        budget.skipped += wanted.length - next;
        next = wanted.length;
        return;
      }
      const index = wanted[next++]!;
      const props = await fetchOne(client, heap, index, timeoutMs, budget);
      if (props) facts.set(index, props);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, wanted.length) }, worker));
  return new PrefetchedFacts(facts);
}

/** The object's inspector id: one heap walk in the target, timed against the budget. */
async function objectIdOf(client: CdpSession, heap: HeapGraph, index: number, timeoutMs: number, budget: LookupBudget): Promise<string | undefined> {
  budget.begin();
  try {
    const { result } = await client.send<{ result: RemoteValue }>(
      'HeapProfiler.getObjectByHeapObjectId',
      { objectId: String(heap.heapId(index)), objectGroup: OBJECT_GROUP },
      timeoutMs,
    );
    return result.objectId;
  } finally {
    budget.end();
  }
}

async function fetchOne(client: CdpSession, heap: HeapGraph, index: number, timeoutMs: number, budget: LookupBudget): Promise<Map<string, RemoteValue> | undefined> {
  try {
    const objectId = await objectIdOf(client, heap, index, timeoutMs, budget);
    if (objectId === undefined) return undefined;
    return internalPropertyMap(await client.send('Runtime.getProperties', { objectId, ownProperties: true }, timeoutMs));
  } catch (error) {
    if (client.closed) throw error;
    return undefined; // collected since the snapshot, or not an object
  }
}

/**
 * Reads the live state of the sockets and streams that leaves wait on (addresses, connecting,
 * paused, waiting for drain…) without running the program's code, as an in-process dump does
 * (`resource-state.ts`).
 */
export async function prefetchResourceStates(
  client: CdpSession,
  heap: HeapGraph,
  resources: readonly number[],
  facts: PrefetchedFacts,
  timeoutMs: number,
  budget: LookupBudget = new LookupBudget(),
): Promise<void> {
  const wanted = resources.slice(0, LOOKUP_LIMIT);
  for (let i = 0; i < wanted.length; i++) {
    if (!budget.open) {
      budget.skipped += wanted.length - i;
      return;
    }
    const index = wanted[i]!;
    try {
      const objectId = await objectIdOf(client, heap, index, timeoutMs, budget);
      if (objectId === undefined) continue;
      const state = await resourceStateAsync(objectId, (method, params) => client.send(method, params, timeoutMs));
      if (state) facts.addResourceState(index, state);
    } catch (error) {
      if (client.closed) throw error;
    }
  }
}

/** The sources of the scripts that define the tasks' functions (for single-await locations). */
export async function fetchSources(
  client: CdpSession,
  nodes: Iterable<RawNode>,
  heap: HeapGraph,
  facts: PrefetchedFacts,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const scriptIds = new Set<string>();
  for (const node of nodes) {
    const fn = heap.edgeTo(node.generator ?? node.key, 'function');
    const at = fn === undefined ? undefined : (heap.location(fn) ?? (facts.internalProperties(fn)?.get('[[FunctionLocation]]')?.value as { scriptId?: string } | undefined));
    if (at?.scriptId) scriptIds.add(at.scriptId);
  }
  const sources = new Map<string, string>();
  for (const scriptId of scriptIds) {
    try {
      const { scriptSource } = await client.send<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }, timeoutMs);
      sources.set(scriptId, scriptSource);
    } catch {
      // that script is then located by V8 object by object
    }
  }
  return sources;
}
