// Issue 10, point 2, measured on the service: a ~100 MB heap (a cache of 600k small
// objects) and 200 requests stuck in a handler with three awaits, the middle one calling a
// function that waits on a pool. One process, with the register; each round takes
// `v8.getHeapSnapshot()` read to its end (V8's own snapshot, no awaitwhat: the baseline of the
// same run), then a SIGUSR2 dump (the background path, as a user takes one). Reports the
// median of the rounds: the dump's pause (dump.durationMs: capture plus lookups), V8's alone,
// their ratio, the lookups made, and how many handler tasks the dump placed at the right line.
// Run: node bench/located-awaits.mjs [rounds=3] [requests=200] [cacheObjects=600000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [rounds = 3, requests = 200, cacheObjects = 600_000] = process.argv.slice(2).map(Number);
const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));

// The service. Line numbers matter: HANDLER_LINE is the middle await of `handle`.
const service = `const v8 = require('node:v8');
const cache = new Map();
for (let i = 0; i < ${cacheObjects}; i++) cache.set('k' + i, { id: i, name: 'user ' + (i % 1000), tags: [i % 7] });
const pool = { size: 0, waiters: [], async acquire() { await new Promise((resolve) => this.waiters.push(resolve)); return {}; } };
async function loadSession(id) { await null; return { id, user: cache.get('k' + id) }; }
async function getConnection() { return await pool.acquire(); }
async function respond(session, conn) { await null; return session.id; }
async function handle(id) {
  const session = await loadSession(id);
  const conn = await getConnection();
  return await respond(session, conn);
}
globalThis.inflight = Array.from({ length: ${requests} }, (_, i) => handle(i));
process.stdin.setEncoding('utf8').on('data', (line) => {
  if (!line.startsWith('v8')) return;
  const started = performance.now();
  const stream = v8.getHeapSnapshot();
  let bytes = 0;
  for (let part = stream.read(); part !== null; part = stream.read()) bytes += part.length;
  stream.destroy();
  process.stdout.write('v8 ' + (performance.now() - started) + ' ' + bytes + '\\n');
});
setTimeout(() => process.stdout.write('ready\\nheap ' + process.memoryUsage().heapUsed + '\\n'), 100);
`;
const HANDLER_LINE = 10;

const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-located-'));
const child = spawn(process.execPath, ['--import', register, '-e', service], {
  env: { ...process.env, AWAITWHAT_DIR: dir, AWAITWHAT_DUMP_FORCE: '1' },
  stdio: ['pipe', 'pipe', 'pipe'],
});
let out = '';
let err = '';
child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
const until = async (test) => {
  while (!test()) {
    if (child.exitCode !== null) throw new Error(`the service exited: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  await until(() => /^heap \d+$/m.test(out));
  const heapUsed = Number(/^heap (\d+)$/m.exec(out)[1]);
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    const from = out.length;
    child.stdin.write('v8\n');
    await until(() => /^v8 /m.test(out.slice(from)));
    const [, v8Ms, bytes] = /^v8 (\S+) (\d+)/m.exec(out.slice(from));
    const errFrom = err.length;
    child.kill('SIGUSR2');
    await until(() => err.slice(errFrom).includes('awaitwhat: dump written to '));
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    const dump = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    rmSync(join(dir, file));
    const handlers = dump.nodes.filter((n) => n.kind === 'async-function' && n.name === 'handle');
    const atLine = handlers.filter((n) => n.awaitLocation?.line === HANDLER_LINE).length;
    rows.push({ v8Ms: Number(v8Ms), bytes: Number(bytes), pauseMs: dump.durationMs, profile: dump.profile, handlers: handlers.length, atLine });
  }
  const heapMB = (rows[0].profile.snapshotBytes / 1048576).toFixed(0);
  console.log(`Node ${process.version}, ${requests} requests stuck, a cache of ${cacheObjects} objects: heap used ${(heapUsed / 1048576).toFixed(0)} MB (snapshot ${heapMB} MB, ${rows[0].profile.heapNodes} objects); ${rounds} rounds.\n`);
  console.log('| round | v8.getHeapSnapshot | SIGUSR2 pause | ratio | lookups | handler tasks at their line | located (source / lookup / left) |');
  console.log('|---:|---:|---:|---:|---:|---:|---|');
  rows.forEach((r, i) => {
    const l = r.profile.located ?? { fromSource: '?', byLookup: '?', unlocated: '?' };
    console.log(`| ${i + 1} | ${(r.v8Ms / 1000).toFixed(2)} s | ${(r.pauseMs / 1000).toFixed(2)} s | ${(r.pauseMs / r.v8Ms).toFixed(2)}× | ${r.profile.lookups} | ${r.atLine}/${r.handlers} | ${l.fromSource} / ${l.byLookup} / ${l.unlocated} |`);
  });
  const v8 = median(rows.map((r) => r.v8Ms));
  const pause = median(rows.map((r) => r.pauseMs));
  console.log(`\nmedian: v8.getHeapSnapshot ${(v8 / 1000).toFixed(2)} s, SIGUSR2 pause ${(pause / 1000).toFixed(2)} s, ratio ${(pause / v8).toFixed(2)}×`);
} finally {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
