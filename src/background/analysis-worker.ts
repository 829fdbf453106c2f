/**
 * The analysis worker of a background dump: everything after the heap snapshot, off the main
 * thread. It runs the dump pipeline every dump runs (`snapshot/pipeline.ts`) over a session
 * relayed to the main thread (`port-session.ts`; `lookup-service.ts` answers there): its
 * capture step parses the snapshot it was handed; its lookups ask the main thread only what the
 * snapshot cannot tell (script sources, and where tasks of functions with several awaits are
 * suspended). For a dump asked by signal, it then serializes the dump for its file.
 *
 * Serializing here keeps it out of the program's thread (it does not pause it, and it runs in
 * a realm whose globals the program cannot have changed). The main thread writes the bytes,
 * synchronously: a program that exits meanwhile cannot cut a write in half.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SnapshotFailedError } from '../errors.js';
import { injectedFault } from '../internal/fault.js';
import type { Dump } from '../model.js';
import { parseSnapshot, type CapturedHeap } from '../snapshot/heap-capture.js';
import { LOOKUP_LIMIT } from '../snapshot/object-facts.js';
import { dumpSteps, releaseSession } from '../snapshot/pipeline.js';
import { perform, runAsync, type Steps } from '../snapshot/session.js';
import { dumpFileContents } from '../serialize/dump-file.js';
import { PortSession } from './port-session.js';
import type { AnalysisInput, WorkerMessage } from './protocol.js';

/** The capture step of a background dump: the main thread took the bytes; they are parsed here. */
function* parseHandedSnapshot(input: AnalysisInput): Steps<CapturedHeap> {
  let captured: CapturedHeap;
  try {
    if (input.fault === 'parse') throw new Error(injectedFault('parse'));
    captured = parseSnapshot(new Uint8Array(input.snapshot), 'v8.getHeapSnapshot', input.captureMs);
  } catch (cause) {
    throw new SnapshotFailedError(`cannot read the heap snapshot: ${(cause as Error).message}`, { cause });
  }
  if (input.fault === 'worker-crash') {
    // An uncaught exception, as a bug would throw: the worker dies without a result.
    yield* perform(
      () =>
        new Promise(() =>
          setImmediate(() => {
            throw new Error(`the analysis crashed: ${injectedFault('worker-crash')}`);
          }),
        ),
    );
  }
  return captured;
}

async function analyse(input: AnalysisInput, port: NonNullable<typeof parentPort>): Promise<Dump> {
  const session = new PortSession(port);
  try {
    return await runAsync(
      dumpSteps({
        trigger: input.trigger,
        process: input.process,
        hooks: input.hooks,
        now: input.now,
        config: input.config,
        scripts: new Map(),
        warnings: [],
        capture: parseHandedSnapshot(input),
        // The main thread also skips all pauses in the same step (see lookup-service.ts).
        enableDebugger: 'after-capture',
        lookupsPerRound: LOOKUP_LIMIT,
        // Paused: while V8 wrote the snapshot, and while the main thread answered lookups.
        pause: { kind: 'capture-and-lookups' },
        worker: true,
        ...(input.eventSourcesPending === undefined ? {} : { eventSourcesPending: input.eventSourcesPending }),
        ...(input.metrics ? { metrics: input.metrics } : {}),
        ...(input.lostAwaits ? { lostAwaits: () => input.lostAwaits } : {}),
        createdAt: input.createdAt,
      }),
      session,
    );
  } finally {
    await runAsync(releaseSession(), session);
  }
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
