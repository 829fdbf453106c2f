/**
 * Internal properties (`[[GeneratorLocation]]`, `[[GeneratorState]]`, `[[FunctionLocation]]`)
 * of the heap objects a dump needs, fetched from the target before the graph is built:
 * `HeapProfiler.getObjectByHeapObjectId` (in awaitwhat's object group) then
 * `Runtime.getProperties`. Requests are pipelined a few at a time (the target answers them one
 * by one on its main thread; pipelining saves the round trips). Bounded by the same lookup
 * limit as an in-process dump, with the same warning.
 */
import type { HeapGraph } from '../snapshot/heap-graph.js';
import { internalPropertyMap, LOOKUP_LIMIT, OBJECT_GROUP, PrefetchedFacts, RESOURCE_STATE, type RemoteValue } from '../snapshot/object-facts.js';
import type { CdpClient } from './cdp-client.js';

/** Requests in flight at once. */
const IN_FLIGHT = 4;

/** Fetches the facts of `indexes` (heap node indexes) into a {@link PrefetchedFacts}. */
export async function prefetchFacts(
  client: CdpClient,
  heap: HeapGraph,
  indexes: readonly number[],
  warnings: string[],
  timeoutMs: number,
): Promise<PrefetchedFacts> {
  const facts = new Map<number, Map<string, RemoteValue>>();
  const wanted = indexes.slice(0, LOOKUP_LIMIT);
  if (indexes.length > LOOKUP_LIMIT) {
    warnings.push(`more than ${LOOKUP_LIMIT} objects to locate: only the first ${LOOKUP_LIMIT} were`);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const index = wanted[next++]!;
      const props = await fetchOne(client, heap, index, timeoutMs);
      if (props) facts.set(index, props);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, wanted.length) }, worker));
  return new PrefetchedFacts(facts);
}

async function fetchOne(client: CdpClient, heap: HeapGraph, index: number, timeoutMs: number): Promise<Map<string, RemoteValue> | undefined> {
  try {
    const { result } = await client.send<{ result: RemoteValue }>(
      'HeapProfiler.getObjectByHeapObjectId',
      { objectId: String(heap.heapId(index)), objectGroup: OBJECT_GROUP },
      timeoutMs,
    );
    if (result.objectId === undefined) return undefined;
    return internalPropertyMap(await client.send('Runtime.getProperties', { objectId: result.objectId, ownProperties: true }, timeoutMs));
  } catch (error) {
    if (client.closed) throw error;
    return undefined; // collected since the snapshot, or not an object
  }
}

/**
 * Reads the live state of the sockets and streams that leaves wait on (addresses, connecting,
 * paused, waiting for drain…) through their public getters, as an in-process dump does.
 */
export async function prefetchResourceStates(
  client: CdpClient,
  heap: HeapGraph,
  resources: readonly number[],
  facts: PrefetchedFacts,
  timeoutMs: number,
): Promise<void> {
  for (const index of resources.slice(0, LOOKUP_LIMIT)) {
    try {
      const { result } = await client.send<{ result: RemoteValue }>(
        'HeapProfiler.getObjectByHeapObjectId',
        { objectId: String(heap.heapId(index)), objectGroup: OBJECT_GROUP },
        timeoutMs,
      );
      if (result.objectId === undefined) continue;
      const answer = await client.send<{ result: { value?: unknown } }>(
        'Runtime.callFunctionOn',
        { objectId: result.objectId, functionDeclaration: RESOURCE_STATE, returnByValue: true, silent: true },
        timeoutMs,
      );
      const value = answer.result.value;
      if (typeof value === 'object' && value !== null) facts.addResourceState(index, value as Record<string, string | number | boolean>);
    } catch (error) {
      if (client.closed) throw error;
    }
  }
}
