/**
 * Step sampling (metrics on): which steps read the precise clock, and what a timed step and
 * a timed wait add to the figures.
 *
 * `performance.now()` costs ~40–115 ns a read, more than the rest of a step's bookkeeping, so
 * with `timeEveryStep` off only about 1 step in {@link SAMPLE_MEAN} is timed, plus every step
 * after a long one; each timed step stands for the steps of its gap. A wait is measured when
 * the step that began it was timed (one read at the start of the next step).
 *
 * @internal
 */
import { offerTime } from '../../hooks/coarse-clock.js';
import type { TaskRecord, TrackerState } from './state.js';

/**
 * The number of steps from one timed step to the next is drawn uniformly from SAMPLE_MIN …
 * SAMPLE_MIN + SAMPLE_SPAN − 1, so on average 1 step in {@link SAMPLE_MEAN} is timed, and code
 * that repeats a fixed pattern of steps is not always timed at the same step.
 */
export const SAMPLE_MIN = 33;
/** See {@link SAMPLE_MIN}. */
export const SAMPLE_SPAN = 63;
/** Mean gap between two timed steps: 64 (33 … 95). */
export const SAMPLE_MEAN = SAMPLE_MIN + (SAMPLE_SPAN - 1) / 2;
/**
 * A timed step at least this long (ns) has the next step timed too: two clock reads are then
 * under 1 % of a step, and runs of long steps (where slow steps are) are timed step by step.
 */
export const LONG_STEP_NS = 10_000;

/** The precise clock (ms since `performance.timeOrigin`). */
export const now = performance.now.bind(performance);

/** Off the hot path: a timed step starts. */
export function startTimed(s: TrackerState, task: TaskRecord): void {
  const t = now();
  s.stepTimed = true;
  s.stepStart = t;
  if (task.suspendedAt >= 0) recordWait(s, task, t);
}

/** The wait that ends now (`t`), measured because the step that began it was timed. */
export function recordWait(s: TrackerState, task: TaskRecord, t: number): void {
  if (task.epoch === s.epoch) {
    const waited = (t - task.suspendedAt) * 1e6;
    const estimate = waited * task.waitWeight;
    task.waitingNs += estimate;
    s.waitingNs += estimate;
    s.waitHistogram.add(waited, task.waitWeight);
  }
  task.suspendedAt = -1;
}

/** Off the hot path: a timed step ended, `busy` ns long (`t`: its end, precise ms). */
export function endTimed(s: TrackerState, task: TaskRecord, busy: number, t: number): void {
  // This step stands for the `gap` steps since the previous timed one (sampling).
  const estimate = busy * s.gap;
  task.busyNs += estimate;
  s.busyNs += estimate;
  s.stepHistogram.add(busy, s.gap);
  offerTime(t); // keeps the coarse clock fresh for free
}

/** The gap to the next timed step (after one of `busy` ns): 1 after a long step, else random. */
export function nextGap(s: TrackerState, busy: number): number {
  return s.timeAll || busy >= LONG_STEP_NS ? 1 : SAMPLE_MIN + Math.floor(Math.random() * SAMPLE_SPAN);
}
