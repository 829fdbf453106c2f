/**
 * The task tracker's one state object, and the task record.
 *
 * Every piece of the tracker (`src/monitor/tracker/*.ts`) works on the single
 * {@link TrackerState} that `src/monitor/task-tracker.ts` creates: no module of the tracker
 * keeps state of its own, so what a step, a setting or a figure is can be read in one place.
 * Fields are flat (no nested records) because the promise-hook callbacks read them on every
 * step: one property load each.
 *
 * @internal
 */
import type { AsyncResource } from 'node:async_hooks';
import type { SourceLocation } from '../../model.js';
import { Histogram } from '../histogram.js';
import { SlowStepRing } from '../slow-steps.js';

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

/** One hook callback. */
export type Callback = (task: Task) => void;

/** A subscriber: an enabled hook. */
export interface Consumer {
  taskCreated?: Callback | undefined;
  taskEntered?: Callback | undefined;
  taskLeft?: Callback | undefined;
  taskSettled?: Callback | undefined;
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
  /** Time every step instead of a sample (see `SAMPLE_MEAN` in sampling.ts). */
  timeEveryStep: boolean;
}

/** The tracker's record of a task: the {@link Task} hooks see, plus its bookkeeping. */
export class TaskRecord implements Task {
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

/** The running step's last promise event: none yet. */
export const EV_NONE = 0;
/** The running step's last promise event: a promise created with a parent (a continuation if the step ends now). */
export const EV_INIT = 1;
/** The running step's last promise event: a settlement (the task ends if the step ends now). */
export const EV_SETTLED = 2;

/** The promise-hook callbacks of one path (fast or full): installed together. */
export interface StepHooks {
  readonly init: (promise: Promise<unknown>, parent: Promise<unknown> | undefined) => void;
  readonly before: (promise: Promise<unknown>) => void;
  readonly after: (promise: Promise<unknown>) => void;
}

/** Cumulative metrics as {@link TrackerState} holds them, for `metrics.ts` to read. */
export interface MetricsFigures {
  /** Whether metrics are on (every other figure is meaningless while they are off). */
  readonly metricsOn: boolean;
  /** Moves at every enable and disable: interval readers compare it. */
  readonly epoch: number;
  /** When metrics were (last) enabled, precise ms. */
  readonly enabledAt: number;
  readonly tasksCreated: number;
  readonly tasksSettled: number;
  readonly resumptions: number;
  readonly busyNs: number;
  readonly waitingNs: number;
  /** Tasks in the live-task list. */
  readonly liveListed: number;
  /** Tasks dropped from the live-task list (`maxLiveTasks`). */
  readonly evicted: number;
  /** Synchronous time of each completed step, ns: every step counted, timed ones measured. */
  readonly stepHistogram: Histogram;
  /** Time between two steps of a task, ns (coarse clock). */
  readonly waitHistogram: Histogram;
  /** The most recent slow steps. */
  readonly slowRing: SlowStepRing;
}

/**
 * Everything the tracker knows, in one object. Groups: what the consumers asked for (set by
 * `refresh`), the running step, the figures, the live-task list, the promise-hook
 * registration and what async_hooks' ALS needs.
 */
export class TrackerState implements MetricsFigures {
  // ------------------------------------------------------------------ what was asked for
  /** Enabled hooks, in enable order. */
  readonly consumers: Consumer[] = [];
  /**
   * Per callback kind: the functions and their hooks, as parallel arrays (monomorphic calls,
   * no property lookup by name on the hot path).
   */
  createdFns: Callback[] = [];
  createdOwners: Consumer[] = [];
  enteredFns: Callback[] = [];
  enteredOwners: Consumer[] = [];
  leftFns: Callback[] = [];
  leftOwners: Consumer[] = [];
  settledFns: Callback[] = [];
  settledOwners: Consumer[] = [];
  /** Hooks that have at least one callback left: only those need the promise hooks. */
  liveConsumers = 0;
  /** Stamp promises created in a step with the step's task id (parents are wanted). */
  stampParents = false;
  captureLocations = false;
  /** Whether init has more to do than remember the last promise (picks its callback). */
  initExtras = false;
  /** Callbacks (or the metrics context) need the task's async context. */
  needContext = false;
  /** No hook sees task objects: a task ending in its first step may leave its record for reuse. */
  recycle = false;

  metricsConfig: MetricsConfig | undefined = undefined;
  metricsOn = false;
  slowThresholdNs = Infinity;
  slowThresholdMs = Infinity;
  slowStacks = false;
  /** Time every step (`timeEveryStep` or `slowStepStacks`). */
  timeAll = false;

  // ---------------------------------------------------------------------- the running step
  nextId = 0;
  current: TaskRecord | null = null;
  currentPromise: object | null = null;
  /** Metrics epoch the running step started in; -1 when it started with metrics off. */
  stepEpoch = -1;
  /** Whether the running step is timed, and its precise start (ms). */
  stepTimed = false;
  stepStart = 0;
  /** Steps until the next timed one (1: the next step), and how many steps that one stands for. */
  countdown = 1;
  gap = 1;
  /** A record left by a task that ended in its first step (metrics without hooks). */
  spare: TaskRecord | null = null;
  lastInit: object | null = null;
  lastEvent = EV_NONE;
  /** A callback of ours runs: promise events are its own, not the program's. */
  inCallback = false;
  captures = 0;
  capturedFor: object | null = null;
  capturedStack = '';
  /** Steps interrupted by a nested step (a job draining microtasks synchronously). */
  readonly saved: unknown[] = [];
  savedDepth = 0;

  // ---------------------------------------------------------------------------- figures
  epoch = 0;
  enabledAt = 0;
  tasksCreated = 0;
  tasksSettled = 0;
  resumptions = 0;
  busyNs = 0;
  waitingNs = 0;
  liveListed = 0;
  evicted = 0;
  readonly stepHistogram = new Histogram();
  readonly waitHistogram = new Histogram();
  /** Replaced (emptied) by each enable of metrics. */
  slowRing = new SlowStepRing(32);

  // ---------------------------------------------------------------------- live-task list
  liveHead: TaskRecord | null = null;
  liveTail: TaskRecord | null = null;

  // ------------------------------------------------------------------ promise-hook registration
  /** Whether the tracker's promise hooks are registered. */
  registered = false;
  /** The callbacks registered (the fast or the full path), or undefined. */
  installed: StepHooks | undefined = undefined;
  stopSettled: (() => void) | undefined = undefined;
  stopBefore: (() => void) | undefined = undefined;
  stopAfter: (() => void) | undefined = undefined;

  // ---------------------------------------------------------------- async_hooks / ALS
  /** async_hooks' promise id symbols, learnt from an AsyncResource (see async-context.ts). */
  asyncIdSymbol: symbol | undefined = undefined;
  triggerIdSymbol: symbol | undefined = undefined;
  contextCarrier: AsyncResource | undefined = undefined;
  readonly carried: symbol[] = [];

  /**
   * @param refresh - recomputes what the consumers ask for and installs the matching
   *   callbacks; called by dispatch when a failing callback is disabled
   */
  constructor(readonly refresh: () => void) {}
}
