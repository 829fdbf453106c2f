#!/usr/bin/env node
// Memory benchmark: heap bytes per live pending task, per mode.
// Each measurement is a fresh `node --expose-gc [mode flags] bench/workloads/memory-tasks.mjs`
// (100k async functions suspended on never-resolved promises, kept reachable).
// Standalone:  node bench/memory.mjs [--quick] [--repeats 3] [--modes none,awaitwhat]
// Also run as part of `node bench/run.mjs` (skip with --no-memory).
import { fileURLToPath } from 'node:url';
import { MODES, REPO_ROOT, modeAvailability, modeByName } from './modes.mjs';
import { runChild } from './lib/child.mjs';
import { median, min, max } from './lib/stats.mjs';

const SCRIPT = fileURLToPath(new URL('./workloads/memory-tasks.mjs', import.meta.url));

/**
 * @param {{modes: import('./modes.mjs').Mode[], quick?: boolean, repeats?: number, log?: (s:string)=>void}} o
 */
export async function runMemory({ modes, quick = false, repeats = 3, log = (s) => process.stderr.write(s + '\n') }) {
  const rows = [];
  // Interleaved like the speed benchmarks, although heap figures are nearly deterministic.
  const samples = new Map(modes.map((m) => [m.name, { values: [], errors: [] }]));
  for (let r = 0; r < repeats; r++) {
    for (const mode of modes) {
      const res = await runChild({ mode, script: SCRIPT, args: quick ? ['--quick'] : [], nodeFlags: ['--expose-gc'], timeoutMs: 90_000, cwd: REPO_ROOT });
      const s = samples.get(mode.name);
      if (res.ok) s.values.push(res.value);
      else s.errors.push(res.error + (res.stderr ? ` | ${res.stderr.split('\n').pop()}` : ''));
      log(`[memory ${r + 1}/${repeats}] ${mode.name.padEnd(20)} ${res.ok ? res.value.toFixed(1) + ' bytes/task' : 'FAILED: ' + res.error}`);
    }
  }
  const base = median(samples.get('none')?.values ?? []);
  for (const mode of modes) {
    const s = samples.get(mode.name);
    const med = median(s.values);
    rows.push({
      mode: mode.name,
      bytesPerTask: med,
      min: min(s.values),
      max: max(s.values),
      deltaVsNone: Number.isFinite(base) ? med - base : NaN,
      samples: s.values,
      errors: s.errors,
    });
  }
  return { count: quick ? 20_000 : 100_000, repeats, rows };
}

export function memoryMarkdown(mem) {
  const f = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
  const lines = [
    `| mode | bytes per pending task (median) | min–max | extra vs \`none\` |`,
    `|---|---:|---:|---:|`,
  ];
  for (const r of mem.rows) {
    if (!r.samples.length) {
      lines.push(`| ${r.mode} | failed: ${r.errors[0] ?? 'no samples'} | | |`);
      continue;
    }
    const d = r.mode === 'none' ? '—' : `${r.deltaVsNone >= 0 ? '+' : ''}${f(r.deltaVsNone)}`;
    lines.push(`| ${r.mode} | ${f(r.bytesPerTask)} | ${f(r.min)}–${f(r.max)} | ${d} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const ri = argv.indexOf('--repeats');
  const repeats = ri >= 0 ? Number(argv[ri + 1]) : quick ? 1 : 3;
  const mi = argv.indexOf('--modes');
  let modes = MODES.filter((m) => !m.optional);
  if (mi >= 0) {
    const names = argv[mi + 1].split(',');
    for (const n of names) if (!modeByName(n)) throw new Error(`unknown mode ${n}; known: ${MODES.map((m) => m.name).join(', ')}`);
    modes = MODES.filter((m) => m.name === 'none' || names.includes(m.name));
  }
  const usable = [];
  for (const m of modes) {
    const a = modeAvailability(m);
    if (a.ok) usable.push(m);
    else process.stderr.write(`skipping mode ${m.name}: ${a.reason}\n`);
  }
  const mem = await runMemory({ modes: usable, quick, repeats });
  console.log(`\nHeap bytes per live pending task (${mem.count} tasks, median of ${repeats}):\n`);
  console.log(memoryMarkdown(mem));
}
