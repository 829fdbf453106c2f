// fs-promises: fs/promises reads of a small temp file, a few in flight at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, deadline, measureBatches } from '../lib/workload.mjs';

const W = 'fs-promises';
const CONCURRENCY = 4;
const SIZE = 1024;
deadline(W, 60_000);

const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-bench-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
const file = join(dir, 'small.txt');
writeFileSync(file, 'x'.repeat(SIZE));

async function readOne() {
  const buf = await readFile(file);
  if (buf.length !== SIZE) throw new Error(`short read: ${buf.length}`);
  return buf.length;
}

async function worker(count) {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += await readOne();
  return bytes;
}

async function reads(n) {
  // n = number of readFile calls in total, CONCURRENCY sequential workers
  const per = Math.ceil(n / CONCURRENCY);
  const ws = [];
  for (let i = 0; i < CONCURRENCY; i++) ws.push(worker(per));
  await Promise.all(ws);
}

try {
  await measureBatches(W, { batch: reads, n: 6_000, step: CONCURRENCY, batches: 7, warmup: 1, detail: { concurrency: CONCURRENCY, fileBytes: SIZE } });
} finally {
  cleanup();
}
