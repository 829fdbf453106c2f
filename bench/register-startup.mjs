// What the register costs at startup, with and without require(esm): on Node 20.11–20.18 (or
// with --no-experimental-require-module) the register import()s the dump modules ahead of
// time (the exit listener cannot load them). Prints the median RSS, heap and time to the first
// turn of the event loop of a program that does nothing.
// Run: node bench/register-startup.mjs [--runs 15]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Number(process.argv[i + 1]) : 15;
const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const program = 'setImmediate(() => { globalThis.gc(); const m = process.memoryUsage(); console.log(m.rss, m.heapUsed, performance.now()); })';
const modes = {
  'no register': [],
  register: ['--import', register],
  'register, --no-experimental-require-module': ['--no-experimental-require-module', '--import', register],
};
const results = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
for (let r = 0; r < runs; r++) {
  for (const [mode, flags] of Object.entries(modes)) {
    const [rss, heap, ms] = execFileSync(process.execPath, ['--expose-gc', ...flags, '-e', program], { encoding: 'utf8' }).trim().split(' ').map(Number);
    results[mode].push({ rss, heap, ms });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('| mode | RSS | heap used | first turn of the loop |');
console.log('|---|---:|---:|---:|');
for (const [mode, xs] of Object.entries(results)) {
  const m = (key) => median(xs.map((x) => x[key]));
  console.log(`| ${mode} | ${(m('rss') / 1e6).toFixed(1)} MB | ${(m('heap') / 1e6).toFixed(2)} MB | ${m('ms').toFixed(0)} ms |`);
}
