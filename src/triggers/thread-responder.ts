/**
 * The register's part in a worker thread: answer the main thread's requests for this thread's
 * wait-for graph. Workers inherit the program's `execArgv`, so `--import awaitwhat/register`
 * loads in each of them; there it installs the hook layer (each worker is an isolate of its
 * own), no signal or exit trigger (signals and the process's exit belong to the main thread),
 * and this responder.
 *
 * The graph is taken here, in the worker, by the in-process snapshotter: this isolate's own
 * heap snapshot, its own inspector session, its own memory guard. The main thread asks one
 * worker at a time (`thread-collector.ts`), so two snapshots never add up.
 *
 * The channel is unref'd: it never keeps the worker alive, and the program's own messages
 * (its `parentPort`, its `Worker` objects) are untouched.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { withIntrinsics } from '../internal/intrinsics.js';
import { currentThreadTask } from '../internal/proc.js';
import { firstLine } from '../internal/stderr-line.js';
import type { Dump } from '../model.js';
import { dumpModules, dumpModulesLoading } from './lazy-dump.js';
import { isThreadMessage, THREADS_CHANNEL, threadsOff, type PresenceMessage, type ThreadAnswer, type ThreadRequest } from './thread-protocol.js';

/** Captured at load: the program may replace these before a dump. */
const promiseThen = Promise.prototype.then;
const apply = Reflect.apply;

let channel: BroadcastChannel | undefined;

/** Installs the responder in a worker thread (a no-op on the main thread, or with `AWAITWHAT_THREADS=off`). */
export function installThreadResponder(): void {
  if (isMainThread || channel !== undefined || threadsOff()) return;
  try {
    const opened = new BroadcastChannel(THREADS_CHANNEL);
    opened.onmessage = (event: unknown) => onMessage((event as { data: unknown }).data);
    opened.unref();
    channel = opened;
    const hello: Extract<PresenceMessage, { type: 'hello' }> = { type: 'hello', threadId };
    const filename = scriptUrl(process.argv[1]);
    if (filename !== undefined) hello.filename = filename;
    // This thread's end is then seen from the main thread, however it ends (thread-collector.ts).
    const task = currentThreadTask();
    if (task !== undefined) hello.task = task;
    post(hello);
    process.on('exit', onExit);
  } catch {
    // Without the channel this worker is reported as not answering; the program is unaffected.
  }
}

/** The worker's script as a `file:` URL, as V8 names scripts (`[worker eval]` stays as it is). */
function scriptUrl(script: string | undefined): string | undefined {
  return script !== undefined && isAbsolute(script) ? pathToFileURL(script).href : script;
}

function onExit(): void {
  post({ type: 'bye', threadId });
  channel?.close();
  channel = undefined;
}

function post(message: ThreadAnswer | PresenceMessage): void {
  try {
    channel?.postMessage(message);
  } catch {
    // A message that cannot be cloned or a closed channel: the main thread's timeout says so.
  }
}

/** Posts an answer and wakes a main thread sleeping on the request's counter. */
function answer(request: ThreadRequest, message: ThreadAnswer): void {
  post(message);
  try {
    const counter = new Int32Array(request.signal);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  } catch {
    // Not a shared buffer: the main thread waits asynchronously and needs no wake-up.
  }
}

function onMessage(data: unknown): void {
  try {
    if (!isThreadMessage(data) || data.type !== 'request' || data.threadId !== threadId) return;
    const request = data;
    answer(request, { type: 'started', id: request.id, threadId });
    // Node < 20.19: the dump modules may still be loading (import()ed by the register).
    const loading = dumpModulesLoading();
    if (loading) apply(promiseThen, loading, [() => dumpFor(request), () => dumpFor(request)]);
    else dumpFor(request);
  } catch {
    // Never into the worker's program: the main thread's timeout reports a missing answer.
  }
}

/** Takes this thread's dump and sends it. */
function dumpFor(request: ThreadRequest): void {
  let dump: Dump;
  try {
    dump = withIntrinsics(() => dumpModules().snapshotter.takeSnapshot({ trigger: request.trigger }));
  } catch (error) {
    answer(request, { type: 'failed', id: request.id, threadId, error: firstLine(error) });
    return;
  }
  answer(request, { type: 'graph', id: request.id, threadId, dump });
}
