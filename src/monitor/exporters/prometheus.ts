/**
 * Prometheus text exposition (format 0.0.4) of {@link metrics}: no dependency, so a plain
 * `http` handler can serve it. Durations are converted to seconds (Prometheus' base unit);
 * histograms are exposed as summaries (quantiles 0.5, 0.95, 0.99, plus `_sum` and `_count`).
 *
 * @packageDocumentation
 */
import type { DumpMetrics, HistogramSummary } from '../../model.js';
import { metrics } from '../metrics.js';

/** Options of {@link toPrometheus}. */
export interface PrometheusOptions {
  /** Prefix of every metric name. Default `nodejs_`. */
  prefix?: string;
  /** Include the event-loop delay and utilisation (skip them when another exporter already does). Default true. */
  eventLoop?: boolean;
}

const NS = 1e-9;

/**
 * Renders metrics in the Prometheus text format.
 *
 * ```js
 * http.createServer((req, res) => {
 *   if (req.url === '/metrics') res.end(toPrometheus());
 * });
 * ```
 *
 * @param snapshot - what to render; defaults to `metrics({ tasks: 0 })` now
 * @param options - name prefix, event-loop section
 * @returns the exposition text, ending with a newline
 */
export function toPrometheus(snapshot: DumpMetrics = metrics({ tasks: 0 }), options: PrometheusOptions = {}): string {
  const p = options.prefix ?? 'nodejs_';
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, value: number): void => {
    out.push(`# HELP ${p}${name} ${help}`, `# TYPE ${p}${name} ${type}`, `${p}${name} ${num(value)}`);
  };
  const summary = (name: string, help: string, h: HistogramSummary, sumSeconds: number): void => {
    out.push(`# HELP ${p}${name} ${help}`, `# TYPE ${p}${name} summary`);
    out.push(`${p}${name}{quantile="0.5"} ${num(h.p50 * NS)}`);
    out.push(`${p}${name}{quantile="0.95"} ${num(h.p95 * NS)}`);
    out.push(`${p}${name}{quantile="0.99"} ${num(h.p99 * NS)}`);
    out.push(`${p}${name}_sum ${num(sumSeconds)}`, `${p}${name}_count ${num(h.count)}`);
  };
  metric('async_tasks_created_total', 'counter', 'Tasks that ran their first step.', snapshot.tasksCreated);
  metric('async_tasks_settled_total', 'counter', 'Tasks that finished.', snapshot.tasksSettled);
  metric('async_tasks_live', 'gauge', 'Tasks started and not finished.', snapshot.tasksLive);
  metric('async_task_resumptions_total', 'counter', 'Task steps run.', snapshot.resumptions);
  metric('async_task_busy_seconds_total', 'counter', 'Synchronous time of all task steps.', snapshot.busyNs * NS);
  metric('async_task_waiting_seconds_total', 'counter', 'Time tasks spent suspended between steps.', snapshot.waitingNs * NS);
  summary('async_task_step_duration_seconds', 'Synchronous time of each task step.', snapshot.stepDurationNs, snapshot.busyNs * NS);
  summary('async_task_wait_duration_seconds', 'Time from the end of a task step to its next step.', snapshot.waitDurationNs, snapshot.waitingNs * NS);
  metric('async_task_slow_steps_total', 'counter', `Task steps longer than ${num(snapshot.slowStepThresholdMs)} ms.`, snapshot.slowStepsTotal);
  if (options.eventLoop !== false) {
    const d = snapshot.eventLoopDelayNs;
    summary('eventloop_delay_seconds', 'Event-loop delay (monitorEventLoopDelay, 10 ms resolution).', d, d.mean * d.count * NS);
    metric('eventloop_utilization_ratio', 'gauge', 'Event-loop utilisation since metrics were enabled.', snapshot.eventLoopUtilization);
  }
  return `${out.join('\n')}\n`;
}

/** Prometheus number: plain decimal, no exponent surprises for integers. */
function num(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(9)));
}
