/**
 * Waits found collected while pending (issue 11, "lost awaits"), split from `model.ts`, which
 * re-exports every type here.
 *
 * @packageDocumentation
 */
import type { SourceLocation, StackFrame } from './model-location.js';

/**
 * Waits the hook layer saw begin and then found garbage-collected while still pending: an
 * async function abandoned at an `await` (or a `.then` callback that can never run) because the
 * promise it awaited became unreachable, resolve and reject included. Such chains are gone
 * from the heap, so they are not in `nodes`. Added without a version bump: optional, present
 * when at least one was found (in-process and SIGUSR2 dumps of a process with the register).
 */
export interface LostAwaits {
  /** How many waits were found lost since the hook layer started. */
  count: number;
  /** The longest of them, longest wait first (at most 20 entries), grouped as {@link LostAwait} says. */
  longest: LostAwait[];
}

/** What a lost wait was, when creation stacks tell: an `await`, or a `.then` callback. */
export const LOST_AWAIT_KINDS = ['await', 'then'] as const;

/**
 * One group of lost waits: begun in the same millisecond and found collected together (and,
 * with creation stacks, created at the same stack).
 */
export interface LostAwait {
  /** How many waits the group holds. */
  count: number;
  /** How long they had waited when they were found collected, ms. */
  waitedMs: number;
  /** How long before the dump they were found collected, ms (0: by the dump's own GC). */
  lostAgoMs: number;
  /** `await` or `.then` (`then`), when creation stacks tell. */
  kind?: (typeof LOST_AWAIT_KINDS)[number];
  /** Where it waited: the `await` (or the `.then` call), from the creation stack. */
  awaitLocation?: SourceLocation;
  /** The creation stack of the wait's promise, top frame first (creation stacks only). */
  creationStack?: StackFrame[];
}
