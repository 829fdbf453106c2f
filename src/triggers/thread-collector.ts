/**
 * The main thread's side of worker threads' graphs: which workers run the register (they say
 * `hello` and `bye` on {@link THREADS_CHANNEL}), and, for a dump, each worker's graph, asked
 * of one worker at a time (so that two heap snapshots never add up in memory).
 *
 * Two drivers over the same steps: {@link collectThreadGraphsSync} for the dumps that cannot
 * let the event loop run (the exit dump, `snapshot()`), sleeping with `Atomics.wait` on the
 * request's counter and reading answers with `receiveMessageOnPort`; {@link collectThreadGraphs}
 * for the background dump (SIGUSR2), with the channel's own events and a timer, so the program
 * goes on meanwhile. A worker that does not start answering within
 * `AWAITWHAT_THREAD_TIMEOUT_MS` (5 s) — its loop is blocked — is reported `no-answer`; one
 * that started has {@link DUMP_WAIT_MS} to finish.
 *
 * Which workers still run. A worker that ends by itself or by `process.exit()` says `bye`; one
 * ended by `worker.terminate()` runs no JavaScript on the way out and says nothing. Its
 * `hello` therefore names its operating system thread (task id and start time, from
 * `/proc/thread-self`), and the main thread reads `/proc/self/task/<tid>` before it asks a
 * worker, and again every {@link LIVENESS_POLL_MS} while it waits: a thread that is gone (or
 * whose id now names a later thread) has ended, and is left out of the dump as after `bye`.
 * Node joins a worker's thread before its `'exit'` event, so after `await worker.terminate()`
 * the thread is gone. The kernel's own list of threads: no Node internal, nothing held in
 * the program's objects, one small file read per worker and dump. Where `/proc` cannot say
 * (not Linux) a silent worker is asked and times out as before. Rejected:
 * - a `MessagePort`'s `'close'`, which does fire when the thread holding the other end goes
 *   away, but in Node 20 no public path carries a port from a worker to the main thread
 *   except the program's own channels: `BroadcastChannel.postMessage` takes no transfer list
 *   (and a named channel's siblings hear nothing when one closes), `setEnvironmentData` clones
 *   without one (a port there makes every `new Worker()` throw), `moveMessagePortToContext`
 *   moves a port between contexts of one thread, and `postMessageToThread` (20.19+) is a
 *   `process` `'workerMessage'` event the program sees;
 * - the `WORKER` async resource (a `Worker`'s internal handle, whose `onexit` Node nulls on
 *   exit): seeing it takes an `async_hooks` `init` hook, which makes Node track every promise
 *   (the register has one only with creation stacks, see hooks/resource-stamps.ts), and
 *   reading it depends on Node's internals;
 * - `process.report.getReport()`, whose `workers` section lists live workers, but waits for
 *   each one to write its report: a worker blocked in a system call would hang the dump.
 */
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { BroadcastChannel, isMainThread, receiveMessageOnPort } from 'node:worker_threads';
import { withIntrinsics } from '../internal/intrinsics.js';
import { threadTaskRunning, type ThreadTask } from '../internal/proc.js';
import type { Dump, DumpTrigger, ThreadGraph } from '../model.js';
import { isThreadMessage, THREADS_CHANNEL, threadsOff, type ThreadAnswer, type ThreadMessage, type ThreadRequest } from './thread-protocol.js';

/** How long a worker has to start answering, by default (ms). */
export const DEFAULT_THREAD_TIMEOUT_MS = 5000;
/** How long a worker that started may take over its dump (ms): a big heap takes a while. */
export const DUMP_WAIT_MS = 120_000;
/**
 * How often a worker being waited for is looked up in `/proc`, in case it ends meanwhile (ms):
 * an odd duration, so that the timer sits in a Node timer list of its own (as coarse-clock.ts).
 */
export const LIVENESS_POLL_MS = 487;

/** A worker known to run the register. */
interface KnownThread {
  threadId: number;
  filename?: string;
  /** Its operating system thread, where `/proc` names it. */
  task?: ThreadTask;
}

/** A request under way: what the answers are matched against. */
interface Pending {
  request: ThreadRequest;
  started: boolean;
  result?: ThreadGraph;
  /** The asynchronous driver's wake-up. */
  onChange?: () => void;
}

const known = new Map<number, KnownThread>();
let channel: BroadcastChannel | undefined;
let pending: Pending | undefined;
let requests = 0;
/** How many workers may be known before a `hello` looks for ended ones (doubles each time). */
let pruneAt = 16;

/** Listens for the workers' `hello` and `bye` (main thread only; unref'd: it keeps nothing alive). */
export function installThreadRegistry(): void {
  if (!isMainThread || channel !== undefined || threadsOff()) return;
  try {
    const opened = new BroadcastChannel(THREADS_CHANNEL);
    opened.onmessage = (event: unknown) => receive((event as { data: unknown }).data);
    opened.unref();
    channel = opened;
  } catch {
    // No channel: dumps cover the main thread only, as without the register in workers.
  }
}

/**
 * The workers that said `hello` and not `bye`, by thread id. Messages already queued on the
 * channel are read first: a worker that said `hello` before this call is known, whether or
 * not the event loop has delivered it yet.
 */
export function knownThreads(): KnownThread[] {
  if (pending === undefined) drain();
  prune();
  return [...known.values()].sort((a, b) => a.threadId - b.threadId);
}

/**
 * Whether `thread` is gone: it said `bye`, or `/proc` says its thread has ended (false when
 * `/proc` cannot say: then it is asked as before).
 */
function gone(thread: KnownThread): boolean {
  if (!known.has(thread.threadId)) return true;
  if (thread.task === undefined || threadTaskRunning(thread.task) !== false) return false;
  known.delete(thread.threadId);
  return true;
}

/** Forgets the workers whose thread has ended without a `bye` (`worker.terminate()`). */
function prune(): void {
  for (const thread of [...known.values()]) gone(thread);
}

/** A valid `task` of a `hello`, which arrived by structured clone from any code on the channel. */
function taskOf(value: unknown): ThreadTask | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tid, startTicks } = value as { tid?: unknown; startTicks?: unknown };
  return Number.isSafeInteger(tid) && Number.isSafeInteger(startTicks) ? { tid: tid as number, startTicks: startTicks as number } : undefined;
}

/** A message on the channel; runs between the program's tasks, with awaitwhat's built-ins. */
function receive(data: unknown): void {
  try {
    if (!isThreadMessage(data)) return;
    withIntrinsics(() => handle(data));
  } catch {
    // A malformed message must not reach the program.
  }
}

function handle(message: ThreadMessage): void {
  if (message.type === 'hello') hello(message);
  else if (message.type === 'bye') known.delete(message.threadId);
  else if (message.type !== 'request') answered(message);
}

function hello(message: Extract<ThreadMessage, { type: 'hello' }>): void {
  const thread: KnownThread = { threadId: message.threadId };
  if (message.filename !== undefined) thread.filename = message.filename;
  const task = taskOf(message.task);
  if (task !== undefined) thread.task = task;
  known.set(message.threadId, thread);
  // A program that keeps terminating workers (a pool) would otherwise grow this map for good.
  if (known.size >= pruneAt) {
    prune();
    pruneAt = Math.max(16, known.size * 2);
  }
}

function answered(message: ThreadAnswer): void {
  const current = pending;
  if (current === undefined || message.id !== current.request.id || message.threadId !== current.request.threadId) return;
  const thread = known.get(message.threadId) ?? { threadId: message.threadId };
  if (message.type === 'started') current.started = true;
  else if (message.type === 'failed') current.result = unanswered(thread, 'failed', `its dump failed: ${message.error}`);
  else current.result = graphOf(thread, message.dump);
  current.onChange?.();
}

/** A worker's dump as a thread's graph. */
function graphOf(thread: KnownThread, dump: Dump): ThreadGraph {
  if (dump.refused) return unanswered(thread, 'failed', `no heap snapshot: ${dump.refused.reason}`);
  const graph: ThreadGraph = { ...facts(thread), status: 'answered', durationMs: dump.durationMs, nodes: dump.nodes, roots: dump.roots, cycles: dump.cycles, warnings: dump.warnings };
  if (dump.verdicts) graph.verdicts = dump.verdicts;
  return graph;
}

function facts(thread: KnownThread): Pick<ThreadGraph, 'threadId' | 'filename'> {
  return thread.filename === undefined ? { threadId: thread.threadId } : { threadId: thread.threadId, filename: thread.filename };
}

function unanswered(thread: KnownThread, status: 'no-answer' | 'failed', reason: string): ThreadGraph {
  return { ...facts(thread), status, reason, nodes: [], roots: [], cycles: [], warnings: [] };
}

/** `AWAITWHAT_THREAD_TIMEOUT_MS`, else {@link DEFAULT_THREAD_TIMEOUT_MS}. */
export function threadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.AWAITWHAT_THREAD_TIMEOUT_MS);
  return env.AWAITWHAT_THREAD_TIMEOUT_MS && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_THREAD_TIMEOUT_MS;
}

function noAnswer(thread: KnownThread, started: boolean, startMs: number): ThreadGraph {
  if (started) return unanswered(thread, 'no-answer', `started its dump but did not finish it within ${DUMP_WAIT_MS / 1000} s`);
  // Where /proc says the thread still runs, worker.terminate() is ruled out.
  const running = thread.task !== undefined && threadTaskRunning(thread.task) === true;
  return unanswered(thread, 'no-answer', `no answer within ${startMs / 1000} s: its event loop is blocked${running ? '' : ', or it was ended by worker.terminate()'}`);
}

/** Sends the request to `thread` and makes it the one answers are matched against. */
function ask(thread: KnownThread, trigger: DumpTrigger): Pending {
  requests += 1;
  const request: ThreadRequest = { type: 'request', id: `${process.pid}.${requests}`, threadId: thread.threadId, trigger, signal: new SharedArrayBuffer(4) };
  pending = { request, started: false };
  channel!.postMessage(request);
  return pending;
}

/**
 * Every known worker's graph, asked and awaited synchronously: the main thread sleeps until
 * each answers (or its time is up). `undefined` when no worker runs the register.
 */
export function collectThreadGraphsSync(trigger: DumpTrigger): ThreadGraph[] | undefined {
  // A background collection under way owns the channel's answers: this dump goes without.
  if (channel === undefined || pending !== undefined) return undefined;
  drain();
  const threads = knownThreads();
  if (threads.length === 0) return undefined;
  const startMs = threadTimeoutMs();
  const graphs: ThreadGraph[] = [];
  try {
    for (const thread of threads) {
      if (gone(thread)) continue;
      const asked = ask(thread, trigger);
      const counter = new Int32Array(asked.request.signal);
      let deadline = performance.now() + startMs;
      let ended = false;
      for (;;) {
        const seen = Atomics.load(counter, 0);
        const wasStarted = asked.started;
        drain();
        if (asked.result) break;
        // Ended while asked (worker.terminate(), or a bye): left out, as if it had ended before.
        if (gone(thread)) {
          ended = true;
          break;
        }
        if (asked.started && !wasStarted) deadline = performance.now() + DUMP_WAIT_MS;
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(counter, 0, seen, Math.min(left, LIVENESS_POLL_MS));
      }
      if (!ended) graphs.push(asked.result ?? noAnswer(thread, asked.started, startMs));
    }
  } finally {
    pending = undefined;
  }
  return graphs.length > 0 ? graphs : undefined;
}

/** Handles every message already queued on the channel, synchronously. */
function drain(): void {
  for (let i = 0; i < 10_000 && channel !== undefined; i++) {
    const received = receiveMessageOnPort(channel as unknown as Parameters<typeof receiveMessageOnPort>[0]);
    if (received === undefined) return;
    receive(received.message);
  }
}

/**
 * Every known worker's graph, asked one worker at a time while the program runs; `done` is
 * called once, with `undefined` when no worker runs the register. Never throws.
 */
export function collectThreadGraphs(trigger: DumpTrigger, done: (graphs: ThreadGraph[] | undefined) => void): void {
  const threads = channel === undefined ? [] : knownThreads();
  if (threads.length === 0 || pending !== undefined) {
    done(undefined);
    return;
  }
  const startMs = threadTimeoutMs();
  const graphs: ThreadGraph[] = [];
  const next = (index: number): void => {
    const thread = threads[index];
    if (thread === undefined) {
      pending = undefined;
      done(graphs.length > 0 ? graphs : undefined);
      return;
    }
    if (gone(thread)) {
      next(index + 1);
      return;
    }
    let asked: Pending;
    try {
      asked = ask(thread, trigger);
    } catch (error) {
      graphs.push(unanswered(thread, 'failed', `cannot ask it: ${(error as Error)?.message ?? String(error)}`));
      next(index + 1);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      clearInterval(poll);
      delete asked.onChange;
      // Ended while asked (worker.terminate(), or a bye): left out, as if it had ended before.
      if (asked.result) graphs.push(asked.result);
      else if (!gone(thread)) graphs.push(noAnswer(thread, asked.started, startMs));
      next(index + 1);
    };
    poll = setInterval(() => withIntrinsics(() => gone(thread) && settle()), LIVENESS_POLL_MS);
    poll.unref();
    const arm = (ms: number): void => {
      if (timer !== undefined) clearTimeout(timer);
      // Node's own timers (not the global, which fake timers may replace): a blocked worker must time out.
      timer = setTimeout(() => withIntrinsics(settle), ms);
      timer.unref();
    };
    asked.onChange = () => {
      if (asked.result) settle();
      else if (asked.started) arm(DUMP_WAIT_MS);
    };
    arm(startMs);
  };
  next(0);
}
