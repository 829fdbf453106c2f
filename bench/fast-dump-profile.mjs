// Where a fast dump's time and memory go (issue 10, point 3): one fresh process with a heap of
// small objects (bench/lib/stuck-heap.mjs, as bench/dump-cost.mjs builds it) and stuck tasks,
// one fast dump (AWAITWHAT_DUMP_MODE=fast, as SIGUSR2 takes it: snapshotInBackground), and
//  - a CPU profile of the target while it dumps, V8's C++ included: `perf record -g` attached to
//    the target once it is ready (JIT frames named through --perf-basic-prof), or `--cpu prof`:
//    node --prof + node --prof-process (C++ symbols through nm; here, Node 20.20 from Debian, it
//    left 75% of the ticks "unaccounted": the node binary's own frames; so perf is the default);
//  - a memory timeline: the target's VmRSS read from /proc every `--interval` ms by this
//    process (the target cannot: its only thread is busy dumping), with phase marks: the
//    target's own marks (dump start/end, the dump's phase times from dump.profile) and V8's
//    GCs (--trace-gc; the ones Runtime.queryObjects runs carry the reason "heap profiler").
// The load average is printed with every run: the machine is shared; prefer shares and ratios.
// Run: node bench/fast-dump-profile.mjs [--heap 1000] [--tasks 1000] [--cpu perf|prof|none]
//        [--interval 50] [--after 1] [--out /tmp/fast-dump-profile] [--env NAME=VALUE,…]
// (--after: seconds the target lives on after its dump, to see whether its RSS comes back).
// Writes to --out: timeline.csv (ms since dump start, RSS MB, phase), gc.txt, marks.json, and
// perf-self.txt / perf-total.txt / perf-threads.txt (or prof.txt); prints a markdown summary.
// Needs dist/ built (npx tsc -p tsconfig.json). Linux only (/proc). One heavy run at a time:
// a 1 GB heap takes ~1.5 GB more while it dumps.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { markedLines, stuckHeapSetup, stuckRequests } from './lib/stuck-heap.mjs';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const heapMB = Number(option('heap', '1000'));
const tasks = Number(option('tasks', '1000'));
const hasPerf = spawnSync('perf', ['--version']).status === 0;
const cpu = option('cpu', hasPerf ? 'perf' : 'prof');
const interval = Number(option('interval', '50'));
const afterMs = Number(option('after', '1')) * 1000;
const out = option('out', '/tmp/fast-dump-profile');
const extraEnv = Object.fromEntries((option('env', '') || '').split(',').filter(Boolean).map((kv) => kv.split('=')));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
mkdirSync(out, { recursive: true });

// Marks go to stderr (a pipe, written synchronously); stdout (V8's --trace-gc, C stdio) to a file.
const program = `
  const { snapshotInBackground } = await import(${JSON.stringify(index)});
  const mark = (name, extra) => process.stderr.write('@@' + JSON.stringify({ mark: name, wall: performance.timeOrigin + performance.now(), now: performance.now(), ...extra }) + '\\n');
${stuckHeapSetup(heapMB, tasks)}
  globalThis.gc();
  mark('ready', { pid: process.pid, heapMB: process.memoryUsage().heapUsed / 1048576, filled: keep.length * 50000 });
  await new Promise((go) => process.stdin.once('data', go));
  process.stdin.pause();
  mark('calibrate');
  globalThis.gc();
  mark('dump-start');
  const dump = await snapshotInBackground({ force: true });
  const byLine = {};
  for (const n of dump.nodes) {
    if (n.kind !== 'async-function' || !['acquire', 'checkout', 'handle'].includes(n.name)) continue;
    const key = n.name + ':' + (n.awaitLocation?.line ?? 0);
    byLine[key] = (byLine[key] ?? 0) + 1;
  }
  mark('dump-end', { durationMs: dump.durationMs, profile: dump.profile, byLine, warnings: dump.warnings });
  await new Promise((r) => setTimeout(r, ${afterMs}));
  mark('after');
  process.exit(0);
`;

const stdoutFile = join(out, 'stdout.txt');
const stdoutFd = openSync(stdoutFile, 'w');
const nodeArgs = ['--expose-gc', '--trace-gc', '--max-old-space-size=8192'];
if (cpu === 'perf') nodeArgs.push('--perf-basic-prof');
if (cpu === 'prof') nodeArgs.push('--prof', `--logfile=${join(out, 'v8.log')}`, '--no-logfile-per-isolate');
const loadBefore = load();
const target = spawn(process.execPath, [...nodeArgs, '--import', register, '--input-type=module', '-e', program], {
  stdio: ['pipe', stdoutFd, 'pipe'],
  env: { ...process.env, AWAITWHAT_DUMP_MODE: 'fast', AWAITWHAT_DUMP_FORCE: '1', ...extraEnv },
});
closeSync(stdoutFd);
const marks = {};
const samples = [];
let sampler;
let perf;
let perfExited = Promise.resolve();
const exited = new Promise((resolve) => target.on('exit', (code, signal) => resolve({ code, signal })));
// CPU seconds of the target's main thread (utime + stime, in clock ticks of 10 ms): on a loaded
// machine a phase's wall time is inflated by waiting for a core, its CPU time is not.
const cpuS = () => {
  try {
    const fields = readFileSync(`/proc/${target.pid}/task/${target.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};
const rssMB = () => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${target.pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return undefined;
  }
};
for await (const line of createInterface({ input: target.stderr })) {
  if (!line.startsWith('@@')) {
    process.stderr.write(`target: ${line}\n`);
    continue;
  }
  const m = JSON.parse(line.slice(2));
  marks[m.mark] = m;
  if (m.mark === 'ready') {
    sampler = setInterval(() => {
      const rss = rssMB();
      if (rss !== undefined) samples.push({ wall: performance.timeOrigin + performance.now(), rss, cpu: cpuS() });
    }, interval);
    if (cpu === 'perf') {
      perf = spawn('perf', ['record', '-F', '499', '-g', '-e', 'cpu-clock', '-p', String(target.pid), '-o', join(out, 'perf.data')], { stdio: ['ignore', 'ignore', 'pipe'] });
      perfExited = new Promise((r) => perf.on('exit', r));
      await new Promise((r) => setTimeout(r, 2000)); // perf attaches; nothing to synchronise on
    }
    target.stdin.write('go\n');
    target.stdin.end();
  }
  if (m.mark === 'dump-end' && perf) perf.kill('SIGINT');
}
const status = await exited;
clearInterval(sampler);
await perfExited;
const loadAfter = load();
if (!marks['dump-end']) {
  console.error(`the target ended without a dump (${JSON.stringify(status)}); see ${stdoutFile}`);
  process.exit(1);
}

// V8's GC lines: "[pid:0x…]  12345 ms: Mark-Compact (reduce) 1000.1 (1030.2) -> 990.0 (1020.0) MB, 12.3 / 0.0 ms  … reason".
// The timestamp is when the GC ended, in ms since the isolate started; calibrated on the gc()
// between the marks 'calibrate' and 'dump-start'.
const gcs = readFileSync(stdoutFile, 'utf8').split('\n').flatMap((line) => {
  const m = /\s([\d.]+) ms: (\S+(?: \S+)*?) ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB,(?: pooled: [\d.]+ MB,)? ([\d.]+) \/ ([\d.]+) ms.*?(?:\) )?([a-z][^;]*)(?:;|$)/.exec(line);
  return m ? [{ endV8: Number(m[1]), kind: m[2], fromMB: Number(m[3]), toMB: Number(m[5]), ms: Number(m[7]), reason: m[9].trim(), line: line.trim() }] : [];
});
const calib = gcs.filter((g) => g.endV8 >= marks.calibrate.now - 50 && g.endV8 <= marks['dump-start'].now + 50).pop();
const offset = calib ? marks['dump-start'].wall - calib.endV8 : marks.calibrate.wall - marks.calibrate.now; // wall = v8 ms + offset
const t0 = marks['dump-start'].wall;
const end = marks['dump-end'];
const profile = end.profile;
const queryEnd = t0 + profile.captureMs;
const walkEnd = queryEnd + profile.graphMs;
const queryGcs = gcs.map((g) => ({ ...g, end: g.endV8 + offset - t0, start: g.endV8 + offset - t0 - g.ms })).filter((g) => g.end > 0 && g.end <= end.wall - t0);
const profilerGcs = queryGcs.filter((g) => /heap profiler/.test(g.reason));
const firstGc = profilerGcs[0]?.start ?? profile.captureMs / 2;
const lastGc = profilerGcs.at(-1)?.end ?? profile.captureMs / 2;
const phases = [
  { name: 'before the dump (ready, idle)', from: marks.ready.wall - t0, to: 0 },
  { name: 'queryObjects: 1st filtered heap iteration (reachability set, feedback vectors cleared)', from: 0, to: firstGc },
  { name: `queryObjects: CollectAllAvailableGarbage (${profilerGcs.length} GCs)`, from: firstGc, to: lastGc },
  { name: 'queryObjects: 2nd filtered iteration + prototype predicate per JS object', from: lastGc, to: queryEnd - t0 },
  { name: 'the walks (V8 async stack walk per promise) + graph', from: queryEnd - t0, to: walkEnd - t0 },
  { name: 'assembling the dump', from: walkEnd - t0, to: end.wall - t0 },
  { name: `after the dump (${afterMs / 1000} s)`, from: end.wall - t0, to: marks.after.wall - t0 },
];
const rel = samples.map((s) => ({ t: s.wall - t0, rss: s.rss, cpu: s.cpu }));
const rssBefore = rel.filter((s) => s.t <= 0).at(-1)?.rss ?? rel[0]?.rss;
const rows = phases.map((p) => {
  const inside = rel.filter((s) => s.t >= p.from && s.t <= p.to);
  const at = (t) => rel.filter((s) => s.t <= t).at(-1)?.rss;
  const cpuAt = (t) => rel.filter((s) => s.t <= t).at(-1)?.cpu;
  const peak = inside.length ? Math.max(...inside.map((s) => s.rss)) : at(p.to);
  return { ...p, ms: p.to - p.from, cpuS: cpuAt(p.to) - cpuAt(p.from), startRss: at(p.from), peak, endRss: at(p.to) };
});
writeFileSync(join(out, 'timeline.csv'), 'ms_since_dump_start,rss_mb,main_thread_cpu_s,phase\n' + rel.map((s) => `${s.t.toFixed(0)},${s.rss.toFixed(1)},${s.cpu},${phases.find((p) => s.t >= p.from && s.t <= p.to)?.name ?? ''}`).join('\n') + '\n');
writeFileSync(join(out, 'gc.txt'), queryGcs.map((g) => `${g.start.toFixed(0)}..${g.end.toFixed(0)} ms  ${g.line}`).join('\n') + '\n');
writeFileSync(join(out, 'marks.json'), JSON.stringify({ marks, phases: rows, nodeArgs, extraEnv }, null, 1));

const f = (n, d = 0) => (n === undefined ? '?' : n.toFixed(d));
const marked = markedLines(program);
const located = marked.reduce((sum, key) => sum + (end.byLine[key] ?? 0), 0);
console.log(`Node ${process.version}; heap ${f(marks.ready.heapMB)} MB used (${marks.ready.filled} filler objects), ${stuckRequests(tasks) * 3} stuck tasks, ${located} located; cpu profile: ${cpu}; load average before ${loadBefore}, after ${loadAfter}; env ${JSON.stringify(extraEnv)}`);
console.log(`pause (dump.durationMs) ${f(end.durationMs / 1000, 2)} s; queryObjects ${f(profile.captureMs / 1000, 2)} s; walks ${f(profile.graphMs / 1000, 2)} s (${profile.heapNodes} promises); RSS before ${f(rssBefore)} MB, peak ${f(Math.max(...rel.map((s) => s.rss)))} MB (+${f(Math.max(...rel.map((s) => s.rss)) - rssBefore)} MB, ${f((Math.max(...rel.map((s) => s.rss)) - rssBefore) / marks.ready.heapMB, 2)}× the heap)`);
console.log('\n| phase | from | wall time | share of pause | main-thread CPU | RSS at start | peak RSS | RSS at end |\n|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const share = r.from >= 0 && r.to <= end.wall - t0 + 1 ? `${f((100 * r.ms) / (end.wall - t0))}%` : '';
  console.log(`| ${r.name} | ${f(r.from / 1000, 2)} s | ${f(r.ms / 1000, 2)} s | ${share} | ${f(r.cpuS, 2)} s | ${f(r.startRss)} MB | ${f(r.peak)} MB | ${f(r.endRss)} MB |`);
}
console.log('\nGCs during the dump (ms since dump start):');
for (const g of queryGcs) console.log(`  ${f(g.start)}..${f(g.end)}  ${g.kind} ${g.fromMB} -> ${g.toMB} MB, ${g.ms} ms, ${g.reason}`);

if (cpu === 'perf') {
  const report = (args, file) => {
    const r = spawnSync('perf', ['report', '-i', join(out, 'perf.data'), '--stdio', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    writeFileSync(join(out, file), r.stdout);
    return r.stdout;
  };
  // perf pads the symbol column (and adds IPC columns): cut to what carries the information.
  const entries = (text) => text.split('\n').filter((l) => /^\s+[\d.]+%/.test(l)).map((l) => l.replace(/\s+-\s+-\s*$/, '').replace(/\s+/g, ' ').trim().slice(0, 200));
  const main = ['--tid', String(target.pid)];
  console.log('\nCPU by thread (perf, samples of the whole recording):');
  for (const l of entries(report(['--sort', 'pid,comm', '--no-children', '-g', 'none'], 'perf-threads.txt')).slice(0, 8)) console.log('  ' + l);
  console.log('\nMain thread by library (perf --sort dso): node = V8 and Node, libc = malloc/free/memset, kernel = page faults of new memory:');
  for (const l of entries(report([...main, '--no-children', '--sort', 'dso', '-g', 'none'], 'perf-dso.txt')).slice(0, 5)) console.log('  ' + l);
  console.log('\nMain thread, self time (perf --no-children), top 25:');
  for (const l of entries(report([...main, '--no-children', '--sort', 'symbol', '-g', 'none'], 'perf-self.txt')).slice(0, 25)) console.log('  ' + l);
  // Total time (self + callees) of the frames that tell the phases apart, in the report's order.
  const KEY = /QueryObjects|UnreachableObjectsFilter|CollectAllAvailableGarbage|Heap::CollectGarbage|MarkCompactCollector::(CollectGarbage|MarkLiveObjects|Evacuate|Sweep)|HeapObjectIterator::Next|QueryObjectPredicate|GetCreationContext|isInspectableHeapObject|Object::GetPrototype|walkAll|walkFromPromises|CaptureStackTrace|CaptureAsyncStackTrace|ClearSlots|_Hashtable|malloc|free|walksToNodes|JSON|Runtime_|Scavenge|V8InspectorSessionImpl::dispatchProtocolMessage/;
  console.log('\nMain thread, total time (perf --children: self + callees) of the telling frames:');
  for (const l of entries(report([...main, '--children', '--sort', 'symbol', '-g', 'none'], 'perf-total.txt')).filter((l) => KEY.test(l)).slice(0, 40)) console.log('  ' + l);
  rmSync(`/tmp/perf-${target.pid}.map`, { force: true });
}
if (cpu === 'prof' && existsSync(join(out, 'v8.log'))) {
  const r = spawnSync(process.execPath, ['--prof-process', join(out, 'v8.log')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(join(out, 'prof.txt'), r.stdout);
  console.log(`\nnode --prof-process: ${join(out, 'prof.txt')} (its [Summary] and [C++] sections; the fill is in it too)`);
  console.log(r.stdout.split('\n').slice(0, 40).join('\n'));
}
