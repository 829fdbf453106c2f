// What a dump costs as the number of stuck tasks grows: how long it pauses the program, where
// that time goes (the dump's own `profile`), how big the heap snapshot and the dump file are,
// how many tasks got their await line. Both ways of dumping, each in a fresh process:
// - `snapshot()`: synchronous, the program is paused for the whole dump;
// - `snapshotInBackground()` (what SIGUSR2 does): paused while V8 writes the heap snapshot
//   (and for lookups); a worker builds the graph while the program runs. A 5 ms interval timer
//   measures the longest stretch the event loop did not turn, as a served request would see it.
// Run: node bench/dump-cost.mjs [tasks...]   (default: 1000 10000 100000)
// tasks/2 stuck "requests", each a handler awaiting a helper that awaits a promise nothing
// settles (2 tasks each).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
const program = (tasks, mode) => `
  const { snapshot, snapshotInBackground, serializeDump } = await import(${JSON.stringify(index)});
  const gate = new Promise(() => {}); globalThis.gate = gate;
  async function leaf(i) { await gate; }
  async function handler(i) { await leaf(i); }
  globalThis.tasks = Array.from({ length: ${Math.ceil(tasks / 2)} }, (_, i) => handler(i));
  await new Promise((r) => setTimeout(r, 50));
  const heapMB = process.memoryUsage().heapUsed / 1e6;
  let last = performance.now(), stall = 0;
  const timer = setInterval(() => { const t = performance.now(); stall = Math.max(stall, t - last); last = t; }, 5);
  await new Promise((r) => setTimeout(r, 20));
  stall = 0; last = performance.now();
  const started = performance.now();
  const dump = ${mode === 'sync' ? 'snapshot()' : 'await snapshotInBackground()'};
  const totalMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 10));
  clearInterval(timer);
  const located = dump.nodes.filter((x) => x.awaitLocation).length;
  const tasks = dump.nodes.filter((x) => x.kind === 'async-function').length;
  const fileMB = +(serializeDump(dump, { compact: true }).length / 1e6).toFixed(1);
  console.log(JSON.stringify({ heapMB: +heapMB.toFixed(1), pauseMs: dump.durationMs, stallMs: stall, totalMs, profile: dump.profile, fileMB, tasks, located }));
  process.exit(0);
`;
const run = (n, mode) => {
  const out = execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e', program(n, mode)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out.trim().split('\n').pop());
};
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`Node ${process.version}. Times in seconds. "stall": the longest stretch a 5 ms timer did not fire during the dump.`);
console.log('Phases are those of the background dump ("lookups": per-object inspector lookups, each a whole-heap walk on the main thread).\n');
console.log('| tasks | heap | snapshot(): pause | background: pause | background: stall | background: total | V8 snapshot | parse | wait edges + leaves | lookups | build + assemble | snapshot size | dump file | located |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const n of counts.length ? counts : [1000, 10000, 100000]) {
  const sync = run(n, 'sync');
  const r = run(n, 'background');
  const p = r.profile;
  console.log(
    `| ${r.tasks} | ${r.heapMB} MB | ${s(sync.pauseMs)} | ${s(r.pauseMs)} | ${s(r.stallMs)} | ${s(r.totalMs)} | ${s(p.captureMs)} | ${s(p.parseMs)} | ${s(p.graphMs)} | ${p.lookups} (${s(p.lookupMs)}) | ${s(p.buildMs)} | ${(p.snapshotBytes / 1e6).toFixed(0)} MB | ${r.fileMB} MB | ${r.located} of ${r.tasks} |`,
  );
}
