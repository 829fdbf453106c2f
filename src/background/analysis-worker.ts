/**
 * The analysis worker of a background dump: everything after the heap snapshot, off the main
 * thread. It parses the snapshot it was handed, derives the wait graph, and asks the main
 * thread — through an inspector session of its own — only what the snapshot cannot tell
 * (script sources, and where tasks of functions with several awaits are suspended). The main
 * thread keeps running meanwhile, except while it answers a lookup.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LookupBudget } from '../attach/remote-facts.js';
import { buildNodesOverSession } from '../attach/remote-graph.js';
import { assembleDump } from '../snapshot/dump-assembly.js';
import { HeapGraph } from '../snapshot/heap-graph.js';
import { describeLeaves } from '../snapshot/leaves.js';
import { OBJECT_GROUP } from '../snapshot/object-facts.js';
import { deriveWaitEdges } from '../snapshot/wait-edges.js';
import { MainThreadSession } from './main-thread-session.js';
import type { AnalysisInput, AnalysisOutput } from './protocol.js';

async function analyse(input: AnalysisInput): Promise<AnalysisOutput> {
  const started = performance.now();
  const heap = HeapGraph.parse(new Uint8Array(input.snapshot));
  const parsed = performance.now();
  const raw = deriveWaitEdges(heap);
  describeLeaves(heap, raw.nodes.values(), input.now);
  const graphed = performance.now();

  const session = MainThreadSession.connect();
  const warnings: string[] = [];
  const budget = new LookupBudget(input.lookupBudgetMs);
  let nodes;
  try {
    const scripts = new Map<string, string>();
    session.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
    await session.send('Debugger.enable');
    // The program runs while our session has the debugger on: a `debugger;` statement in it
    // must not stop it waiting for us. Skipped, and resumed should a pause happen anyway.
    session.on('Debugger.paused', () => void session.send('Debugger.resume').catch(() => undefined));
    await session.send('Debugger.setSkipAllPauses', { skip: true });
    nodes = await buildNodesOverSession(session, heap, raw, { scripts, now: input.now, hooks: input.hooks, warnings, timeoutMs: 30_000, budget });
  } finally {
    await session.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => undefined);
    await session.send('Debugger.disable').catch(() => undefined);
    session.close();
  }
  const dump = assembleDump({ trigger: input.trigger, process: input.process, hooks: input.hooks, nodes, warnings, durationMs: 0, verdicts: input.verdicts });
  const parseMs = parsed - started;
  const graphMs = graphed - parsed;
  return {
    dump,
    heapNodes: heap.nodeCount,
    parseMs,
    graphMs,
    lookups: budget.lookups,
    lookupMs: budget.spentMs,
    buildMs: Math.max(0, performance.now() - graphed - budget.spentMs),
  };
}

/**
 * Stays alive until the main thread says it is done with us. Node (20) aborts the process if
 * a worker's inspector session is torn down on the main thread after the worker has exited:
 * the disconnect above is handled by the main thread asynchronously, so the worker waits for
 * the main thread to have run (it answers after a turn of its event loop), and a few seconds
 * at most.
 */
function exitWhenReleased(): void {
  const timer = setTimeout(() => parentPort?.close(), 5000);
  parentPort?.once('message', () => {
    clearTimeout(timer);
    parentPort?.close();
  });
}

analyse(workerData as AnalysisInput)
  .then(
    (output) => parentPort?.postMessage(output),
    (error: unknown) => parentPort?.postMessage({ error: (error as Error)?.message ?? String(error) } satisfies AnalysisOutput),
  )
  .finally(exitWhenReleased);
