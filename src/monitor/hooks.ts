/**
 * `createHook()`: task lifecycle callbacks for APM vendors and tracers, in the spirit of the
 * asyncio monitoring hooks proposed for CPython (task register / enter / leave / unregister)
 * and of trio's instruments. Definitions of task and step: docs/hooks.md.
 *
 * @packageDocumentation
 */
import { HookCallbackError, UsageError } from '../errors.js';
import { subscribe, unsubscribe, type CallbackName, type Consumer, type Task } from './task-tracker.js';

export type { Task } from './task-tracker.js';

/**
 * The callbacks of a monitoring hook. All are optional; one that is not given is never called.
 *
 * A callback runs synchronously inside V8's promise machinery. It must not throw on purpose
 * (a throwing callback is disabled and reported once), must not start, await, resolve or
 * reject promises of the task (promises it creates are not attributed to any task), must not
 * block, and must not enable or disable hooks. Reading `AsyncLocalStorage` stores, counters,
 * clocks and spans is what it is for.
 */
export interface TaskHookCallbacks {
  /** A task ran its first step; called just before `taskEntered` for that step. */
  taskCreated?(task: Task): void;
  /** A step of `task` starts. The task's async context is current (`als.getStore()` works). */
  taskEntered?(task: Task): void;
  /** A step of `task` ends (it suspended or finished). The task's async context is current. */
  taskLeft?(task: Task): void;
  /** `task` finished: its last step ended without a continuation. Called after `taskLeft`. */
  taskSettled?(task: Task): void;
}

/** Options of {@link createHook}. */
export interface TaskHookOptions {
  /**
   * Fill `task.name` and `task.location` (where its first continuation was created: the
   * `await` or the `.then` call). Costs a stack capture (~2–4 µs) for every promise with a
   * parent while the hook is enabled: for development, not production.
   */
  locations?: boolean;
  /**
   * Receives the {@link HookCallbackError} when a callback throws (once per callback; the
   * callback is then disabled). By default it is emitted with `process.emitWarning`.
   */
  onError?(error: HookCallbackError): void;
}

/** A monitoring hook: created disabled. */
export interface TaskHook {
  /** Starts calling the callbacks. Idempotent. Returns the hook. */
  enable(): TaskHook;
  /** Stops calling them. Idempotent. With no hook and no metrics enabled, no promise hook is left. */
  disable(): TaskHook;
  /** Whether the hook is enabled. */
  readonly enabled: boolean;
}

const NAMES: readonly CallbackName[] = ['taskCreated', 'taskEntered', 'taskLeft', 'taskSettled'];

/**
 * Creates a monitoring hook. Nothing is installed until `enable()`; a disabled hook costs
 * nothing. Callbacks are copied at creation.
 *
 * ```js
 * import { createHook } from 'awaitwhat';
 * const hook = createHook({
 *   taskEntered(task) { span = als.getStore(); t0 = performance.now(); },
 *   taskLeft(task) { span?.addEvent('step', { ms: performance.now() - t0 }); },
 * }).enable();
 * ```
 *
 * @param callbacks - any of `taskCreated`, `taskEntered`, `taskLeft`, `taskSettled`
 * @param options - see {@link TaskHookOptions}
 * @throws {@link UsageError} if a callback is given but is not a function
 */
export function createHook(callbacks: TaskHookCallbacks, options: TaskHookOptions = {}): TaskHook {
  if (typeof callbacks !== 'object' || callbacks === null) {
    throw new UsageError('createHook(callbacks): callbacks must be an object');
  }
  const consumer: Consumer = {
    locations: options.locations === true,
    fail(callback, error, task) {
      const wrapped = new HookCallbackError(callback, task.id, { cause: error });
      if (options.onError) options.onError(wrapped);
      else process.emitWarning(wrapped);
    },
  };
  for (const name of NAMES) {
    const fn = callbacks[name];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') throw new UsageError(`createHook(callbacks): ${name} must be a function`);
    // Bound to the callbacks object so that `this` inside a method is what the user passed.
    consumer[name] = fn.bind(callbacks);
  }
  let enabled = false;
  const hook: TaskHook = {
    enable() {
      if (!enabled) {
        enabled = true;
        subscribe(consumer);
      }
      return hook;
    },
    disable() {
      if (enabled) {
        enabled = false;
        unsubscribe(consumer);
      }
      return hook;
    },
    get enabled() {
      return enabled;
    },
  };
  return hook;
}
