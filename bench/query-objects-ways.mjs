// The ways Node 20 offers to enumerate live objects without a heap snapshot, measured on the same
// stuck heap (bench/lib/stuck-heap.mjs) — issue 10, point 3: can the fast dump's enumeration
// (Runtime.queryObjects, ~98% of its pause: bench/fast-dump-profile.mjs) be had cheaper?
//  - inspector: Runtime.queryObjects(Promise.prototype) from a session on the thread itself (what
//    the fast dump does);
//  - worker: the same command from a worker thread's session on the main thread
//    (Session.connectToMainThread), the main thread idle in its event loop (on Node 20.20 it
//    goes unanswered: the row says so after 60 s);
//  - v8: v8.queryObjects(Promise, { format: 'count' }) (Node ≥ 20.13; answers a count or
//    strings, never the objects, so it cannot feed the walk: measured to see whether the cost is
//    the inspector's or V8's).
// Each way runs in a fresh process. Stall: the longest gap between two ticks of a 5 ms timer on
// the main thread around the call (what the program could not run), time: the call itself
// (for `worker`: from post to answer), peak added: VmHWM (reset just before) − RSS before,
// main-thread CPU: utime + stime of the main thread during the call. Load average per row.
// Run: node bench/query-objects-ways.mjs [--heap 100] [--tasks 1000] [--ways inspector,worker,v8] [--repeat 1]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stuckHeapSetup } from './lib/stuck-heap.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const heapMB = Number(option('heap', '100'));
const tasks = Number(option('tasks', '1000'));
const ways = option('ways', 'inspector,worker,v8').split(',');
const repeat = Number(option('repeat', '1'));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const program = (way) => `
  const { readFileSync, writeFileSync } = await import('node:fs');
  const inspector = await import('node:inspector');
  const v8 = await import('node:v8');
  const { Worker } = await import('node:worker_threads');
  const kb = (field) => Number(new RegExp(field + ':\\\\s+(\\\\d+)').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  const cpu = () => { const f = readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
${stuckHeapSetup(heapMB, tasks)}
  globalThis.gc();
  const heapMB = process.memoryUsage().heapUsed / 1048576;
  let worker;
  if (${JSON.stringify(way)} === 'worker') {
    // (Dynamic imports: the worker inherits --input-type=module, and works as CommonJS too.)
    worker = new Worker(\`(async () => {
      const { parentPort } = await import('node:worker_threads');
      const inspector = await import('node:inspector');
      const session = new inspector.Session();
      session.connectToMainThread();
      const post = (method, params) => new Promise((ok, ko) => session.post(method, params, (e, r) => (e ? ko(e) : ok(r))));
      parentPort.once('message', async () => {
        const started = performance.now();
        const proto = await post('Runtime.evaluate', { expression: 'Promise.prototype', objectGroup: 'q' });
        const found = await post('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId, objectGroup: 'q' });
        const ms = performance.now() - started;
        const n = await post('Runtime.callFunctionOn', { objectId: found.objects.objectId, functionDeclaration: 'function () { return this.length; }', returnByValue: true });
        await post('Runtime.releaseObjectGroup', { objectGroup: 'q' });
        session.disconnect();
        parentPort.postMessage({ ms, count: n.result.value });
      });
      parentPort.postMessage('ready');
    })();\`, { eval: true });
    await new Promise((r) => worker.once('message', r));
  }
  let last = performance.now(), stall = 0;
  const ticker = setInterval(() => { const now = performance.now(); stall = Math.max(stall, now - last); last = now; }, 5);
  await new Promise((r) => setTimeout(r, 100));
  stall = 0; last = performance.now();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = kb('VmRSS');
  const cpu0 = cpu();
  let ms, count;
  if (${JSON.stringify(way)} === 'inspector') {
    const session = new inspector.Session();
    session.connect();
    const post = (method, params) => { let out; session.post(method, params, (e, r) => { if (e) throw e; out = r; }); return out; };
    const started = performance.now();
    const proto = post('Runtime.evaluate', { expression: 'Promise.prototype', objectGroup: 'q' });
    const found = post('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId, objectGroup: 'q' });
    ms = performance.now() - started;
    count = post('Runtime.callFunctionOn', { objectId: found.objects.objectId, functionDeclaration: 'function () { return this.length; }', returnByValue: true }).result.value;
    post('Runtime.releaseObjectGroup', { objectGroup: 'q' });
    session.disconnect();
  } else if (${JSON.stringify(way)} === 'v8') {
    const started = performance.now();
    count = v8.queryObjects(Promise, { format: 'count' });
    ms = performance.now() - started;
  } else {
    // On Node 20.20 the worker's queryObjects went unanswered (the main thread idle in epoll):
    // bounded, so that the row says so instead of hanging.
    worker.postMessage('go');
    ({ ms, count } = await Promise.race([new Promise((r) => worker.once('message', r)), new Promise((r) => setTimeout(() => r({ ms: NaN, count: 'no answer in 60 s' }), 60000).unref())]));
    await worker.terminate();
  }
  const cpuS = cpu() - cpu0;
  const peak = kb('VmHWM');
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(ticker);
  console.log(JSON.stringify({ heapMB, ms, stall, cpuS, count, peakAddedMB: (peak - before) / 1048576 }));
  process.exit(0);
`;

console.log(`Node ${process.version}; one fresh process per row; ${heapMB} MB of small objects, ${tasks} stuck tasks`);
console.log('| way | heap | promises found | call | main-thread stall | main-thread CPU | peak RSS added | load average |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (let i = 0; i < repeat; i++) {
  for (const way of ways) {
    const loadBefore = load();
    const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--input-type=module', '-e', program(way)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const r = JSON.parse(out.trim().split('\n').pop());
    console.log(`| ${way} | ${r.heapMB.toFixed(0)} MB | ${r.count} | ${r.ms === null ? "—" : `${(r.ms / 1000).toFixed(2)} s`} | ${(r.stall / 1000).toFixed(2)} s | ${r.cpuS.toFixed(2)} s | ${r.peakAddedMB.toFixed(0)} MB | ${loadBefore} |`);
  }
}
