// Memory after churn: does anything of awaitwhat's stay behind once promises have settled?
// Runs 1M async calls (each with awaits and a .then), lets them all settle, forces GCs, and
// reports heapUsed (median of 3 fresh processes per mode, interleaved). Two programs: the calls
// alone (a tiny heap), and the calls in a program that also serves HTTP (a realistic baseline).
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
const churn = `
  async function step(i) { await null; return i; }
  async function work(i) { const x = await step(i); return Promise.resolve(x).then((y) => y + 1); }
  for (let i = 0; i < ${calls}; i += 1000) {
    const batch = [];
    for (let j = 0; j < 1000; j++) batch.push(work(i + j));
    await Promise.all(batch);
  }
`;
const measure = `
  for (let k = 0; k < 5; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
  console.log(process.memoryUsage().heapUsed);
`;
// The same churn in a program that does I/O like a service: an HTTP server answering 500
// requests from fetch(). Its baseline heap is a realistic one to compare a fixed cost with.
const service = `
  const http = await import('node:http');
  const server = http.createServer((req, res) => res.end('ok'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = 'http://127.0.0.1:' + server.address().port + '/';
  for (let i = 0; i < 500; i++) await (await fetch(url)).text();
`;
const programs = {
  'async calls only': churn + measure,
  'HTTP server + fetch client, then the same calls': service + churn + measure + 'server.close(); process.exit(0);',
};
const modes = { none: [], awaitwhat: ['--import', register] };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| program | none | awaitwhat | difference |`);
console.log('|---|---:|---:|---:|');
for (const [name, program] of Object.entries(programs)) {
  const results = { none: [], awaitwhat: [] };
  for (let r = 0; r < runs; r++) {
    for (const [mode, flags] of Object.entries(modes)) {
      const out = execFileSync(process.execPath, ['--expose-gc', ...flags, '--input-type=module', '-e', program], { encoding: 'utf8' });
      results[mode].push(Number(out.trim()));
    }
  }
  const none = median(results.none);
  const aw = median(results.awaitwhat);
  console.log(`| ${name} | ${(none / 1e6).toFixed(2)} MB | ${(aw / 1e6).toFixed(2)} MB | +${((aw - none) / 1e6).toFixed(2)} MB (${((aw / none - 1) * 100).toFixed(1)}%) |`);
}
