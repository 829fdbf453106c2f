// all-fanout: Promise.all fan-out over many small async functions.
// One round = Promise.all over WIDTH small async functions (each awaits twice).
import { QUICK, deadline, measureBatches } from '../lib/workload.mjs';

const W = 'all-fanout';
const WIDTH = 1000;
deadline(W, 60_000);

async function small(i) {
  await null;
  const v = await Promise.resolve(i);
  return v & 3;
}

async function fanout(n) {
  // n = number of small async functions in total
  let sum = 0;
  for (let done = 0; done < n; done += WIDTH) {
    const ps = new Array(WIDTH);
    for (let i = 0; i < WIDTH; i++) ps[i] = small(done + i);
    const rs = await Promise.all(ps);
    sum += rs.length;
  }
  if (sum < n) throw new Error('unexpected result');
  return sum;
}

await measureBatches(W, { batch: fanout, n: 600_000, step: WIDTH, batches: 9, detail: { width: WIDTH } });
