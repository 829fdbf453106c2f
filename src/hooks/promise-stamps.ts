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
import { isProxy } from 'node:util/types';
import { coarseNow } from './coarse-clock.js';
import { Carrier } from '../internal/carrier.js';
import { initEntry } from './init-hooks.js';
import { cohortAt, keepStack, type Cohort } from './lost-waits.js';

/**
 * What is attached to a promise. A bare number is the creation time (ms, `performance.now()`);
 * a pending wait's promise holds its {@link Cohort} (whose `t` is that time) until it settles
 * (see `lost-waits.ts`).
 */
export type Stamp = number | StackStamp | Cohort;

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
  /** A pending wait's cohort (see `lost-waits.ts`); cleared when it settles. */
  c?: Cohort | undefined;
  /** The index of this wait's stack in its cohort's record. */
  i?: number;
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

  /**
   * The `settled` hook's part: a wait that settles leaves its cohort's pending count, and its
   * promise stops holding the cohort (a plain time instead), so that only pending waits keep a
   * cohort alive. Hot path.
   */
  static settle(promise: object): void {
    if (!(#awaitwhatStamp in promise)) return;
    // Without creation stacks a stamp is a cohort (pending) or a number (settled).
    const stamp = (promise as StampField).#awaitwhatStamp as number | Cohort;
    if (typeof stamp !== 'object') return;
    stamp.r.n--;
    (promise as StampField).#awaitwhatStamp = stamp.t;
  }

  /** {@link StampField.settle} with creation stacks: the stamp keeps its stack, leaves its cohort. */
  static settleStacked(promise: object): void {
    if (!(#awaitwhatStamp in promise)) return;
    const stamp = (promise as StampField).#awaitwhatStamp as StackStamp;
    if (stamp.c !== undefined) {
      const r = stamp.c.r;
      r.n--;
      r.stacks![stamp.i!] = undefined;
      stamp.c = undefined;
    }
  }

  /** The stamp of `promise`, or `undefined` when it has none. */
  static read(promise: unknown): Stamp | undefined {
    return typeof promise === 'object' && promise !== null && #awaitwhatStamp in promise
      ? (promise as StampField).#awaitwhatStamp
      : undefined;
  }
}

const now = performance.now.bind(performance);
const round = Math.round;

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

/**
 * The `init` hook with lost awaits counted (`AWAITWHAT_LOST_AWAITS=1`): as {@link stampWaits},
 * but a wait's promise holds its cohort until it settles (see `lost-waits.ts`).
 */
export function stampWaitsInCohort(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  if (parent === undefined) return;
  try {
    const cohort = cohortAt(coarseNow());
    StampField.attach(promise, cohort);
    cohort.r.n++;
  } catch {
    // See stampWaits.
  }
}

/** The `settled` hook with lost awaits counted: see {@link StampField.settle}. Never throws. */
export function settleWait(promise: Promise<unknown>): void {
  try {
    StampField.settle(promise);
  } catch {
    // Not reachable with a promise; kept so that the hook can never throw into the program.
  }
}

/** The `settled` hook with creation stacks. Never throws. */
export function settleStackedWait(promise: Promise<unknown>): void {
  try {
    StampField.settleStacked(promise);
  } catch {
    // As above.
  }
}

// Captured at load (the register loads before the program): the program may replace these.
const ErrorIntrinsic = Error;
const captureStackTrace = Error.captureStackTrace;
const getOwn = Reflect.getOwnPropertyDescriptor;
const define = Reflect.defineProperty;
const remove = Reflect.deleteProperty;
const apply = Reflect.apply;
const globalObject = globalThis;

/** V8's `CallSite.prototype.toString`, taken from one capture made with our own formatter. */
const callSiteToString: ((this: unknown) => string) | undefined = (() => {
  let found: ((this: unknown) => string) | undefined;
  withOwnFormatter(ErrorIntrinsic, (_error, frames) => {
    const first = frames[0] as object | undefined;
    if (first) found = (Reflect.getPrototypeOf(first) as { toString(this: unknown): string }).toString;
    return '';
  }, () => {
    const site: { stack?: string } = {};
    captureStackTrace(site);
    void site.stack;
  });
  return found;
})();

/** `Error.prototype.stack`'s form, from V8's structured call sites; runs none of the program's code. */
function formatFrames(_error: unknown, frames: readonly unknown[]): string {
  let text = 'Error';
  if (callSiteToString === undefined) return text;
  for (let i = 0; i < frames.length; i++) text += `\n    at ${apply(callSiteToString, frames[i], [])}`;
  return text;
}

/**
 * Runs `capture` with `formatter` as `target.prepareStackTrace`, restoring what was there on
 * every path. Returns false (without running `capture`) where that cannot be done without
 * running the program's code: an accessor, a non-configurable property, a proxy.
 */
function withOwnFormatter(target: object, formatter: (error: unknown, frames: readonly unknown[]) => string, capture: () => void): boolean {
  if (isProxy(target)) return false;
  const saved = getOwn(target, 'prepareStackTrace');
  if (saved !== undefined && saved.configurable !== true) return false;
  if (!define(target, 'prepareStackTrace', { value: formatter, writable: true, configurable: true, enumerable: false })) return false;
  try {
    capture();
  } finally {
    if (saved !== undefined) define(target, 'prepareStackTrace', saved);
    else remove(target, 'prepareStackTrace');
  }
  return true;
}

/**
 * The object whose `prepareStackTrace` Node consults when a stack is formatted: the current
 * `globalThis.Error` (if the program replaced it with a plain value), else the intrinsic.
 * `undefined` if reading it could run the program's code (an accessor).
 */
function consultedError(): object | undefined {
  const own = getOwn(globalObject, 'Error');
  if (own === undefined) return ErrorIntrinsic;
  if (!('value' in own)) return undefined;
  return typeof own.value === 'function' || (typeof own.value === 'object' && own.value !== null) ? (own.value as object) : ErrorIntrinsic;
}

/**
 * The creation stack of the promise being made, formatted by awaitwhat itself: the program's
 * `Error.prepareStackTrace` (Node calls it to format every stack) is set aside for the moment
 * of the capture, so that stamping a promise never runs the program's code — a formatter that
 * calls `process.exit` ended the host when a dump made a promise.
 */
function creationStack(cut: Function): string {
  const target = consultedError();
  if (target === undefined) return '';
  let stack = '';
  const swapped = withOwnFormatter(target, formatFrames, () => {
    const site: { stack?: string } = {};
    captureStackTrace(site, cut);
    stack = site.stack ?? '';
  });
  // The intrinsic is consulted too when the program's replacement has no formatter of its own.
  return swapped ? stack : '';
}

/**
 * The creation-stacks `init` hook: stamps every promise with its time and stack; a wait (a
 * promise with a parent) also joins its cohort, its stack kept there until it settles.
 */
export function stampWithStack(promise: Promise<unknown>, parent?: Promise<unknown>): void {
  try {
    // Cut at the function V8 called (this one, or the one it shares with the task tracker).
    const stamp: StackStamp = { t: now(), stack: creationStack(initEntry() ?? stampWithStack), c: undefined, i: 0 };
    StampField.attach(promise, stamp);
    if (parent === undefined) return;
    const cohort = cohortAt(round(stamp.t));
    stamp.i = keepStack(cohort, stamp.stack);
    stamp.c = cohort;
    cohort.r.n++;
  } catch {
    // See stampWaits.
  }
}

/** Reads the stamp of a promise (dump time only). */
export const readStamp: (promise: unknown) => Stamp | undefined = StampField.read;

/** The name of the stamp field as a heap snapshot shows the edge to it. */
export const STAMP_FIELD = '#awaitwhatStamp';
