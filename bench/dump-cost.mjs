// What a dump costs as the number of stuck tasks grows: how long snapshot() pauses the
// program, where that time goes (the dump's own `profile`), how big the heap snapshot and the
// dump file are, how many tasks got their await line.
// Run: node bench/dump-cost.mjs [tasks...]   (default: 1000 10000 100000)
// Each count runs in a fresh process with the register preloaded: tasks/2 stuck "requests",
// each a handler awaiting a helper that awaits a promise nothing settles (2 tasks each).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
const program = (tasks) => `
  const { snapshot, serializeDump } = await import(${JSON.stringify(index)});
  const gate = new Promise(() => {}); globalThis.gate = gate;
  async function leaf(i) { await gate; }
  async function handler(i) { await leaf(i); }
  globalThis.tasks = Array.from({ length: ${Math.ceil(tasks / 2)} }, (_, i) => handler(i));
  await new Promise((r) => setTimeout(r, 50));
  const heapMB = process.memoryUsage().heapUsed / 1e6;
  const dump = snapshot();
  const located = dump.nodes.filter((x) => x.awaitLocation).length;
  const tasks = dump.nodes.filter((x) => x.kind === 'async-function').length;
  const fileMB = +(serializeDump(dump, { compact: true }).length / 1e6).toFixed(1);
  console.log(JSON.stringify({ heapMB: +heapMB.toFixed(1), pauseMs: dump.durationMs, profile: dump.profile, fileMB, tasks, located }));
  process.exit(0);
`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`Node ${process.version}. Times in seconds; "lookups" are per-object inspector lookups (each walks the whole heap).\n`);
console.log('| tasks | heap | pause | V8 snapshot | parse | wait edges + leaves | lookups | build + assemble | snapshot size | dump file | located |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const n of counts.length ? counts : [1000, 10000, 100000]) {
  const out = execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e', program(n)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const r = JSON.parse(out.trim().split('\n').pop());
  const p = r.profile;
  console.log(
    `| ${r.tasks} | ${r.heapMB} MB | ${s(r.pauseMs)} | ${s(p.captureMs)} | ${s(p.parseMs)} | ${s(p.graphMs)} | ${p.lookups} (${s(p.lookupMs)}) | ${s(p.buildMs)} | ${(p.snapshotBytes / 1e6).toFixed(0)} MB | ${r.fileMB} MB | ${r.located} of ${r.tasks} |`,
  );
}
