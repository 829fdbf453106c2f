/**
 * Reading a dump's optional metrics section (docs/metrics.md), split from `json.ts`: the same
 * hand-written checks, failing with the JSON path of the first problem.
 *
 * @packageDocumentation
 */

import type { DumpMetrics, HistogramSummary, SlowStep, TaskMetrics } from '../model.js';
import { array, fail, join, location, num, object, own, required, str, type Obj } from './json-checks.js';


function count(o: Obj, key: string, path: string): number {
  return num(required(o, key, path), join(path, key), 0, true);
}

function histogramSummary(value: unknown, path: string): HistogramSummary {
  const o = object(value, path);
  const f = (key: string): number => num(required(o, key, path), join(path, key), 0, false);
  return { count: count(o, 'count', path), min: f('min'), mean: f('mean'), p50: f('p50'), p95: f('p95'), p99: f('p99'), max: f('max') };
}

/** A JSON value rebuilt without prototype keys (a slow step's `context`). */
function jsonValue(value: unknown, path: string, depth = 0): unknown {
  if (depth > 16) fail(path, 'nested too deeply');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return num(value, path, -Infinity, false);
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, join(path, i), depth + 1));
  const o = object(value, path);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    Object.defineProperty(out, key, { value: jsonValue(o[key], join(path, key), depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function slowStep(value: unknown, path: string): SlowStep {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  return {
    taskId: count(o, 'taskId', path),
    ...(has('parentTaskId') ? { parentTaskId: count(o, 'parentTaskId', path) } : {}),
    ...(has('taskName') ? { taskName: str(o, 'taskName', path) } : {}),
    ...(has('taskLocation') ? { taskLocation: location(own(o, 'taskLocation'), join(path, 'taskLocation')) } : {}),
    durationNs: num(required(o, 'durationNs', path), join(path, 'durationNs'), 0, false),
    startedAt: num(required(o, 'startedAt', path), join(path, 'startedAt'), 0, false),
    ...(has('awaitLocation') ? { awaitLocation: location(own(o, 'awaitLocation'), join(path, 'awaitLocation')) } : {}),
    ...(has('stack') ? { stack: str(o, 'stack', path) } : {}),
    ...(has('context') ? { context: jsonValue(own(o, 'context'), join(path, 'context')) } : {}),
  };
}

function taskMetrics(value: unknown, path: string): TaskMetrics {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  return {
    id: count(o, 'id', path),
    ...(has('parentId') ? { parentId: count(o, 'parentId', path) } : {}),
    ...(has('name') ? { name: str(o, 'name', path) } : {}),
    ...(has('location') ? { location: location(own(o, 'location'), join(path, 'location')) } : {}),
    resumptions: count(o, 'resumptions', path),
    busyNs: num(required(o, 'busyNs', path), join(path, 'busyNs'), 0, false),
    waitingNs: num(required(o, 'waitingNs', path), join(path, 'waitingNs'), 0, false),
    ageMs: num(required(o, 'ageMs', path), join(path, 'ageMs'), 0, false),
  };
}

/**
 * Reads `dump.metrics` (docs/metrics.md), rebuilt from its known fields only.
 *
 * @param value - the section as parsed
 * @param path - its JSON path, for messages
 */
export function dumpMetrics(value: unknown, path: string): DumpMetrics {
  const o = object(value, path);
  const n = (key: string): number => num(required(o, key, path), join(path, key), 0, false);
  const tasksCreated = count(o, 'tasksCreated', path);
  const tasksSettled = count(o, 'tasksSettled', path);
  const tasksLive = count(o, 'tasksLive', path);
  if (tasksLive !== tasksCreated - tasksSettled) fail(join(path, 'tasksLive'), 'must equal tasksCreated − tasksSettled');
  return {
    sinceMs: n('sinceMs'),
    tasksCreated,
    tasksSettled,
    tasksLive,
    resumptions: count(o, 'resumptions', path),
    busyNs: n('busyNs'),
    waitingNs: n('waitingNs'),
    stepDurationNs: histogramSummary(required(o, 'stepDurationNs', path), join(path, 'stepDurationNs')),
    waitDurationNs: histogramSummary(required(o, 'waitDurationNs', path), join(path, 'waitDurationNs')),
    eventLoopDelayNs: histogramSummary(required(o, 'eventLoopDelayNs', path), join(path, 'eventLoopDelayNs')),
    eventLoopUtilization: n('eventLoopUtilization'),
    slowStepThresholdMs: n('slowStepThresholdMs'),
    slowStepsTotal: count(o, 'slowStepsTotal', path),
    slowSteps: array(required(o, 'slowSteps', path), join(path, 'slowSteps')).map((s, i) => slowStep(s, join(join(path, 'slowSteps'), i))),
    tasks: array(required(o, 'tasks', path), join(path, 'tasks')).map((t, i) => taskMetrics(t, join(join(path, 'tasks'), i))),
    tasksOmitted: count(o, 'tasksOmitted', path),
  };
}

