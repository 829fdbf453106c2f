/**
 * The optional metrics section of a dump (docs/metrics.md), split from `model.ts` to keep each
 * file readable; `model.ts` re-exports every type here.
 *
 * @packageDocumentation
 */
import type { SourceLocation } from './model-location.js';

/* ------------------------------------------------------------------------------------------ */
/* Metrics section (optional; see docs/metrics.md). Added without a version bump: a reader    */
/* that does not know it ignores it, and dumps without it stay valid.                         */
/* ------------------------------------------------------------------------------------------ */

/**
 * Summary of a histogram of durations. Every field is in **nanoseconds** except `count`.
 * Percentiles come from log-linear buckets and are within ≈ 3 % of the true sample.
 * `count` is exact. For the task metrics' step and wait histograms, values come from the
 * **timed** steps (a sample unless `enableMetrics({ timeEveryStep: true })`, see
 * docs/metrics.md): `mean` and the percentiles are estimates, `min` / `max` the extremes of the
 * sample; with every step timed, `min`, `max` and `mean` are exact. All fields but `count` are
 * 0 while nothing was measured (all are 0 when `count` is 0).
 */
export interface HistogramSummary {
  /** Number of samples. */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Per-task figures of one live task (see docs/metrics.md for the definitions). */
export interface TaskMetrics {
  /** Task id (process-wide, increasing, never reused); the id hooks see as `task.id`. */
  id: number;
  /** Id of the task whose step created this task; absent when created outside any task step. */
  parentId?: number;
  /** Function name at the task's creation, when locations are captured. */
  name?: string;
  /** Where the task was created, when locations are captured. */
  location?: SourceLocation;
  /** Steps run so far (the first one included). */
  resumptions: number;
  /** Total synchronous time of its steps, ns. */
  busyNs: number;
  /** Total time between the end of one of its steps and the start of the next, ns. */
  waitingNs: number;
  /** Milliseconds since its first step started. */
  ageMs: number;
}

/** A task step that ran longer than the slow-step threshold: it blocked the event loop. */
export interface SlowStep {
  /** The task the step belongs to. */
  taskId: number;
  parentTaskId?: number;
  taskName?: string;
  taskLocation?: SourceLocation;
  /** Synchronous duration of the step, ns. */
  durationNs: number;
  /** When the step started, milliseconds since the Unix epoch. */
  startedAt: number;
  /**
   * The `await` (or `.then` call) that ended the step, i.e. the line the task is at when it
   * yields back to the event loop; present when slow-step stacks are enabled.
   */
  awaitLocation?: SourceLocation;
  /** The stack at that point (`Error.prototype.stack` form), when slow-step stacks are enabled. */
  stack?: string;
  /**
   * What the `context` function given to `enableMetrics()` returned inside the step (with the
   * task's async context current), e.g. `{ traceId, spanId }`. JSON values only.
   */
  context?: unknown;
}

/**
 * The task figures every metrics reading has: cumulative in a dump's {@link DumpMetrics}, over
 * one interval in `metricsIntervals()` readings. Definitions in docs/metrics.md.
 */
export interface TaskFigures {
  /** Tasks that ran their first step. */
  tasksCreated: number;
  /** Tasks that finished (their last step ended without a continuation). */
  tasksSettled: number;
  /** Tasks started and not finished, at the time of the reading (a level, never a delta). */
  tasksLive: number;
  /** Task steps run (every step counts, the first one included). */
  resumptions: number;
  /** Sum of the synchronous time of every step, ns. */
  busyNs: number;
  /** Sum of the waits between a task's steps, ns. */
  waitingNs: number;
  /** Synchronous time of each task step, ns. */
  stepDurationNs: HistogramSummary;
  /** Time from the end of a task's step to the start of its next step, ns. */
  waitDurationNs: HistogramSummary;
  /** Event-loop utilisation over the period, 0 … 1 (`performance.eventLoopUtilization`). */
  eventLoopUtilization: number;
}

/** Cumulative task metrics since `enableMetrics()`; definitions in docs/metrics.md. */
export interface DumpMetrics extends TaskFigures {
  /** Milliseconds since metrics were enabled. */
  sinceMs: number;
  /** Event-loop delay (`perf_hooks.monitorEventLoopDelay`, 10 ms resolution), ns. */
  eventLoopDelayNs: HistogramSummary;
  /** The slow-step threshold, ms. */
  slowStepThresholdMs: number;
  /** Slow steps seen since metrics were enabled. */
  slowStepsTotal: number;
  /** The most recent slow steps, oldest first (bounded ring). */
  slowSteps: SlowStep[];
  /** Live tasks, busiest first (bounded; see `tasksOmitted`). */
  tasks: TaskMetrics[];
  /** Live tasks not listed in `tasks` (over the limit, or beyond the live-task table's capacity). */
  tasksOmitted: number;
}
