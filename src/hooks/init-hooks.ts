/**
 * The one `init` promise hook of this copy of awaitwhat.
 *
 * Two features want V8's `init` event: the register's wait stamps (`promise-stamps.ts`) and the
 * task tracker (`src/monitor/task-tracker.ts`, while a hook or metrics are enabled). Registered
 * separately, they cost far more than the sum of their bodies: with two functions for one event,
 * Node's `node:internal/promise_hooks` dispatches every promise creation through a generic loop
 * that copies the hook list (an array allocation per promise). So both go through here and V8
 * gets exactly one function: the single consumer itself, or one small function calling both.
 *
 * Per copy of awaitwhat (module state): two copies loaded in one process register one function
 * each and pay Node's generic dispatch, which is correct, only slower.
 *
 * @internal
 */
import { promiseHooks } from 'node:v8';

/** V8's `init` promise hook signature. */
export type InitHook = (promise: Promise<unknown>, parent: Promise<unknown> | undefined) => void;

let stampHook: InitHook | undefined;
let trackHook: InitHook | undefined;
/** The function registered with V8 (for `Error.captureStackTrace`'s frame cut-off). */
let registered: InitHook | undefined;
let stop: (() => void) | undefined;

/** Sets (or, with undefined, removes) the wait-stamping hook of the register. */
export function setStampHook(fn: InitHook | undefined): void {
  stampHook = fn;
  update();
}

/** Sets (or, with undefined, removes) the task tracker's init hook. */
export function setTrackHook(fn: InitHook | undefined): void {
  trackHook = fn;
  update();
}

/**
 * The function V8 calls on `init` (one of the hooks, or the function calling both). A stack
 * captured inside a hook passes it to `Error.captureStackTrace` so that no awaitwhat frame is
 * left on top of the program's.
 */
export function initEntry(): InitHook | undefined {
  return registered;
}

function both(stamp: InitHook, track: InitHook): InitHook {
  // Stamping first: the tracker ignores promises its own callbacks create, the register does not.
  return function awaitwhatInit(promise, parent) {
    stamp(promise, parent);
    track(promise, parent);
  };
}

function update(): void {
  const next = stampHook !== undefined && trackHook !== undefined ? both(stampHook, trackHook) : (stampHook ?? trackHook);
  // Synchronous swap: no promise can be created between the two calls.
  stop?.();
  stop = next !== undefined ? (promiseHooks.onInit(next) as () => void) : undefined;
  registered = next;
}
