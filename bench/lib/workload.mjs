// Shared helpers for the workload scripts in bench/workloads/.
//
// Contract with bench/run.mjs: a workload is started as
//   node [mode flags] bench/workloads/<name>.mjs [--quick]
// and prints exactly one JSON line (the last line of its stdout that parses as
// JSON) of the form
//   {"workload":"await-loop","metric":"ops/s","value":123456,"higherIsBetter":true,"detail":{…}}
// or, on failure, {"workload":…,"error":"message"} with a non-zero exit code.
// Everything here is bounded: a hard deadline exits the process.

export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

export function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Exit with an error line if the workload is still running after `ms`. */
export function deadline(workload, ms) {
  const t = setTimeout(() => {
    report({ workload, error: `workload exceeded its internal deadline of ${ms} ms` });
    process.exit(3);
  }, ms);
  t.unref();
  return t;
}

export function fail(workload, err) {
  report({ workload, error: String(err?.stack ?? err) });
  process.exitCode = 1;
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Measure `batch(n)` (which performs n operations, n a multiple of `step`).
 *
 * 1. probe: two batches of n/20 operations, to estimate the cost per operation;
 *    if a full batch would take over 2 × `targetBatchMs` (a slow mode, e.g.
 *    creation stacks), n is scaled down so that one batch takes about that long
 *    (the figure is per operation, so it stays comparable; detail.n says what ran);
 * 2. `warmup` batches (bounded by `maxMs`);
 * 3. up to `batches` measured batches, stopping early (after at least 3) once
 *    `maxMs` of measured time has elapsed.
 * Reports n / (median batch time) in operations per second: the median makes
 * one GC pause or scheduler hiccup inside the child irrelevant.
 */
export async function measureBatches(workload, { batch, n, step = 1, warmup = 2, batches = 7, maxMs = 3000, targetBatchMs = 500, detail = {} }) {
  if (QUICK) {
    batches = Math.min(batches, 3);
    warmup = Math.min(warmup, 1);
  }
  const roundTo = (x) => Math.max(step, Math.round(x / step) * step);
  try {
    const nominalN = n;
    const probeN = roundTo(n / 20);
    // Two probes, keep the faster: the first one runs cold (interpreter, no
    // feedback yet) and would overestimate the cost of a warm batch.
    let probeMs = Infinity;
    for (let i = 0; i < 2; i++) {
      const tp = now();
      await batch(probeN);
      probeMs = Math.min(probeMs, now() - tp);
    }
    const estMs = (probeMs * n) / probeN;
    // Only clearly slow modes are scaled (hysteresis: a warm `none` batch is ~60 ms).
    if (estMs > 2 * targetBatchMs) n = Math.max(probeN, roundTo((n * targetBatchMs) / estMs));
    const tw = now();
    for (let i = 0; i < warmup && now() - tw < maxMs; i++) await batch(n);
    const times = [];
    let ops = 0;
    let total = 0;
    for (let i = 0; i < batches; i++) {
      const t0 = now();
      await batch(n);
      const dt = now() - t0;
      times.push(dt);
      ops += n;
      total += dt;
      if (total >= maxMs && times.length >= 3) break;
    }
    report({
      workload,
      metric: 'ops/s',
      value: (n / median(times)) * 1000,
      higherIsBetter: true,
      detail: {
        ...detail,
        n,
        ...(n !== nominalN ? { nominalN, scaledDown: true } : {}),
        batches: times.length,
        batchMs: times.map((t) => +t.toFixed(2)),
        medianBatchMs: +median(times).toFixed(2),
        meanOpsPerSec: Math.round((ops / total) * 1000),
      },
    });
  } catch (err) {
    fail(workload, err);
  }
}
