/**
 * Dispatch to the public hooks (`createHook()`): the per-kind callback lists, and calling them
 * without ever letting one fail the program.
 *
 * @internal
 */
import { inTaskContext, trackedByAsyncHooks } from './async-context.js';
import type { Callback, CallbackName, Consumer, TaskRecord, TrackerState } from './state.js';

/**
 * Rebuilds the per-kind lists from the enabled hooks, and what they ask of the tracker
 * (parent stamps, locations, async context, record reuse).
 */
export function rebuildCallbacks(s: TrackerState): void {
  const withFn = (name: CallbackName): Consumer[] => s.consumers.filter((c) => c[name] !== undefined);
  s.createdOwners = withFn('taskCreated');
  s.createdFns = s.createdOwners.map((c) => c.taskCreated as Callback);
  s.enteredOwners = withFn('taskEntered');
  s.enteredFns = s.enteredOwners.map((c) => c.taskEntered as Callback);
  s.leftOwners = withFn('taskLeft');
  s.leftFns = s.leftOwners.map((c) => c.taskLeft as Callback);
  s.settledOwners = withFn('taskSettled');
  s.settledFns = s.settledOwners.map((c) => c.taskSettled as Callback);
  const live = s.consumers.filter(
    (c) => c.taskCreated !== undefined || c.taskEntered !== undefined || c.taskLeft !== undefined || c.taskSettled !== undefined,
  );
  s.liveConsumers = live.length;
  s.recycle = s.liveConsumers === 0;
  s.captureLocations = live.some((c) => c.locations);
  s.stampParents = s.liveConsumers > 0;
  s.needContext = s.enteredFns.length > 0 || s.leftFns.length > 0 || s.metricsConfig?.context !== undefined;
  s.initExtras = s.captureLocations || s.stampParents || s.slowStacks;
}

/**
 * Calls each of `fns` with `task`; with `context`, in the task's async context (taskEntered,
 * taskLeft). A callback that throws is disabled at once and reported once.
 */
export function dispatch(
  s: TrackerState,
  fns: Callback[],
  owners: Consumer[],
  name: CallbackName,
  task: TaskRecord,
  promise: object,
  context: boolean,
): void {
  const was = s.inCallback;
  s.inCallback = true;
  // Only a promise async_hooks tracks can have a store to show (see inTaskContext): one
  // symbol-keyed load, and only for the callbacks with a context guarantee.
  const tracked = context && s.needContext && trackedByAsyncHooks(s, promise);
  for (let i = 0; i < fns.length; i++) {
    const fn = fns[i] as Callback;
    try {
      if (tracked) inTaskContext(s, promise, fn, task, name === 'taskLeft');
      else fn(task);
    } catch (error) {
      const consumer = owners[i] as Consumer;
      // Disabled at once (refresh() rebuilds the lists without it) and reported once.
      if (consumer[name] !== undefined) {
        consumer[name] = undefined;
        try {
          consumer.fail(name, error, task);
        } catch {
          // Reporting must not fail the program either.
        }
        try {
          s.refresh();
        } catch {
          // Nor must rebuilding the lists.
        }
      }
    }
  }
  s.inCallback = was;
}
