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
 * ~40–115 ns a read) is read only for **timed** steps — about 1 step in {@link SAMPLE_MEAN},
 * every step after a long one, or every step with `timeEveryStep` / `slowStepStacks` — plus
 * once at the start of the step that follows a timed suspension (a precise wait); a task's
 * start uses the coarse clock (`src/hooks/coarse-clock.ts`: a cached value). With metrics and
 * no hook, a task that ends in its first step allocates nothing (its record is reused), and
 * onBefore / onAfter take a lean path with nothing but the counters.
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
import { parseStack } from '../internal/stack-frames.js';
import { coarseNow, offerTime, startClock, stopClock } from '../hooks/coarse-clock.js';
import { initEntry, setTrackHook } from '../hooks/init-hooks.js';
import { Histogram } from './histogram.js';
import { SlowStepRing } from './slow-steps.js';
import { Carrier } from '../internal/carrier.js';

/**
 * A task as hooks and metrics see it: a small object, the same one for every event of a task.
 * Figures (`resumptions`, `busyNs`, `waitingNs`) are updated by awaitwhat as the task runs;
 * `busyNs` and `waitingNs` only while metrics are enabled (estimated from timed steps: see
 * docs/metrics.md).
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
  /** Synchronous time of its steps so far, ns (metrics on; estimated from its timed steps). */
  readonly busyNs: number;
  /** Time spent suspended between its steps so far, ns (metrics on; coarse clock). */
  readonly waitingNs: number;
  /** When its first step started, ms since `performance.timeOrigin` (metrics on; coarse clock). */
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
  /** Time every step instead of a sample (see {@link SAMPLE_MEAN}). */
  timeEveryStep: boolean;
}

class TaskRecord implements Task {
  name: string | undefined = undefined;
  location: SourceLocation | undefined = undefined;
  resumptions = 0;
  busyNs = 0;
  waitingNs = 0;
  startedAt = 0;
  /**
   * When its last step ended (precise ms) if that step was timed, else -1. Set, the next step
   * reads the clock once at its start: a precise wait, standing for `waitWeight` waits.
   */
  suspendedAt = -1;
  waitWeight = 0;
  /** Metrics epoch it was created in (-1: created while metrics were off). */
  epoch = -1;
  /**
   * Its creation was counted in `epoch` and its settlement not yet: only such a task is counted
   * settled, once. A task can end more than once: the promise it continues from may start two
   * steps (its reaction job and, when that job returned a thenable, the job that adopts it —
   * Node's `fs/promises` `handleFdClose`, used by the ESM loader, does this), and each branch
   * then ends on its own; counting each end made `tasksLive` negative.
   */
  open = false;
  /** Live-task list links (metrics on). */
  prev: TaskRecord | null = null;
  next: TaskRecord | null = null;
  listed = false;
  /** Created while no hook could see it: may be reused if it ends in its first step. */
  reusable = false;

  constructor(
    public id: number,
    public parentId: number | undefined,
  ) {}

  /** Makes a spare record a fresh task (same fields as the constructor and initialisers). */
  reuse(id: number, parentId: number | undefined): void {
    this.id = id;
    this.parentId = parentId;
    this.resumptions = 0;
    this.busyNs = 0;
    this.waitingNs = 0;
    this.startedAt = 0;
    this.suspendedAt = -1;
    this.waitWeight = 0;
    this.epoch = -1;
    this.open = false;
  }
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

/**
 * Step sampling (metrics on, `timeEveryStep` off): the number of steps from one timed step to
 * the next is drawn uniformly from SAMPLE_MIN … SAMPLE_MIN + SAMPLE_SPAN − 1, so on average 1
 * step in {@link SAMPLE_MEAN} is timed, and code that repeats a fixed pattern of steps is not
 * always timed at the same step. Each timed step stands for the steps of its gap.
 */
export const SAMPLE_MIN = 33;
export const SAMPLE_SPAN = 63;
/** Mean gap between two timed steps: 64 (33 … 95). */
export const SAMPLE_MEAN = SAMPLE_MIN + (SAMPLE_SPAN - 1) / 2;
/**
 * A timed step at least this long (ns) has the next step timed too: two clock reads are then
 * under 1 % of a step, and runs of long steps (where slow steps are) are timed step by step.
 */
export const LONG_STEP_NS = 10_000;

/* ------------------------------------------------------------------------------- state */

type Callback = (task: Task) => void;

const consumers: Consumer[] = [];
// Per callback kind: the functions and their hooks, as parallel arrays (monomorphic calls, no
// property lookup by name on the hot path).
let createdFns: Callback[] = [];
let createdOwners: Consumer[] = [];
let enteredFns: Callback[] = [];
let enteredOwners: Consumer[] = [];
let leftFns: Callback[] = [];
let leftOwners: Consumer[] = [];
let settledFns: Callback[] = [];
let settledOwners: Consumer[] = [];
/** Stamp promises created in a step with the step's task id (parents are wanted). */
let stampParents = false;
let captureLocations = false;
/** Whether onInit has more to do than remember the last promise. */
let initExtras = false;
/** Callbacks (or the metrics context) need the task's async context. */
let needContext = false;
/** No hook sees task objects: a task ending in its first step may leave its record for reuse. */
let recycle = false;
/**
 * Metrics on and nothing else to do per step (no hook callback, no slow-step stacks, no
 * parent or location stamps): onBefore / onAfter take their lean path.
 */
let lean = false;

let metricsConfig: MetricsConfig | undefined;
let metricsOn = false;
let slowThresholdNs = Infinity;
let slowThresholdMs = Infinity;
let slowStacks = false;
/** Time every step (`timeEveryStep` or `slowStepStacks`). */
let timeAll = false;

let nextId = 0;
let current: TaskRecord | null = null;
let currentPromise: object | null = null;
/** Metrics epoch the running step started in; -1 when it started with metrics off. */
let stepEpoch = -1;
/** Whether the running step is timed, and its precise start (ms). */
let stepTimed = false;
let stepStart = 0;
/** Steps until the next timed one (1: the next step), and how many steps that one stands for. */
let countdown = 1;
let gap = 1;
/** A record left by a task that ended in its first step (metrics without hooks). */
let spare: TaskRecord | null = null;
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
/** Synchronous time of each completed step, ns (metrics on): every step counted, timed ones measured. */
export const stepHistogram = new Histogram();
/** Time between two steps of a task, ns (metrics on; coarse clock). */
export const waitHistogram = new Histogram();
/** The most recent slow steps; replaced (emptied) by each `setMetrics(config)`. */
export let slowRing = new SlowStepRing(32);
let liveHead: TaskRecord | null = null;
let liveTail: TaskRecord | null = null;

/* ---------------------------------------------------------------------- registration */

let registered = false;
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
  registered = true;
  // This copy's single init hook, shared with the register's stamps (see init-hooks.ts).
  setTrackHook(onInit);
  stopSettled = promiseHooks.onSettled(onSettled) as () => void;
  stopAfter = promiseHooks.onAfter(onAfter) as () => void;
  moveAsyncHooksLast();
  stopBefore = promiseHooks.onBefore(onBefore) as () => void;
}

function unregister(): void {
  setTrackHook(undefined);
  for (const stop of [stopSettled, stopBefore, stopAfter]) stop?.();
  stopSettled = stopBefore = stopAfter = undefined;
  registered = false;
  current = null;
  currentPromise = null;
  lastInit = null;
  capturedFor = null;
  spare = null;
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
  const wasActive = registered;
  const withFn = (name: CallbackName): Consumer[] => consumers.filter((c) => c[name] !== undefined);
  createdOwners = withFn('taskCreated');
  createdFns = createdOwners.map((c) => c.taskCreated as Callback);
  enteredOwners = withFn('taskEntered');
  enteredFns = enteredOwners.map((c) => c.taskEntered as Callback);
  leftOwners = withFn('taskLeft');
  leftFns = leftOwners.map((c) => c.taskLeft as Callback);
  settledOwners = withFn('taskSettled');
  settledFns = settledOwners.map((c) => c.taskSettled as Callback);
  const live = consumers.filter(
    (c) => c.taskCreated !== undefined || c.taskEntered !== undefined || c.taskLeft !== undefined || c.taskSettled !== undefined,
  );
  liveConsumers = live.length;
  recycle = liveConsumers === 0;
  captureLocations = live.some((c) => c.locations);
  stampParents = liveConsumers > 0;
  needContext = enteredFns.length > 0 || leftFns.length > 0 || metricsConfig?.context !== undefined;
  initExtras = captureLocations || stampParents || slowStacks;
  lean = metricsOn && liveConsumers === 0 && !initExtras;
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
  const wasOn = metricsOn;
  metricsConfig = config;
  metricsOn = config !== undefined;
  // The coarse clock's background refresh (an unref'd 10 ms timer) runs while metrics are on.
  if (metricsOn && !wasOn) startClock();
  else if (!metricsOn && wasOn) stopClock();
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
    // Slow-step stacks compare the clock with the step's start: every step must be timed.
    timeAll = config.timeEveryStep || config.slowStepStacks;
  } else {
    stats.epoch += 1; // steps under way are no longer counted (see onAfter)
    slowThresholdMs = slowThresholdNs = Infinity;
    slowStacks = false;
    timeAll = false;
  }
  countdown = gap = 1; // the first step is timed
  capturedFor = null;
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
    // Cut at the function V8 called: onInit, or the init hook it shares with the register.
    Error.captureStackTrace(site, initEntry() ?? onInit);
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
  // Only promises with a parent (awaits, `.then`) can be a continuation; two stores remember it.
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
      // Hooks want task.parentId: one private field per promise created in a step.
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

function newTask(value: unknown): TaskRecord {
  const id = ++nextId;
  if (value instanceof Origin) {
    const task = new TaskRecord(id, value.parentId);
    task.name = value.name;
    task.location = value.location;
    return task;
  }
  const parentId = typeof value === 'number' ? value : undefined;
  if (!recycle) return new TaskRecord(id, parentId);
  // No hook sees task objects: reuse the record of a task that ended in its first step (most
  // tasks: every `.then` callback, most small async functions) instead of allocating one.
  let task = spare;
  if (task !== null) {
    spare = null;
    task.reuse(id, parentId);
  } else {
    task = new TaskRecord(id, parentId);
    task.reusable = true;
  }
  return task;
}

function save(): void {
  saved.push(current, currentPromise, stepEpoch, stepTimed, stepStart, lastInit, lastEvent, captures, capturedFor, capturedStack);
  savedDepth += 1;
}

function restore(): void {
  savedDepth -= 1;
  capturedStack = saved.pop() as string;
  capturedFor = saved.pop() as object | null;
  captures = saved.pop() as number;
  lastEvent = saved.pop() as number;
  lastInit = saved.pop() as object | null;
  stepStart = saved.pop() as number;
  stepTimed = saved.pop() as boolean;
  stepEpoch = saved.pop() as number;
  currentPromise = saved.pop() as object | null;
  current = saved.pop() as TaskRecord | null;
}

function onBefore(promise: Promise<unknown>): void {
  if (lean && current === null) {
    // The lean path (metrics only, not nested): the full path below, minus what is off.
    // One private-field read: the task this promise continues, or nothing (a new task).
    const value = TaskField.read(promise);
    let task: TaskRecord;
    if (value instanceof TaskRecord) {
      task = value;
      if (task.epoch === stats.epoch) waitHistogram.count += 1; // measured if its suspension was timed
    } else {
      task = newTask(value); // reuses the record of a task that ended in its first step
      task.epoch = stats.epoch;
      task.open = true;
      task.startedAt = coarseNow(); // a cached value (src/hooks/coarse-clock.ts)
      stats.tasksCreated += 1;
    }
    current = task;
    currentPromise = promise;
    lastInit = null;
    lastEvent = EV_NONE;
    task.resumptions += 1;
    stats.resumptions += 1;
    stepEpoch = stats.epoch;
    // Sampled timing: the precise clock (~40–115 ns a read) for 1 step in SAMPLE_MEAN only.
    stepTimed = false;
    if (--countdown === 0) startTimed(task);
    else if (task.suspendedAt >= 0) recordWait(task, now()); // its previous step was timed
    return;
  }
  if (inCallback) return; // a reaction of a promise our own callbacks made
  if (current !== null) {
    // A step inside a step (a job draining microtasks synchronously): rare, so an array.
    if (savedDepth >= MAX_NESTING) return;
    save();
  }
  // One private-field read: the task this promise continues, or what init stamped on it.
  const value = TaskField.read(promise);
  let task: TaskRecord;
  let created = false;
  if (value instanceof TaskRecord) {
    task = value;
  } else {
    created = true;
    task = newTask(value);
  }
  current = task;
  currentPromise = promise;
  lastInit = null;
  lastEvent = EV_NONE;
  if (slowStacks) {
    captures = 0;
    capturedFor = null;
  }
  task.resumptions += 1;
  if (metricsOn) {
    // Counters only: no clock read unless the step is timed (below).
    stepEpoch = stats.epoch;
    stats.resumptions += 1;
    if (created) {
      task.epoch = stepEpoch;
      task.open = true;
      task.startedAt = coarseNow(); // a cached value (src/hooks/coarse-clock.ts)
      stats.tasksCreated += 1;
    } else if (task.epoch === stepEpoch) {
      waitHistogram.count += 1; // every wait counted; measured when its suspension was timed
    }
  } else {
    stepEpoch = -1;
  }
  if (created && createdFns.length > 0) dispatch(createdFns, createdOwners, 'taskCreated', task, promise, false);
  if (enteredFns.length > 0) dispatch(enteredFns, enteredOwners, 'taskEntered', task, promise, true);
  // Clock reads after the callbacks: a step's busy time is the program's, not the APM's.
  stepTimed = false;
  if (stepEpoch >= 0) {
    // Sampled timing: the precise clock (~40–115 ns a read) for 1 step in SAMPLE_MEAN only.
    if (--countdown === 0) startTimed(task);
    else if (task.suspendedAt >= 0) recordWait(task, now()); // its previous step was timed
  }
}

/** Off the hot path: a timed step starts. */
function startTimed(task: TaskRecord): void {
  const t = now();
  stepTimed = true;
  stepStart = t;
  if (task.suspendedAt >= 0) recordWait(task, t);
}

/** The wait that ends now (`t`), measured because the step that began it was timed. */
function recordWait(task: TaskRecord, t: number): void {
  if (task.epoch === stats.epoch) {
    const waited = (t - task.suspendedAt) * 1e6;
    const estimate = waited * task.waitWeight;
    task.waitingNs += estimate;
    stats.waitingNs += estimate;
    waitHistogram.add(waited, task.waitWeight);
  }
  task.suspendedAt = -1;
}

/** Off the hot path: a timed step ended, `busy` ns long (`t`: its end, precise ms). */
function endTimed(task: TaskRecord, busy: number, t: number): void {
  // This step stands for the `gap` steps since the previous timed one (sampling).
  const estimate = busy * gap;
  task.busyNs += estimate;
  stats.busyNs += estimate;
  stepHistogram.add(busy, gap);
  offerTime(t); // keeps the coarse clock fresh for free
}

function putQuietly(promise: object, task: TaskRecord): void {
  try {
    TaskField.put(promise, task);
  } catch {
    // See onInit.
  }
}

/** A timed step ends on the lean path: measures it, and leaves its end for the task's wait. */
function endLeanTimed(task: TaskRecord, promise: object, continuation: object | null): void {
  const t = now();
  const busy = (t - stepStart) * 1e6;
  const weight = gap;
  endTimed(task, busy, t);
  countdown = gap = nextGap(busy);
  if (continuation !== null) {
    task.suspendedAt = t;
    task.waitWeight = weight;
  }
  if (busy > slowThresholdNs) recordSlow(task, busy, t, promise, continuation);
}

/** The gap to the next timed step (after one of `busy` ns): 1 after a long step, else random. */
function nextGap(busy: number): number {
  return timeAll || busy >= LONG_STEP_NS ? 1 : SAMPLE_MIN + Math.floor(Math.random() * SAMPLE_SPAN);
}

function onAfter(promise: Promise<unknown>): void {
  if (promise !== currentPromise || current === null) return; // a step begun before enable()
  if (lean && savedDepth === 0 && stepEpoch === stats.epoch) {
    // The lean path (see onBefore).
    const task = current;
    const continuation = lastEvent === EV_INIT ? lastInit : null;
    current = null;
    currentPromise = null;
    lastInit = null;
    stepHistogram.count += 1; // every step counted; measured when timed
    if (stepTimed) endLeanTimed(task, promise, continuation);
    if (continuation !== null) {
      try {
        // One private-field write: the continuation resumes this task. It was created in
        // this step and nothing stamps promises on this path: no field to test for.
        TaskField.attach(continuation, task);
      } catch {
        putQuietly(continuation, task); // stamped after all (a hook disabled inside the step)
      }
      // Listed for per-task figures from its first suspension.
      if (task.resumptions === 1 && task.epoch === stats.epoch) list(task);
    } else {
      if (task.open && task.epoch === stats.epoch) settle(task);
      if (task.listed) unlist(task);
      // Ended in its first step: no promise holds it, no hook saw it; its record serves again.
      if (task.reusable && task.resumptions === 1) spare = task;
    }
    return;
  }
  const task = current;
  let t = -1;
  let busy = 0;
  let weight = 0;
  // Not for a step begun before enableMetrics() or disableMetrics() (each moves the epoch).
  if (stepEpoch === stats.epoch) {
    stepHistogram.count += 1; // every step counted; measured when timed
    if (stepTimed) {
      t = now();
      busy = (t - stepStart) * 1e6;
      weight = gap;
      endTimed(task, busy, t);
      countdown = gap = nextGap(busy);
    }
  }
  const continuation = lastEvent === EV_INIT ? lastInit : null;
  if (leftFns.length > 0) dispatch(leftFns, leftOwners, 'taskLeft', task, promise, true);
  if (busy > slowThresholdNs) recordSlow(task, busy, t, promise, continuation);
  if (continuation !== null) {
    try {
      // One private-field write: the continuation resumes this task.
      TaskField.put(continuation, task);
    } catch {
      // See onInit.
    }
    // A timed step leaves its end time: the task's next step measures the wait (one read).
    task.suspendedAt = t;
    task.waitWeight = weight;
    // Listed for per-task figures from its first suspension (a task ending in its first
    // step is never listed: no list operations for it).
    if (task.resumptions === 1 && task.epoch === stats.epoch) list(task);
  } else {
    if (task.open && task.epoch === stats.epoch && metricsOn) settle(task);
    if (task.listed) unlist(task);
    if (settledFns.length > 0) dispatch(settledFns, settledOwners, 'taskSettled', task, promise, false);
    // Ended in its first step: no promise holds it, no hook saw it; its record serves again.
    if (task.reusable && task.resumptions === 1 && recycle) spare = task;
  }
  if (savedDepth > 0) {
    restore();
  } else {
    current = null;
    currentPromise = null;
    lastInit = null;
  }
}

/** Counts the end of a task whose creation was counted; a second end of it is not counted. */
function settle(task: TaskRecord): void {
  task.open = false;
  stats.tasksSettled += 1;
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

function dispatch(fns: Callback[], owners: Consumer[], name: CallbackName, task: TaskRecord, promise: object, context: boolean): void {
  const was = inCallback;
  inCallback = true;
  // Only a promise async_hooks tracks can have a store to show (see inTaskContext): one
  // symbol-keyed load, and only for the callbacks with a context guarantee.
  const tracked = context && needContext && asyncIdSymbol !== undefined && (promise as Record<symbol, unknown>)[asyncIdSymbol] !== undefined;
  for (let i = 0; i < fns.length; i++) {
    const fn = fns[i] as Callback;
    try {
      if (tracked) inTaskContext(promise, fn, task, name === 'taskLeft');
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
          refresh();
        } catch {
          // Nor must rebuilding the lists.
        }
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
