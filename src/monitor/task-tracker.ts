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
 * consumer (an enabled hook or metrics) exists; per-promise state is a private field on the
 * promise (no side table, nothing kept alive); nothing is thrown into the program; every
 * structure is bounded. The clock (`performance.now()`, ~40–100 ns) is read twice per step
 * and only while metrics are on.
 *
 * AsyncLocalStorage: Node 20 switches ALS stores in async_hooks' own promise hooks, which run
 * in registration order with ours. A `before` registered before async_hooks' sees the previous
 * store, an `after` registered after it sees the previous store too. The tracker registers
 * `after`, moves async_hooks' hooks behind it, then registers `before`; if a program enables
 * ALS later (async_hooks re-registers at the end), the first misordered step is detected and
 * the callback runs in a scope carrying the task's stores, and `before` is re-registered last.
 *
 * @internal
 */
import { AsyncResource, createHook as createAsyncHook, executionAsyncResource } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import type { SlowStep, SourceLocation } from '../model.js';
import { parseStack } from '../snapshot/stack-frames.js';
import { Histogram } from './histogram.js';
import { SlowStepRing } from './slow-steps.js';
import { Carrier } from '../internal/carrier.js';

/**
 * A task as hooks and metrics see it: a small object, the same one for every event of a task.
 * Figures (`resumptions`, `busyNs`, `waitingNs`) are updated by awaitwhat as the task runs;
 * `busyNs` and `waitingNs` only while metrics are enabled.
 */
export interface Task {
  /** Process-wide id, increasing, never reused. */
  readonly id: number;
  /** Id of the task whose step created this task (its first continuation); undefined when created outside any task step or unknown. */
  readonly parentId: number | undefined;
  /** Name of the function that created the task's first continuation (`locations: true` only). */
  readonly name: string | undefined;
  /** Where that continuation was created: an `await` or a `.then` call (`locations: true` only). */
  readonly location: SourceLocation | undefined;
  /** Steps run so far, the current one included. */
  readonly resumptions: number;
  /** Synchronous time of its steps so far, ns (metrics on). */
  readonly busyNs: number;
  /** Time spent suspended between its steps so far, ns (metrics on). */
  readonly waitingNs: number;
  /** When its first step started, ms since `performance.timeOrigin`. */
  readonly startedAt: number;
}

/** The hook callbacks the tracker calls. */
export type CallbackName = 'taskCreated' | 'taskEntered' | 'taskLeft' | 'taskSettled';

/** A subscriber: an enabled hook. */
export interface Consumer {
  taskCreated?: ((task: Task) => void) | undefined;
  taskEntered?: ((task: Task) => void) | undefined;
  taskLeft?: ((task: Task) => void) | undefined;
  taskSettled?: ((task: Task) => void) | undefined;
  /** Capture a creation location per task (costly: a stack frame per promise with a parent). */
  readonly locations: boolean;
  /** Called once when one of its callbacks throws; the callback is then disabled. */
  fail(callback: CallbackName, error: unknown, task: Task): void;
}

/** Metrics configuration while metrics are on. */
export interface MetricsConfig {
  slowStepThresholdMs: number;
  slowStepStacks: boolean;
  slowStepCapacity: number;
  maxLiveTasks: number;
  context: (() => unknown) | undefined;
}

class TaskRecord implements Task {
  name: string | undefined;
  location: SourceLocation | undefined;
  resumptions = 0;
  busyNs = 0;
  waitingNs = 0;
  startedAt = 0;
  /** When its last step ended (ms), or -1 when not measured. */
  suspendedAt = -1;
  /** Metrics epoch it was created in (-1: created while metrics were off). */
  epoch = -1;
  /** Live-task list links (metrics on). */
  prev: TaskRecord | null = null;
  next: TaskRecord | null = null;
  listed = false;

  constructor(
    readonly id: number,
    readonly parentId: number | undefined,
  ) {}
}

/** Where a not-yet-started task comes from, when locations are captured. */
class Origin {
  constructor(
    readonly parentId: number | undefined,
    readonly name: string | undefined,
    readonly location: SourceLocation | undefined,
  ) {}
}

/**
 * The per-promise state, as a private field: invisible to the program (no symbol, no key),
 * held only by the promise. Values: a {@link TaskRecord} (the promise is that task's
 * continuation), a number (id of the task whose step created it), an {@link Origin}.
 */
class TaskField extends Carrier {
  #awaitwhatTask: unknown;

  private constructor(promise: object, value: unknown) {
    super(promise);
    this.#awaitwhatTask = value;
  }

  static put(promise: object, value: unknown): void {
    if (#awaitwhatTask in promise) (promise as TaskField).#awaitwhatTask = value;
    else new TaskField(promise, value);
  }

  /** For a promise just created (the init hook): it cannot carry the field yet. */
  static attach(promise: object, value: unknown): void {
    new TaskField(promise, value);
  }

  static read(promise: object): unknown {
    return #awaitwhatTask in promise ? (promise as TaskField).#awaitwhatTask : undefined;
  }
}

const now = performance.now.bind(performance);
const EV_NONE = 0;
const EV_INIT = 1;
const EV_SETTLED = 2;
/** Nested reaction jobs (rare: a job running microtasks synchronously) saved at most this deep. */
const MAX_NESTING = 32;
/** Slow-step stack captures per step at most. */
const MAX_CAPTURES_PER_STEP = 8;

/* ------------------------------------------------------------------------------- state */

const consumers: Consumer[] = [];
let createdList: Consumer[] = [];
let enteredList: Consumer[] = [];
let leftList: Consumer[] = [];
let settledList: Consumer[] = [];
/** Stamp promises created in a step with the step's task id (parents are wanted). */
let stampParents = false;
let captureLocations = false;
/** Whether onInit has more to do than remember the last promise. */
let initExtras = false;
/** Callbacks (or the metrics context) need the task's async context. */
let needContext = false;

let metricsConfig: MetricsConfig | undefined;
let metricsOn = false;
let slowThresholdNs = Infinity;
let slowThresholdMs = Infinity;
let slowStacks = false;

let nextId = 0;
let current: TaskRecord | null = null;
let currentPromise: object | null = null;
let stepStart = 0;
let lastInit: object | null = null;
let lastEvent = EV_NONE;
let inCallback = false;
let captures = 0;
let capturedFor: object | null = null;
let capturedStack = '';
const saved: unknown[] = [];
let savedDepth = 0;

/** Cumulative figures since metrics were (last) enabled. */
export const stats = {
  epoch: 0,
  enabledAt: 0,
  tasksCreated: 0,
  tasksSettled: 0,
  resumptions: 0,
  busyNs: 0,
  waitingNs: 0,
  liveListed: 0,
  evicted: 0,
};
/** Synchronous time of each completed step, ns (metrics on). */
export const stepHistogram = new Histogram();
/** Time between two steps of a task, ns (metrics on). */
export const waitHistogram = new Histogram();
/** The most recent slow steps; replaced (emptied) by each `setMetrics(config)`. */
export let slowRing = new SlowStepRing(32);
let liveHead: TaskRecord | null = null;
let liveTail: TaskRecord | null = null;

/* ---------------------------------------------------------------------- registration */

let stopInit: (() => void) | undefined;
let stopSettled: (() => void) | undefined;
let stopBefore: (() => void) | undefined;
let stopAfter: (() => void) | undefined;

/** async_hooks' promise id symbol, learnt from an AsyncResource (see taskContext). */
let asyncIdSymbol: symbol | undefined;
let triggerIdSymbol: symbol | undefined;
let contextCarrier: AsyncResource | undefined;
const carried: symbol[] = [];

function learnAsyncSymbols(): void {
  if (contextCarrier) return;
  contextCarrier = new AsyncResource('awaitwhat.task');
  for (const s of Object.getOwnPropertySymbols(contextCarrier)) {
    if (s.description === 'async_id_symbol') asyncIdSymbol = s;
    else if (s.description === 'trigger_async_id_symbol') triggerIdSymbol = s;
  }
}

/** Whether async_hooks currently tracks promises (ALS in use): a fresh promise gets its id. */
function asyncHooksTrackPromises(): boolean {
  if (asyncIdSymbol === undefined) return false;
  const was = inCallback;
  inCallback = true;
  try {
    const probe = Promise.resolve() as unknown as Record<symbol, unknown>;
    return probe[asyncIdSymbol] !== undefined;
  } finally {
    inCallback = was;
  }
}

/**
 * Moves async_hooks' promise hooks behind ours: enabling any async hook makes Node
 * re-register them at the end. Only done when they are active (an empty hook enabled while
 * they are not would turn them on for good).
 */
function moveAsyncHooksLast(): void {
  if (!asyncHooksTrackPromises()) return;
  const bump = createAsyncHook({});
  bump.enable();
  bump.disable();
}

function register(): void {
  learnAsyncSymbols();
  stopInit = promiseHooks.onInit(onInit) as () => void;
  stopSettled = promiseHooks.onSettled(onSettled) as () => void;
  stopAfter = promiseHooks.onAfter(onAfter) as () => void;
  moveAsyncHooksLast();
  stopBefore = promiseHooks.onBefore(onBefore) as () => void;
}

function unregister(): void {
  for (const stop of [stopInit, stopSettled, stopBefore, stopAfter]) stop?.();
  stopInit = stopSettled = stopBefore = stopAfter = undefined;
  current = null;
  currentPromise = null;
  lastInit = null;
  capturedFor = null;
  savedDepth = 0;
  saved.length = 0;
}

/** Restores the order after, async_hooks, before (called when a misordered step was seen). */
function reorder(afterToo: boolean): void {
  try {
    if (afterToo) {
      stopAfter?.();
      stopAfter = promiseHooks.onAfter(onAfter) as () => void;
      moveAsyncHooksLast();
    }
    stopBefore?.();
    stopBefore = promiseHooks.onBefore(onBefore) as () => void;
  } catch {
    // Never surface in the program; the shim keeps stores right meanwhile.
  }
}

/** Hooks that have at least one callback left: only those need the promise hooks. */
let liveConsumers = 0;

function active(): boolean {
  return liveConsumers > 0 || metricsOn;
}

function refresh(): void {
  const wasActive = stopInit !== undefined;
  createdList = consumers.filter((c) => c.taskCreated !== undefined);
  enteredList = consumers.filter((c) => c.taskEntered !== undefined);
  leftList = consumers.filter((c) => c.taskLeft !== undefined);
  settledList = consumers.filter((c) => c.taskSettled !== undefined);
  const live = consumers.filter(
    (c) => c.taskCreated !== undefined || c.taskEntered !== undefined || c.taskLeft !== undefined || c.taskSettled !== undefined,
  );
  liveConsumers = live.length;
  captureLocations = live.some((c) => c.locations);
  stampParents = liveConsumers > 0;
  needContext = enteredList.length > 0 || leftList.length > 0 || metricsConfig?.context !== undefined;
  initExtras = captureLocations || stampParents || slowStacks;
  const want = active();
  if (want && !wasActive) register();
  else if (!want && wasActive) unregister();
}

/** Adds an enabled hook. Idempotent. */
export function subscribe(consumer: Consumer): void {
  if (consumers.includes(consumer)) return;
  consumers.push(consumer);
  refresh();
}

/** Removes a hook; the promise hooks go when nothing needs them. Idempotent. */
export function unsubscribe(consumer: Consumer): void {
  const i = consumers.indexOf(consumer);
  if (i < 0) return;
  consumers.splice(i, 1);
  refresh();
}

/** Turns metrics on (resetting every figure) or off. */
export function setMetrics(config: MetricsConfig | undefined): void {
  metricsConfig = config;
  metricsOn = config !== undefined;
  if (config) {
    stats.epoch += 1;
    stats.enabledAt = now();
    stats.tasksCreated = stats.tasksSettled = stats.resumptions = 0;
    stats.busyNs = stats.waitingNs = stats.evicted = 0;
    stepHistogram.reset();
    waitHistogram.reset();
    slowRing = new SlowStepRing(config.slowStepCapacity);
    slowThresholdMs = config.slowStepThresholdMs;
    slowThresholdNs = config.slowStepThresholdMs * 1e6;
    slowStacks = config.slowStepStacks;
  } else {
    slowThresholdMs = slowThresholdNs = Infinity;
    slowStacks = false;
  }
  clearLive();
  refresh();
}

/** Whether metrics are being collected. */
export function metricsEnabled(): boolean {
  return metricsOn;
}

/* ------------------------------------------------------------------------ live tasks */

function clearLive(): void {
  for (let t = liveHead; t !== null; ) {
    const next = t.next;
    t.prev = t.next = null;
    t.listed = false;
    t = next;
  }
  liveHead = liveTail = null;
  stats.liveListed = 0;
}

function list(task: TaskRecord): void {
  if (metricsConfig === undefined) return;
  if (stats.liveListed >= metricsConfig.maxLiveTasks && liveHead !== null) {
    // Oldest first: a task that waits longest is the likeliest to have been collected while
    // stuck (it will never finish). It keeps running; it is only no longer listed.
    unlist(liveHead);
    stats.evicted += 1;
  }
  task.listed = true;
  task.prev = liveTail;
  task.next = null;
  if (liveTail !== null) liveTail.next = task;
  else liveHead = task;
  liveTail = task;
  stats.liveListed += 1;
}

function unlist(task: TaskRecord): void {
  if (!task.listed) return;
  if (task.prev !== null) task.prev.next = task.next;
  else liveHead = task.next;
  if (task.next !== null) task.next.prev = task.prev;
  else liveTail = task.prev;
  task.prev = task.next = null;
  task.listed = false;
  stats.liveListed -= 1;
}

/** Visits the listed live tasks (metrics on), oldest first. */
export function forEachLiveTask(visit: (task: Task) => void): void {
  for (let t = liveHead; t !== null; t = t.next) visit(t);
}

/* --------------------------------------------------------------------------- hot path */

function captureStack(limit: number): string {
  const site: { stack?: string } = {};
  const saveLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  try {
    Error.captureStackTrace(site, onInit);
  } finally {
    Error.stackTraceLimit = saveLimit;
  }
  // With several init hooks, Node's dispatcher is the first frame left: not the program's.
  return (site.stack ?? '')
    .split('\n')
    .filter((line) => !line.includes('node:internal/promise_hooks'))
    .join('\n');
}

function topFrame(stack: string): { name: string; location: SourceLocation } | undefined {
  const frame = parseStack(stack)[0];
  if (!frame) return undefined;
  return { name: frame.functionName || '<anonymous>', location: { url: frame.url, line: frame.line, column: frame.column } };
}

function onInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  if (parent === undefined || inCallback) return;
  lastInit = promise;
  lastEvent = EV_INIT;
  if (initExtras) initSlowPath(promise);
}

/** What init does beyond remembering the last promise: only when some consumer asked for it. */
function initSlowPath(promise: Promise<unknown>): void {
  try {
    if (captureLocations) {
      const top = topFrame(captureStack(3));
      TaskField.attach(promise, new Origin(current?.id, top?.name, top?.location));
    } else if (stampParents && current !== null) {
      TaskField.attach(promise, current.id);
    }
    if (slowStacks && current !== null && captures < MAX_CAPTURES_PER_STEP && now() - stepStart > slowThresholdMs) {
      // The step is already slow: remember where it is, in case this promise ends it.
      captures += 1;
      capturedFor = promise;
      capturedStack = captureStack(12);
    }
  } catch {
    // Never throw into the program (a hook error would surface in its code).
  }
}

function onSettled(promise: Promise<unknown>): void {
  // The step's own promise settles at the end of every step (V8 resolves the await's
  // throwaway, the `.then` promise): that says nothing about how the task's code ended.
  if (promise !== currentPromise && !inCallback) lastEvent = EV_SETTLED;
}

function onBefore(promise: Promise<unknown>): void {
  if (inCallback) return;
  if (current !== null) {
    if (savedDepth >= MAX_NESTING) return;
    saved.push(current, currentPromise, stepStart, lastInit, lastEvent, captures, capturedFor, capturedStack);
    savedDepth += 1;
  }
  const value = TaskField.read(promise);
  let task: TaskRecord;
  let created = false;
  if (value instanceof TaskRecord) {
    task = value;
  } else {
    created = true;
    if (value instanceof Origin) {
      task = new TaskRecord(++nextId, value.parentId);
      task.name = value.name;
      task.location = value.location;
    } else {
      task = new TaskRecord(++nextId, typeof value === 'number' ? value : undefined);
    }
  }
  current = task;
  currentPromise = promise;
  lastInit = null;
  lastEvent = EV_NONE;
  captures = 0;
  capturedFor = null;
  task.resumptions += 1;
  if (created) {
    if (metricsOn) {
      task.epoch = stats.epoch;
      stats.tasksCreated += 1;
      list(task);
    }
    if (createdList.length > 0) dispatch(createdList, 'taskCreated', task, promise, false);
  }
  if (enteredList.length > 0) dispatch(enteredList, 'taskEntered', task, promise, true);
  if (metricsOn) {
    // Read after the callbacks: a step's busy time is the program's, not the APM's.
    const t = now();
    stepStart = t;
    if (created) task.startedAt = t; // one clock read per step, also for a task's first
    stats.resumptions += 1;
    if (task.suspendedAt >= 0) {
      const waited = (t - task.suspendedAt) * 1e6;
      task.waitingNs += waited;
      stats.waitingNs += waited;
      waitHistogram.record(waited);
    }
  }
}

function onAfter(promise: Promise<unknown>): void {
  if (promise !== currentPromise || current === null) return; // a step begun before enable()
  const task = current;
  let t = -1;
  let busy = 0;
  if (metricsOn) {
    t = now();
    busy = (t - stepStart) * 1e6;
    task.busyNs += busy;
    stats.busyNs += busy;
    stepHistogram.record(busy);
  }
  const continuation = lastEvent === EV_INIT ? lastInit : null;
  if (leftList.length > 0) dispatch(leftList, 'taskLeft', task, promise, true);
  if (busy > slowThresholdNs) recordSlow(task, busy, t, promise, continuation);
  if (continuation !== null) {
    try {
      TaskField.put(continuation, task);
    } catch {
      // See onInit.
    }
    task.suspendedAt = t;
  } else {
    if (metricsOn && task.epoch === stats.epoch) stats.tasksSettled += 1;
    unlist(task);
    if (settledList.length > 0) dispatch(settledList, 'taskSettled', task, promise, false);
  }
  if (savedDepth > 0) {
    savedDepth -= 1;
    capturedStack = saved.pop() as string;
    capturedFor = saved.pop() as object | null;
    captures = saved.pop() as number;
    lastEvent = saved.pop() as number;
    lastInit = saved.pop() as object | null;
    stepStart = saved.pop() as number;
    currentPromise = saved.pop() as object | null;
    current = saved.pop() as TaskRecord | null;
  } else {
    current = null;
    currentPromise = null;
    lastInit = null;
    capturedFor = null;
  }
}

function recordSlow(task: TaskRecord, busyNs: number, endedAt: number, promise: object, continuation: object | null): void {
  const step: SlowStep = {
    taskId: task.id,
    ...(task.parentId !== undefined ? { parentTaskId: task.parentId } : {}),
    ...(task.name !== undefined ? { taskName: task.name } : {}),
    ...(task.location !== undefined ? { taskLocation: task.location } : {}),
    durationNs: Math.round(busyNs),
    startedAt: Math.round((performance.timeOrigin + endedAt - busyNs / 1e6) * 1000) / 1000,
  };
  if (capturedFor !== null) {
    // The last capture is the await that ended the step when it is the continuation;
    // otherwise it is still the last place the slow step was seen creating a promise.
    if (capturedFor === continuation) {
      const top = topFrame(capturedStack);
      if (top) step.awaitLocation = top.location;
    }
    step.stack = capturedStack;
  }
  const context = metricsConfig?.context;
  if (context !== undefined) {
    const was = inCallback;
    inCallback = true;
    try {
      const value = inTaskContext(promise, context, undefined, true);
      if (value !== undefined) step.context = value;
    } catch {
      // A failing context reader loses the context, not the record.
    } finally {
      inCallback = was;
    }
  }
  slowRing.push(step);
}

/* ------------------------------------------------------------------------- callbacks */

function dispatch(list: Consumer[], name: CallbackName, task: TaskRecord, promise: object, context: boolean): void {
  const was = inCallback;
  inCallback = true;
  // Only a promise async_hooks tracks can have a store to show (see inTaskContext).
  const tracked = context && needContext && asyncIdSymbol !== undefined && (promise as Record<symbol, unknown>)[asyncIdSymbol] !== undefined;
  for (let i = 0; i < list.length; i++) {
    const consumer = list[i] as Consumer;
    const fn = consumer[name];
    if (fn === undefined) continue;
    try {
      if (tracked) inTaskContext(promise, fn, task, name === 'taskLeft');
      else fn(task);
    } catch (error) {
      consumer[name] = undefined;
      try {
        consumer.fail(name, error, task);
        refresh();
      } catch {
        // Reporting must not fail the program either.
      }
    }
  }
  inCallback = was;
}

/**
 * Runs `fn(arg)` with the task's async context current. Normally it already is (see the
 * module comment); when async_hooks' hooks are on the wrong side of ours, the stores are
 * copied from the promise (where Node's ALS keeps them) onto an AsyncResource and `fn` runs
 * in its scope, and the hooks are put back in order for the next steps.
 */
function inTaskContext<A, R>(promise: object, fn: (arg: A) => R, arg: A, afterPhase: boolean): R {
  // Cheapest test first: a promise async_hooks does not track has no ALS store to show.
  const holder = promise as Record<symbol, unknown>;
  if (asyncIdSymbol === undefined || holder[asyncIdSymbol] === undefined || contextCarrier === undefined) return fn(arg);
  if (executionAsyncResource() === promise) return fn(arg);
  // async_hooks tracks this promise, yet its context is not current: misordered.
  reorder(afterPhase);
  const carrier = contextCarrier as unknown as Record<symbol, unknown>;
  for (const key of carried) delete carrier[key];
  carried.length = 0;
  for (const key of Object.getOwnPropertySymbols(promise)) {
    if (key === asyncIdSymbol || key === triggerIdSymbol) continue;
    carrier[key] = holder[key];
    carried.push(key);
  }
  return contextCarrier.runInAsyncScope(fn, undefined, arg);
}
