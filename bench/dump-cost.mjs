// What a dump costs on a heap-size axis (issue 10, point 4): how long it pauses the program, how
// much memory it adds at its peak, and how many stuck tasks it places at their await line, per
// dump mode (AWAITWHAT_DUMP_MODE=full: a heap snapshot; fast: no snapshot, V8's async stack walk).
// Each row is a fresh process: its heap filled with small objects (the dense case: a snapshot
// follows the number of objects) to about the size asked, then `tasks` stuck tasks in
// multi-await handlers — requests `handle → checkout → acquire`, three awaits in `handle`, each
// acquire waiting on its own pool resolver — then one dump as SIGUSR2 takes it
// (`snapshotInBackground()`: a full dump's analysis runs in a worker, a fast dump in process).
// Pause: `dump.durationMs` (the time the program could not run). Peak added: the kernel's
// high-water mark of resident memory (VmHWM, reset through /proc/self/clear_refs just before)
// minus the RSS before the dump. Located: tasks of the three functions at their marked line.
// Run: node bench/dump-cost.mjs [--heaps 10,100,500] [--tasks 200,10000] [--modes full,fast]
// (a 500 MB full dump takes minutes and ~6 GB of memory). Linux only (/proc).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { markedLines, stuckHeapSetup, stuckRequests } from './lib/stuck-heap.mjs';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1].split(',') : fallback;
};
const heaps = option('heaps', ['10', '100', '500']).map(Number);
const taskCounts = option('tasks', ['200', '10000']).map(Number);
const modes = option('modes', ['full', 'fast']);

const program = (mb, tasks) => `
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { snapshotInBackground } = await import(${JSON.stringify(index)});
  const kb = (field) => Number(new RegExp(field + ':\\\\s+(\\\\d+)').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
${stuckHeapSetup(mb, tasks)}
  globalThis.gc?.();
  const heapMB = process.memoryUsage().heapUsed / 1048576;
  writeFileSync('/proc/self/clear_refs', '5');
  const before = kb('VmRSS');
  const dump = await snapshotInBackground({ force: true });
  const peak = kb('VmHWM');
  const byLine = {};
  for (const n of dump.nodes) {
    if (n.kind !== 'async-function' || !['acquire', 'checkout', 'handle'].includes(n.name)) continue;
    const key = n.name + ':' + (n.awaitLocation?.line ?? 0);
    byLine[key] = (byLine[key] ?? 0) + 1;
  }
  console.log(JSON.stringify({ heapMB, rssMB: before / 1048576, pauseMs: dump.durationMs, peakAddedMB: (peak - before) / 1048576, tasks: ${stuckRequests(tasks) * 3}, byLine, profile: dump.profile }));
  process.exit(0);
`;

const run = (mb, tasks, mode) => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', register, '--input-type=module', '-e', program(mb, tasks)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, AWAITWHAT_DUMP_MODE: mode, AWAITWHAT_DUMP_FORCE: '1' },
  });
  const result = JSON.parse(out.trim().split('\n').pop());
  // The marked lines, as the program's own line numbers (the walk and the snapshot agree).
  const marks = markedLines(program(mb, tasks));
  result.located = marks.reduce((sum, key) => sum + (result.byLine[key] ?? 0), 0);
  return result;
};

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`Node ${process.version}; one fresh process per row; dumps as SIGUSR2 takes them (snapshotInBackground).`);
console.log('| heap | stuck tasks | mode | pause | peak RSS added | added ÷ heap | tasks located | pause per 100 MB of heap |');
console.log('|---:|---:|---|---:|---:|---:|---:|---:|');
for (const mb of heaps) {
  for (const tasks of taskCounts) {
    for (const mode of modes) {
      const r = run(mb, tasks, mode);
      if (process.env.DUMP_COST_PROFILE) console.error(JSON.stringify(r.profile));
      console.log(
        `| ${r.heapMB.toFixed(0)} MB | ${r.tasks} | ${mode} | ${s(r.pauseMs)} | ${r.peakAddedMB.toFixed(0)} MB | ${(r.peakAddedMB / r.heapMB).toFixed(2)}× | ${r.located} of ${r.tasks} | ${s((r.pauseMs / r.heapMB) * 100)} |`,
      );
    }
  }
}
