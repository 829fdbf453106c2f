#!/usr/bin/env node
// A/B of the task tracker's hot path between two builds, in CPU time.
//
//   git worktree / checkout of the old commit, built into OLD/dist (or a copy of an old dist/ in OLD/dist)
//   npm run build
//   node bench/ab-cpu.mjs --before OLD [--workload await-loop|then-chain] [--rounds 15]
//
// Modes, interleaved (order rotated each round): plain node, the four-callback floor, metrics
// (register + enableMetrics()) and hook-empty (createHook with four empty callbacks), each for
// this checkout's dist/ and for OLD/dist, in CPU time per operation (the harness:
// bench/lib/cpu-ab.mjs). Prints medians, ratios to plain node and to the floor, and the paired
// after ÷ before throughput per round (median).
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EMPTY_HOOKS, ROOT, measureInterleaved, pairedRatio, printMedians, runWorkloadChild } from './lib/cpu-ab.mjs';

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
    [`metrics${tag}`]: { args: ['--import', `${dist(dir)}/register.js`, '--import', data(`import { enableMetrics } from '${dist(dir)}/index.js'; enableMetrics();`)] },
    [`hook-empty${tag}`]: { args: ['--import', data(`import { createHook } from '${dist(dir)}/index.js'; createHook({ taskCreated() {}, taskEntered() {}, taskLeft() {}, taskSettled() {} }).enable();`)] },
  });
  const modes = {
    none: {},
    'empty-hooks': { args: EMPTY_HOOKS },
    ...modesFor('', ROOT),
    ...modesFor('-before', opt.before),
  };
  const samples = measureInterleaved({ script: fileURLToPath(import.meta.url), workload: opt.workload, rounds: opt.rounds, modes });
  printMedians({ workload: opt.workload, rounds: opt.rounds, samples });
  console.log(`after ÷ before throughput (paired): metrics ${pairedRatio(samples, 'metrics', 'metrics-before').toFixed(3)}, hook-empty ${pairedRatio(samples, 'hook-empty', 'hook-empty-before').toFixed(3)}`);
}

if (process.argv[2] === '--child') await runWorkloadChild(process.argv[3]);
else driver(process.argv.slice(2));
