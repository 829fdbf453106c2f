/**
 * What a dump says about the program's worker threads (issue 11), split from `model.ts`, which
 * re-exports every type here and adds the graph a thread holds (`ThreadGraph`).
 *
 * @packageDocumentation
 */

/**
 * How a worker thread answered the main thread's request for its graph: `answered` (its graph
 * is there), `no-answer` (nothing within the time allowed: its event loop is blocked, or its
 * dump took too long), `failed` (it tried; `reason` says why).
 */
export const THREAD_STATUSES = ['answered', 'no-answer', 'failed'] as const;
/** How a worker thread answered; see {@link THREAD_STATUSES}. */
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

/**
 * Which worker thread a graph is, and how it was obtained. The graph itself was taken in that
 * thread (its own heap, its own snapshot) by the same pipeline as the main thread's.
 */
export interface ThreadFacts {
  /** The worker's `threadId` (the main thread is 0). */
  threadId: number;
  /** The worker's script (`process.argv[1]` in the worker), as a `file:` URL when it is a file. */
  filename?: string;
  /** Whether the worker answered; see {@link THREAD_STATUSES}. */
  status: ThreadStatus;
  /** Why there is no graph (`no-answer`, `failed`), one line. */
  reason?: string;
  /** How long the worker's own dump paused that worker, in milliseconds. */
  durationMs?: number;
}

/** A node of one thread that waits for another thread (a leaf awaiting a worker's message). */
export interface ThreadEdge {
  /** The waiting node's thread (0: the main thread, whose graph is the dump's own). */
  fromThread: number;
  /** The waiting node, a `worker` leaf, in that thread's graph. */
  fromNode: string;
  /** The thread it waits for: an entry of `Dump.threads`. */
  toThread: number;
}
