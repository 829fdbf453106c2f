// What a dump costs as the number of stuck tasks grows: how long snapshot() pauses the
// program, how big the dump file is, how many tasks got their await location.
// Run: node bench/dump-cost.mjs [counts...]   (default: 100 1000 10000)
// Each count runs in a fresh process with the register preloaded.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
const program = (n) => `
  const { snapshot, serializeDump } = await import(${JSON.stringify(index)});
  const gate = new Promise(() => {}); globalThis.gate = gate;
  async function leaf(i) { await gate; }
  async function handler(i) { await leaf(i); }
  globalThis.tasks = Array.from({ length: ${n} }, (_, i) => handler(i));
  await new Promise((r) => setTimeout(r, 50));
  const heapMB = process.memoryUsage().heapUsed / 1e6;
  const dump = snapshot();
  const located = dump.nodes.filter((x) => x.awaitLocation).length;
  const tasks = dump.nodes.filter((x) => x.kind === 'async-function').length;
  console.log(JSON.stringify({ n: ${n}, heapMB: +heapMB.toFixed(1), pauseMs: dump.durationMs, fileMB: +(serializeDump(dump, { compact: true }).length / 1e6).toFixed(2), tasks, located }));
  process.exit(0);
`;
console.log('| stuck tasks (×2 frames) | heap before | pause | dump file | tasks located |');
console.log('|---:|---:|---:|---:|---:|');
for (const n of counts.length ? counts : [100, 1000, 10000]) {
  const out = execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e', program(n)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const r = JSON.parse(out.trim().split('\n').pop());
  console.log(`| ${r.n} | ${r.heapMB} MB | ${r.pauseMs} ms | ${r.fileMB} MB | ${r.located} of ${r.tasks} |`);
}
