/**
 * Locks in the wait-for graph: the `held-by` edge from a leaf queued in a lock to the nodes
 * holding that lock (`model.ts` re-exports these; see docs/dump-format.md, `leaf.lock`).
 *
 * @packageDocumentation
 */

/**
 * Edge kinds of the wait-for graph:
 *
 * - `awaits`: a node waits for what it awaits (`awaits` / `awaitedBy` on every node);
 * - `held-by`: a leaf queued in a lock waits for the nodes holding that lock
 *   (`leaf.lock.holders`), so that a lock-order deadlock is a cycle.
 */
export const EDGE_KINDS = ['awaits', 'held-by'] as const;
/** An edge kind of the wait-for graph; see {@link EDGE_KINDS}. */
export type EdgeKind = (typeof EDGE_KINDS)[number];

/**
 * What is known of the lock a leaf is queued in:
 *
 * - `held`: suspended tasks hold it (their frames keep its release function, a permit, a
 *   resource lent by it, or they are its own workers): `holders`;
 * - `leaked`: nothing alive refers to it but module-level variables, its own data and its
 *   waiters: it was taken by code that finished or was collected, and nobody can release it.
 */
export const LOCK_STATES = ['held', 'leaked'] as const;
/** What is known of a lock; see {@link LOCK_STATES}. */
export type LockState = (typeof LOCK_STATES)[number];

/** The lock a `queue` leaf waits in (the edge `held-by`: leaf → each holder). */
export interface LockInfo {
  /** The lock object's class, e.g. `Mutex`, `Semaphore`, `Pool`, `Queue`. */
  object: string;
  state: LockState;
  /** Ids of the nodes holding the lock (empty when `leaked`). */
  holders: string[];
}
