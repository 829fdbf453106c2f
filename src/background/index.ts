/**
 * Background dumps: the program is paused only while V8 writes its heap snapshot (and while
 * it answers the few per-object lookups a dump needs); reading the snapshot and building the
 * wait-for graph run in a worker thread while the program goes on serving.
 *
 * The graph is the heap's state at the snapshot, as in a synchronous dump. What is asked of
 * the main thread afterwards (script sources, and where a task of a function with several
 * `await`s is suspended) may come from a slightly later moment: a task that moved on in
 * between shows its new await line, or none if it finished (a stuck task does not move).
 *
 * The main thread's part runs inside the program, possibly one whose globals are broken
 * (`delete globalThis.Promise`, a throwing `Array.prototype.push`): it uses no promise (its
 * end is a callback), no array method of the program, and no global it did not capture at
 * load; everything else happens in the worker's own realm.
 */
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SnapshotFailedError } from '../errors.js';
import { withExitGuard } from '../internal/exit-guard.js';
import { withIntrinsics } from '../internal/intrinsics.js';
import { FAULT_WRITE_AFTER_BYTES, holdBeforeSnapshot, injectedFault, requestedFault, type FaultPhase } from '../internal/fault.js';
import type { ProgressUpdate } from '../internal/dump-progress.js';
import { currentProcessInfo } from '../internal/process-info.js';
import type { Dump } from '../model.js';
import { dumpMetrics } from '../monitor/metrics.js';
import { dumpConfig } from '../snapshot/config.js';
import { readStreamSynchronously } from '../snapshot/heap-capture.js';
import { readLostAwaits, sealLostAwaitCohort } from '../snapshot/lost-awaits.js';
import { currentHookInfo, eventSourcesPending, takeSnapshot, type SnapshotOptions } from '../snapshot/snapshotter.js';
import { writeFileAtomic } from '../internal/atomic-write.js';
import { chooseDumpMode } from '../snapshot/dump-mode.js';
import { dumpEstimates } from '../snapshot/memory-guard.js';
import { stderrLine } from '../internal/stderr-line.js';
import { writeDumpFile } from '../serialize/dump-file.js';
import { LookupService } from './lookup-service.js';
import type { AnalysisInput, MainMessage, WorkerMessage } from './protocol.js';

/** Captured at load: the program may replace the global before a dump. */
const PromiseIntrinsic = Promise;

/** How a background dump ended: the dump (or its file), or why it failed. */
export type BackgroundResult = { dump?: Dump; path?: string; error?: undefined } | { error: Error };

/**
 * Takes a dump, pausing the program only for the heap snapshot itself; the rest runs in a
 * worker thread. Falls back to a synchronous dump ({@link takeSnapshot}) where the snapshot
 * cannot be taken as bytes. The returned promise never keeps anything of the program alive
 * and rejects with a {@link SnapshotFailedError} if the analysis fails.
 */
export function takeSnapshotInBackground(options: SnapshotOptions = {}): Promise<Dump> {
  return new PromiseIntrinsic<Dump>((resolve, reject) => {
    startBackgroundDump(options, undefined, (result) => {
      if (result.error !== undefined) reject(result.error);
      else resolve(result.dump!);
    });
  });
}

/**
 * Starts a background dump; `done` is called exactly once, with the dump or, when `writeTo`
 * is given, with the path of the file the worker wrote there (possibly before this returns,
 * for a failure at once or a synchronous fallback). Never throws. `progress` hears of each phase
 * as it starts (the first with the mode and the estimates); it must not throw.
 */
export function startBackgroundDump(
  options: SnapshotOptions,
  writeTo: string | undefined,
  done: (result: BackgroundResult) => void,
  progress: (update: ProgressUpdate) => void = () => {},
): void {
  withIntrinsics(() => startNow(options, writeTo, done, progress));
}

function startNow(options: SnapshotOptions, writeTo: string | undefined, done: (result: BackgroundResult) => void, progress: (update: ProgressUpdate) => void): void {
  let finished = false;
  const finish = (result: BackgroundResult): void => {
    if (finished) return;
    finished = true;
    done(result);
  };
  try {
    // Synchronous up to the snapshot: no promise of ours exists in the heap it describes.
    const started = performance.now();
    const fault = requestedFault();
    // Not enough memory for a snapshot: a dump that says why, instead of an OOM kill.
    const config = dumpConfig(process.env);
    const choice = chooseDumpMode('background', options.trigger ?? 'api', options, config);
    if (choice.refused) {
      finish(writeTo === undefined ? { dump: choice.refused } : { path: writeDumpFile(choice.refused, writeTo, fault === 'write') });
      return;
    }
    // Said before the pause, so that a tool waiting outside knows the program is busy in a dump.
    progress({ phase: 'snapshot', mode: choice.mode, ...dumpEstimates('background', choice.mode) });
    holdBeforeSnapshot();
    if (choice.mode === 'fast') {
      // No snapshot to hand over: the fast dump's work (one heap iteration, the walks) is on
      // this thread either way, so it runs here, in process, through the same pipeline.
      const dump = takeSnapshot(options, 'fast');
      if (choice.warnings.length > 0) dump.warnings = [...choice.warnings, ...dump.warnings];
      finish(writeTo === undefined ? { dump } : { path: writeDumpFile(dump, writeTo, fault === 'write') });
      return;
    }
    // The snapshot's full GC then collects the current millisecond's lost waits too.
    sealLostAwaitCohort();
    const bytes = config.inspectorCapture ? undefined : captureBytes(fault);
    if (!bytes) {
      const dump = takeSnapshot(options);
      finish(writeTo === undefined ? { dump } : { path: writeDumpFile(dump, writeTo, fault === 'write') });
      return;
    }
    const captured = performance.now();
    progress({ phase: 'analysis' });
    const input: AnalysisInput = {
      snapshot: ownArrayBuffer(bytes),
      now: started,
      trigger: options.trigger ?? 'api',
      process: currentProcessInfo(),
      hooks: currentHookInfo(),
      config,
      createdAt: new Date().toISOString(),
      captureMs: captured - started,
    };
    const pending = eventSourcesPending();
    if (pending !== undefined) input.eventSourcesPending = pending;
    const metrics = dumpMetrics();
    if (metrics) input.metrics = metrics;
    const lost = readLostAwaits(started);
    if (lost) input.lostAwaits = lost;
    if (writeTo !== undefined) input.writeTo = writeTo;
    if (fault) input.fault = fault;
    runWorker(input, finish, progress);
  } catch (error) {
    finish({ error: error as Error });
  }
}

/**
 * The snapshot's bytes (`undefined`: take it through the inspector instead). The program's
 * code must not run here; should it, its `process.exit` is refused.
 */
function captureBytes(fault: FaultPhase | undefined): Buffer | undefined {
  if (fault === 'capture') throw new SnapshotFailedError(`cannot take the heap snapshot: ${injectedFault('capture')}`);
  return withExitGuard(readStreamSynchronously).value;
}

/** Writes the file the worker serialized, at once and atomically (see writeFileAtomic). */
function writeFile(file: { path: string; bytes: ArrayBuffer }, fault: FaultPhase | undefined): string {
  writeFileAtomic(file.path, new Uint8Array(file.bytes), 0o600, fault === 'write' ? { failAfterBytes: FAULT_WRITE_AFTER_BYTES } : {});
  return file.path;
}

/** The bytes as an ArrayBuffer of their own, to be transferred to the worker without a copy. */
function ownArrayBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** Runs the analysis worker on `input`, answers its lookups, and reports its one result. */
function runWorker(input: AnalysisInput, finish: (result: BackgroundResult) => void, progress: (update: ProgressUpdate) => void): void {
  let worker: Worker | undefined;
  const service = LookupService.open((message: MainMessage) => worker?.postMessage(message), input.fault);
  // The program may exit while the worker works: nothing is written then (the worker is
  // stopped with the program), and one line says why there is no dump.
  const onHostExit = (): void => {
    service.close();
    stderrLine('awaitwhat: dump abandoned: the program exited while the dump was being analysed');
  };
  process.on('exit', onHostExit);
  const end = (result: BackgroundResult): void => {
    process.off('exit', onHostExit);
    service.close();
    // Whatever the worker still does after its result, it does not keep the program alive.
    worker?.unref();
    finish(result);
  };
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
    end({ error: new SnapshotFailedError(`cannot start the analysis worker: ${(cause as Error).message}`, { cause }) });
    return;
  }
  // Nothing of the worker reaches the program's own output.
  worker.stdout.resume();
  worker.stderr.resume();
  // Each handler runs in the program's thread, between its tasks: a section of its own.
  worker.on('message', (message: WorkerMessage) =>
    withIntrinsics(() => {
      try {
        if (message.type === 'cdp') service.handle(message);
        else if (message.type === 'done') {
          if (message.file !== undefined) progress({ phase: 'writing' });
          end(message.file !== undefined ? { path: writeFile(message.file, input.fault) } : { dump: message.dump! });
        } else if (message.type === 'failed') end({ error: new SnapshotFailedError(`the background analysis failed: ${message.error}`) });
      } catch (error) {
        end({ error: error as Error });
      }
    }),
  );
  worker.once('error', (error) =>
    withIntrinsics(() => end({ error: new SnapshotFailedError(`the analysis worker failed: ${error.message}`, { cause: error }) })),
  );
  worker.once('exit', (code) =>
    withIntrinsics(() => end({ error: new SnapshotFailedError(`the analysis worker stopped (exit code ${code}) without a result`) })),
  );
}
