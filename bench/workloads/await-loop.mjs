// await-loop: an await-heavy loop of small async functions.
// Per iteration: 2 nested async calls (each awaiting) + one `await null`.
import { QUICK, deadline, measureBatches } from '../lib/workload.mjs';

const W = 'await-loop';
deadline(W, 60_000);

async function leaf(i) {
  await null;
  return i & 1;
}

async function mid(i) {
  const v = await leaf(i);
  return v + 1;
}

async function loop(n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += await mid(i);
    await null;
  }
  if (acc < n) throw new Error('unexpected result');
  return acc;
}

await measureBatches(W, { batch: loop, n: 300_000 });
