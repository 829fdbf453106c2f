#!/usr/bin/env node
// A/B of the task tracker's hot path between two builds, in CPU time.
//
//   git worktree / checkout of the old commit, built into OLD/dist (or a copy of an old dist/ in OLD/dist)
//   npm run build
//   node bench/ab-cpu.mjs --before OLD [--workload await-loop|then-chain] [--rounds 15]
//
// Modes, interleaved (order rotated each round): plain node, the four-callback floor, metrics
// (register + enableMetrics()) and hook-empty (createHook with four empty callbacks), each for
// this checkout's dist/ and for OLD/dist. Each child runs the workload's loop in 9 batches
// (2 warm-up) and reports operations per CPU second of its fastest batch (`process.cpuUsage()`):
// on a shared, oversubscribed machine wall-clock throughput swings 2× between rounds, CPU time
// per batch stays within a few percent. Prints medians, ratios to plain node and to the floor,
// and the paired after ÷ before throughput per round (median).
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
  const [fn, n] = kind === 'then-chain' ? [thenChain, 1_000_000] : [awaitLoop, 100_000];
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
  const opt = { before: null, workload: 'await-loop', rounds: 15 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--before') opt.before = argv[++i];
    else if (argv[i] === '--workload') opt.workload = argv[++i];
    else if (argv[i] === '--rounds') opt.rounds = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!opt.before) throw new Error('--before DIR is required (DIR/dist is the old build)');
  const dist = (dir) => pathToFileURL(resolve(dir, 'dist', 'src')).href;
  const data = (code) => `data:text/javascript,${encodeURIComponent(code)}`;
  const modesFor = (tag, dir) => ({
    [`metrics${tag}`]: ['--import', `${dist(dir)}/register.js`, '--import', data(`import { enableMetrics } from '${dist(dir)}/index.js'; enableMetrics();`)],
    [`hook-empty${tag}`]: ['--import', data(`import { createHook } from '${dist(dir)}/index.js'; createHook({ taskCreated() {}, taskEntered() {}, taskLeft() {}, taskSettled() {} }).enable();`)],
  });
  const MODES = {
    none: [],
    'empty-hooks': ['--import', pathToFileURL(resolve(root, 'bench/modes/empty-promise-hooks.mjs')).href],
    ...modesFor('', root),
    ...modesFor('-before', opt.before),
  };
  const names = Object.keys(MODES);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < opt.rounds; r++) {
    for (const m of names.map((_, i) => names[(i + r) % names.length])) {
      const out = execFileSync(process.execPath, [...MODES[m], self, '--child', opt.workload], { encoding: 'utf8' });
      samples[m].push(JSON.parse(out.trim().split('\n').pop()).opsPerCpuSec);
    }
    process.stderr.write(`round ${r + 1}/${opt.rounds}\n`);
  }
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const k = s.length >> 1; return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2; };
  const paired = (a, b) => med(samples[a].map((v, i) => v / samples[b][i]));
  console.log(`${opt.workload}, ${opt.rounds} rounds, operations per CPU second (median of rounds)`);
  for (const m of names) {
    const v = med(samples[m]);
    console.log(`${m.padEnd(18)} ${Math.round(v).toString().padStart(10)}  ${(med(samples.none) / v).toFixed(2)}× none  ${(med(samples['empty-hooks']) / v).toFixed(2)}× floor`);
  }
  console.log(`after ÷ before throughput (paired): metrics ${paired('metrics', 'metrics-before').toFixed(3)}, hook-empty ${paired('hook-empty', 'hook-empty-before').toFixed(3)}`);
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else driver(process.argv.slice(2));
