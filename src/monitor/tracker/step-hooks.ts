/**
 * The promise-hook callbacks: V8's `init`, `settled`, `before` and `after` events turned into
 * tasks and steps (definitions: the comment of `src/monitor/task-tracker.ts`, docs/hooks.md).
 *
 * Two paths, chosen when hooks or metrics change, never per event (as Node's own
 * `promise_hooks.js` registers a single hook directly and a list through a loop):
 *
 * - the **fast** path: metrics on and nothing else to do per step (no hook callback, no
 *   slow-step stacks, no parent or location stamps): counters, sampled timing and the
 *   continuation's field, nothing more;
 * - the **full** path: everything, for any combination of hooks and metrics.
 *
 * A fast callback hands over to the full one for the events its path does not cover: a nested
 * step (a job draining microtasks synchronously), a step begun before metrics were enabled or
 * disabled. The paths share every piece of state, so a step may begin on one and end on the
 * other when the paths are swapped inside it.
 *
 * @internal
 */
import { coarseNow } from '../../hooks/coarse-clock.js';
import { list, unlist } from './live-tasks.js';
import { endTimed, nextGap, now, recordWait, startTimed } from './sampling.js';
import { captureIfSlow, captureStack, recordSlow, topFrame } from './slow-step-capture.js';
import { dispatch } from './dispatch.js';
import { EV_INIT, EV_NONE, EV_SETTLED, TaskRecord, type StepHooks, type TrackerState } from './state.js';
import { Origin, TaskField, putQuietly } from './task-field.js';

/** Nested reaction jobs (rare: a job running microtasks synchronously) saved at most this deep. */
const MAX_NESTING = 32;

/** The callbacks of both paths, and the `settled` callback they share. */
export interface TrackerHooks {
  readonly fast: StepHooks;
  readonly full: StepHooks;
  readonly settled: (promise: Promise<unknown>) => void;
}

/** Creates the callbacks, bound to the tracker's state. */
export function createStepHooks(s: TrackerState): TrackerHooks {
  /** Remembers the last promise with a parent: the continuation if the step ends now. */
  function initFast(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
    // Only promises with a parent (awaits, `.then`) can be a continuation; two stores remember it.
    if (parent === undefined || s.inCallback) return;
    s.lastInit = promise;
    s.lastEvent = EV_INIT;
  }

  /** The same, plus what consumers asked for: parent stamps, locations, slow-step stacks. */
  function initFull(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
    if (parent === undefined || s.inCallback) return;
    s.lastInit = promise;
    s.lastEvent = EV_INIT;
    try {
      const current = s.current;
      if (s.captureLocations) {
        const top = topFrame(captureStack(s, 3));
        TaskField.attach(promise, new Origin(current?.id, top?.name, top?.location));
      } else if (s.stampParents && current !== null) {
        // Hooks want task.parentId: one private field per promise created in a step.
        TaskField.attach(promise, current.id);
      }
      // The step may already be slow: remember where it is, in case this promise ends it.
      if (s.slowStacks && current !== null) captureIfSlow(s, promise);
    } catch {
      // Never throw into the program (a hook error would surface in its code).
    }
  }

  function settled(promise: Promise<unknown>): void {
    // The step's own promise settles at the end of every step (V8 resolves the await's
    // throwaway, the `.then` promise): that says nothing about how the task's code ended.
    if (promise !== s.currentPromise && !s.inCallback) s.lastEvent = EV_SETTLED;
  }

  function newTask(value: unknown): TaskRecord {
    const id = ++s.nextId;
    if (value instanceof Origin) {
      const task = new TaskRecord(id, value.parentId);
      task.name = value.name;
      task.location = value.location;
      return task;
    }
    const parentId = typeof value === 'number' ? value : undefined;
    if (!s.recycle) return new TaskRecord(id, parentId);
    // No hook sees task objects: reuse the record of a task that ended in its first step (most
    // tasks: every `.then` callback, most small async functions) instead of allocating one.
    let task = s.spare;
    if (task !== null) {
      s.spare = null;
      task.reuse(id, parentId);
    } else {
      task = new TaskRecord(id, parentId);
      task.reusable = true;
    }
    return task;
  }

  function save(): void {
    s.saved.push(s.current, s.currentPromise, s.stepEpoch, s.stepTimed, s.stepStart, s.lastInit, s.lastEvent, s.captures, s.capturedFor, s.capturedStack);
    s.savedDepth += 1;
  }

  function restore(): void {
    const saved = s.saved;
    s.savedDepth -= 1;
    s.capturedStack = saved.pop() as string;
    s.capturedFor = saved.pop() as object | null;
    s.captures = saved.pop() as number;
    s.lastEvent = saved.pop() as number;
    s.lastInit = saved.pop() as object | null;
    s.stepStart = saved.pop() as number;
    s.stepTimed = saved.pop() as boolean;
    s.stepEpoch = saved.pop() as number;
    s.currentPromise = saved.pop() as object | null;
    s.current = saved.pop() as TaskRecord | null;
  }

  function beforeFast(promise: Promise<unknown>): void {
    if (s.current !== null) return beforeFull(promise); // nested: the full path saves the outer step
    // One private-field read: the task this promise continues, or nothing (a new task).
    const value = TaskField.read(promise);
    let task: TaskRecord;
    if (value instanceof TaskRecord) {
      task = value;
      if (task.epoch === s.epoch) s.waitHistogram.count += 1; // measured if its suspension was timed
    } else {
      task = newTask(value); // reuses the record of a task that ended in its first step
      task.epoch = s.epoch;
      task.open = true;
      task.startedAt = coarseNow(); // a cached value (src/hooks/coarse-clock.ts)
      s.tasksCreated += 1;
    }
    s.current = task;
    s.currentPromise = promise;
    s.lastInit = null;
    s.lastEvent = EV_NONE;
    task.resumptions += 1;
    s.resumptions += 1;
    s.stepEpoch = s.epoch;
    // Sampled timing: the precise clock (~40–115 ns a read) for 1 step in SAMPLE_MEAN only.
    s.stepTimed = false;
    if (--s.countdown === 0) startTimed(s, task);
    else if (task.suspendedAt >= 0) recordWait(s, task, now()); // its previous step was timed
  }

  function beforeFull(promise: Promise<unknown>): void {
    if (s.inCallback) return; // a reaction of a promise our own callbacks made
    if (s.current !== null) {
      // A step inside a step (a job draining microtasks synchronously): rare, so an array.
      if (s.savedDepth >= MAX_NESTING) return;
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
    s.current = task;
    s.currentPromise = promise;
    s.lastInit = null;
    s.lastEvent = EV_NONE;
    if (s.slowStacks) {
      s.captures = 0;
      s.capturedFor = null;
    }
    task.resumptions += 1;
    if (s.metricsOn) {
      // Counters only: no clock read unless the step is timed (below).
      s.stepEpoch = s.epoch;
      s.resumptions += 1;
      if (created) {
        task.epoch = s.stepEpoch;
        task.open = true;
        task.startedAt = coarseNow(); // a cached value (src/hooks/coarse-clock.ts)
        s.tasksCreated += 1;
      } else if (task.epoch === s.stepEpoch) {
        s.waitHistogram.count += 1; // every wait counted; measured when its suspension was timed
      }
    } else {
      s.stepEpoch = -1;
    }
    if (created && s.createdFns.length > 0) dispatch(s, s.createdFns, s.createdOwners, 'taskCreated', task, promise, false);
    if (s.enteredFns.length > 0) dispatch(s, s.enteredFns, s.enteredOwners, 'taskEntered', task, promise, true);
    // Clock reads after the callbacks: a step's busy time is the program's, not the APM's.
    s.stepTimed = false;
    if (s.stepEpoch >= 0) {
      // Sampled timing: the precise clock (~40–115 ns a read) for 1 step in SAMPLE_MEAN only.
      if (--s.countdown === 0) startTimed(s, task);
      else if (task.suspendedAt >= 0) recordWait(s, task, now()); // its previous step was timed
    }
  }

  /** A timed step ends on the fast path: measures it, and leaves its end for the task's wait. */
  function endFastTimed(task: TaskRecord, promise: object, continuation: object | null): void {
    const t = now();
    const busy = (t - s.stepStart) * 1e6;
    const weight = s.gap;
    endTimed(s, task, busy, t);
    s.countdown = s.gap = nextGap(s, busy);
    if (continuation !== null) {
      task.suspendedAt = t;
      task.waitWeight = weight;
    }
    if (busy > s.slowThresholdNs) recordSlow(s, task, busy, t, promise, continuation);
  }

  function afterFast(promise: Promise<unknown>): void {
    const task = s.current;
    if (promise !== s.currentPromise || task === null) return; // a step begun before enable()
    // Nested, or begun before metrics were enabled or disabled: the full path.
    if (s.savedDepth !== 0 || s.stepEpoch !== s.epoch) return afterFull(promise);
    const continuation = s.lastEvent === EV_INIT ? s.lastInit : null;
    s.current = null;
    s.currentPromise = null;
    s.lastInit = null;
    s.stepHistogram.count += 1; // every step counted; measured when timed
    if (s.stepTimed) endFastTimed(task, promise, continuation);
    if (continuation !== null) {
      try {
        // One private-field write: the continuation resumes this task. It was created in
        // this step and nothing stamps promises on this path: no field to test for.
        TaskField.attach(continuation, task);
      } catch {
        putQuietly(continuation, task); // stamped after all (a hook disabled inside the step)
      }
      // Listed for per-task figures from its first suspension.
      if (task.resumptions === 1 && task.epoch === s.epoch) list(s, task);
    } else {
      if (task.open && task.epoch === s.epoch) settle(task);
      if (task.listed) unlist(s, task);
      // Ended in its first step: no promise holds it, no hook saw it; its record serves again.
      if (task.reusable && task.resumptions === 1) s.spare = task;
    }
  }

  function afterFull(promise: Promise<unknown>): void {
    const task = s.current;
    if (promise !== s.currentPromise || task === null) return; // a step begun before enable()
    let t = -1;
    let busy = 0;
    let weight = 0;
    // Not for a step begun before enableMetrics() or disableMetrics() (each moves the epoch).
    if (s.stepEpoch === s.epoch) {
      s.stepHistogram.count += 1; // every step counted; measured when timed
      if (s.stepTimed) {
        t = now();
        busy = (t - s.stepStart) * 1e6;
        weight = s.gap;
        endTimed(s, task, busy, t);
        s.countdown = s.gap = nextGap(s, busy);
      }
    }
    const continuation = s.lastEvent === EV_INIT ? s.lastInit : null;
    if (s.leftFns.length > 0) dispatch(s, s.leftFns, s.leftOwners, 'taskLeft', task, promise, true);
    if (busy > s.slowThresholdNs) recordSlow(s, task, busy, t, promise, continuation);
    if (continuation !== null) {
      // One private-field write: the continuation resumes this task.
      putQuietly(continuation, task);
      // A timed step leaves its end time: the task's next step measures the wait (one read).
      task.suspendedAt = t;
      task.waitWeight = weight;
      // Listed for per-task figures from its first suspension (a task ending in its first
      // step is never listed: no list operations for it).
      if (task.resumptions === 1 && task.epoch === s.epoch) list(s, task);
    } else {
      if (task.open && task.epoch === s.epoch && s.metricsOn) settle(task);
      if (task.listed) unlist(s, task);
      if (s.settledFns.length > 0) dispatch(s, s.settledFns, s.settledOwners, 'taskSettled', task, promise, false);
      // Ended in its first step: no promise holds it, no hook saw it; its record serves again.
      if (task.reusable && task.resumptions === 1 && s.recycle) s.spare = task;
    }
    if (s.savedDepth > 0) {
      restore();
    } else {
      s.current = null;
      s.currentPromise = null;
      s.lastInit = null;
    }
  }

  /** Counts the end of a task whose creation was counted; a second end of it is not counted. */
  function settle(task: TaskRecord): void {
    task.open = false;
    s.tasksSettled += 1;
  }

  return {
    fast: { init: initFast, before: beforeFast, after: afterFast },
    full: { init: initFull, before: beforeFull, after: afterFull },
    settled,
  };
}
