// The CPU-time comparison harness of bench/ab-cpu.mjs and bench/lost-awaits.mjs: modes run
// interleaved (order rotated each round), one fresh process each; each child runs a workload's
// loop in 9 batches (2 warm-up) and reports operations per CPU second of its fastest batch
// (`process.cpuUsage()`): on a shared, oversubscribed machine wall-clock throughput swings 2×
// between rounds, CPU time per batch much less. A script using it runs itself as the child
// (`script --child WORKLOAD`) and prints the medians of the rounds.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './stats.mjs';

/** The repository's root. */
export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

/** Node flags of the four-callback floor: empty `v8.promiseHooks`. */
export const EMPTY_HOOKS = ['--import', pathToFileURL(resolve(ROOT, 'bench/modes/empty-promise-hooks.mjs')).href];

/** Operations a batch of each workload runs, by default. */
export const DEFAULT_SIZES = { 'await-loop': 100_000, 'then-chain': 1_000_000 };

/**
 * The child's side: runs workload `kind` (`await-loop`: nested async functions; `then-chain`:
 * `.then` chains of 1000) in batches of `sizes[kind]` operations and prints one JSON line,
 * `{ opsPerCpuSec }`, of the fastest batch after two warm-ups.
 */
export async function runWorkloadChild(kind, sizes = DEFAULT_SIZES) {
  async function leaf(i) { await null; return i & 1; }
  async function mid(i) { const v = await leaf(i); return v + 1; }
  async function awaitLoop(n) { let acc = 0; for (let i = 0; i < n; i++) { acc += await mid(i); await null; } return acc; }
  const inc = (v) => v + 1;
  async function thenChain(n) { let t = 0; for (let d = 0; d < n; d += 1000) { let p = Promise.resolve(0); for (let i = 0; i < 1000; i++) p = p.then(inc); t += await p; } return t; }
  const [fn, n] = kind === 'then-chain' ? [thenChain, sizes['then-chain']] : [awaitLoop, sizes['await-loop']];
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let best = Infinity;
  for (let b = 0; b < 9; b++) {
    const t0 = cpu();
    await fn(n);
    if (b >= 2) best = Math.min(best, cpu() - t0);
  }
  console.log(JSON.stringify({ opsPerCpuSec: (n / best) * 1000 }));
}

/**
 * The driver's side: `rounds` rounds of every mode (`{ name: { args, env } }`: node flags and
 * extra environment) running `script --child workload`, order rotated each round, progress on
 * stderr. Answers the operations per CPU second by mode, one sample per round.
 */
export function measureInterleaved({ script, workload, rounds, modes }) {
  const names = Object.keys(modes);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const m of names.map((_, i) => names[(i + r) % names.length])) {
      const { args = [], env = {} } = modes[m];
      const out = execFileSync(process.execPath, [...args, script, '--child', workload], { encoding: 'utf8', env: { ...process.env, ...env } });
      samples[m].push(JSON.parse(out.trim().split('\n').pop()).opsPerCpuSec);
    }
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  return samples;
}

/** The median over rounds of `samples[a][i] ÷ samples[b][i]` (paired by round). */
export function pairedRatio(samples, a, b) {
  return median(samples[a].map((v, i) => v / samples[b][i]));
}

/**
 * Prints each mode's median operations per CPU second, its slowdown against plain node
 * (`none`) and the floor (`empty-hooks`), and `more(mode)` at the end of its line.
 */
export function printMedians({ workload, rounds, samples, more = () => '' }) {
  console.log(`${workload}, ${rounds} rounds, operations per CPU second (median of rounds)`);
  for (const m of Object.keys(samples)) {
    const v = median(samples[m]);
    console.log(`${m.padEnd(18)} ${Math.round(v).toString().padStart(10)}  ${(median(samples.none) / v).toFixed(2)}× none  ${(median(samples['empty-hooks']) / v).toFixed(2)}× floor${more(m)}`);
  }
}
