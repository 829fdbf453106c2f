/**
 * What the main thread and the worker threads say to each other on the
 * {@link THREADS_CHANNEL} `BroadcastChannel` (structured clone). Every thread receives every
 * message: each one says which thread it is from or for.
 *
 * A worker says `hello` when its register loads and `bye` when it exits (not after
 * `worker.terminate()`, which runs no exit listener: its `hello` names its operating system
 * thread instead, whose end the main thread reads in `/proc`). For a dump the main thread sends a
 * `request` to one worker at a time; that worker says `started`, then sends its `graph` (or
 * `failed`). After each message a worker adds one to the request's shared counter and wakes
 * it, so that a main thread that cannot run its event loop (the exit dump) can sleep until
 * the next message with `Atomics.wait` and read it with `receiveMessageOnPort`.
 */
import type { ThreadTask } from '../internal/proc.js';
import type { Dump, DumpTrigger } from '../model.js';

export { THREADS_CHANNEL } from '../internal/protocol-strings.js';

/**
 * A worker → everyone: its register is loaded, or it is exiting. `task` is the worker's
 * operating system thread, where `/proc` can name it (Linux): the main thread reads there
 * whether the worker still runs, so that a worker ended by `worker.terminate()` is not asked.
 */
export type PresenceMessage = { type: 'hello'; threadId: number; filename?: string; task?: ThreadTask } | { type: 'bye'; threadId: number };

/** The main thread → one worker: dump yourself. */
export interface ThreadRequest {
  type: 'request';
  /** Tells this request's answers from a late answer to an earlier one. */
  id: string;
  /** The worker asked. */
  threadId: number;
  trigger: DumpTrigger;
  /** An `Int32Array`'s buffer: slot 0 counts the messages the worker sent for this request. */
  signal: SharedArrayBuffer;
}

/** A worker → the main thread: what became of a request. */
export type ThreadAnswer =
  | { type: 'started'; id: string; threadId: number }
  | { type: 'graph'; id: string; threadId: number; dump: Dump }
  | { type: 'failed'; id: string; threadId: number; error: string };

/** Anything on the channel. */
export type ThreadMessage = PresenceMessage | ThreadRequest | ThreadAnswer;

/** Whether a value received on the channel is one of ours at all (other code may use the name). */
export function isThreadMessage(value: unknown): value is ThreadMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, threadId } = value as { type?: unknown; threadId?: unknown };
  return typeof type === 'string' && typeof threadId === 'number';
}

/** Whether `AWAITWHAT_THREADS` turns the worker threads' graphs off (`off`, `0`, `false`, `no`). */
export function threadsOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(0|false|no|off)$/i.test((env.AWAITWHAT_THREADS ?? '').trim());
}
