/**
 * Taking a heap snapshot: this process's own, synchronously.
 *
 * The first choice is `v8.getHeapSnapshot()`: V8 writes the snapshot in C++ into the stream's
 * buffer during the first `read()`, so the whole snapshot arrives as bytes before `read()`
 * returns, with no inspector messages in between. On a 100 MB heap that is about 3 s where
 * `HeapProfiler.takeHeapSnapshot` through an in-process session takes about 5 s (each chunk is
 * a JSON message dispatched to JavaScript) plus the join of its chunks (measured with
 * bench/dump-cost.mjs; see docs/benchmarks.md). Both ask the same `HeapProfiler` of the isolate,
 * so heap object ids are the ones the inspector's per-object lookups understand.
 *
 * If that ever stops holding (a Node version whose stream fills asynchronously, an option it
 * does not know), the inspector path is used instead: slower, but the same snapshot.
 * `AWAITWHAT_HEAP_CAPTURE=inspector` chooses it outright (an escape hatch, and how the tests
 * compare both).
 *
 * Capture is the one pluggable step of the dump pipeline (`pipeline.ts`): a background dump
 * hands these bytes to its worker ({@link parseSnapshot}); an attached dump receives chunks
 * over its WebSocket (`attach/remote-heap.ts`).
 */
import v8 from 'node:v8';
import { SnapshotFailedError } from '../errors.js';
import { injectedFault, requestedFault } from '../internal/fault.js';
import type { DumpProfile } from '../model.js';
import type { DumpConfig } from './config.js';
import { HeapGraph } from './heap-graph.js';
import { call, subscribe, type Steps } from './session.js';

/** Parameters of `HeapProfiler.takeHeapSnapshot` for every dump: numbers carry their values. */
export const HEAP_SNAPSHOT_PARAMS = { reportProgress: false, captureNumericValue: true } as const;

/** Which way the snapshot was taken, as the dump's profile says it. */
export type CaptureMethod = DumpProfile['capture'];

/** The parsed heap snapshot and how it was taken: the capture step's answer, in every mode. */
export interface CapturedHeap {
  heap: HeapGraph;
  method: CaptureMethod;
  /** Size of the snapshot's JSON, bytes. */
  bytes: number;
  /** Time spent in V8 producing the snapshot, and parsing it, ms. */
  captureMs: number;
  parseMs: number;
}

/** The in-process capture step: this thread's heap snapshot, as bytes if possible. */
export function* captureInProcess(config: DumpConfig): Steps<CapturedHeap> {
  const fault = requestedFault();
  if (fault === 'capture') throw new SnapshotFailedError(`cannot take the heap snapshot: ${injectedFault('capture')}`);
  if (fault === 'parse') throw new SnapshotFailedError(`cannot read the heap snapshot: ${injectedFault('parse')}`);
  const started = performance.now();
  const bytes = config.inspectorCapture ? undefined : readStreamSynchronously();
  if (bytes) {
    try {
      return parseSnapshot(bytes, 'v8.getHeapSnapshot', performance.now() - started);
    } catch {
      // Not a whole snapshot after all: take it the slow way.
    }
  }
  return yield* captureThroughSession();
}

/** `HeapProfiler.takeHeapSnapshot` over the session: the chunks arrive as events before its answer. */
export function* captureThroughSession(): Steps<CapturedHeap> {
  const started = performance.now();
  const chunks: string[] = [];
  const stop = yield* subscribe('HeapProfiler.addHeapSnapshotChunk', (p: { chunk: string }) => chunks.push(p.chunk));
  try {
    yield* call('HeapProfiler.takeHeapSnapshot', HEAP_SNAPSHOT_PARAMS);
  } finally {
    stop();
  }
  return parseSnapshot(chunks, 'inspector', performance.now() - started);
}

/**
 * Parses a snapshot's bytes (or chunks, emptied as they are read) and times it.
 * @throws whatever {@link HeapGraph.parse} throws on a snapshot that is not whole
 */
export function parseSnapshot(snapshot: Uint8Array | string[], method: CaptureMethod, captureMs: number): CapturedHeap {
  const started = performance.now();
  let bytes = 0;
  if (Array.isArray(snapshot)) for (const chunk of snapshot) bytes += chunk.length;
  else bytes = snapshot.byteLength;
  const heap = HeapGraph.parse(snapshot);
  if (Array.isArray(snapshot)) snapshot.length = 0;
  return { heap, method, bytes, captureMs, parseMs: performance.now() - started };
}

/**
 * The snapshot's bytes from `v8.getHeapSnapshot()`, or `undefined` if they did not all
 * arrive synchronously (then only the inspector can take it).
 */
export function readStreamSynchronously(): Buffer | undefined {
  let stream: ReturnType<typeof v8.getHeapSnapshot> | undefined;
  try {
    stream = (v8.getHeapSnapshot as (options?: object) => ReturnType<typeof v8.getHeapSnapshot>)({ exposeNumericValues: true });
    // A failure is reported by the stream later, as an 'error' event: unheard, it would end
    // the program. It is seen here, synchronously, as a short or missing read.
    stream.on('error', () => undefined);
    const parts: Buffer[] = [];
    for (let part = stream.read() as Buffer | null; part !== null; part = stream.read() as Buffer | null) parts.push(part);
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  } catch {
    return undefined;
  } finally {
    try {
      // Ends the stream now: nothing of it outlives the dump (its 'end' would come later).
      stream?.destroy();
    } catch {
      // nothing to release
    }
  }
}
