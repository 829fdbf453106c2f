/**
 * Task metrics without callbacks: counts, step and wait histograms, event-loop delay and
 * utilisation, slow steps, per-task figures. Every metric is defined in docs/metrics.md.
 *
 * @packageDocumentation
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram, type EventLoopUtilization } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import type { DumpMetrics, HistogramSummary, TaskFigures, TaskMetrics } from '../model.js';
import { Histogram } from './histogram.js';
import { forEachLiveTask, metricsEnabled, metricsFigures, setMetrics, type Task } from './task-tracker.js';

/** Options of {@link enableMetrics}. */
export interface MetricsOptions {
  /**
   * A **timed** step whose synchronous time exceeds this is recorded as a slow step. Default
   * 100 ms. By default steps are sampled (see `timeEveryStep`): a slow step right after a timed
   * step of 10 µs or more is always caught, one among short steps with a probability of about
   * 1 in 64 (a slow step that recurs is caught soon). `timeEveryStep` or `slowStepStacks`
   * catch every one.
   */
  slowStepThresholdMs?: number;
  /**
   * Time every step (two `performance.now()` reads, ~80–230 ns, per step) instead of a sample:
   * exact busy time, waits, histograms and slow-step detection. Default false: about 1 step in
   * 64 is timed (the gap between two timed steps is drawn uniformly from 33 to 95 steps),
   * every step after a timed step of 10 µs or more too, and each timed step stands for the
   * steps of its gap — `busyNs`, `waitingNs` and the histograms' values (not their `count`,
   * always exact) are estimates.
   */
  timeEveryStep?: boolean;
  /**
   * Record where a slow step was when it yielded (the `await` that ended it) and its stack.
   * Times every step (as `timeEveryStep`) and costs one clock read per promise created inside
   * a task step, plus a stack capture for (at most 8) promises created after the threshold was
   * crossed. Default false.
   */
  slowStepStacks?: boolean;
  /** Slow steps kept (the most recent; older ones are only counted). Default 32. */
  slowStepCapacity?: number;
  /**
   * Called at the end of each slow step, with the task's async context current, to say which
   * request / span it was: e.g. `() => trace.getActiveSpan()?.spanContext()`. Its result is
   * stored as the slow step's `context` (keep it small and JSON-serializable: dumps include it).
   */
  context?: () => unknown;
  /**
   * Live tasks listed for per-task figures at most (the oldest are dropped from the list
   * beyond that; they keep being counted). Default 100 000 (~100 bytes each).
   */
  maxLiveTasks?: number;
}

/** Options of {@link metrics}. */
export interface MetricsReadOptions {
  /** How many live tasks to list in `tasks`, busiest first. Default 50; 0 for none. */
  tasks?: number;
}

/** What {@link metrics} returns: the dump's metrics section plus whether metrics are on. */
export interface MetricsSnapshot extends DumpMetrics {
  /** False when metrics are off (every figure is then 0). */
  enabled: boolean;
}

/**
 * Figures over one interval (see {@link metricsIntervals}); same definitions, over the interval
 * only (`tasksLive` at its end). The histograms' `min` and `max` are bucket bounds (≈ 3 %).
 */
export interface IntervalMetrics extends TaskFigures {
  /** Length of the interval, ms. */
  durationMs: number;
  /** Slow steps in the interval. */
  slowSteps: number;
}

/** An interval reader: each `next()` returns the figures since the previous one (or since it was created). */
export interface MetricsIntervals {
  next(): IntervalMetrics;
}

let delay: IntervalHistogram | undefined;
let eluBase: EventLoopUtilization | undefined;
let thresholdMs = 100;

function positive(value: unknown, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`enableMetrics(): ${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}`);
  }
  return value;
}

/**
 * Starts collecting metrics (and resets them if they were on). Registers the tracker's promise
 * hooks (if no hook did already; its `init` hook is shared with the register's), Node's
 * event-loop delay monitor and the coarse clock's refresh (unref'd timers: they never keep the
 * process alive). Steps are timed by sampling unless `timeEveryStep` (see docs/metrics.md).
 *
 * @throws {@link UsageError} on an invalid option
 */
export function enableMetrics(options: MetricsOptions = {}): void {
  if (options.context !== undefined && typeof options.context !== 'function') {
    throw new UsageError('enableMetrics(): context must be a function');
  }
  if (options.timeEveryStep !== undefined && typeof options.timeEveryStep !== 'boolean') {
    throw new UsageError('enableMetrics(): timeEveryStep must be a boolean');
  }
  thresholdMs = positive(options.slowStepThresholdMs, 'slowStepThresholdMs', 100, false);
  setMetrics({
    slowStepThresholdMs: thresholdMs,
    slowStepStacks: options.slowStepStacks === true,
    slowStepCapacity: positive(options.slowStepCapacity, 'slowStepCapacity', 32, true),
    maxLiveTasks: positive(options.maxLiveTasks, 'maxLiveTasks', 100_000, true),
    context: options.context,
    timeEveryStep: options.timeEveryStep === true,
  });
  delay?.disable();
  // 10 ms resolution: a libuv timer that does not keep the process alive.
  delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  eluBase = performance.eventLoopUtilization();
}

/** Stops collecting; figures read afterwards are zeros. Idempotent. */
export function disableMetrics(): void {
  if (!metricsEnabled()) return;
  setMetrics(undefined);
  delay?.disable();
  delay = undefined;
  eluBase = undefined;
}

function delaySummary(): HistogramSummary {
  if (!delay || delay.count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    count: delay.count,
    min: delay.min,
    mean: Math.round(delay.mean),
    p50: delay.percentile(50),
    p95: delay.percentile(95),
    p99: delay.percentile(99),
    max: delay.max,
  };
}

function taskFigures(task: Task, at: number): TaskMetrics {
  return {
    id: task.id,
    ...(task.parentId !== undefined ? { parentId: task.parentId } : {}),
    ...(task.name !== undefined ? { name: task.name } : {}),
    ...(task.location !== undefined ? { location: task.location } : {}),
    resumptions: task.resumptions,
    busyNs: Math.round(task.busyNs),
    waitingNs: Math.round(task.waitingNs),
    ageMs: Math.round((at - task.startedAt) * 1000) / 1000,
  };
}

/** The `limit` busiest listed live tasks (one pass, a small sorted buffer). */
function busiest(limit: number, at: number): TaskMetrics[] {
  if (limit <= 0) return [];
  const top: Task[] = [];
  forEachLiveTask((task) => {
    if (top.length === limit && (top[limit - 1] as Task).busyNs >= task.busyNs) return;
    let i = top.length === limit ? limit - 1 : top.length;
    if (top.length === limit) top.pop();
    while (i > 0 && (top[i - 1] as Task).busyNs < task.busyNs) i -= 1;
    top.splice(i, 0, task);
  });
  return top.map((t) => taskFigures(t, at));
}

/**
 * Cumulative metrics since {@link enableMetrics}. Synchronous and cheap (no heap walk): safe
 * to call from a scrape endpoint. Definitions and units: docs/metrics.md.
 */
export function metrics(options: MetricsReadOptions = {}): MetricsSnapshot {
  const on = metricsEnabled();
  const stats = metricsFigures();
  const at = performance.now();
  const live = stats.tasksCreated - stats.tasksSettled;
  const limit = options.tasks ?? 50;
  return {
    enabled: on,
    sinceMs: on ? Math.round((at - stats.enabledAt) * 1000) / 1000 : 0,
    tasksCreated: on ? stats.tasksCreated : 0,
    tasksSettled: on ? stats.tasksSettled : 0,
    tasksLive: on ? live : 0,
    resumptions: on ? stats.resumptions : 0,
    busyNs: on ? Math.round(stats.busyNs) : 0,
    waitingNs: on ? Math.round(stats.waitingNs) : 0,
    stepDurationNs: on ? stats.stepHistogram.summary() : new Histogram().summary(),
    waitDurationNs: on ? stats.waitHistogram.summary() : new Histogram().summary(),
    eventLoopDelayNs: delaySummary(),
    eventLoopUtilization: eluBase ? performance.eventLoopUtilization(eluBase).utilization : 0,
    slowStepThresholdMs: on ? thresholdMs : 0,
    slowStepsTotal: on ? stats.slowRing.total : 0,
    slowSteps: on ? stats.slowRing.list() : [],
    tasks: on ? busiest(limit, at) : [],
    tasksOmitted: on ? Math.max(0, live - Math.min(limit, stats.liveListed)) : 0,
  };
}

/** The metrics section of a dump, or undefined when metrics are off. */
export function dumpMetrics(): DumpMetrics | undefined {
  if (!metricsEnabled()) return undefined;
  const { enabled: _enabled, ...section } = metrics();
  // A context value that does not survive JSON would make the dump unwritable: drop it.
  section.slowSteps = section.slowSteps.map((step) => {
    if (step.context === undefined) return step;
    try {
      const text = JSON.stringify(step.context);
      if (text !== undefined && text.length <= 4096) return { ...step, context: JSON.parse(text) as unknown };
    } catch {
      // fall through
    }
    const { context: _context, ...rest } = step;
    return rest;
  });
  return section;
}

/**
 * Interval metrics, as tokio-metrics' `intervals()`: each `next()` returns what happened since
 * the previous `next()` (the first one: since this call). Readers are independent. Counts
 * restart if metrics are re-enabled in between.
 */
export function metricsIntervals(): MetricsIntervals {
  let from = capture();
  return {
    next(): IntervalMetrics {
      const to = capture();
      const sameEpoch = to.epoch === from.epoch;
      const base = sameEpoch ? from : emptyCapture(to.epoch);
      const result: IntervalMetrics = {
        durationMs: Math.round((to.at - from.at) * 1000) / 1000,
        tasksCreated: to.created - base.created,
        tasksSettled: to.settled - base.settled,
        tasksLive: to.created - to.settled,
        resumptions: to.resumptions - base.resumptions,
        busyNs: Math.round(to.busyNs - base.busyNs),
        waitingNs: Math.round(to.waitingNs - base.waitingNs),
        stepDurationNs: to.steps.since(base.steps).summary(),
        waitDurationNs: to.waits.since(base.waits).summary(),
        eventLoopUtilization: performance.eventLoopUtilization(to.elu, from.elu).utilization,
        slowSteps: to.slow - base.slow,
      };
      from = to;
      return result;
    },
  };
}

interface Capture {
  epoch: number;
  at: number;
  created: number;
  settled: number;
  resumptions: number;
  busyNs: number;
  waitingNs: number;
  slow: number;
  steps: Histogram;
  waits: Histogram;
  elu: EventLoopUtilization;
}

function capture(): Capture {
  const on = metricsEnabled();
  const stats = metricsFigures();
  return {
    epoch: on ? stats.epoch : -1,
    at: performance.now(),
    created: on ? stats.tasksCreated : 0,
    settled: on ? stats.tasksSettled : 0,
    resumptions: on ? stats.resumptions : 0,
    busyNs: on ? stats.busyNs : 0,
    waitingNs: on ? stats.waitingNs : 0,
    slow: on ? stats.slowRing.total : 0,
    steps: on ? stats.stepHistogram.clone() : new Histogram(),
    waits: on ? stats.waitHistogram.clone() : new Histogram(),
    elu: performance.eventLoopUtilization(),
  };
}

function emptyCapture(epoch: number): Capture {
  return { ...capture(), epoch, created: 0, settled: 0, resumptions: 0, busyNs: 0, waitingNs: 0, slow: 0, steps: new Histogram(), waits: new Histogram() };
}
