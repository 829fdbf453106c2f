/**
 * Background dumps: the program is paused only while V8 writes its heap snapshot (and while
 * it answers the few per-object lookups a dump needs); reading the snapshot and building the
 * wait-for graph run in a worker thread while the program goes on serving.
 *
 * The graph is the heap's state at the snapshot, as in a synchronous dump. What is asked of
 * the main thread afterwards (script sources, and where a task of a function with several
 * `await`s is suspended) may come from a slightly later moment: a task that moved on in
 * between shows its new await line, or none if it finished (a stuck task does not move).
 */
import { Worker } from 'node:worker_threads';
import { SnapshotFailedError } from '../errors.js';
import { currentProcessInfo } from '../internal/process-info.js';
import type { Dump } from '../model.js';
import { dumpMetrics } from '../monitor/metrics.js';
import { inspectorCaptureForced, readStreamSynchronously } from '../snapshot/heap-capture.js';
import { tenthsOfMs } from '../snapshot/dump-assembly.js';
import { refuseIfTooBig } from '../snapshot/memory-guard.js';
import { currentHookInfo, eventSourcesPending, lookupBudget, takeSnapshot, verdictOptions, type SnapshotOptions } from '../snapshot/snapshotter.js';
import type { AnalysisInput, AnalysisOutput } from './protocol.js';

/**
 * Takes a dump, pausing the program only for the heap snapshot itself; the rest runs in a
 * worker thread. Falls back to a synchronous dump ({@link takeSnapshot}) where the snapshot
 * cannot be taken as bytes. The returned promise never keeps anything of the program alive
 * and rejects with a {@link SnapshotFailedError} if the analysis fails.
 */
export function takeSnapshotInBackground(options: SnapshotOptions = {}): Promise<Dump> {
  // Synchronous up to the snapshot: no promise of ours exists in the heap it describes.
  const started = performance.now();
  const refused = refuseIfTooBig('background', options.trigger ?? 'api', options);
  if (refused) return Promise.resolve(refused);
  const bytes = inspectorCaptureForced() ? undefined : readStreamSynchronously();
  if (!bytes) {
    try {
      return Promise.resolve(takeSnapshot(options));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const captured = performance.now();
  const createdAt = new Date().toISOString();
  const hooks = currentHookInfo();
  const metrics = dumpMetrics();
  const input: AnalysisInput = {
    snapshot: ownArrayBuffer(bytes),
    now: started,
    trigger: options.trigger ?? 'api',
    process: currentProcessInfo(),
    hooks,
    verdicts: { ...verdictOptions(process.env), eventSourcesPending: eventSourcesPending() },
    lookupBudgetMs: lookupBudget(process.env),
  };
  const snapshotBytes = bytes.length;
  return runWorker(input).then((output) => {
    if ('error' in output) throw new SnapshotFailedError(`the background analysis failed: ${output.error}`);
    const { dump } = output;
    dump.createdAt = createdAt;
    // Paused: while V8 wrote the snapshot, and while the main thread answered lookups.
    dump.durationMs = tenthsOfMs(captured - started + output.lookupMs);
    dump.profile = {
      capture: 'v8.getHeapSnapshot',
      snapshotBytes,
      heapNodes: output.heapNodes,
      captureMs: tenthsOfMs(captured - started),
      parseMs: tenthsOfMs(output.parseMs),
      graphMs: tenthsOfMs(output.graphMs),
      lookups: output.lookups,
      lookupMs: tenthsOfMs(output.lookupMs),
      buildMs: tenthsOfMs(output.buildMs),
      worker: true,
    };
    if (metrics) dump.metrics = metrics;
    return dump;
  });
}

/** The bytes as an ArrayBuffer of their own, to be transferred to the worker without a copy. */
function ownArrayBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** Runs the analysis worker on `input`; resolves with its one message. */
function runWorker(input: AnalysisInput): Promise<AnalysisOutput> {
  return new Promise<AnalysisOutput>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./analysis-worker.js', import.meta.url), {
        workerData: input,
        transferList: [input.snapshot],
        // Not the program's own flags: `--import awaitwhat/register` (or anything else it
        // preloads) has no business in the worker.
        execArgv: [],
        stdout: true,
        stderr: true,
      });
    } catch (cause) {
      reject(new SnapshotFailedError(`cannot start the analysis worker: ${(cause as Error).message}`, { cause }));
      return;
    }
    // Nothing of the worker reaches the program's own output.
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    worker.once('message', (output: AnalysisOutput) => {
      settled = true;
      resolve(output);
      // Let it go once this thread has handled the worker's inspector disconnect (queued
      // before its message; handled as soon as this thread runs): terminating it earlier
      // makes Node abort (see analysis-worker.ts).
      setImmediate(() => worker.postMessage('release'));
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      reject(new SnapshotFailedError(`the analysis worker failed: ${error.message}`, { cause: error }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new SnapshotFailedError(`the analysis worker stopped (exit code ${code}) without a result`));
    });
  });
}
