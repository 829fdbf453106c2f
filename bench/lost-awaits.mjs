#!/usr/bin/env node
// What counting lost awaits costs, in CPU time (issue 11, point 2; docs/benchmarks.md).
//
//   npm run build
//   node bench/lost-awaits.mjs [--workload await-loop|then-chain] [--rounds 9] [--dist DIR]
//
// Modes, interleaved (order rotated each round), one fresh process each: plain node, the
// four-callback floor (`empty-hooks`), the default register (`awaitwhat`), the register with
// lost awaits counted (`AWAITWHAT_LOST_AWAITS=1`), and with creation stacks (which count lost
// awaits too, with their lines), in CPU time per operation (the harness: bench/lib/cpu-ab.mjs).
// Prints medians and ratios to plain node and to the floor.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SIZES, EMPTY_HOOKS, ROOT, measureInterleaved, pairedRatio, printMedians, runWorkloadChild } from './lib/cpu-ab.mjs';

/** Creation stacks cost ~100×: fewer operations per batch, same figure (per operation). */
const STACKS_SIZES = { 'await-loop': 2_000, 'then-chain': 20_000 };

function driver(argv) {
  const opt = { workload: 'await-loop', rounds: 9, dist: resolve(ROOT, 'dist'), stacks: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workload') opt.workload = argv[++i];
    else if (argv[i] === '--rounds') opt.rounds = Number(argv[++i]);
    else if (argv[i] === '--dist') opt.dist = resolve(argv[++i]);
    else if (argv[i] === '--no-stacks') opt.stacks = false;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const register = ['--import', pathToFileURL(resolve(opt.dist, 'src', 'register.js')).href];
  const modes = {
    none: {},
    'empty-hooks': { args: EMPTY_HOOKS },
    awaitwhat: { args: register },
    'awaitwhat-lost': { args: register, env: { AWAITWHAT_LOST_AWAITS: '1' } },
    ...(opt.stacks ? { 'awaitwhat-stacks': { args: register, env: { AWAITWHAT_STACKS: '1' } } } : {}),
  };
  const samples = measureInterleaved({ script: fileURLToPath(import.meta.url), workload: opt.workload, rounds: opt.rounds, modes });
  printMedians({ workload: opt.workload, rounds: opt.rounds, samples, more: (m) => `  (paired ÷ floor ${pairedRatio(samples, 'empty-hooks', m).toFixed(2)}×)` });
}

if (process.argv[2] === '--child') await runWorkloadChild(process.argv[3], process.env.AWAITWHAT_STACKS === '1' ? STACKS_SIZES : DEFAULT_SIZES);
else driver(process.argv.slice(2));
