/**
 * The parts of `@opentelemetry/api` the exporters use, declared structurally (so that the
 * published types never name the optional peer dependency), and how the application's own
 * copy of it is found.
 *
 * Why the application's copy: `@opentelemetry/api` keeps the registered providers on
 * `globalThis` under `Symbol.for('opentelemetry.js.api.<major>')`, stamped with the version of
 * the copy that registered them, and a copy reads them only if it is not newer (same major,
 * minor not above the registered one). A copy of our own, newer than the application's (say
 * 1.10 beside the application's 1.9, in a monorepo), sees no MeterProvider and hands out a
 * no-op meter: everything exported would vanish, silently. So the copy the application
 * resolves comes first.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';

/** How an instrument is described. */
export interface OpenTelemetryInstrumentOptions {
  /** What it counts or measures. */
  description?: string;
  /** Its unit (`s`, `{task}`, …). */
  unit?: string;
}

/** An observable instrument; opaque to awaitwhat. */
export type OpenTelemetryObservable = object;

/** What a batch observable callback is handed (`BatchObservableResult`). */
export interface OpenTelemetryBatchResult {
  /** Records `value` for `observable`. */
  observe(observable: OpenTelemetryObservable, value: number): void;
}

/** The part of an OpenTelemetry `Meter` that {@link registerOpenTelemetryMetrics} uses. */
export interface OpenTelemetryMeter {
  /** Creates an observable counter. */
  createObservableCounter(name: string, options?: OpenTelemetryInstrumentOptions): OpenTelemetryObservable;
  /** Creates an observable gauge. */
  createObservableGauge(name: string, options?: OpenTelemetryInstrumentOptions): OpenTelemetryObservable;
  /** Creates an observable up-down counter. */
  createObservableUpDownCounter(name: string, options?: OpenTelemetryInstrumentOptions): OpenTelemetryObservable;
  /** Registers a callback that observes several instruments at each collection. */
  addBatchObservableCallback(callback: (result: OpenTelemetryBatchResult) => void, observables: OpenTelemetryObservable[]): void;
  /** Removes a callback added by `addBatchObservableCallback`. */
  removeBatchObservableCallback(callback: (result: OpenTelemetryBatchResult) => void, observables: OpenTelemetryObservable[]): void;
}

/** The part of an OpenTelemetry `Span` that {@link recordSlowStepsOnSpans} uses. */
export interface OpenTelemetrySpan {
  /** Adds an event with attributes. */
  addEvent(name: string, attributes?: Record<string, number>): unknown;
  /** Sets an attribute. */
  setAttribute(key: string, value: number): unknown;
}

/** The part of the `@opentelemetry/api` module the exporters use (pass the module itself). */
export interface OpenTelemetryApi {
  /** The metrics API (`metrics.getMeter`). */
  metrics: { getMeter(name: string, version?: string): OpenTelemetryMeter };
  /** The trace API (`trace.getActiveSpan`). */
  trace: { getActiveSpan(): OpenTelemetrySpan | undefined };
  /** The no-op meter a copy hands out when it sees no MeterProvider (`@opentelemetry/api` ≥ 1.3). */
  createNoopMeter?(): OpenTelemetryMeter;
}

/** One copy of `@opentelemetry/api` and where it was found. */
export interface ApiCopy {
  api: OpenTelemetryApi;
  /** Its resolved file, or `awaitwhat's own`. */
  from: string;
}

/** Where the application resolves its packages from: its main module's directory, then the cwd. */
function applicationDirectories(): string[] {
  const dirs: string[] = [];
  const main = process.argv[1];
  if (main) dirs.push(dirname(resolve(main)));
  dirs.push(process.cwd());
  return dirs;
}

/**
 * The copies of `@opentelemetry/api` to try, the application's first, then awaitwhat's own;
 * each file once.
 * @throws {@link UsageError} if there is none
 */
export function apiCopies(): ApiCopy[] {
  const copies: ApiCopy[] = [];
  const seen = new Set<string>();
  let ownFailure: unknown;
  const bases = [...applicationDirectories().map((dir) => join(dir, 'package.json')), fileURLToPath(import.meta.url)];
  for (const [i, base] of bases.entries()) {
    const own = i === bases.length - 1;
    try {
      const load = createRequire(base);
      const file = load.resolve('@opentelemetry/api');
      if (seen.has(file)) continue;
      seen.add(file);
      copies.push({ api: load(file) as OpenTelemetryApi, from: own ? `awaitwhat's own (${file})` : file });
    } catch (error) {
      // Not installed there: try the next place.
      if (own) ownFailure = error;
    }
  }
  if (copies.length === 0) {
    throw new UsageError('this exporter needs the optional peer dependency @opentelemetry/api (npm install @opentelemetry/api)', { cause: ownFailure });
  }
  return copies;
}

/** The version of `@opentelemetry/api` that registered the global MeterProvider, if any. */
export function registeredMeterProviderVersion(): string | undefined {
  const registry = (globalThis as Record<symbol, { version?: unknown; metrics?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return registry?.metrics && typeof registry.version === 'string' ? registry.version : undefined;
}

/**
 * The meter of the first copy that sees a registered MeterProvider; else the first copy's
 * (no-op) meter and one line on stderr saying why nothing will be exported.
 */
export function meterFromCopies(copies: readonly ApiCopy[], name: string, version: string): OpenTelemetryMeter {
  for (const { api } of copies) {
    const meter = api.metrics.getMeter(name, version);
    if (meter !== api.createNoopMeter?.()) return meter;
  }
  const registered = registeredMeterProviderVersion();
  const why =
    registered === undefined
      ? 'no OpenTelemetry MeterProvider is registered (register the SDK\'s MeterProvider before calling registerOpenTelemetryMetrics, or pass { meter })'
      : `the MeterProvider was registered through @opentelemetry/api ${registered}, which no copy found can read (${copies.map((c) => c.from).join(', ')}); pass { meter } or { api }`;
  try {
    process.stderr.write(`awaitwhat: registerOpenTelemetryMetrics exports nothing: ${why}\n`);
  } catch {
    // stderr is gone: nothing else to tell.
  }
  return copies[0]!.api.metrics.getMeter(name, version);
}
