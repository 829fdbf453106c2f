/**
 * The hot path: what the hook layer attaches to promises as they are created.
 *
 * V8 can tell at dump time where every suspended async function is suspended and which
 * promise it awaits (see `src/snapshot/`), so the hook layer pays only for what V8 cannot tell
 * later: *when* a wait began. Costs per promise, measured on Node 20 (docs/benchmarks.md):
 *
 * - the `init` promise hook itself: the floor of any promise-hook layer;
 * - reading a cached clock (`coarse-clock.ts`; `performance.now()` itself, ~40–100 ns, was
 *   most of the layer's cost): paid only for promises that have a parent, i.e. the throwaway
 *   promise V8 makes for every `await` and the promise made by every `.then`, whose creation
 *   time is exactly "waiting since";
 * - one private field on the promise (~10–40 ns, a map transition): a private name rather than
 *   a symbol-keyed property so that the program cannot see it (`util.inspect`,
 *   `Object.getOwnPropertySymbols` and `for…in` ignore it) and so that nothing but the promise
 *   holds the stamp: no side table, no `WeakMap` (~1.2 µs), nothing kept alive.
 *
 * With creation stacks enabled (opt-in, ~4 µs per promise for `Error.captureStackTrace`),
 * every promise gets a stamp with its creation time and stack.
 */
import { coarseNow } from './coarse-clock.js';
import { Carrier } from '../internal/carrier.js';
import { initEntry } from './init-hooks.js';

/** What is attached to a promise. A bare number is the creation time (ms, `performance.now()`). */
export type Stamp = number | StackStamp;

/**
 * A stamp with a creation stack (creation stacks mode). The stack is formatted at once: a
 * dump reads stamps out of a heap snapshot, where a string shows its text but a raw captured
 * stack does not.
 */
export interface StackStamp {
  /** Creation time, ms since `performance.timeOrigin`. */
  t: number;
  /** The formatted creation stack (`Error.prototype.stack` form, first line included). */
  stack: string;
}

/** Installs and reads the private stamp field. */
class StampField extends Carrier {
  #awaitwhatStamp: Stamp;

  private constructor(promise: object, stamp: Stamp) {
    super(promise);
    this.#awaitwhatStamp = stamp;
  }

  /** Attaches `stamp` to `promise` (once per promise: the init hook runs once). */
  static attach(promise: object, stamp: Stamp): void {
    new StampField(promise, stamp);
  }

  /** The stamp of `promise`, or `undefined` when it has none. */
  static read(promise: unknown): Stamp | undefined {
    return typeof promise === 'object' && promise !== null && #awaitwhatStamp in promise
      ? (promise as StampField).#awaitwhatStamp
      : undefined;
  }
}

const now = performance.now.bind(performance);

/**
 * The default `init` hook: stamps awaits and `.then` promises with their creation time.
 * Never throws into the program: a promise hook that throws would surface inside the
 * program's own code.
 */
export function stampWaits(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  if (parent === undefined) return;
  try {
    StampField.attach(promise, coarseNow());
  } catch {
    // Only possible if the promise already carries a stamp (two hook sets); keep the first.
  }
}

/** The creation-stacks `init` hook: stamps every promise with its time and stack. */
export function stampWithStack(promise: Promise<unknown>): void {
  try {
    const site: { stack?: string } = {};
    // Cut at the function V8 called (this one, or the one it shares with the task tracker).
    Error.captureStackTrace(site, initEntry() ?? stampWithStack);
    StampField.attach(promise, { t: now(), stack: site.stack ?? '' });
  } catch {
    // See stampWaits.
  }
}

/** Reads the stamp of a promise (dump time only). */
export const readStamp: (promise: unknown) => Stamp | undefined = StampField.read;

/** The name of the stamp field as a heap snapshot shows the edge to it. */
export const STAMP_FIELD = '#awaitwhatStamp';
