/**
 * OpenTelemetry exporters. `@opentelemetry/api` is an optional peer dependency: it is loaded
 * only when one of these functions is called, so programs that do not use OpenTelemetry never
 * load it (and need not install it), and the application's own copy of it is used (see
 * `otel-api.ts` for why), unless the caller passes its `meter` or its `api`.
 *
 * Names follow the semantic-convention style (dotted, lower case, unit in the instrument's
 * `unit`, `{task}` annotations), under `nodejs.async_task.*`; the event-loop gauges use the
 * names of the semantic conventions' `nodejs.eventloop.*` metrics.
 *
 * @packageDocumentation
 */
import { VERSION } from '../../internal/version.js';
import { createHook, type Task, type TaskHook } from '../hooks.js';
import { metrics } from '../metrics.js';
import { apiCopies, meterFromCopies, type ApiCopy, type OpenTelemetryApi, type OpenTelemetryBatchResult, type OpenTelemetryMeter } from './otel-api.js';

/** The caller's `api`, else the copies of `@opentelemetry/api` found, the application's first. */
function copiesFor(api: OpenTelemetryApi | undefined): ApiCopy[] {
  return api ? [{ api, from: 'the api option' }] : apiCopies();
}

/** Options of {@link registerOpenTelemetryMetrics}. */
export interface OpenTelemetryOptions {
  /**
   * The meter to create instruments on (e.g. `metrics.getMeter('awaitwhat')` of your own
   * `@opentelemetry/api`). Default: `getMeter('awaitwhat', version)` of the registered
   * MeterProvider, through the first copy of `@opentelemetry/api` that sees it.
   */
  meter?: OpenTelemetryMeter;
  /** The application's `@opentelemetry/api` module, used instead of looking for one. */
  api?: OpenTelemetryApi;
  /** Also report `nodejs.eventloop.delay.*` and `nodejs.eventloop.utilization` (off if another instrumentation does). Default true. */
  eventLoop?: boolean;
}

/**
 * Registers observable instruments that read {@link metrics} at each collection. Metrics must
 * be enabled (`enableMetrics()`) for the figures to move. Call it after the MeterProvider is
 * registered: if none is, it says so in one line on stderr (it would export nothing).
 *
 * @returns a function that removes the instruments' callback
 * @throws {@link UsageError} (rejects) if no `@opentelemetry/api` can be loaded
 */
export async function registerOpenTelemetryMetrics(options: OpenTelemetryOptions = {}): Promise<() => void> {
  const meter = options.meter ?? meterFromCopies(copiesFor(options.api), 'awaitwhat', VERSION);
  const counter = (name: string, description: string, unit: string) => meter.createObservableCounter(name, { description, unit });
  const gauge = (name: string, description: string, unit: string) => meter.createObservableGauge(name, { description, unit });
  const created = counter('nodejs.async_task.created', 'Tasks that ran their first step.', '{task}');
  const settled = counter('nodejs.async_task.settled', 'Tasks that finished.', '{task}');
  const live = meter.createObservableUpDownCounter('nodejs.async_task.live', { description: 'Tasks started and not finished.', unit: '{task}' });
  const resumptions = counter('nodejs.async_task.resumptions', 'Task steps run.', '{step}');
  const busy = counter('nodejs.async_task.busy.time', 'Synchronous time of all task steps.', 's');
  const waiting = counter('nodejs.async_task.waiting.time', 'Time tasks spent suspended between steps.', 's');
  const slow = counter('nodejs.async_task.slow_steps', 'Task steps longer than the slow-step threshold.', '{step}');
  const step = {
    min: gauge('nodejs.async_task.step.duration.min', 'Shortest task step.', 's'),
    mean: gauge('nodejs.async_task.step.duration.mean', 'Mean task step.', 's'),
    p50: gauge('nodejs.async_task.step.duration.p50', 'Median task step.', 's'),
    p95: gauge('nodejs.async_task.step.duration.p95', '95th percentile task step.', 's'),
    p99: gauge('nodejs.async_task.step.duration.p99', '99th percentile task step.', 's'),
    max: gauge('nodejs.async_task.step.duration.max', 'Longest task step.', 's'),
  };
  const withLoop = options.eventLoop !== false;
  const delay = withLoop
    ? {
        min: gauge('nodejs.eventloop.delay.min', 'Event loop minimum delay.', 's'),
        mean: gauge('nodejs.eventloop.delay.mean', 'Event loop mean delay.', 's'),
        p50: gauge('nodejs.eventloop.delay.p50', 'Event loop 50 percentile delay.', 's'),
        p99: gauge('nodejs.eventloop.delay.p99', 'Event loop 99 percentile delay.', 's'),
        max: gauge('nodejs.eventloop.delay.max', 'Event loop maximum delay.', 's'),
      }
    : undefined;
  const utilization = withLoop ? gauge('nodejs.eventloop.utilization', 'Event loop utilization.', '1') : undefined;
  const all = [created, settled, live, resumptions, busy, waiting, slow, ...Object.values(step), ...Object.values(delay ?? {}), ...(utilization ? [utilization] : [])];
  const callback = (result: OpenTelemetryBatchResult): void => {
    const m = metrics({ tasks: 0 });
    result.observe(created, m.tasksCreated);
    result.observe(settled, m.tasksSettled);
    result.observe(live, m.tasksLive);
    result.observe(resumptions, m.resumptions);
    result.observe(busy, m.busyNs / 1e9);
    result.observe(waiting, m.waitingNs / 1e9);
    result.observe(slow, m.slowStepsTotal);
    for (const key of ['min', 'mean', 'p50', 'p95', 'p99', 'max'] as const) result.observe(step[key], m.stepDurationNs[key] / 1e9);
    if (delay && utilization) {
      const d = m.eventLoopDelayNs;
      result.observe(delay.min, d.min / 1e9);
      result.observe(delay.mean, d.mean / 1e9);
      result.observe(delay.p50, d.p50 / 1e9);
      result.observe(delay.p99, d.p99 / 1e9);
      result.observe(delay.max, d.max / 1e9);
      result.observe(utilization, m.eventLoopUtilization);
    }
  };
  meter.addBatchObservableCallback(callback, all);
  return () => meter.removeBatchObservableCallback(callback, all);
}

/** Options of {@link recordSlowStepsOnSpans}. */
export interface SpanBlockingOptions {
  /** Steps at least this long are recorded on the active span. Default 50 ms. */
  thresholdMs?: number;
  /** The application's `@opentelemetry/api` module; default: the copy it resolves, else ours. */
  api?: OpenTelemetryApi;
}

/**
 * Attaches blocking time to the active OpenTelemetry span: every task step of at least
 * `thresholdMs` adds an `awaitwhat.blocked` event (attributes `awaitwhat.step.duration_ms`,
 * `awaitwhat.task.id`) to the span active in that task, and adds to its
 * `awaitwhat.blocked_ms` attribute. Uses {@link createHook} (`taskEntered` / `taskLeft`), so
 * the span is the task's own whatever the order in which tracing and the hook were set up.
 *
 * @returns the enabled hook (`disable()` it to stop)
 * @throws {@link UsageError} (rejects) if no `@opentelemetry/api` can be loaded
 */
export async function recordSlowStepsOnSpans(options: SpanBlockingOptions = {}): Promise<TaskHook> {
  const { api } = copiesFor(options.api)[0]!;
  const threshold = options.thresholdMs ?? 50;
  const blocked = new WeakMap<object, number>();
  let started = 0;
  return createHook({
    taskEntered() {
      started = performance.now();
    },
    taskLeft(task: Task) {
      const ms = performance.now() - started;
      if (ms < threshold) return;
      const span = api.trace.getActiveSpan();
      if (!span) return;
      const total = (blocked.get(span) ?? 0) + ms;
      blocked.set(span, total);
      span.addEvent('awaitwhat.blocked', { 'awaitwhat.step.duration_ms': ms, 'awaitwhat.task.id': task.id });
      span.setAttribute('awaitwhat.blocked_ms', total);
    },
  }).enable();
}
