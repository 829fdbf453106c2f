// Memory after churn: does anything of awaitwhat's stay behind once promises have settled?
// Runs 1M async calls (each with awaits and a .then), lets them all settle, forces GCs, and
// reports heapUsed. Modes: plain node vs the register, fresh process each, interleaved, 3 runs.
// Run: node bench/churn.mjs [--calls 1000000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const calls = arg('--calls', 1_000_000);
const runs = arg('--runs', 3);
const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const program = `
  async function step(i) { await null; return i; }
  async function work(i) { const x = await step(i); return Promise.resolve(x).then((y) => y + 1); }
  for (let i = 0; i < ${calls}; i += 1000) {
    const batch = [];
    for (let j = 0; j < 1000; j++) batch.push(work(i + j));
    await Promise.all(batch);
  }
  for (let k = 0; k < 5; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
  console.log(process.memoryUsage().heapUsed);
`;
const modes = { none: [], awaitwhat: ['--import', register] };
const results = { none: [], awaitwhat: [] };
for (let r = 0; r < runs; r++) {
  for (const [mode, flags] of Object.entries(modes)) {
    const out = execFileSync(process.execPath, ['--expose-gc', ...flags, '--input-type=module', '-e', program], { encoding: 'utf8' });
    results[mode].push(Number(out.trim()));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const none = median(results.none);
const aw = median(results.awaitwhat);
console.log(`| mode | heapUsed after ${calls.toLocaleString('en')} settled calls + GC (median of ${runs}) |`);
console.log('|---|---:|');
console.log(`| none | ${(none / 1e6).toFixed(2)} MB |`);
console.log(`| awaitwhat | ${(aw / 1e6).toFixed(2)} MB (${((aw / none - 1) * 100).toFixed(1)}% vs none) |`);
