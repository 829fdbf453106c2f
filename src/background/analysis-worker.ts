/**
 * The analysis worker of a background dump: everything after the heap snapshot, off the main
 * thread. It parses the snapshot it was handed, derives the wait graph, asks the main thread
 * — through `lookup-service.ts`, by message — only what the snapshot cannot tell (script
 * sources, and where tasks of functions with several awaits are suspended), completes the
 * dump, and, for a dump asked by signal, serializes it for its file.
 *
 * Serializing here keeps it out of the program's thread (it does not pause it, and it runs in
 * a realm whose globals the program cannot have changed). The main thread writes the bytes,
 * synchronously: a program that exits meanwhile cannot cut a write in half.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LookupBudget } from '../attach/remote-facts.js';
import { buildNodesOverSession } from '../attach/remote-graph.js';
import { SnapshotFailedError } from '../errors.js';
import { injectedFault } from '../internal/fault.js';
import type { Dump } from '../model.js';
import { assembleDump, tenthsOfMs } from '../snapshot/dump-assembly.js';
import { HeapGraph } from '../snapshot/heap-graph.js';
import { describeLeaves } from '../snapshot/leaves.js';
import { OBJECT_GROUP } from '../snapshot/object-facts.js';
import { deriveWaitEdges } from '../snapshot/wait-edges.js';
import { dumpFileContents } from '../triggers/dump-file.js';
import { PortSession } from './port-session.js';
import type { AnalysisInput, WorkerMessage } from './protocol.js';

async function analyse(input: AnalysisInput, port: NonNullable<typeof parentPort>): Promise<Dump> {
  const started = performance.now();
  let heap: HeapGraph;
  try {
    if (input.fault === 'parse') throw new Error(injectedFault('parse'));
    heap = HeapGraph.parse(new Uint8Array(input.snapshot));
  } catch (cause) {
    throw new SnapshotFailedError(`cannot read the heap snapshot: ${(cause as Error).message}`, { cause });
  }
  const parsed = performance.now();
  if (input.fault === 'worker-crash') {
    // An uncaught exception, as a bug would throw: the worker dies without a result.
    setImmediate(() => {
      throw new Error(`the analysis crashed: ${injectedFault('worker-crash')}`);
    });
    await new Promise(() => undefined);
  }
  const raw = deriveWaitEdges(heap);
  describeLeaves(heap, raw.nodes.values(), input.now);
  const graphed = performance.now();

  const session = new PortSession(port);
  const warnings: string[] = [];
  const budget = new LookupBudget(input.lookupBudgetMs);
  let nodes;
  const located = { fromSource: 0, byLookup: 0, unlocated: 0 };
  try {
    const scripts = new Map<string, string>();
    session.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
    // The main thread also skips all pauses in the same step (see lookup-service.ts).
    await session.send('Debugger.enable');
    nodes = await buildNodesOverSession(session, heap, raw, { scripts, now: input.now, hooks: input.hooks, warnings, timeoutMs: 30_000, budget, located });
  } finally {
    await session.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => undefined);
    await session.send('Debugger.disable').catch(() => undefined);
  }
  const dump = assembleDump({ trigger: input.trigger, process: input.process, hooks: input.hooks, nodes, warnings, durationMs: 0, verdicts: input.verdicts });
  dump.createdAt = input.createdAt;
  // Paused: while V8 wrote the snapshot, and while the main thread answered lookups.
  dump.durationMs = tenthsOfMs(input.captureMs + budget.spentMs);
  dump.profile = {
    capture: 'v8.getHeapSnapshot',
    snapshotBytes: input.snapshot.byteLength,
    heapNodes: heap.nodeCount,
    captureMs: tenthsOfMs(input.captureMs),
    parseMs: tenthsOfMs(parsed - started),
    graphMs: tenthsOfMs(graphed - parsed),
    lookups: budget.lookups,
    lookupMs: tenthsOfMs(budget.spentMs),
    buildMs: tenthsOfMs(Math.max(0, performance.now() - graphed - budget.spentMs)),
    worker: true,
    located,
  };
  if (input.metrics) dump.metrics = input.metrics;
  return dump;
}

/** Runs the analysis and posts its one result; the worker then ends on its own. */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as AnalysisInput;
  let message: WorkerMessage;
  const transfer: ArrayBuffer[] = [];
  try {
    const dump = await analyse(input, port);
    if (input.writeTo === undefined) message = { type: 'done', dump };
    else {
      const { path, text } = dumpFileContents(dump, input.writeTo);
      const encoded = new TextEncoder().encode(text);
      // Exactly the text's bytes, in a buffer of their own (transferred, not copied).
      const bytes = (encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength ? encoded.buffer : encoded.slice().buffer) as ArrayBuffer;
      transfer.push(bytes);
      message = { type: 'done', file: { path, bytes } };
    }
  } catch (error) {
    message = { type: 'failed', error: (error as Error)?.message ?? String(error) };
  }
  port.postMessage(message, transfer);
  // Nothing more will come: let the worker end once the message is on its way.
  port.unref();
}

void main();
