/**
 * The dump's nodes from a heap snapshot, with the facts V8 must be asked for fetched over an
 * asynchronous CDP session: attach mode (another process) and background dumps (a worker
 * thread asking its own main thread) share these steps.
 *
 * Two rounds, so that lookups (each a whole-heap walk in the target) are only made where
 * nothing cheaper answers: first the functions the snapshot does not locate itself and the
 * sources of the scripts defining the tasks' functions, which place every task of a
 * single-await function; then only the tasks the sources could not place, and the live state
 * of the sockets and streams that leaves wait on.
 */
import type { GraphNode, HookInfo } from '../model.js';
import { buildNodes, type LocatedTally } from '../snapshot/graph-builder.js';
import type { HeapGraph } from '../snapshot/heap-graph.js';
import { factLookups } from '../snapshot/object-facts.js';
import { SuspensionIndex } from '../snapshot/suspension-points.js';
import type { RawWaitGraph } from '../snapshot/wait-edges.js';
import type { CdpSession } from './cdp-client.js';
import { fetchSources, type LookupBudget, prefetchFacts, prefetchResourceStates } from './remote-facts.js';

/** What {@link buildNodesOverSession} needs besides the session and the graph. */
export interface RemoteGraphContext {
  /** Script id → URL, from `Debugger.scriptParsed` on the session. */
  scripts: Map<string, string>;
  /** The target's `performance.now()` when the snapshot was taken (for waiting times). */
  now: number;
  hooks: HookInfo;
  /** Sentences for the dump's warnings are appended here. */
  warnings: string[];
  /** Deadline of each request, ms. */
  timeoutMs: number;
  /** Shared limit on lookup time; counts what the lookups cost. */
  budget: LookupBudget;
  /** Filled with how the tasks were located (see `LocatedTally`). */
  located?: LocatedTally;
  /** Called once every fact is fetched, before the final build (attach mode resumes the target). */
  factsFetched?: () => Promise<void>;
}

/** Builds the dump's nodes, fetching the facts they need over `client`. */
export async function buildNodesOverSession(client: CdpSession, heap: HeapGraph, raw: RawWaitGraph, context: RemoteGraphContext): Promise<GraphNode[]> {
  const { scripts, now, hooks, warnings, timeoutMs, budget } = context;
  const prefetched = await prefetchFacts(client, heap, factLookups(heap, raw.nodes.values()), warnings, timeoutMs, budget);
  const sources = await fetchSources(client, raw.nodes.values(), heap, prefetched, timeoutMs);
  const suspensions = new SuspensionIndex((scriptId) => sources.get(scriptId));
  buildNodes(raw.nodes.values(), { heap, facts: prefetched, scripts, now, hooks, suspensions });
  if (prefetched.missing.size > 0) prefetched.add(await prefetchFacts(client, heap, [...prefetched.missing], warnings, timeoutMs, budget));
  const resources = [...raw.nodes.values()].flatMap((n) => (n.leaf?.resource === undefined ? [] : [n.leaf.resource]));
  await prefetchResourceStates(client, heap, resources, prefetched, timeoutMs, budget);
  const cut = budget.warning();
  if (cut) warnings.push(cut);
  await context.factsFetched?.();
  return buildNodes(raw.nodes.values(), { heap, facts: prefetched, scripts, now, hooks, suspensions, ...(context.located ? { located: context.located } : {}) });
}
