/**
 * metrics(): the fixed-memory histogram, step durations against known busy steps, intervals,
 * slow steps, the dump's metrics section, and the exporters.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { DumpMetrics } from '../src/model.js';
import { Histogram, SUB_BUCKETS } from '../src/monitor/histogram.js';
import { metrics } from '../src/monitor/metrics.js';
import { toPrometheus } from '../src/monitor/exporters/prometheus.js';
import { registerOpenTelemetryMetrics } from '../src/monitor/exporters/opentelemetry.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { renderTree } from '../src/serialize/tree.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const program = (name: string) => fileURLToPath(new URL(`programs/${name}`, import.meta.url));
const PRECISION = 1 / SUB_BUCKETS;

async function json<T>(name: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [program(name), ...args], { cwd: root, timeout: 30_000 });
  return JSON.parse(stdout) as T;
}

/** Runs an ES module given as text (it imports 'awaitwhat', the built package) and parses its output. */
async function inline<T>(source: string): Promise<T> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: root, timeout: 30_000 });
  return JSON.parse(stdout) as T;
}

/**
 * 20 steps of 4 ms then 10 steps of 12 ms, measured in a window opened from a timer (the
 * shape `histogram` of monitor-shapes.mjs), with the given enableMetrics() options.
 */
const busySteps = (options: string) => `
  import { enableMetrics, metricsIntervals } from 'awaitwhat';
  enableMetrics(${options});
  const spin = (ms) => { const t0 = performance.now(); while (performance.now() - t0 < ms); };
  async function busy(ms) { await null; spin(ms); }
  setTimeout(() => {
    const interval = metricsIntervals();
    for (let i = 0; i < 20; i++) busy(4);
    for (let i = 0; i < 10; i++) busy(12);
    setTimeout(() => console.log(JSON.stringify({ window: interval.next() })), 600);
  }, 10);`;

describe('Histogram (fixed memory, log-linear)', () => {
  it('count, min, max and mean are exact; percentiles within the bucket precision', () => {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) values.push(i * 1237); // 1.2 µs … 12.4 ms
    for (const v of values) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(1237);
    expect(s.max).toBe(12_370_000);
    expect(s.mean).toBe(Math.round(values.reduce((a, b) => a + b, 0) / values.length));
    for (const [q, got] of [[0.5, s.p50], [0.95, s.p95], [0.99, s.p99]] as const) {
      const exact = values[Math.ceil(q * values.length) - 1] as number;
      expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(PRECISION);
    }
  });

  it('keeps small values exact and huge values bounded, with no growth in memory', () => {
    const h = new Histogram();
    const size = h.counts.length;
    for (const v of [0, 1, 5, 31, -3, 2 ** 50, 7.6]) h.record(v);
    expect(h.counts.length).toBe(size);
    expect(h.summary()).toMatchObject({ count: 7, min: 0, max: 2 ** 50 });
    expect(h.quantile(0.0001)).toBe(0);
    expect(h.quantile(1)).toBe(2 ** 50);
  });

  it('since(): the difference of two moments, empty when nothing was recorded', () => {
    const h = new Histogram();
    for (let i = 0; i < 100; i++) h.record(1000);
    const before = h.clone();
    expect(h.since(before).summary()).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    for (let i = 0; i < 50; i++) h.record(5_000_000);
    const delta = h.since(before).summary();
    expect(delta.count).toBe(50);
    expect(delta.mean).toBe(5_000_000);
    expect(Math.abs(delta.p50 - 5_000_000) / 5_000_000).toBeLessThanOrEqual(PRECISION);
    expect(delta.min).toBeGreaterThanOrEqual(5_000_000 * (1 - PRECISION));
  });
});

interface ShapeOut {
  window: { stepDurationNs: DumpMetrics['stepDurationNs']; resumptions: number; busyNs: number; slowSteps: number; tasksCreated: number };
  extra: { next: { tasksCreated: number; resumptions: number; stepDurationNs: { count: number } } };
  slowSteps: DumpMetrics['slowSteps'];
}

describe('metrics() on programs with known busy steps', () => {
  it('timeEveryStep: stepDurationNs matches 20 steps of 4 ms and 10 steps of 12 ms', async () => {
    const r = await inline<ShapeOut>(busySteps('{ slowStepThresholdMs: 8, timeEveryStep: true }'));
    const h = r.window.stepDurationNs;
    expect(h.count).toBe(30);
    expect(r.window.resumptions).toBe(30);
    // A step is at least its spin; a noisy machine can only make steps longer, so only lower
    // bounds and the order of the two kinds of step are asserted, never "under N ms".
    expect(h.min).toBeGreaterThanOrEqual(4e6 * (1 - PRECISION));
    expect(h.p50).toBeGreaterThanOrEqual(4e6 * (1 - PRECISION));
    expect(h.p95).toBeGreaterThanOrEqual(12e6 * (1 - PRECISION));
    expect(h.max).toBeGreaterThanOrEqual(12e6 * (1 - PRECISION));
    // The median is a 4 ms step, the 95th percentile a 12 ms one: they land in different
    // buckets, the 12 ms one higher (it would take 6 of the 4 ms steps slowed by 8 ms to tie).
    expect(h.p50).toBeLessThan(h.p95);
    expect(h.min).toBeLessThanOrEqual(h.p50);
    expect(h.p95).toBeLessThanOrEqual(h.max);
    expect(h.mean).toBeGreaterThanOrEqual((20 * 4e6 + 10 * 12e6) / 30);
    expect(r.window.busyNs).toBeGreaterThanOrEqual(200e6);
    // The slow-step threshold is 8 ms: every 12 ms step is slow; a 4 ms step only if the
    // machine stretched it, so the count is between the two.
    expect(r.window.slowSteps).toBeGreaterThanOrEqual(10);
    expect(r.window.slowSteps).toBeLessThanOrEqual(30);
  });

  it('sampled (default): every step counted, only timed steps measured, long steps timed back to back', async () => {
    // monitor-shapes.mjs `histogram`: default options, so about 1 step in 64 is timed, and every
    // step after a timed step of 10 µs or more. Steps before the window decide whether one of
    // these 30 is timed; once one is, all the following ones are (they are long).
    const r = await json<ShapeOut>('monitor-shapes.mjs', 'histogram');
    const h = r.window.stepDurationNs;
    expect(h.count).toBe(30); // exact, timed or not
    expect(r.window.resumptions).toBe(30);
    // The threshold is 15 ms: a step is slow only if the machine stretched it; never more
    // slow steps than timed ones.
    expect(r.window.slowSteps).toBeLessThanOrEqual(30);
    if (h.max > 0) {
      // Whatever was timed in the window is one of these steps: none shorter than 4 ms.
      expect(h.min).toBeGreaterThanOrEqual(4e6 * (1 - PRECISION));
      expect(h.p95).toBeGreaterThanOrEqual(12e6 * (1 - PRECISION)); // the 12 ms steps came last: all timed
      expect(h.p95).toBeLessThanOrEqual(h.max);
      expect(r.window.busyNs).toBeGreaterThanOrEqual(10 * 12e6); // the 10 steps of 12 ms, at least
    } else {
      expect(r.window.busyNs).toBe(0);
    }
  });

  it('sampled (default): on many short steps, counts stay exact and a sample is measured', async () => {
    const r = await inline<{ window: ShapeOut['window'] & { waitDurationNs: { count: number; max: number }; waitingNs: number; tasksSettled: number } }>(`
      import { enableMetrics, metricsIntervals } from 'awaitwhat';
      enableMetrics();
      async function work() { for (let j = 0; j < 200; j++) await null; }
      setTimeout(() => {
        const interval = metricsIntervals();
        const all = [];
        for (let i = 0; i < 20; i++) all.push(work());
        Promise.all(all).then(() => setTimeout(() => console.log(JSON.stringify({ window: interval.next() })), 20));
      }, 10);`);
    const w = r.window;
    expect(w.tasksCreated).toBeGreaterThanOrEqual(20); // the 20 work() tasks, the Promise.all callbacks
    expect(w.tasksSettled).toBe(w.tasksCreated);
    expect(w.resumptions).toBeGreaterThanOrEqual(20 * 200);
    expect(w.stepDurationNs.count).toBe(w.resumptions); // every step counted
    // 4000 steps: gaps between timed steps are at most 95, so dozens were timed.
    expect(w.stepDurationNs.max).toBeGreaterThan(0);
    expect(w.stepDurationNs.p50).toBeGreaterThan(0);
    expect(w.busyNs).toBeGreaterThan(0);
    expect(w.stepDurationNs.min).toBeLessThanOrEqual(w.stepDurationNs.p50);
    expect(w.stepDurationNs.p50).toBeLessThanOrEqual(w.stepDurationNs.max);
    // Every wait of a work() task between two of its steps is counted (199 each), more with
    // the Promise.all tasks.
    expect(w.waitDurationNs.count).toBeGreaterThanOrEqual(20 * 199);
    expect(w.waitDurationNs.count).toBeLessThan(w.resumptions);
  });

  it('rejects a timeEveryStep that is not a boolean', async () => {
    const { enableMetrics } = await import('../src/monitor/metrics.js');
    expect(() => enableMetrics({ timeEveryStep: 1 as never })).toThrow(expect.objectContaining({ code: 'AWAITWHAT_USAGE' }));
  });

  it('intervals: a next() right after another covers nothing', async () => {
    const r = await json<ShapeOut>('monitor-shapes.mjs', 'flat', '10', '3');
    expect(r.window.tasksCreated).toBe(10);
    expect(r.extra.next).toMatchObject({ tasksCreated: 0, resumptions: 0, stepDurationNs: { count: 0 } });
  });

  it('records a slow step with its task, the await that ended it, its stack and its context', async () => {
    const r = await json<ShapeOut>('monitor-shapes.mjs', 'slow');
    // The 40 ms step is slow (threshold 15 ms); a loaded machine may stretch another step past
    // the threshold too, so the 40 ms one is found by where it ended, not by being alone.
    expect(r.window.slowSteps).toBeGreaterThanOrEqual(1);
    expect(r.slowSteps).toHaveLength(r.window.slowSteps);
    const source = readFileSync(program('monitor-shapes.mjs'), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes('// SLOW-AWAIT')) + 1;
    const atLine = r.slowSteps.filter((s) => s.awaitLocation?.line === line);
    expect(atLine).toHaveLength(1);
    const step = atLine[0]!;
    expect(step.durationNs).toBeGreaterThanOrEqual(40e6);
    expect(step.awaitLocation?.url).toMatch(/monitor-shapes\.mjs$/);
    expect(step.stack).toContain('at slow (');
    expect(step.context).toEqual({ task: 'slow-one' });
  });

  it('is all zeros, and says so, while metrics are off', () => {
    const m = metrics();
    expect(m.enabled).toBe(false);
    expect(m).toMatchObject({ tasksCreated: 0, resumptions: 0, tasks: [], slowSteps: [] });
  });
});

describe('the dump carries the metrics section', () => {
  it('in JSON (valid against the schema, round-trips) and in the tree view', async () => {
    const { stdout } = await run(process.execPath, [program('monitor-dump.mjs')], { cwd: root, timeout: 30_000 });
    const dump = parseDump(stdout);
    const m = dump.metrics;
    expect(m).toBeDefined();
    if (!m) return;
    expect(m.tasksCreated).toBeGreaterThanOrEqual(5);
    expect(m.tasksLive).toBe(m.tasksCreated - m.tasksSettled);
    // The 20 ms step of slow() is slow (threshold 10 ms); a loaded machine may stretch another.
    expect(m.slowStepsTotal).toBeGreaterThanOrEqual(1);
    expect(m.slowSteps.length).toBe(Math.min(m.slowStepsTotal, 32));
    for (const step of m.slowSteps) expect(step.context).toEqual({ request: 'r-1' });
    expect(m.slowSteps.some((s) => s.durationNs >= 20e6 && s.awaitLocation?.line === 6)).toBe(true);
    expect(m.tasks.length).toBeGreaterThan(0);
    expect(parseDump(serializeDump(dump))).toEqual(dump);
    const schema = JSON.parse(readFileSync(join(root, 'schema', 'dump-v1.schema.json'), 'utf8')) as Record<string, unknown>;
    // allowUnionTypes: the leaf `details` values are string | number | boolean.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    ajv.addFormat('date-time', true);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(stdout)), JSON.stringify(validate.errors)).toBe(true);
    const tree = renderTree(dump);
    expect(tree).toContain('Metrics');
    expect(tree).toMatch(/tasks +\d+ created, \d+ settled, \d+ live; \d+ steps/);
    expect(tree).toMatch(/task #\d+ blocked \d+(\.\d+)?ms at test\/programs\/monitor-dump\.mjs:6/);
  });

  it('rejects a metrics section whose live count does not add up', async () => {
    const { stdout } = await run(process.execPath, [program('monitor-dump.mjs')], { cwd: root, timeout: 30_000 });
    const raw = JSON.parse(stdout) as { metrics: { tasksLive: number } };
    raw.metrics.tasksLive += 1;
    expect(() => parseDump(JSON.stringify(raw))).toThrow(/metrics\.tasksLive/);
  });
});

const SAMPLE: DumpMetrics = {
  sinceMs: 1000,
  tasksCreated: 10,
  tasksSettled: 7,
  tasksLive: 3,
  resumptions: 40,
  busyNs: 2_500_000,
  waitingNs: 9_000_000_000,
  stepDurationNs: { count: 40, min: 1000, mean: 62_500, p50: 50_000, p95: 200_000, p99: 250_000, max: 300_000 },
  waitDurationNs: { count: 30, min: 1, mean: 300_000_000, p50: 1, p95: 2, p99: 3, max: 4 },
  eventLoopDelayNs: { count: 5, min: 10_000_000, mean: 10_500_000, p50: 10_400_000, p95: 11_000_000, p99: 12_000_000, max: 12_000_000 },
  eventLoopUtilization: 0.25,
  slowStepThresholdMs: 100,
  slowStepsTotal: 2,
  slowSteps: [],
  tasks: [],
  tasksOmitted: 3,
};

describe('exporters', () => {
  it('Prometheus text exposition, durations in seconds', () => {
    const text = toPrometheus(SAMPLE);
    expect(text).toContain('# TYPE nodejs_async_tasks_created_total counter\nnodejs_async_tasks_created_total 10\n');
    expect(text).toContain('nodejs_async_tasks_live 3\n');
    expect(text).toContain('nodejs_async_task_busy_seconds_total 0.0025\n');
    expect(text).toContain('nodejs_async_task_step_duration_seconds{quantile="0.99"} 0.00025\n');
    expect(text).toContain('nodejs_async_task_step_duration_seconds_count 40\n');
    expect(text).toContain('nodejs_eventloop_utilization_ratio 0.25\n');
    expect(toPrometheus(SAMPLE, { prefix: 'app_', eventLoop: false })).not.toContain('eventloop');
    // Every sample line is `name[labels] number`.
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{quantile="0\.\d+"\})? -?[\d.]+(e-?\d+)?$/);
    }
  });

  it('OpenTelemetry: observable instruments named in the semantic-convention style', async () => {
    const instruments: { name: string; unit?: string | undefined }[] = [];
    let callback: ((result: { observe(i: unknown, v: number): void }) => void) | undefined;
    const make = (name: string, o: { unit?: string }) => {
      const i = { name, unit: o.unit };
      instruments.push(i);
      return i;
    };
    const meter = {
      createObservableCounter: make,
      createObservableGauge: make,
      createObservableUpDownCounter: make,
      addBatchObservableCallback(cb: typeof callback) {
        callback = cb;
      },
      removeBatchObservableCallback() {
        callback = undefined;
      },
    };
    const stop = await registerOpenTelemetryMetrics({ meter: meter as never });
    const names = instruments.map((i) => i.name);
    expect(names).toContain('nodejs.async_task.created');
    expect(names).toContain('nodejs.async_task.step.duration.p99');
    expect(names).toContain('nodejs.eventloop.utilization');
    for (const n of names) expect(n).toMatch(/^nodejs\.[a-z_.0-9]+$/);
    expect(instruments.find((i) => i.name === 'nodejs.async_task.busy.time')?.unit).toBe('s');
    const observed = new Map<string, number>();
    callback?.({ observe: (i, v) => observed.set((i as { name: string }).name, v) });
    expect(observed.get('nodejs.async_task.created')).toBe(0); // metrics are off in this process
    expect(observed.size).toBe(instruments.length);
    stop();
    expect(callback).toBeUndefined();
  });

  it.each(['tracing-first', 'hook-first'])(
    'recordSlowStepsOnSpans attaches blocking time to the span active in the task (%s)',
    async (order) => {
      const spans = await json<Record<string, { events: { event: string; ms: number }[]; attributes: Record<string, number> }>>(
        'monitor-otel.mjs',
        order,
      );
      // The two 25 ms steps of the slow handler land on its span. A loaded machine may stretch
      // any step past the 15 ms threshold, so the fast handler's span may get an event of its
      // own (at most one per step of its 3), and the slow one a third (its last step).
      const slow = spans.slow?.events ?? [];
      expect(slow.every((e) => e.event === 'awaitwhat.blocked')).toBe(true);
      expect(slow.filter((e) => e.ms >= 25).length).toBeGreaterThanOrEqual(2);
      expect(slow.length).toBeLessThanOrEqual(3);
      expect(spans.slow?.attributes['awaitwhat.blocked_ms']).toBeGreaterThanOrEqual(50);
      expect(spans.fast?.events.length).toBeLessThanOrEqual(3);
      expect(spans.fast?.events.every((e) => e.event === 'awaitwhat.blocked')).toBe(true);
    },
  );
});
