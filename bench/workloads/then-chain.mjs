// then-chain: long `.then` chains (no async functions at all).
// One chain = Promise.resolve().then(f).then(f)… LENGTH links, then awaited once.
import { QUICK, deadline, measureBatches } from '../lib/workload.mjs';

const W = 'then-chain';
const LENGTH = 1000;
deadline(W, 60_000);

const inc = (v) => v + 1;

async function chains(n) {
  // n = number of .then links in total
  let total = 0;
  for (let done = 0; done < n; done += LENGTH) {
    let p = Promise.resolve(0);
    for (let i = 0; i < LENGTH; i++) p = p.then(inc);
    total += await p;
  }
  if (total < n) throw new Error('unexpected result');
  return total;
}

await measureBatches(W, { batch: chains, n: 3_000_000, step: LENGTH, batches: 9, detail: { length: LENGTH } });
