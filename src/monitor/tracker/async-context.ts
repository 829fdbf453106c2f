/**
 * AsyncLocalStorage and the tracker: the order of the promise hooks, and the task's async
 * context inside callbacks.
 *
 * Node 20 switches ALS stores in async_hooks' own promise hooks, which run in registration
 * order with ours. A `before` registered before async_hooks' sees the previous store, an
 * `after` registered after it sees the previous store too. {@link placeStepHooks} therefore
 * registers `after`, moves async_hooks' hooks behind it, then registers `before`; if a program
 * enables ALS later (async_hooks re-registers at the end), the first misordered step is
 * detected by {@link inTaskContext}, which runs the callback in a scope carrying the task's
 * stores and puts the hooks back in order for the next steps.
 *
 * @internal
 */
import { AsyncResource, createHook as createAsyncHook, executionAsyncResource } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import type { StepHooks, TrackerState } from './state.js';

/** Learns async_hooks' promise id symbols from an AsyncResource (once). */
export function learnAsyncSymbols(s: TrackerState): void {
  if (s.contextCarrier) return;
  s.contextCarrier = new AsyncResource('awaitwhat.task');
  for (const symbol of Object.getOwnPropertySymbols(s.contextCarrier)) {
    if (symbol.description === 'async_id_symbol') s.asyncIdSymbol = symbol;
    else if (symbol.description === 'trigger_async_id_symbol') s.triggerIdSymbol = symbol;
  }
}

/** Whether async_hooks currently tracks promises (ALS in use): a fresh promise gets its id. */
function asyncHooksTrackPromises(s: TrackerState): boolean {
  if (s.asyncIdSymbol === undefined) return false;
  const was = s.inCallback;
  s.inCallback = true;
  try {
    const probe = Promise.resolve() as unknown as Record<symbol, unknown>;
    return probe[s.asyncIdSymbol] !== undefined;
  } finally {
    s.inCallback = was;
  }
}

/**
 * Moves async_hooks' promise hooks behind ours: enabling any async hook makes Node
 * re-register them at the end. Only done when they are active (an empty hook enabled while
 * they are not would turn them on for good).
 */
function moveAsyncHooksLast(s: TrackerState): void {
  if (!asyncHooksTrackPromises(s)) return;
  const bump = createAsyncHook({});
  bump.enable();
  bump.disable();
}

/**
 * Registers `hooks.before` and `hooks.after` in the order ALS needs (after, async_hooks',
 * before), replacing the pair registered before if any. Used both to install a path (fast or
 * full) and to swap one for the other.
 */
export function placeStepHooks(s: TrackerState, hooks: StepHooks): void {
  s.stopAfter?.();
  s.stopAfter = promiseHooks.onAfter(hooks.after) as () => void;
  moveAsyncHooksLast(s);
  s.stopBefore?.();
  s.stopBefore = promiseHooks.onBefore(hooks.before) as () => void;
}

/** Removes the `before` / `after` pair. */
export function removeStepHooks(s: TrackerState): void {
  s.stopBefore?.();
  s.stopAfter?.();
  s.stopBefore = s.stopAfter = undefined;
}

/** Restores the order after, async_hooks, before (called when a misordered step was seen). */
function reorder(s: TrackerState, afterToo: boolean): void {
  const hooks = s.installed;
  if (hooks === undefined) return;
  try {
    if (afterToo) {
      placeStepHooks(s, hooks);
    } else {
      s.stopBefore?.();
      s.stopBefore = promiseHooks.onBefore(hooks.before) as () => void;
    }
  } catch {
    // Never surface in the program; the shim keeps stores right meanwhile.
  }
}

/** Whether async_hooks tracks `promise` (only then can it have a store to show): one load. */
export function trackedByAsyncHooks(s: TrackerState, promise: object): boolean {
  return s.asyncIdSymbol !== undefined && (promise as Record<symbol, unknown>)[s.asyncIdSymbol] !== undefined;
}

/**
 * Runs `fn(arg)` with the task's async context current. Normally it already is (see the
 * module comment); when async_hooks' hooks are on the wrong side of ours, the stores are
 * copied from the promise (where Node's ALS keeps them) onto an AsyncResource and `fn` runs
 * in its scope, and the hooks are put back in order for the next steps.
 */
export function inTaskContext<A, R>(s: TrackerState, promise: object, fn: (arg: A) => R, arg: A, afterPhase: boolean): R {
  // Cheapest test first: a promise async_hooks does not track has no ALS store to show.
  const holder = promise as Record<symbol, unknown>;
  const carrierResource = s.contextCarrier;
  if (!trackedByAsyncHooks(s, promise) || carrierResource === undefined) return fn(arg);
  if (executionAsyncResource() === promise) return fn(arg);
  // async_hooks tracks this promise, yet its context is not current: misordered.
  reorder(s, afterPhase);
  const carrier = carrierResource as unknown as Record<symbol, unknown>;
  for (const key of s.carried) delete carrier[key];
  s.carried.length = 0;
  for (const key of Object.getOwnPropertySymbols(promise)) {
    if (key === s.asyncIdSymbol || key === s.triggerIdSymbol) continue;
    carrier[key] = holder[key];
    s.carried.push(key);
  }
  return carrierResource.runInAsyncScope(fn, undefined, arg);
}
