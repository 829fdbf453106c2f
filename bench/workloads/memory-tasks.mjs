// memory-tasks: heap bytes per live pending task. Run with --expose-gc.
// Creates COUNT async function invocations, each suspended on its own
// never-resolved promise; both the task promises and the awaited promises stay
// reachable in arrays. Figure: (heapUsed after − heapUsed before) / COUNT,
// each measured after forced full GCs.
import { QUICK, deadline, fail, report } from '../lib/workload.mjs';

const W = 'memory';
const COUNT = QUICK ? 20_000 : 100_000;
deadline(W, 60_000);

if (typeof globalThis.gc !== 'function') {
  fail(W, 'run with --expose-gc');
  process.exit(1);
}

async function task(p, i) {
  const v = await p; // never resolves
  return v + i;
}

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

// Drain one macrotask so everything the preload set up has run.
await new Promise((r) => setTimeout(r, 10));

try {
  // Warm up code paths and lazily created structures, then drop them.
  {
    const warm = [];
    for (let i = 0; i < 1000; i++) warm.push(task(new Promise(() => {}), i));
  }
  await new Promise((r) => setTimeout(r, 10));

  const waits = new Array(COUNT);
  const tasks = new Array(COUNT);
  const before = settle();
  for (let i = 0; i < COUNT; i++) {
    const p = new Promise(() => {});
    waits[i] = p;
    tasks[i] = task(p, i);
  }
  await new Promise((r) => setTimeout(r, 10)); // let any deferred bookkeeping run
  const after = settle();
  report({
    workload: W,
    metric: 'bytes/task',
    value: (after - before) / COUNT,
    higherIsBetter: false,
    detail: { count: COUNT, heapBefore: before, heapAfter: after, live: waits.length + tasks.length },
  });
} catch (err) {
  fail(W, err);
}
