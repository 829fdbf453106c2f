/**
 * Slow steps (metrics on): where a step was when it crossed the threshold, and the record of a
 * slow step. Also the creation location of a task (`createHook(…, { locations: true })`): both
 * come from a stack captured inside the `init` hook.
 *
 * @internal
 */
import type { SlowStep, SourceLocation } from '../../model.js';
import { parseStack } from '../../internal/stack-frames.js';
import { initEntry } from '../../hooks/init-hooks.js';
import { inTaskContext } from './async-context.js';
import { now } from './sampling.js';
import type { TaskRecord, TrackerState } from './state.js';

/** Slow-step stack captures per step at most. */
export const MAX_CAPTURES_PER_STEP = 8;

/** The program's stack where a promise is being created (inside the `init` hook), `limit` frames. */
export function captureStack(s: TrackerState, limit: number): string {
  const site: { stack?: string } = {};
  const saveLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  try {
    // Cut at the function V8 called: the tracker's init, or the init hook it shares with the register.
    Error.captureStackTrace(site, initEntry() ?? s.installed?.init);
  } finally {
    Error.stackTraceLimit = saveLimit;
  }
  // With several init hooks, Node's dispatcher is the first frame left: not the program's.
  return (site.stack ?? '')
    .split('\n')
    .filter((line) => !line.includes('node:internal/promise_hooks'))
    .join('\n');
}

/** The first frame of a captured stack, as a name and a location. */
export function topFrame(stack: string): { name: string; location: SourceLocation } | undefined {
  const frame = parseStack(stack)[0];
  if (!frame) return undefined;
  return { name: frame.functionName || '<anonymous>', location: { url: frame.url, line: frame.line, column: frame.column } };
}

/** Inside init, during a step already past the threshold: remember where it is, in case `promise` ends it. */
export function captureIfSlow(s: TrackerState, promise: object): void {
  if (s.captures < MAX_CAPTURES_PER_STEP && now() - s.stepStart > s.slowThresholdMs) {
    s.captures += 1;
    s.capturedFor = promise;
    s.capturedStack = captureStack(s, 12);
  }
}

/** Records a slow step of `task` that ended at `endedAt` (precise ms), `busyNs` long. */
export function recordSlow(s: TrackerState, task: TaskRecord, busyNs: number, endedAt: number, promise: object, continuation: object | null): void {
  const step: SlowStep = {
    taskId: task.id,
    ...(task.parentId !== undefined ? { parentTaskId: task.parentId } : {}),
    ...(task.name !== undefined ? { taskName: task.name } : {}),
    ...(task.location !== undefined ? { taskLocation: task.location } : {}),
    durationNs: Math.round(busyNs),
    startedAt: Math.round((performance.timeOrigin + endedAt - busyNs / 1e6) * 1000) / 1000,
  };
  if (s.capturedFor !== null) {
    // The last capture is the await that ended the step when it is the continuation;
    // otherwise it is still the last place the slow step was seen creating a promise.
    if (s.capturedFor === continuation) {
      const top = topFrame(s.capturedStack);
      if (top) step.awaitLocation = top.location;
    }
    step.stack = s.capturedStack;
  }
  const context = s.metricsConfig?.context;
  if (context !== undefined) {
    const was = s.inCallback;
    s.inCallback = true;
    try {
      const value = inTaskContext(s, promise, context, undefined, true);
      if (value !== undefined) step.context = value;
    } catch {
      // A failing context reader loses the context, not the record.
    } finally {
      s.inCallback = was;
    }
  }
  s.slowRing.push(step);
}
