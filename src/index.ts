/**
 * awaitwhat: the wait-for graph of a live Node.js process.
 *
 * ```js
 * import { snapshot } from 'awaitwhat';
 * const dump = snapshot();          // every suspended task, what it awaits, cycles
 * ```
 *
 * @packageDocumentation
 */
import type { Dump } from './model.js';
import type { MemoryGuardOptions } from './snapshot/memory-guard.js';
import * as background from './background/index.js';
import * as snapshotter from './snapshot/snapshotter.js';
import * as dumpFile from './serialize/dump-file.js';
import { provideDumpModules } from './triggers/lazy-dump.js';
import { joinThreads } from './graph/thread-join.js';
import { collectThreadGraphs, collectThreadGraphsSync } from './triggers/thread-collector.js';

// installSignalTrigger() below dumps through these; on Node < 20.19 it could not require() them.
provideDumpModules({ snapshotter, dumpFile, background });

export * from './model.js';
export * from './errors.js';
export type { MemoryGuardOptions } from './snapshot/memory-guard.js';
export { installHooks, uninstallHooks, type InstallOptions } from './hooks/install.js';
export { writeDumpFile, dumpDirectory } from './serialize/dump-file.js';
export { installSignalTrigger, uninstallSignalTrigger } from './triggers/signal.js';
export { parseDump, serializeDump } from './serialize/json.js';
export { renderTree, type TreeOptions } from './serialize/tree.js';
export { toDot, type DotOptions } from './serialize/dot.js';
export { renderSvg } from './serialize/svg.js';
// Monitoring hooks and metrics (docs/hooks.md, docs/metrics.md).
export { createHook, type Task, type TaskHook, type TaskHookCallbacks, type TaskHookOptions } from './monitor/hooks.js';
export {
  enableMetrics,
  disableMetrics,
  metrics,
  metricsIntervals,
  type MetricsOptions,
  type MetricsReadOptions,
  type MetricsSnapshot,
  type IntervalMetrics,
  type MetricsIntervals,
} from './monitor/metrics.js';
export { toPrometheus, type PrometheusOptions } from './monitor/exporters/prometheus.js';
export {
  registerOpenTelemetryMetrics,
  recordSlowStepsOnSpans,
  type OpenTelemetryOptions,
  type SpanBlockingOptions,
} from './monitor/exporters/opentelemetry.js';
export type {
  OpenTelemetryApi,
  OpenTelemetryMeter,
  OpenTelemetrySpan,
  OpenTelemetryBatchResult,
  OpenTelemetryObservable,
  OpenTelemetryInstrumentOptions,
} from './monitor/exporters/otel-api.js';

/**
 * Takes a dump of this process now: every suspended async function, async generator and
 * pending promise that takes part in a wait, with the exact `await` each task is suspended
 * at, who waits on whom, roots and cycles.
 *
 * Synchronous: the program is paused while the heap is read (tens to hundreds of
 * milliseconds, growing with heap size; `dump.durationMs` says how long). Waiting times are
 * present only if the hook layer was installed (`awaitwhat/register` or `installHooks()`)
 * before the waits began.
 *
 * No heap snapshot is taken when its estimated memory would not fit (a cgroup limit, the
 * system's free memory, `options.memoryBudgetMB`): then `dump.refused` says why and `nodes` is
 * empty; `options.force` takes it anyway (docs/production.md).
 *
 * @throws {@link InspectorUnavailableError} if `node:inspector` is missing.
 * @throws {@link SnapshotFailedError} if V8 could not take or parse the heap snapshot.
 */
export function snapshot(options: MemoryGuardOptions = {}): Dump {
  const dump = snapshotter.takeSnapshot({ ...options, trigger: 'api' });
  // Worker threads running the register each add their graph (docs/diagnosis.md#worker-threads).
  return dump.refused ? dump : joinThreads(dump, collectThreadGraphsSync('api'));
}

/**
 * Takes a dump of this process, pausing it only while V8 writes its heap snapshot (and while
 * it answers the few per-object lookups a dump may need): reading the snapshot and building
 * the graph run in a worker thread while the program goes on. This is how SIGUSR2 dumps are
 * taken. `dump.durationMs` is the pause; `dump.profile` says where the rest of the time went.
 *
 * Where the heap snapshot cannot be read synchronously as bytes, falls back to
 * {@link snapshot}.
 *
 * Refused like {@link snapshot} when its memory would not fit.
 *
 * @throws (rejects with) {@link SnapshotFailedError} if the snapshot or its analysis failed.
 */
export function snapshotInBackground(options: MemoryGuardOptions = {}): Promise<Dump> {
  return background
    .takeSnapshotInBackground({ ...options, trigger: 'api' })
    .then((dump) => (dump.refused ? dump : new Promise<Dump>((resolve) => collectThreadGraphs('api', (graphs) => resolve(joinThreads(dump, graphs))))));
}
