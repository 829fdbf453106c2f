#!/usr/bin/env node
// awaitwhat benchmark suite: overhead of awaitwhat vs a baseline and vs peers,
// measured in the same run and reported as ratios of medians.
//
//   npm run bench                         # build, then the full default run (writes docs/benchmarks.md)
//   node bench/run.mjs --quick            # smoke run: 1 round, smaller workloads, docs untouched
//   node bench/run.mjs --rounds 7 --only await-loop,http --modes none,empty-hooks,awaitwhat
//   node bench/run.mjs --json bench-results.json
//
// Options:
//   --rounds N        rounds per workload (default 5; --quick: 1)
//   --quick           fewer rounds, smaller batches, shorter HTTP runs
//   --only a,b        workloads to run: await-loop, all-fanout, then-chain, fs-promises,
//                     http, fastify, memory
//   --modes a,b       modes to run (see bench/modes.mjs); `none` is always added;
//                     optional modes (e.g. init-hook) run only when named here
//   --json FILE       also write every raw sample and summary as JSON
//   --no-memory       skip the memory benchmark
//   --docs / --no-docs  write (or not) the generated section of docs/benchmarks.md.
//                     Default: written only for a full run (not --quick, all workloads, all modes).
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODES, REPO_ROOT, modeAvailability, modeByName } from './modes.mjs';
import { runChild } from './lib/child.mjs';
import { median, min, max } from './lib/stats.mjs';
import { runMemory, memoryMarkdown } from './memory.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const W = (name) => join(here, 'workloads', `${name}.mjs`);

/** The workloads, in report order. `goal` = target slowdown of `awaitwhat` vs `none` (from the perf issue). */
export const WORKLOADS = [
  { name: 'await-loop', script: W('await-loop'), timeoutMs: 90_000, goalVsNone: 2.3,
    description: '300k iterations per batch of 2 nested async calls + `await null`; ops/s over the median of 7 batches after 2 warm-up batches' },
  { name: 'all-fanout', script: W('all-fanout'), timeoutMs: 90_000,
    description: '`Promise.all` over 1000 small async functions (2 awaits each), 600k functions per batch; ops/s' },
  { name: 'then-chain', script: W('then-chain'), timeoutMs: 90_000,
    description: '`.then` chains of 1000 links, 3M links per batch; links/s' },
  { name: 'fs-promises', script: W('fs-promises'), timeoutMs: 90_000,
    description: '`fs/promises.readFile` of a 1 KiB temp file, 4 sequential readers in parallel, 6000 reads per batch; reads/s' },
  { name: 'http', script: W('http'), timeoutMs: 60_000, goalVsNone: 1.15,
    description: '`node:http` server on 127.0.0.1, async handler with 3 awaited helpers; autocannon (10 keep-alive connections, separate hook-free process), 1 s warm-up + 2 s measured; req/s' },
  { name: 'fastify', script: W('fastify'), timeoutMs: 60_000, goalVsNone: 1.10, realistic: true,
    description: 'fastify 5 service: async `onRequest` hook + async route with an awaited lookup and a `Promise.all` over items; autocannon as above; req/s' },
];

const FLOOR_GOAL = 1.3;
/** Metrics on: at most this × the floor; an installed but disabled hook: at most this × `none`. */
const METRICS_FLOOR_GOAL = 1.5;
const DISABLED_GOAL = 1.02;

function parseArgs(argv) {
  const o = { rounds: null, quick: false, only: null, modes: null, json: null, memory: true, docs: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(val());
    else if (a.startsWith('--rounds=')) o.rounds = Number(a.slice(9));
    else if (a === '--only') o.only = val().split(',').filter(Boolean);
    else if (a === '--modes') o.modes = val().split(',').filter(Boolean);
    else if (a === '--json') o.json = val();
    else if (a === '--no-memory') o.memory = false;
    else if (a === '--docs') o.docs = true;
    else if (a === '--no-docs') o.docs = false;
    else if (a === '-h' || a === '--help') {
      const src = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(src.filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (o.rounds === null) o.rounds = o.quick ? 1 : 5;
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error('--rounds must be a positive integer');
  return o;
}

const log = (s) => process.stderr.write(s + '\n');
const fmtX = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const fmtRange = (a, b) => (Number.isFinite(a) ? `${a.toFixed(2)}–${b.toFixed(2)}` : '');
function fmtNum(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** Cost ratio: how many times slower `mode` is than `base` (>1 = slower). */
function slowdown(modeValue, baseValue, higherIsBetter) {
  return higherIsBetter ? baseValue / modeValue : modeValue / baseValue;
}

async function runWorkload(wl, modes, opts) {
  // samples[mode][round] = value | null
  const samples = Object.fromEntries(modes.map((m) => [m.name, new Array(opts.rounds).fill(null)]));
  const errors = Object.fromEntries(modes.map((m) => [m.name, []]));
  const details = Object.fromEntries(modes.map((m) => [m.name, []]));
  let metric = null;
  let higherIsBetter = true;
  for (let r = 0; r < opts.rounds; r++) {
    // Round-robin, rotating the starting mode each round so no mode always
    // runs right after the same neighbour (or first, on a cold machine).
    const order = modes.map((_, i) => modes[(i + r) % modes.length]);
    for (const mode of order) {
      const res = await runChild({ mode, script: wl.script, args: opts.quick ? ['--quick'] : [], timeoutMs: wl.timeoutMs, cwd: REPO_ROOT });
      const tag = `[${wl.name} ${r + 1}/${opts.rounds}] ${mode.name.padEnd(20)}`;
      if (res.ok) {
        samples[mode.name][r] = res.value;
        details[mode.name].push(res.result.detail ?? null);
        metric = res.result.metric;
        higherIsBetter = res.result.higherIsBetter !== false;
        log(`${tag} ${fmtNum(res.value)} ${metric}  (${(res.wallMs / 1000).toFixed(1)} s)`);
      } else {
        errors[mode.name].push(`round ${r + 1}: ${res.error}`);
        log(`${tag} FAILED: ${res.error}${res.stderr ? `\n    stderr: ${res.stderr.replace(/\n/g, '\n    ')}` : ''}`);
      }
    }
  }
  return summarize(wl, modes, samples, errors, details, metric, higherIsBetter);
}

function summarize(wl, modes, samples, errors, details, metric, higherIsBetter) {
  const vals = (name) => (samples[name] ?? []).filter((v) => v !== null);
  const med = Object.fromEntries(modes.map((m) => [m.name, median(vals(m.name))]));
  const paired = (name, base) => {
    const out = [];
    const a = samples[name] ?? [];
    const b = samples[base] ?? [];
    for (let i = 0; i < a.length; i++) if (a[i] !== null && b[i] != null) out.push(slowdown(a[i], b[i], higherIsBetter));
    return out;
  };
  const perMode = {};
  for (const m of modes) {
    const vsNone = paired(m.name, 'none');
    const vsFloor = paired(m.name, 'empty-hooks');
    perMode[m.name] = {
      median: med[m.name],
      samples: samples[m.name],
      errors: errors[m.name],
      details: details[m.name],
      vsNone: slowdown(med[m.name], med.none, higherIsBetter),
      vsFloor: med['empty-hooks'] !== undefined ? slowdown(med[m.name], med['empty-hooks'], higherIsBetter) : NaN,
      vsNoneRange: [min(vsNone), max(vsNone)],
      vsFloorRange: [min(vsFloor), max(vsFloor)],
      // relative spread of this mode's own figure across rounds
      spread: vals(m.name).length ? (max(vals(m.name)) - min(vals(m.name))) / med[m.name] : NaN,
    };
  }
  return { workload: wl.name, metric, higherIsBetter, perMode };
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    v8: process.versions.v8,
  };
}

function markdown({ results, modes, skipped, opts, machine, startedAt, elapsedSec, mem, command }) {
  const others = modes.filter((m) => m.name !== 'none');
  const beyondFloor = modes.filter((m) => m.name !== 'none' && m.name !== 'empty-hooks');
  const L = [];
  L.push(`Generated by \`${command}\` on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(elapsedSec / 60)} min.`);
  L.push('');
  L.push(`- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.platform}`);
  L.push(`- Node ${machine.node} (V8 ${machine.v8}); load average at start ${machine.loadAvg.join(' / ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min)`);
  L.push(`- Rounds: ${opts.rounds}${opts.quick ? ' (quick mode: smaller batches, 1 s HTTP runs — smoke test, not a result)' : ''}; modes interleaved round-robin, one fresh process per measurement`);
  for (const s of skipped) L.push(`- Skipped mode \`${s.name}\`: ${s.reason}`);
  L.push('');
  L.push('#### Slowdown vs `none` (plain node)');
  L.push('');
  L.push('Median of the mode ÷ median of `none` as a cost ratio (1.00× = no overhead, 2.00× = twice as slow); in brackets the min–max of the per-round paired ratios.');
  L.push('');
  L.push(`| workload | ${others.map((m) => `\`${m.name}\``).join(' | ')} |`);
  L.push(`|---|${others.map(() => '---:').join('|')}|`);
  for (const r of results) {
    if (r.error) {
      L.push(`| ${r.workload} | ${others.map(() => 'failed').join(' | ')} |`);
      continue;
    }
    const cells = others.map((m) => {
      const p = r.perMode[m.name];
      if (!Number.isFinite(p.median)) return `failed`;
      return `${fmtX(p.vsNone)} (${fmtRange(...p.vsNoneRange)})`;
    });
    L.push(`| ${r.workload} | ${cells.join(' | ')} |`);
  }
  if (beyondFloor.length && modes.some((m) => m.name === 'empty-hooks')) {
    L.push('');
    L.push('#### Slowdown vs the floor (`empty-hooks`)');
    L.push('');
    L.push('Median of the mode ÷ median of `empty-hooks`: what a layer costs on top of merely having promise hooks enabled.');
    L.push('');
    L.push(`| workload | ${beyondFloor.map((m) => `\`${m.name}\``).join(' | ')} |`);
    L.push(`|---|${beyondFloor.map(() => '---:').join('|')}|`);
    for (const r of results) {
      if (r.error) {
        L.push(`| ${r.workload} | ${beyondFloor.map(() => 'failed').join(' | ')} |`);
        continue;
      }
      const cells = beyondFloor.map((m) => {
        const p = r.perMode[m.name];
        if (!Number.isFinite(p.vsFloor)) return 'failed';
        return `${fmtX(p.vsFloor)} (${fmtRange(...p.vsFloorRange)})`;
      });
      L.push(`| ${r.workload} | ${cells.join(' | ')} |`);
    }
  }
  if (modes.some((m) => m.name === 'awaitwhat')) {
    L.push('');
    L.push('#### Goals (default register, `awaitwhat` mode)');
    L.push('');
    L.push(`| workload | ÷ floor | goal ÷ floor | ÷ none | goal ÷ none | met? |`);
    L.push(`|---|---:|---:|---:|---:|:---:|`);
    for (const r of results) {
      const wl = WORKLOADS.find((w) => w.name === r.workload);
      const p = r.perMode?.awaitwhat;
      if (r.error || !p || !Number.isFinite(p.median)) {
        L.push(`| ${r.workload} | n/a | ≤ ${FLOOR_GOAL.toFixed(2)}× | n/a | ${wl.goalVsNone ? `≤ ${wl.goalVsNone.toFixed(2)}×` : '—'} | ? |`);
        continue;
      }
      const okFloor = p.vsFloor <= FLOOR_GOAL;
      const okNone = wl.goalVsNone ? p.vsNone <= wl.goalVsNone : true;
      L.push(
        `| ${r.workload}${wl.realistic ? ' (realistic app)' : ''} | ${fmtX(p.vsFloor)} | ≤ ${FLOOR_GOAL.toFixed(2)}× | ${fmtX(p.vsNone)} | ${wl.goalVsNone ? `≤ ${wl.goalVsNone.toFixed(2)}×` : '—'} | ${okFloor && okNone ? 'yes' : 'no'} |`,
      );
    }
  }
  if (modes.some((m) => m.name === 'awaitwhat-lite')) {
    L.push('');
    L.push('#### Goals (register without hooks, `awaitwhat-lite` mode: `AWAITWHAT_HOOKS=off`)');
    L.push('');
    L.push(`| workload | \`awaitwhat-lite\` ÷ none | goal | met? |`);
    L.push(`|---|---:|---:|:---:|`);
    for (const r of results) {
      const p = r.perMode?.['awaitwhat-lite'];
      const ok = Number.isFinite(p?.vsNone);
      L.push(`| ${r.workload} | ${ok ? fmtX(p.vsNone) : 'n/a'} | ≤ ${DISABLED_GOAL.toFixed(2)}× | ${ok ? (p.vsNone <= DISABLED_GOAL ? 'yes' : 'no') : '?'} |`);
    }
    L.push('');
    L.push('No promise hook is set, so `awaitwhat-lite` ÷ none is the noise of the run, as for `hook-disabled`; read it with the `none` spread below.');
  }
  if (modes.some((m) => m.name === 'awaitwhat-metrics') || modes.some((m) => m.name === 'hook-disabled')) {
    L.push('');
    L.push('#### Goals (metrics on, disabled hook)');
    L.push('');
    L.push(`| workload | \`awaitwhat-metrics\` ÷ floor | goal | met? | \`hook-disabled\` ÷ none | goal | met? |`);
    L.push(`|---|---:|---:|:---:|---:|---:|:---:|`);
    for (const r of results) {
      const m = r.perMode?.['awaitwhat-metrics'];
      const d = r.perMode?.['hook-disabled'];
      const cell = (value, goal) => (Number.isFinite(value) ? [fmtX(value), `≤ ${goal.toFixed(2)}×`, value <= goal ? 'yes' : 'no'] : ['n/a', `≤ ${goal.toFixed(2)}×`, '?']);
      L.push(`| ${r.workload} | ${cell(m?.vsFloor, METRICS_FLOOR_GOAL).join(' | ')} | ${cell(d?.vsNone, DISABLED_GOAL).join(' | ')} |`);
    }
    L.push('');
    L.push('A disabled hook registers no promise hook at all, so `hook-disabled` ÷ none is the noise of the run; read it with the `none` spread below.');
  }
  L.push('');
  L.push('#### Absolute medians (context only — compare ratios, not these)');
  L.push('');
  L.push(`| workload | metric | ${modes.map((m) => `\`${m.name}\``).join(' | ')} | \`none\` spread |`);
  L.push(`|---|---|${modes.map(() => '---:').join('|')}|---:|`);
  for (const r of results) {
    if (r.error) {
      L.push(`| ${r.workload} | failed: ${r.error} |${modes.map(() => '').join(' |')} |`);
      continue;
    }
    const cells = modes.map((m) => fmtNum(r.perMode[m.name].median));
    const sp = r.perMode.none.spread;
    L.push(`| ${r.workload} | ${r.metric} | ${cells.join(' | ')} | ${Number.isFinite(sp) ? `±${((sp * 100) / 2).toFixed(1)}%` : 'n/a'} |`);
  }
  L.push('');
  L.push('`none` spread = half of (max − min) ÷ median of the plain-node figure across rounds: the noise floor of this machine for that workload.');
  const failures = [];
  for (const r of results) {
    if (r.error) failures.push(`${r.workload}: ${r.error}`);
    else for (const m of modes) for (const e of r.perMode[m.name].errors) failures.push(`${r.workload} / ${m.name}: ${e}`);
  }
  if (failures.length) {
    L.push('');
    L.push('#### Failures');
    L.push('');
    for (const f of failures) L.push(`- ${f}`);
  }
  if (mem) {
    L.push('');
    L.push(`#### Memory: heap bytes per live pending task (${mem.count.toLocaleString('en')} tasks, median of ${mem.repeats})`);
    L.push('');
    L.push(memoryMarkdown(mem));
  }
  return L.join('\n');
}

const DOCS = join(REPO_ROOT, 'docs', 'benchmarks.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function writeDocs(section) {
  const block = `${START}\n<!-- generated by bench/run.mjs; edits between these markers are overwritten -->\n\n${section}\n\n${END}`;
  let text;
  if (existsSync(DOCS)) {
    const cur = readFileSync(DOCS, 'utf8');
    const a = cur.indexOf(START);
    const b = cur.indexOf(END);
    if (a >= 0 && b > a) text = cur.slice(0, a) + block + cur.slice(b + END.length);
    else text = `${cur.trimEnd()}\n\n## Results\n\n${block}\n`;
  } else {
    mkdirSync(dirname(DOCS), { recursive: true });
    text = `# Benchmarks\n\n## Results\n\n${block}\n`;
  }
  writeFileSync(DOCS, text);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const t0 = Date.now();

  // Workloads
  let workloads = WORKLOADS;
  let wantMemory = opts.memory;
  if (opts.only) {
    const known = [...WORKLOADS.map((w) => w.name), 'memory'];
    for (const n of opts.only) if (!known.includes(n)) throw new Error(`unknown workload ${n}; known: ${known.join(', ')}`);
    workloads = WORKLOADS.filter((w) => opts.only.includes(w.name));
    wantMemory = opts.memory && opts.only.includes('memory');
  }

  // Modes
  let modes = MODES.filter((m) => !m.optional);
  if (opts.modes) {
    for (const n of opts.modes) if (!modeByName(n)) throw new Error(`unknown mode ${n}; known: ${MODES.map((m) => m.name).join(', ')}`);
    modes = MODES.filter((m) => m.name === 'none' || opts.modes.includes(m.name));
  }
  const skipped = [];
  modes = modes.filter((m) => {
    const a = modeAvailability(m);
    if (!a.ok) {
      skipped.push({ name: m.name, reason: a.reason });
      log(`NOTE: skipping mode ${m.name}: ${a.reason}`);
    }
    return a.ok;
  });

  const machine = machineInfo();
  log(`awaitwhat bench: ${workloads.map((w) => w.name).join(', ')}${wantMemory ? ', memory' : ''} × ${modes.map((m) => m.name).join(', ')}; ${opts.rounds} round(s)${opts.quick ? ', quick' : ''}`);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);

  const results = [];
  for (const wl of workloads) {
    try {
      const r = await runWorkload(wl, modes, opts);
      if (!Number.isFinite(r.perMode.none?.median)) r.error = `baseline (none) failed: ${r.perMode.none?.errors[0] ?? 'no samples'}`;
      results.push(r);
    } catch (err) {
      log(`workload ${wl.name} crashed the harness: ${err.stack ?? err}`);
      results.push({ workload: wl.name, error: String(err.message ?? err) });
    }
  }

  let mem = null;
  if (wantMemory) {
    try {
      mem = await runMemory({ modes, quick: opts.quick, repeats: opts.quick ? 1 : 3, log });
    } catch (err) {
      log(`memory benchmark failed: ${err.stack ?? err}`);
    }
  }

  const elapsedSec = (Date.now() - t0) / 1000;
  // The rerun command, minus options that only choose where output goes.
  const shown = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    if (a === '--json') i++;
    else if (a !== '--docs' && a !== '--no-docs') shown.push(a);
  }
  const argsShown = shown.join(' ');
  const command = `node bench/run.mjs${argsShown ? ' ' + argsShown : ''}`;
  const md = markdown({ results, modes, skipped, opts, machine, startedAt, elapsedSec, mem, command });
  console.log('\n' + md + '\n');

  const fullRun = !opts.quick && !opts.only && !opts.modes;
  const docs = opts.docs ?? fullRun;
  if (docs) {
    writeDocs(md);
    log(`wrote ${relative(process.cwd(), DOCS) || DOCS}`);
  } else {
    log(`docs/benchmarks.md not updated (${opts.docs === false ? '--no-docs' : 'partial or --quick run; pass --docs to write anyway'})`);
  }
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ machine, startedAt, elapsedSec, opts, skipped, modes: modes.map((m) => m.name), results, memory: mem }, null, 2));
    log(`wrote ${opts.json}`);
  }
  log(`done in ${elapsedSec.toFixed(0)} s`);
  // A failing workload is reported, not fatal; exit non-zero only if nothing could be measured.
  if (results.length && results.every((r) => r.error)) process.exitCode = 1;
}

main().catch((err) => {
  log(`bench: ${err.message ?? err}`);
  process.exitCode = 2;
});
