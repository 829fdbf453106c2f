/**
 * The task tracker: V8 promise hooks turned into tasks and steps.
 *
 * Definitions (docs/hooks.md says the same for users, and test/monitor-*.test.ts checks them):
 *
 * - A **step** is one promise reaction job: the synchronous run between V8's `before(p)` and
 *   `after(p)` promise hooks — an async function resuming after an `await`, a `.then` /
 *   `.catch` / `.finally` callback, a combinator's element callback, the job that adopts a
 *   returned promise.
 * - A **task** is a chain of steps in which each step continues where the previous one
 *   suspended. A step that ends by creating a promise with a parent (V8's throwaway promise for
 *   an `await`, or a `.then` promise) as the *last* promise event before `after()` suspended at
 *   that promise: when the promise's reaction runs, that step belongs to the same task. A step
 *   whose last promise event is a settlement (the async function returned or threw) — or that
 *   created nothing after — ends its task. A step whose promise carries no task starts a new
 *   task: the task is **created** at its first step.
 * - The first synchronous run of an async function (before its first `await`) is part of its
 *   caller's step; its first `await` creates a promise during the caller's step, stamped with
 *   the caller's task id, which becomes the new task's `parentId`.
 *
 * Hot-path rules (see docs/how-it-works.md): the promise hooks are registered only while a
 * consumer (an enabled hook or metrics) exists; the `init` hook is this copy's single one,
 * shared with the register's wait stamps (`src/hooks/init-hooks.ts`: two init hooks would put
 * every promise through Node's generic dispatch loop); per-promise state is a private field on
 * the promise (no side table, nothing kept alive); nothing is thrown into the program; every
 * structure is bounded.
 *
 * Costs per step, metrics on (docs/metrics.md#cost): the precise clock (`performance.now()`,
 * ~40–115 ns a read) is read only for **timed** steps — about 1 step in 64
 * (`tracker/sampling.ts`), every step after a long one, or every step with `timeEveryStep` /
 * `slowStepStacks` — plus once at the start of the step that follows a timed suspension (a
 * precise wait); a task's
 * start uses the coarse clock (`src/hooks/coarse-clock.ts`: a cached value). With metrics and
 * no hook, a task that ends in its first step allocates nothing (its record is reused), and
 * the fast path's callbacks are the ones registered: nothing but the counters, and no test per
 * event of what is enabled (`tracker/step-hooks.ts`).
 *
 * AsyncLocalStorage: the task's own stores are current inside `taskEntered` / `taskLeft`
 * whatever order ALS and the tracker were enabled in (`tracker/async-context.ts`).
 *
 * The pieces, each in `src/monitor/tracker/`, all working on the one {@link TrackerState} this
 * module creates (no module-level state anywhere else in the tracker):
 *
 * - `state.ts`: the state object, the task record, the public types;
 * - `step-hooks.ts`: the promise-hook callbacks, a fast path (metrics only) and a full one;
 * - `sampling.ts`: which steps are timed, and what timed steps and waits add up to;
 * - `live-tasks.ts`: the bounded list of live tasks (per-task figures);
 * - `dispatch.ts`: the public hooks' callback lists and calls;
 * - `async-context.ts`: ALS ordering and the task's async context in callbacks;
 * - `slow-step-capture.ts`: slow-step records and creation stacks;
 * - `task-field.ts`: the private field each promise carries.
 *
 * This module connects them: what the consumers (hooks, metrics) ask for decides, once per
 * change, whether the promise hooks are registered and which path's callbacks are.
 *
 * @internal
 */
import { promiseHooks } from 'node:v8';
import { startClock, stopClock } from '../hooks/coarse-clock.js';
import { setTrackHook } from '../hooks/init-hooks.js';
import { learnAsyncSymbols, placeStepHooks, removeStepHooks } from './tracker/async-context.js';
import { rebuildCallbacks } from './tracker/dispatch.js';
import { clearLive, forEachListed } from './tracker/live-tasks.js';
import { now } from './tracker/sampling.js';
import { SlowStepRing } from './slow-steps.js';
import { TrackerState, type Consumer, type MetricsConfig, type MetricsFigures, type StepHooks, type Task } from './tracker/state.js';
import { createStepHooks } from './tracker/step-hooks.js';

export type { CallbackName, Consumer, MetricsConfig, MetricsFigures, Task } from './tracker/state.js';

/** The tracker of this copy of awaitwhat: one state, one set of callbacks bound to it. */
const state = new TrackerState(refresh);
const hooks = createStepHooks(state);

/** The path the consumers need now: the fast one for metrics with nothing else per step. */
function wantedPath(s: TrackerState): StepHooks {
  return s.metricsOn && s.liveConsumers === 0 && !s.initExtras ? hooks.fast : hooks.full;
}

/**
 * Registers the promise hooks with the callbacks of `path`, or swaps the registered ones for
 * them. Registration order: init (shared, see init-hooks.ts), settled, then after and before
 * around async_hooks' (see tracker/async-context.ts).
 */
function install(s: TrackerState, path: StepHooks): void {
  if (s.registered && s.installed === path) return;
  const first = !s.registered;
  if (first) learnAsyncSymbols(s);
  s.registered = true;
  // This copy's single init hook, shared with the register's stamps (see init-hooks.ts).
  setTrackHook(path.init);
  if (first) s.stopSettled = promiseHooks.onSettled(hooks.settled) as () => void;
  s.installed = path;
  placeStepHooks(s, path);
}

function uninstall(s: TrackerState): void {
  setTrackHook(undefined);
  s.stopSettled?.();
  s.stopSettled = undefined;
  removeStepHooks(s);
  s.installed = undefined;
  s.registered = false;
  s.current = null;
  s.currentPromise = null;
  s.lastInit = null;
  s.capturedFor = null;
  s.spare = null;
  s.savedDepth = 0;
  s.saved.length = 0;
}

/**
 * Recomputes what the consumers ask for, then registers, swaps or removes the promise hooks:
 * the only place that decides which callbacks V8 calls.
 */
function refresh(): void {
  rebuildCallbacks(state);
  if (state.liveConsumers > 0 || state.metricsOn) install(state, wantedPath(state));
  else if (state.registered) uninstall(state);
}

/** Adds an enabled hook. Idempotent. */
export function subscribe(consumer: Consumer): void {
  if (state.consumers.includes(consumer)) return;
  state.consumers.push(consumer);
  refresh();
}

/** Removes a hook; the promise hooks go when nothing needs them. Idempotent. */
export function unsubscribe(consumer: Consumer): void {
  const i = state.consumers.indexOf(consumer);
  if (i < 0) return;
  state.consumers.splice(i, 1);
  refresh();
}

/** Turns metrics on (resetting every figure) or off. */
export function setMetrics(config: MetricsConfig | undefined): void {
  const s = state;
  const wasOn = s.metricsOn;
  s.metricsConfig = config;
  s.metricsOn = config !== undefined;
  // The coarse clock's background refresh (an unref'd timer) runs while metrics are on.
  if (s.metricsOn && !wasOn) startClock();
  else if (!s.metricsOn && wasOn) stopClock();
  s.epoch += 1; // steps under way are no longer counted (see the after callbacks)
  if (config) {
    s.enabledAt = now();
    s.tasksCreated = s.tasksSettled = s.resumptions = 0;
    s.busyNs = s.waitingNs = s.evicted = 0;
    s.stepHistogram.reset();
    s.waitHistogram.reset();
    s.slowRing = new SlowStepRing(config.slowStepCapacity);
    s.slowThresholdMs = config.slowStepThresholdMs;
    s.slowThresholdNs = config.slowStepThresholdMs * 1e6;
    s.slowStacks = config.slowStepStacks;
    // Slow-step stacks compare the clock with the step's start: every step must be timed.
    s.timeAll = config.timeEveryStep || config.slowStepStacks;
  } else {
    s.slowThresholdMs = s.slowThresholdNs = Infinity;
    s.slowStacks = false;
    s.timeAll = false;
  }
  s.countdown = s.gap = 1; // the first step is timed
  s.capturedFor = null;
  clearLive(s);
  refresh();
}

/** Whether metrics are being collected. */
export function metricsEnabled(): boolean {
  return state.metricsOn;
}

/** The cumulative figures, read-only (metrics.ts reads them; only the tracker writes them). */
export function metricsFigures(): MetricsFigures {
  return state;
}

/** Visits the listed live tasks (metrics on), oldest first. */
export function forEachLiveTask(visit: (task: Task) => void): void {
  forEachListed(state, visit);
}
