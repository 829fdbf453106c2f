#!/usr/bin/env node
// What counting lost awaits costs, in CPU time (issue 11, point 2; docs/benchmarks.md).
//
//   npm run build
//   node bench/lost-awaits.mjs [--workload await-loop|then-chain] [--rounds 9] [--dist DIR]
//
// Modes, interleaved (order rotated each round), one fresh process each: plain node, the
// four-callback floor (`empty-hooks`), the default register (`awaitwhat`), the register with
// lost awaits counted (`AWAITWHAT_LOST_AWAITS=1`), and with creation stacks (which count lost
// awaits too, with their lines). Each child runs the workload in 9 batches (2 warm-up) and
// reports operations per CPU second of its fastest batch (`process.cpuUsage()`): on a shared
// machine wall-clock throughput swings 2× between rounds, CPU time per batch much less. Prints
// medians and ratios to plain node and to the floor.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(self, '..', '..');

async function child(kind) {
  async function leaf(i) { await null; return i & 1; }
  async function mid(i) { const v = await leaf(i); return v + 1; }
  async function awaitLoop(n) { let acc = 0; for (let i = 0; i < n; i++) { acc += await mid(i); await null; } return acc; }
  const inc = (v) => v + 1;
  async function thenChain(n) { let t = 0; for (let d = 0; d < n; d += 1000) { let p = Promise.resolve(0); for (let i = 0; i < 1000; i++) p = p.then(inc); t += await p; } return t; }
  const stacks = process.env.AWAITWHAT_STACKS === '1';
  // Creation stacks cost ~100×: fewer operations per batch, same figure (per operation).
  const [fn, n] = kind === 'then-chain' ? [thenChain, stacks ? 20_000 : 1_000_000] : [awaitLoop, stacks ? 2_000 : 100_000];
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let best = Infinity;
  for (let b = 0; b < 9; b++) {
    const t0 = cpu();
    await fn(n);
    if (b >= 2) best = Math.min(best, cpu() - t0);
  }
  console.log(JSON.stringify({ opsPerCpuSec: (n / best) * 1000 }));
}

function driver(argv) {
  const opt = { workload: 'await-loop', rounds: 9, dist: resolve(root, 'dist'), stacks: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workload') opt.workload = argv[++i];
    else if (argv[i] === '--rounds') opt.rounds = Number(argv[++i]);
    else if (argv[i] === '--dist') opt.dist = resolve(argv[++i]);
    else if (argv[i] === '--no-stacks') opt.stacks = false;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const register = ['--import', pathToFileURL(resolve(opt.dist, 'src', 'register.js')).href];
  const MODES = {
    none: [[], {}],
    'empty-hooks': [['--import', pathToFileURL(resolve(root, 'bench/modes/empty-promise-hooks.mjs')).href], {}],
    awaitwhat: [register, {}],
    'awaitwhat-lost': [register, { AWAITWHAT_LOST_AWAITS: '1' }],
    ...(opt.stacks ? { 'awaitwhat-stacks': [register, { AWAITWHAT_STACKS: '1' }] } : {}),
  };
  const names = Object.keys(MODES);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < opt.rounds; r++) {
    for (const m of names.map((_, i) => names[(i + r) % names.length])) {
      const [args, env] = MODES[m];
      const out = execFileSync(process.execPath, [...args, self, '--child', opt.workload], { encoding: 'utf8', env: { ...process.env, ...env } });
      samples[m].push(JSON.parse(out.trim().split('\n').pop()).opsPerCpuSec);
    }
    process.stderr.write(`round ${r + 1}/${opt.rounds}\n`);
  }
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const k = s.length >> 1; return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2; };
  const paired = (a, b) => med(samples[a].map((v, i) => samples[b][i] / v));
  console.log(`${opt.workload}, ${opt.rounds} rounds, operations per CPU second (median of rounds)`);
  for (const m of names) {
    const v = med(samples[m]);
    console.log(`${m.padEnd(18)} ${Math.round(v).toString().padStart(10)}  ${(med(samples.none) / v).toFixed(2)}× none  ${(med(samples['empty-hooks']) / v).toFixed(2)}× floor  (paired ÷ floor ${paired(m, 'empty-hooks').toFixed(2)}×)`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else driver(process.argv.slice(2));
